import type { InvoiceSnapshot, SubscriptionSnapshot } from '@ccp/schemas';
import type { AccountEvent } from './account-state.js';

/** Events and snapshots the billing specs start from. */
export const tenantId = 'acme';
export const key = { tenantId };

export const opened: AccountEvent = {
  type: 'BillingAccountOpened',
  data: { billingEmail: 'billing@acme.test', companyName: 'Acme Inc' },
};
export const linkedLedger: AccountEvent = {
  type: 'BillingCustomerLinked',
  data: { provider: 'ledger', customerId: 'cus_ledger_acme' },
};
export const linkedStripe: AccountEvent = {
  type: 'BillingCustomerLinked',
  data: { provider: 'stripe', customerId: 'cus_123' },
};

export const subscription = (overrides: Partial<SubscriptionSnapshot> = {}): SubscriptionSnapshot => ({
  subscriptionId: 'sub_1',
  tier: 'starter',
  status: 'active',
  currentPeriodStart: '2026-03-01T00:00:00.000Z',
  currentPeriodEnd: '2026-04-01T00:00:00.000Z',
  cancelAtPeriodEnd: false,
  ...overrides,
});

/** Recorded from the worker's own request at `at`. */
export const recorded = (snapshot: SubscriptionSnapshot, at: string): AccountEvent => ({
  type: 'SubscriptionRecorded',
  data: { subscription: snapshot, source: { kind: 'request', requestEventId: 'evt-req' }, recordedAt: at },
});

export const fromProvider = (
  snapshot: SubscriptionSnapshot,
  eventId: string,
  createdAt: string,
): AccountEvent => ({
  type: 'SubscriptionRecorded',
  data: { subscription: snapshot, source: { kind: 'provider_event', eventId, createdAt } },
});

export const invoice = (overrides: Partial<InvoiceSnapshot> = {}): InvoiceSnapshot => ({
  invoiceId: 'in_1',
  number: 'ACME-0001',
  status: 'open',
  currency: 'usd',
  periodStart: '2026-02-01T00:00:00.000Z',
  periodEnd: '2026-03-01T00:00:00.000Z',
  issuedAt: '2026-03-01T01:00:00.000Z',
  lines: [],
  totalCents: 4900,
  amountDueCents: 4900,
  amountPaidCents: 0,
  ...overrides,
});

export const goodCard = { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 } as const;
export const decliningCard = { brand: 'visa', last4: '0002', expMonth: 12, expYear: 2030 } as const;

export const failed = (invoiceId: string, failedAt: string, attempt = 1): AccountEvent => ({
  type: 'PaymentFailed',
  data: { invoiceId, amountDueCents: 4900, attempt, failedAt },
});
export const dunningStarted = (invoiceId: string, startedAt: string, graceEndsAt: string): AccountEvent => ({
  type: 'DunningStarted',
  data: { invoiceId, startedAt, graceEndsAt },
});
