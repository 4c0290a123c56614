import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { BillingPeriod } from './tenant.js';
import { Email, IsoDateTime, Name, PlanTier, TenantId } from './primitives.js';

/**
 * Billing: one account per tenant (`billing-<tenant>.account`) and one usage meter per tenant and UTC month
 * (`meter-<tenant>.<YYYY-MM>`).
 *
 * The account holds the subscription, the invoices and dunning, whichever payment provider runs them:
 * - `ledger` (the embedded default): the platform is its own provider. Subscriptions follow UTC calendar
 *   months; at a month's end the meter is closed and the account issues the invoice itself (the fee, prorated
 *   over the tiers of the month, plus the usage beyond what the tier includes, priced by `billing-pricing.ts`)
 *   and charges the payment method on file.
 * - `stripe`: the billing worker asks Stripe, and Stripe's answers (API responses and signed webhooks) are
 *   recorded here as snapshots. Usage reaches Stripe as Billing Meter events.
 *
 * People ask (StartSubscription, ChangeSubscriptionTier, CancelSubscription); the platform records what the
 * provider did (Record…). The tenant's tier follows the recorded subscription, by reaction.
 *
 * Every unit of usage is recorded once on its month's meter, keyed by an identifier derived from the position of
 * the event that caused it; the meter refuses nothing and records a known identifier no more, so a redelivered
 * batch, a replay or a rebuild of the usage projection meters nothing twice. The same identifier is the Stripe
 * meter event's `identifier`.
 */
const category = 'billing';
const meterCategory = 'meter';

const UtcDateTime = IsoDateTime.transform((at) => new Date(at).toISOString());
/** Money is integer US cents everywhere. */
export const Cents = z.number().int().min(-1e12).max(1e12);
const ProviderId = z.string().trim().min(1).max(255);

export const PAYMENT_PROVIDERS = ['ledger', 'stripe'] as const;
export const PaymentProvider = z.enum(PAYMENT_PROVIDERS);
export type PaymentProvider = z.infer<typeof PaymentProvider>;

/** Stripe's subscription statuses that the platform distinguishes. */
export const SubscriptionStatus = z.enum([
  'trialing',
  'active',
  'past_due',
  'unpaid',
  'canceled',
  'incomplete',
]);
export type SubscriptionStatus = z.infer<typeof SubscriptionStatus>;

/** A subscription as its provider last described it. */
export const SubscriptionSnapshot = z.object({
  subscriptionId: ProviderId,
  tier: PlanTier,
  status: SubscriptionStatus,
  currentPeriodStart: UtcDateTime,
  currentPeriodEnd: UtcDateTime,
  cancelAtPeriodEnd: z.boolean(),
  trialEndsAt: UtcDateTime.optional(),
});
export type SubscriptionSnapshot = z.infer<typeof SubscriptionSnapshot>;

/** What the tenant's tier is while a subscription is in this state: lapsed subscriptions fall back to free. */
export const tierOfSubscription = (subscription: SubscriptionSnapshot): PlanTier =>
  subscription.status === 'canceled' ||
  subscription.status === 'unpaid' ||
  subscription.status === 'incomplete'
    ? 'free'
    : subscription.tier;

export const InvoiceLineKind = z.enum(['subscription', 'call_minutes', 'llm_tokens', 'adjustment']);
export type InvoiceLineKind = z.infer<typeof InvoiceLineKind>;

export const InvoiceLine = z.object({
  kind: InvoiceLineKind,
  description: z.string().trim().min(1).max(500),
  /** Minutes for call_minutes (may be fractional under per-second rounding), tokens for llm_tokens, 1 else. */
  quantity: z.number().nonnegative(),
  amountCents: Cents,
  tier: PlanTier.optional(),
  periodStart: UtcDateTime.optional(),
  periodEnd: UtcDateTime.optional(),
});
export type InvoiceLine = z.infer<typeof InvoiceLine>;

export const InvoiceStatus = z.enum(['draft', 'open', 'paid', 'uncollectible', 'void']);
export type InvoiceStatus = z.infer<typeof InvoiceStatus>;

export const InvoiceSnapshot = z.object({
  invoiceId: ProviderId,
  /** The number printed on the invoice (`CCP-<tenant>-<YYYYMM>` on the ledger, Stripe's own otherwise). */
  number: z.string().trim().min(1).max(100),
  status: InvoiceStatus,
  currency: z.literal('usd'),
  periodStart: UtcDateTime,
  periodEnd: UtcDateTime,
  issuedAt: UtcDateTime,
  lines: z.array(InvoiceLine).max(200),
  totalCents: Cents,
  amountDueCents: Cents,
  amountPaidCents: Cents,
  /** Stripe's hosted page and PDF; ledger invoices are rendered by the platform. */
  hostedUrl: z.url().max(2000).optional(),
  pdfUrl: z.url().max(2000).optional(),
});
export type InvoiceSnapshot = z.infer<typeof InvoiceSnapshot>;

/** The card on file of a ledger account. Like Stripe's test cards, a card ending in 0002 is always declined. */
export const LedgerCard = z.object({
  brand: z.enum(['visa', 'mastercard', 'amex', 'discover']),
  last4: z.string().regex(/^\d{4}$/, 'the last four digits of the card'),
  expMonth: z.number().int().min(1).max(12),
  expYear: z.number().int().min(2000).max(2100),
});
export type LedgerCard = z.infer<typeof LedgerCard>;
export const DECLINING_CARD_LAST4 = '0002';

/** Where a recorded snapshot came from; provider events carry their creation time, so an older one never wins. */
export const SnapshotSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('provider_event'), eventId: ProviderId, createdAt: UtcDateTime }),
  z.object({
    kind: z.literal('request'),
    requestEventId: z.string().min(1).max(100),
    /** When it was asked for: a tier stretch starts then, however late the provider's answer was recorded. */
    requestedAt: UtcDateTime.optional(),
  }),
  z.object({ kind: z.literal('ledger'), at: UtcDateTime }),
]);
export type SnapshotSource = z.infer<typeof SnapshotSource>;

const accountKey = { tenantId: TenantId };

// ------------------------------------------------------------------------------------------ account commands

export const OpenBillingAccount = defineCommand(
  category,
  'OpenBillingAccount',
  z.object({ ...accountKey, billingEmail: Email, companyName: Name }),
  "Open the tenant's billing account with the address invoices and payment notices go to.",
);
export const UpdateBillingContact = defineCommand(
  category,
  'UpdateBillingContact',
  z.object({ ...accountKey, billingEmail: Email, companyName: Name }),
  'Change where invoices and payment notices go, and the name on invoices.',
);
export const LinkBillingCustomer = defineCommand(
  category,
  'LinkBillingCustomer',
  z.object({ ...accountKey, provider: PaymentProvider, customerId: ProviderId }),
  "Internal: record the payment provider's customer for this account.",
);
export const StartSubscription = defineCommand(
  category,
  'StartSubscription',
  z.object({ ...accountKey, tier: PlanTier, trialDays: z.number().int().min(0).max(90).default(0) }),
  'Subscribe the tenant to a tier, optionally after a free trial; refused when its usage exceeds the tier.',
);
export const ChangeSubscriptionTier = defineCommand(
  category,
  'ChangeSubscriptionTier',
  z.object({ ...accountKey, tier: PlanTier }),
  'Move the subscription to another tier, prorated; refused when the tenant uses more than the tier allows.',
);
export const CancelSubscription = defineCommand(
  category,
  'CancelSubscription',
  z.object({ ...accountKey }),
  'Cancel the subscription at the end of the current period; the tenant then falls back to the free tier.',
);
export const UpdateLedgerPaymentMethod = defineCommand(
  category,
  'UpdateLedgerPaymentMethod',
  z.object({ ...accountKey, card: LedgerCard }),
  "Put a card on file of a ledger account; open invoices are charged to it at once. Stripe accounts use Stripe's portal.",
);
export const RecordSubscription = defineCommand(
  category,
  'RecordSubscription',
  z.object({ ...accountKey, subscription: SubscriptionSnapshot, source: SnapshotSource }),
  "Internal: record the subscription as the provider describes it; the tenant's tier follows.",
);
export const RecordSubscriptionRequestFailure = defineCommand(
  category,
  'RecordSubscriptionRequestFailure',
  z.object({
    ...accountKey,
    requestEventId: z.string().min(1).max(100),
    reason: z.string().trim().min(1).max(500),
  }),
  'Internal: the provider refused a start, change or cancellation for good; the account may be asked again.',
);
export const RecordInvoice = defineCommand(
  category,
  'RecordInvoice',
  z.object({ ...accountKey, invoice: InvoiceSnapshot, source: SnapshotSource }),
  'Internal: record an invoice as the provider describes it.',
);
export const RecordPayment = defineCommand(
  category,
  'RecordPayment',
  z.object({
    ...accountKey,
    invoiceId: ProviderId,
    amountPaidCents: Cents.nonnegative(),
    paidAt: UtcDateTime,
  }),
  'Internal: an invoice was paid; dunning ends and a suspension for non-payment is lifted.',
);
export const RecordPaymentFailure = defineCommand(
  category,
  'RecordPaymentFailure',
  z.object({
    ...accountKey,
    invoiceId: ProviderId,
    amountDueCents: Cents.nonnegative(),
    attempt: z.number().int().min(1).max(100),
    failedAt: UtcDateTime,
    /** When the provider will try again, if it will. */
    nextAttemptAt: UtcDateTime.optional(),
    reason: z.string().trim().min(1).max(500).optional(),
    /** The grace period the platform grants before suspending (BILLING_GRACE_DAYS). */
    graceDays: z.number().int().min(0).max(90),
  }),
  'Internal: a payment failed; the first failure starts dunning with a grace period.',
);
export const ExpireDunningGrace = defineCommand(
  category,
  'ExpireDunningGrace',
  z.object({ ...accountKey }),
  'Internal: the grace period of an unpaid account has run out; the tenant is suspended.',
);
export const IssueLedgerInvoice = defineCommand(
  category,
  'IssueLedgerInvoice',
  z.object({
    ...accountKey,
    period: BillingPeriod,
    /** The month's metered usage, as the closed meter counted it. */
    callSeconds: z.number().int().nonnegative(),
    llmTokens: z.number().int().nonnegative(),
    /** The grace period granted if the card on file is declined (BILLING_GRACE_DAYS). */
    graceDays: z.number().int().min(0).max(90),
  }),
  "Internal: a ledger account's month is over: invoice it, charge the card on file, and start the next month.",
);

// -------------------------------------------------------------------------------------------- account events

export const BillingAccountOpened = defineEvent(
  category,
  'BillingAccountOpened',
  1,
  z.object({ billingEmail: Email, companyName: Name }),
);
export const BillingContactUpdated = defineEvent(
  category,
  'BillingContactUpdated',
  1,
  z.object({ billingEmail: Email, companyName: Name }),
);
export const BillingCustomerLinked = defineEvent(
  category,
  'BillingCustomerLinked',
  1,
  z.object({ provider: PaymentProvider, customerId: ProviderId }),
);
export const SubscriptionRequested = defineEvent(
  category,
  'SubscriptionRequested',
  1,
  z.object({ tier: PlanTier, trialDays: z.number().int().nonnegative() }),
);
export const SubscriptionTierChangeRequested = defineEvent(
  category,
  'SubscriptionTierChangeRequested',
  1,
  z.object({ from: PlanTier, to: PlanTier }),
);
export const SubscriptionCancellationRequested = defineEvent(
  category,
  'SubscriptionCancellationRequested',
  1,
  z.object({}),
);
export const LedgerPaymentMethodUpdated = defineEvent(
  category,
  'LedgerPaymentMethodUpdated',
  1,
  z.object({ card: LedgerCard }),
);
export const SubscriptionRecorded = defineEvent(
  category,
  'SubscriptionRecorded',
  1,
  z.object({
    subscription: SubscriptionSnapshot,
    source: SnapshotSource,
    /**
     * When the platform recorded it: where a ledger month's tier stretch starts after a change the worker
     * recorded from its own request, which carries no time of its own (proration needs one).
     */
    recordedAt: UtcDateTime.optional(),
  }),
);
export const SubscriptionRequestFailed = defineEvent(
  category,
  'SubscriptionRequestFailed',
  1,
  z.object({ requestEventId: z.string(), reason: z.string() }),
);
export const InvoiceRecorded = defineEvent(
  category,
  'InvoiceRecorded',
  1,
  z.object({ invoice: InvoiceSnapshot, source: SnapshotSource }),
);
export const PaymentReceived = defineEvent(
  category,
  'PaymentReceived',
  1,
  z.object({ invoiceId: ProviderId, amountPaidCents: Cents, paidAt: UtcDateTime }),
);
export const PaymentFailed = defineEvent(
  category,
  'PaymentFailed',
  1,
  z.object({
    invoiceId: ProviderId,
    amountDueCents: Cents,
    attempt: z.number().int().min(1),
    failedAt: UtcDateTime,
    nextAttemptAt: UtcDateTime.optional(),
    reason: z.string().optional(),
  }),
);
export const DunningStarted = defineEvent(
  category,
  'DunningStarted',
  1,
  z.object({ invoiceId: ProviderId, startedAt: UtcDateTime, graceEndsAt: UtcDateTime }),
);
export const DunningGraceExpired = defineEvent(
  category,
  'DunningGraceExpired',
  1,
  z.object({ invoiceId: ProviderId, expiredAt: UtcDateTime }),
);
/** `suspended`: the grace had run out and the tenant was suspended, so paying lifts the suspension. */
export const DunningEnded = defineEvent(
  category,
  'DunningEnded',
  1,
  z.object({ invoiceId: ProviderId, endedAt: UtcDateTime, suspended: z.boolean() }),
);

// ------------------------------------------------------------------------------------------------ the meter

export const METER_RESOURCES = ['call_seconds', 'llm_tokens'] as const;
export const MeterResource = z.enum(METER_RESOURCES);
export type MeterResource = z.infer<typeof MeterResource>;

/** One unit of usage: a call's billable seconds (rounded by the tier when it ended) or one reply's tokens. */
export const MeterItem = z.object({
  /** `u<position>` of the event that caused it: stable across replays and rebuilds; Stripe's identifier. */
  identifier: z.string().regex(/^u\d{1,18}$/, 'a meter identifier is u<event position>'),
  resource: MeterResource,
  quantity: z.number().int().positive().max(1e9),
  occurredAt: UtcDateTime,
});
export type MeterItem = z.infer<typeof MeterItem>;
export const meterIdentifierOf = (position: number): string => `u${position}`;

const meterKey = { tenantId: TenantId, period: BillingPeriod };

export const RecordUsage = defineCommand(
  meterCategory,
  'RecordUsage',
  z.object({
    ...meterKey,
    items: z.array(MeterItem).min(1).max(1000),
    /** Set when the items were recorded after their own month's meter closed and are billed in this one. */
    carriedFrom: BillingPeriod.optional(),
  }),
  'Internal: meter units of usage; an identifier already metered is skipped.',
);
export const CloseMeter = defineCommand(
  meterCategory,
  'CloseMeter',
  z.object({
    ...meterKey,
    /** Only usage from this instant on is billed (the account opened during the month); all of it when absent. */
    billableFrom: UtcDateTime.optional(),
  }),
  "Internal: the month is over: freeze its meter's totals for the invoice; later usage moves to the next month.",
);

export const UsageMetered = defineEvent(
  meterCategory,
  'UsageMetered',
  1,
  z.object({
    items: z.array(MeterItem).min(1),
    /** Recorded after the meter closed: the items are carried to the next month's meter, by reaction. */
    afterClose: z.boolean(),
    carriedFrom: BillingPeriod.optional(),
  }),
);
export const MeterClosed = defineEvent(
  meterCategory,
  'MeterClosed',
  1,
  z.object({
    callSeconds: z.number().int().nonnegative(),
    llmTokens: z.number().int().nonnegative(),
    items: z.number().int().nonnegative(),
    /** The totals count usage from this instant on (CloseMeter's billableFrom). */
    billableFrom: UtcDateTime.optional(),
  }),
);

export const billingCommands = [
  OpenBillingAccount,
  UpdateBillingContact,
  LinkBillingCustomer,
  StartSubscription,
  ChangeSubscriptionTier,
  CancelSubscription,
  UpdateLedgerPaymentMethod,
  RecordSubscription,
  RecordSubscriptionRequestFailure,
  RecordInvoice,
  RecordPayment,
  RecordPaymentFailure,
  ExpireDunningGrace,
  IssueLedgerInvoice,
  RecordUsage,
  CloseMeter,
] as const;
export const billingEvents = [
  BillingAccountOpened,
  BillingContactUpdated,
  BillingCustomerLinked,
  SubscriptionRequested,
  SubscriptionTierChangeRequested,
  SubscriptionCancellationRequested,
  LedgerPaymentMethodUpdated,
  SubscriptionRecorded,
  SubscriptionRequestFailed,
  InvoiceRecorded,
  PaymentReceived,
  PaymentFailed,
  DunningStarted,
  DunningGraceExpired,
  DunningEnded,
  UsageMetered,
  MeterClosed,
] as const;
