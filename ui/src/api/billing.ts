import { ApiError, getJson, postJson } from './client';

/*
 * Billing as the query API reads it (GET /api/billing…, GET /api/admin/billing…): the tenant's account,
 * subscription, this period's metered usage, projected invoice and invoices, and the platform's figures across
 * tenants. Money is integer US cents, times ISO UTC strings. Changes go through the command API (`command` in
 * ./admin): OpenBillingAccount, StartSubscription, ChangeSubscriptionTier, CancelSubscription and
 * UpdateLedgerPaymentMethod (schemas/src/billing.ts).
 */

export const BILLING_TIERS = ['free', 'starter', 'professional', 'enterprise'] as const;
export type BillingTier = (typeof BILLING_TIERS)[number];
export const SUBSCRIPTION_STATUSES = [
  'trialing',
  'active',
  'past_due',
  'unpaid',
  'canceled',
  'incomplete',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
export const INVOICE_STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;
/** The card brands a ledger account may keep on file (LedgerCard in the contract). */
export const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'discover'] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

export interface Subscription {
  readonly subscriptionId: string;
  readonly tier: BillingTier;
  readonly status: SubscriptionStatus;
  readonly currentPeriodStart: string;
  readonly currentPeriodEnd: string;
  readonly cancelAtPeriodEnd: boolean;
  readonly trialEndsAt: string | null;
}

export interface Dunning {
  readonly invoiceId: string;
  readonly startedAt: string;
  readonly graceEndsAt: string;
  readonly suspended: boolean;
}

export interface BillingAccount {
  readonly companyName: string;
  readonly provider: 'ledger' | 'stripe' | null;
  readonly customerId: string | null;
  readonly openedAt: string;
  readonly card: { readonly brand: string; readonly last4: string } | null;
  readonly subscription: Subscription | null;
  /** A start, change or cancellation asked for and not yet answered by the provider. */
  readonly pendingRequest: boolean;
  /** The provider refused the last request for good: it may be asked again. */
  readonly requestFailure: { readonly reason: string; readonly at: string } | null;
  readonly dunning: Dunning | null;
}

export interface InvoiceLine {
  readonly kind: string;
  readonly description: string;
  readonly quantity: number;
  readonly amountCents: number;
}

export interface TierPrice {
  readonly tier: BillingTier;
  readonly monthlyFeeCents: number;
  readonly perMinuteCents: number;
  readonly perMillionTokensCents: number;
  readonly includedMinutes: number | null;
  readonly includedTokens: number | null;
}

export interface BillingOverview {
  readonly account: BillingAccount | null;
  readonly planTier: BillingTier;
  readonly period: string;
  readonly usage: {
    readonly callSeconds: number;
    readonly callMinutes: number;
    readonly llmTokens: number;
    readonly includedMinutes: number | null;
    readonly includedTokens: number | null;
  };
  readonly projectedInvoice: {
    readonly periodStart: string;
    readonly periodEnd: string;
    readonly lines: readonly InvoiceLine[];
    readonly totalCents: number;
  };
  readonly tiers: readonly TierPrice[];
}

export interface Invoice {
  readonly invoiceId: string;
  readonly number: string;
  readonly status: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly issuedAt: string;
  readonly totalCents: number;
  readonly amountDueCents: number;
  readonly amountPaidCents: number;
  readonly paidAt: string | null;
  readonly hostedUrl: string | null;
  /** Stripe's PDF, or the platform's own (`/api/billing/invoices/<id>/pdf`) for a ledger invoice. */
  readonly pdfUrl: string;
}

export interface CursorPage<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface PlatformDunning {
  readonly tenantId: string;
  readonly companyName: string;
  readonly invoiceId: string;
  readonly startedAt: string;
  readonly graceEndsAt: string;
  readonly suspended: boolean;
  readonly amountDueCents: number;
}
export interface FailedPayment {
  readonly tenantId: string;
  readonly invoiceId: string;
  readonly attempt: number;
  readonly amountDueCents: number;
  readonly failedAt: string;
  readonly reason: string | null;
}
export interface PlatformInvoice {
  readonly tenantId: string;
  readonly invoiceId: string;
  readonly number: string;
  readonly status: string;
  readonly totalCents: number;
  readonly issuedAt: string;
  readonly periodStart: string;
}
export interface PlatformBilling {
  readonly mrrCents: number;
  readonly accounts: {
    readonly total: number;
    readonly trialing: number;
    readonly active: number;
    readonly pastDue: number;
    readonly canceled: number;
    readonly inDunning: number;
  };
  readonly dunning: readonly PlatformDunning[];
  readonly failedPayments: readonly FailedPayment[];
  readonly invoices: readonly PlatformInvoice[];
}

export interface InvoiceQuery {
  cursor?: string;
  limit?: number;
}
export interface PlatformInvoiceQuery extends InvoiceQuery {
  status?: string;
  tenantId?: string;
}

export const billingApi = {
  overview: () => getJson<BillingOverview>('/api/billing'),
  invoices: (query: InvoiceQuery, signal?: AbortSignal) =>
    getJson<CursorPage<Invoice>>('/api/billing/invoices', query, signal),
  /** Where to update the payment method: Stripe's customer portal, or this page's card form on the ledger. */
  portalSession: async (returnUrl: string): Promise<string> => {
    const answer = await postJson<{ url: string }>('/api/billing/portal-session', { returnUrl });
    if (answer === undefined) throw new ApiError(500, 'EMPTY_ANSWER', 'the platform answered nothing');
    return answer.url;
  },
};

export const platformBillingApi = {
  overview: () => getJson<PlatformBilling>('/api/admin/billing'),
  invoices: (query: PlatformInvoiceQuery, signal?: AbortSignal) =>
    getJson<CursorPage<PlatformInvoice>>('/api/admin/billing/invoices', query, signal),
};
