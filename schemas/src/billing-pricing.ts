import type { InvoiceLine, InvoiceSnapshot, SubscriptionSnapshot } from './billing.js';
import { PLAN_LIMITS } from './plans.js';
import type { PlanTier } from './primitives.js';

/**
 * What a tier costs, in integer US cents, and how the ledger prices a month. One piece of code for the ledger's
 * invoices, the console's projected invoice and the super admin's MRR, so the three never disagree.
 *
 * Rounding: every line is rounded half up to the cent once, from exact integer arithmetic; a total is the sum
 * of its rounded lines, as on any invoice.
 */

export interface TierPriceCents {
  readonly monthlyFeeCents: number;
  readonly perMinuteCents: number;
  readonly perMillionTokensCents: number;
}

export const tierPriceCents = (tier: PlanTier): TierPriceCents => {
  const { monthlyFeeUsd, perMinuteUsd, perMillionTokensUsd } = PLAN_LIMITS[tier].prices;
  return {
    monthlyFeeCents: Math.round(monthlyFeeUsd * 100),
    perMinuteCents: Math.round(perMinuteUsd * 100),
    perMillionTokensCents: Math.round(perMillionTokensUsd * 100),
  };
};

/** numerator / denominator rounded half up, for non-negative integers (exact below 2^53). */
export const roundHalfUp = (numerator: number, denominator: number): number =>
  Math.floor((2 * numerator + denominator) / (2 * denominator));

/** The UTC month `YYYY-MM` as an interval [start, end). */
export const periodBounds = (period: string): { readonly start: Date; readonly end: Date } => {
  const [year, month] = period.split('-').map(Number);
  if (year === undefined || month === undefined || !(month >= 1 && month <= 12)) {
    throw new RangeError(`not a billing period: ${period}`);
  }
  return { start: new Date(Date.UTC(year, month - 1, 1)), end: new Date(Date.UTC(year, month, 1)) };
};

/**
 * Where a month's billable usage starts for an account opened at `openedAt`: the opening itself in the month it
 * opened (usage from before the account existed is not billed), the whole month after.
 */
export const billableFromOf = (openedAt: string, period: string): string | undefined =>
  new Date(openedAt).toISOString().slice(0, 7) === period ? new Date(openedAt).toISOString() : undefined;

/** The month after `period`. */
export const nextPeriod = (period: string): string => periodBounds(period).end.toISOString().slice(0, 7);

/** A stretch of a month under one tier; a trial stretch costs nothing. */
export interface TierSegment {
  readonly tier: PlanTier;
  readonly from: string;
  readonly to: string;
  readonly trial: boolean;
}

const clip = (segment: TierSegment, start: Date, end: Date): { from: number; to: number } => ({
  from: Math.max(Date.parse(segment.from), start.getTime()),
  to: Math.min(Date.parse(segment.to), end.getTime()),
});

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The subscription fee of a month: each paid stretch at its tier's fee, prorated by the time it lasted. */
export const feeLines = (period: string, segments: readonly TierSegment[]): InvoiceLine[] => {
  const { start, end } = periodBounds(period);
  const monthMs = end.getTime() - start.getTime();
  return segments.flatMap((segment) => {
    const { from, to } = clip(segment, start, end);
    if (to <= from || segment.trial) return [];
    const fee = tierPriceCents(segment.tier).monthlyFeeCents;
    if (fee === 0) return [];
    const whole = from === start.getTime() && to === end.getTime();
    return [
      {
        kind: 'subscription' as const,
        description: whole
          ? `${segment.tier} plan, ${period}`
          : `${segment.tier} plan, ${day(from)} to ${day(to - 1)} (prorated)`,
        quantity: 1,
        amountCents: roundHalfUp(fee * (to - from), monthMs),
        tier: segment.tier,
        periodStart: new Date(from).toISOString(),
        periodEnd: new Date(to).toISOString(),
      },
    ];
  });
};

/**
 * The usage beyond what the tier includes, priced at its rates. A tier without a monthly cap (enterprise)
 * includes no usage and pays for all of it: "unlimited" means never blocked, not free.
 */
export const usageLines = (tier: PlanTier, callSeconds: number, llmTokens: number): InvoiceLine[] => {
  const limits = PLAN_LIMITS[tier];
  const prices = tierPriceCents(tier);
  const includedSeconds = (limits.includedMinutesPerMonth ?? 0) * 60;
  const includedTokens = limits.llmTokensPerMonth ?? 0;
  const extraSeconds = Math.max(0, callSeconds - includedSeconds);
  const extraTokens = Math.max(0, llmTokens - includedTokens);
  const lines: InvoiceLine[] = [];
  if (extraSeconds > 0) {
    const minutes = Math.round((extraSeconds / 60) * 100) / 100;
    lines.push({
      kind: 'call_minutes',
      description: `Call minutes beyond the ${limits.includedMinutesPerMonth ?? 0} included, at $${(prices.perMinuteCents / 100).toFixed(2)}/min`,
      quantity: minutes,
      amountCents: roundHalfUp(extraSeconds * prices.perMinuteCents, 60),
      tier,
    });
  }
  if (extraTokens > 0) {
    lines.push({
      kind: 'llm_tokens',
      description: `LLM tokens beyond the ${includedTokens.toLocaleString('en-US')} included, at $${(prices.perMillionTokensCents / 100).toFixed(2)} per million`,
      quantity: extraTokens,
      amountCents: roundHalfUp(extraTokens * prices.perMillionTokensCents, 1_000_000),
      tier,
    });
  }
  return lines;
};

export interface LedgerInvoiceInput {
  readonly tenantId: string;
  readonly period: string;
  readonly segments: readonly TierSegment[];
  /** The tier usage is priced at: the one in force when the month ended. */
  readonly usageTier: PlanTier;
  readonly callSeconds: number;
  readonly llmTokens: number;
  readonly issuedAt: string;
}

export const ledgerInvoiceId = (tenantId: string, period: string): string =>
  `in_ledger_${tenantId}_${period.replace('-', '')}`;

/** A ledger month's invoice, open (not yet charged). Deterministic: the same month gives the same invoice. */
export const ledgerInvoiceOf = (input: LedgerInvoiceInput): InvoiceSnapshot => {
  const { start, end } = periodBounds(input.period);
  const lines = [
    ...feeLines(input.period, input.segments),
    ...usageLines(input.usageTier, input.callSeconds, input.llmTokens),
  ];
  const totalCents = lines.reduce((sum, line) => sum + line.amountCents, 0);
  return {
    invoiceId: ledgerInvoiceId(input.tenantId, input.period),
    number: `CCP-${input.tenantId.toUpperCase()}-${input.period.replace('-', '')}`,
    status: 'open',
    currency: 'usd',
    periodStart: start.toISOString(),
    periodEnd: end.toISOString(),
    issuedAt: new Date(input.issuedAt).toISOString(),
    lines,
    totalCents,
    amountDueCents: totalCents,
    amountPaidCents: 0,
  };
};

/** What a subscription adds to monthly recurring revenue: its tier's fee while it is paid for, else nothing. */
export const monthlyRecurringCents = (subscription: SubscriptionSnapshot): number =>
  subscription.status === 'active' || subscription.status === 'past_due'
    ? tierPriceCents(subscription.tier).monthlyFeeCents
    : 0;
