import type {
  InvoiceSnapshot,
  MeterItem,
  PaymentProvider,
  PlanTier,
  SubscriptionSnapshot,
} from '@ccp/schemas';

/**
 * The payments port: what the platform asks of whoever bills its tenants. Two adapters, one contract suite
 * (`contract.ts`): Stripe through the official library, and the embedded ledger, where the platform is its own
 * provider (subscriptions follow UTC months; invoices are issued by the billing account decider).
 *
 * Every call that creates or changes something takes an idempotency key derived from the event that asked for
 * it, so a worker that crashed after the provider answered and asks again changes nothing twice.
 */
export interface PaymentsPort {
  readonly provider: PaymentProvider;
  createCustomer(input: CustomerInput, options: Idempotent): Promise<{ readonly customerId: string }>;
  /** Gives the provider's customer the account's billing contact as it is now (invoices are sent to it). */
  updateCustomer(input: CustomerUpdate, options: Idempotent): Promise<void>;
  startSubscription(input: StartSubscriptionInput, options: Idempotent): Promise<SubscriptionSnapshot>;
  /** Another tier from now on, prorated. */
  changeTier(input: ChangeTierInput, options: Idempotent): Promise<SubscriptionSnapshot>;
  /** Ends the subscription when its current period ends. */
  cancelAtPeriodEnd(input: SubscriptionRef, options: Idempotent): Promise<SubscriptionSnapshot>;
  /**
   * Reports units of usage. Each item's `identifier` makes a repeat harmless (Stripe enforces uniqueness for at
   * least 24 hours; the ledger's meter is the event log, which already holds them). Throws
   * PaymentsUnavailableError when the provider could not take them now (network, 5xx, 429): the caller sends
   * the whole batch again later. Items the provider refused for good (a 4xx such as a timestamp older than 35
   * days) are returned in `rejected` and not sent again.
   */
  sendMeterEvents(events: readonly MeterEventInput[]): Promise<MeterResult>;
  /** A page where the customer updates the payment method, returning to `returnUrl`. */
  portalSession(input: {
    readonly customerId: string;
    readonly returnUrl: string;
  }): Promise<{ readonly url: string }>;
  /**
   * Checks a webhook's signature against the raw body and reads it. Throws WebhookSignatureError for a forged,
   * altered or stale one. The ledger has no webhooks and always throws.
   */
  parseWebhook(rawBody: string | Buffer, signatureHeader: string | undefined): ProviderEvent;
}

export interface Idempotent {
  readonly idempotencyKey: string;
}

export interface CustomerInput {
  readonly tenantId: string;
  readonly email: string;
  readonly companyName: string;
}

export interface CustomerUpdate {
  readonly customerId: string;
  readonly email: string;
  readonly companyName: string;
}

export interface StartSubscriptionInput {
  readonly tenantId: string;
  readonly customerId: string;
  readonly tier: PlanTier;
  readonly trialDays: number;
  readonly now: Date;
}

export interface SubscriptionRef {
  readonly tenantId: string;
  readonly customerId: string;
  readonly subscription: SubscriptionSnapshot;
  readonly now: Date;
}

export interface ChangeTierInput extends SubscriptionRef {
  readonly tier: PlanTier;
}

export interface MeterResult {
  readonly sent: number;
  readonly rejected: readonly { readonly identifier: string; readonly reason: string }[];
}

export interface MeterEventInput {
  readonly customerId: string;
  readonly item: MeterItem;
}

/** What a provider's webhook said, in the platform's terms. `tenantId` comes from the customer's metadata. */
export type ProviderEvent =
  | {
      readonly kind: 'subscription';
      readonly eventId: string;
      readonly createdAt: string;
      readonly customerId: string;
      readonly tenantId?: string;
      readonly subscription: SubscriptionSnapshot;
    }
  | {
      readonly kind: 'invoice_paid';
      readonly eventId: string;
      readonly createdAt: string;
      readonly customerId: string;
      readonly tenantId?: string;
      readonly invoice: InvoiceSnapshot;
      readonly paidAt: string;
    }
  | {
      readonly kind: 'invoice_payment_failed';
      readonly eventId: string;
      readonly createdAt: string;
      readonly customerId: string;
      readonly tenantId?: string;
      readonly invoice: InvoiceSnapshot;
      readonly attempt: number;
      readonly nextAttemptAt?: string;
      readonly reason?: string;
    }
  | {
      /** An invoice that changed otherwise: finalized, voided, marked uncollectible. */
      readonly kind: 'invoice';
      readonly eventId: string;
      readonly createdAt: string;
      readonly customerId: string;
      readonly tenantId?: string;
      readonly invoice: InvoiceSnapshot;
    }
  | { readonly kind: 'ignored'; readonly eventId: string; readonly type: string };

export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

/** The provider could not be reached or answered 5xx/429: the caller keeps the work and tries again later. */
export class PaymentsUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PaymentsUnavailableError';
  }
}
