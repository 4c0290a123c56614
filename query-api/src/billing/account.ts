import { z } from 'zod';
import {
  billableFromOf,
  billingPeriodOf,
  PLAN_LIMITS,
  PlanTier,
  decodeEvent,
  streamName,
  SubscriptionSnapshot,
  SubscriptionStatus,
} from '@ccp/schemas';
import {
  accountDecider,
  fold,
  type AccountEvent,
  type EventStore,
  type RecordedEvent,
} from '@ccp/command-service';
import type { ReadStore } from '@ccp/projections';
import { isoFromClickHouse, optional } from '../appointments/paging.js';
import { ProjectedInvoice, projectedInvoice, TierRow, tierTable } from './pricing.js';

const Subscription = z.object({
  subscriptionId: z.string(),
  tier: PlanTier,
  status: SubscriptionStatus,
  currentPeriodStart: z.string(),
  currentPeriodEnd: z.string(),
  cancelAtPeriodEnd: z.boolean(),
  trialEndsAt: z.string().nullable(),
});

export const Dunning = z.object({
  invoiceId: z.string(),
  startedAt: z.string(),
  graceEndsAt: z.string(),
  suspended: z.boolean(),
});

export const BillingAccount = z.object({
  companyName: z.string(),
  provider: z.enum(['ledger', 'stripe']).nullable(),
  customerId: z.string().nullable(),
  openedAt: z.string(),
  card: z.object({ brand: z.string(), last4: z.string() }).nullable().describe('The ledger card on file'),
  subscription: Subscription.nullable(),
  pendingRequest: z
    .boolean()
    .describe('A start, change or cancellation was asked and the provider has not answered yet'),
  requestFailure: z
    .object({ reason: z.string(), at: z.string() })
    .nullable()
    .describe('The provider refused the last request for good: why, and when'),
  dunning: Dunning.nullable(),
});

export const BillingOverview = z.object({
  account: BillingAccount.nullable(),
  planTier: PlanTier.describe("The tenant's tier now"),
  period: z.string().describe('This billing period (UTC month, YYYY-MM)'),
  usage: z.object({
    callSeconds: z.number().int(),
    callMinutes: z.number(),
    llmTokens: z.number().int(),
    includedMinutes: z.number().nullable(),
    includedTokens: z.number().nullable(),
  }),
  projectedInvoice: ProjectedInvoice,
  tiers: z.array(TierRow),
});
export type BillingOverview = z.infer<typeof BillingOverview>;

export const ACCOUNT_COLUMNS = `tenant_id, company_name, provider, customer_id, subscription_id, tier, status,
  toString(current_period_start) AS period_start_text, toString(current_period_end) AS period_end_text,
  cancel_at_period_end, toString(trial_ends_at) AS trial_text, card_brand, card_last4, dunning_invoice_id,
  toString(dunning_started_at) AS dunning_started_text, toString(dunning_grace_ends_at) AS grace_text, suspended,
  mrr_cents, toString(opened_at) AS opened_text`;

/** A nullable DateTime64 column read with toString: NULL comes back as null or 'NULL'/'\N' by format. */
export const instantOrNull = (value: unknown): string | null =>
  typeof value === 'string' && /^\d{4}-/.test(value) ? isoFromClickHouse(value) : null;

const subscriptionOf = (r: Record<string, unknown>): SubscriptionSnapshot | undefined => {
  const parsed = SubscriptionSnapshot.safeParse({
    subscriptionId: r['subscription_id'],
    tier: r['tier'],
    status: r['status'],
    currentPeriodStart: instantOrNull(r['period_start_text']),
    currentPeriodEnd: instantOrNull(r['period_end_text']),
    cancelAtPeriodEnd: Number(r['cancel_at_period_end']) === 1,
    ...(instantOrNull(r['trial_text']) !== null && { trialEndsAt: instantOrNull(r['trial_text']) }),
  });
  return parsed.success ? parsed.data : undefined;
};

export const dunningOf = (r: Record<string, unknown>): z.infer<typeof Dunning> | null => {
  const invoiceId = optional(r['dunning_invoice_id']);
  const startedAt = instantOrNull(r['dunning_started_text']);
  const graceEndsAt = instantOrNull(r['grace_text']);
  if (invoiceId === undefined || startedAt === null || graceEndsAt === null) return null;
  return { invoiceId, startedAt, graceEndsAt, suspended: Number(r['suspended']) === 1 };
};

const REQUESTS = new Set([
  'SubscriptionRequested',
  'SubscriptionTierChangeRequested',
  'SubscriptionCancellationRequested',
]);

interface RequestState {
  readonly pending: boolean;
  readonly failure: { readonly reason: string; readonly at: string } | null;
}

/**
 * Whether the account's last subscription request is still unanswered (the provider's answer is recorded as a
 * SubscriptionRecorded after it), or was refused for good. Read from the account's own stream, which the read
 * side does not keep.
 */
const requestStateOf = (events: readonly RecordedEvent[]): RequestState => {
  for (let i = events.length - 1; i >= 0; i -= 1) {
    const event = events[i];
    if (event === undefined) continue;
    if (event.type === 'SubscriptionRecorded') return { pending: false, failure: null };
    if (event.type === 'SubscriptionRequestFailed') {
      const decoded = decodeEvent(event);
      const reason = decoded.ok ? (decoded.value.data as { reason: string }).reason : 'refused';
      return { pending: false, failure: { reason, at: event.recordedAt.toISOString() } };
    }
    if (REQUESTS.has(event.type)) return { pending: true, failure: null };
  }
  return { pending: false, failure: null };
};

const accountOf = (
  r: Record<string, unknown>,
  subscription: SubscriptionSnapshot | undefined,
  request: RequestState,
): z.infer<typeof BillingAccount> => {
  const provider = z.enum(['ledger', 'stripe']).safeParse(r['provider']);
  const brand = optional(r['card_brand']);
  const last4 = optional(r['card_last4']);
  return {
    companyName: String(r['company_name']),
    provider: provider.success ? provider.data : null,
    customerId: optional(r['customer_id']) ?? null,
    openedAt: isoFromClickHouse(r['opened_text']),
    card: brand !== undefined && last4 !== undefined ? { brand, last4 } : null,
    subscription:
      subscription === undefined ? null : { ...subscription, trialEndsAt: subscription.trialEndsAt ?? null },
    pendingRequest: request.pending,
    requestFailure: request.failure,
    dunning: dunningOf(r),
  };
};

/** The account row of a tenant, as the billing processor last wrote it. */
export const accountRow = async (
  store: ReadStore,
  tenantId: string,
): Promise<Record<string, unknown> | undefined> => {
  const [row] = await store.query<Record<string, unknown>>(
    `SELECT ${ACCOUNT_COLUMNS} FROM billing_accounts FINAL WHERE tenant_id = {tenantId:String}`,
    { tenantId },
  );
  return row;
};

/**
 * The usage metered for the tenant and billed in `period`: each item once, carried items where billed; from
 * `billableFrom` on when given (the month the account opened, as the meter's close counts it).
 */
export const meteredUsage = async (
  store: ReadStore,
  tenantId: string,
  period: string,
  billableFrom?: string,
): Promise<{ callSeconds: number; llmTokens: number }> => {
  const rows = await store.query<{ resource: string; quantity: unknown }>(
    `SELECT resource, sum(quantity) AS quantity FROM billing_meter FINAL
      WHERE tenant_id = {tenantId:String} AND billed_period = {period:String}
        ${billableFrom === undefined ? '' : `AND occurred_at >= {from:DateTime64(3, 'UTC')}`}
      GROUP BY resource`,
    { tenantId, period, ...(billableFrom !== undefined && { from: new Date(billableFrom) }) },
  );
  const total = (resource: string) => Number(rows.find((r) => r.resource === resource)?.quantity ?? 0);
  return { callSeconds: total('call_seconds'), llmTokens: total('llm_tokens') };
};

/**
 * The tenant admin's billing page: the account and subscription, this month's metered usage, what this month's
 * invoice would be, and the tiers to choose from.
 */
export const billingOverview = async (
  input: { readonly readStore: ReadStore; readonly store: EventStore },
  tenantId: string,
  planTier: PlanTier,
  now: Date,
): Promise<BillingOverview> => {
  const period = billingPeriodOf(now);
  const row = await accountRow(input.readStore, tenantId);
  const subscription = row && subscriptionOf(row);
  const openedAt = row ? isoFromClickHouse(row['opened_text']) : undefined;
  const usage = await meteredUsage(
    input.readStore,
    tenantId,
    period,
    openedAt === undefined ? undefined : billableFromOf(openedAt, period),
  );
  // The account's own stream, which the read side does not keep: its requests and its tier stretches.
  const recorded = await input.store.readStream(streamName('billing', tenantId, 'account'));
  const state = fold(
    accountDecider,
    recorded.flatMap((event) => {
      const decoded = decodeEvent(event);
      return decoded.ok ? [decoded.value as unknown as AccountEvent] : [];
    }),
  );
  const limits = PLAN_LIMITS[planTier];
  return {
    account: row ? accountOf(row, subscription, requestStateOf(recorded)) : null,
    planTier,
    period,
    usage: {
      ...usage,
      callMinutes: Math.round((usage.callSeconds / 60) * 100) / 100,
      includedMinutes: limits.includedMinutesPerMonth,
      includedTokens: limits.llmTokensPerMonth,
    },
    projectedInvoice: projectedInvoice({
      tenantId,
      period,
      account: state.status === 'open' ? state : undefined,
      ...usage,
      now,
    }),
    tiers: tierTable(),
  };
};
