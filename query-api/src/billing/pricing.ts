import { z } from 'zod';
import {
  feeLines,
  PLAN_LIMITS,
  PLAN_TIERS,
  periodBounds,
  tierOfSubscription,
  tierPriceCents,
  usageLines,
  type PlanTier,
  type SubscriptionSnapshot,
  type TierSegment,
} from '@ccp/schemas';

export const ProjectedLine = z.object({
  kind: z.string(),
  description: z.string(),
  quantity: z.number(),
  amountCents: z.number().int(),
});

export const ProjectedInvoice = z.object({
  periodStart: z.string(),
  periodEnd: z.string(),
  lines: z.array(ProjectedLine),
  totalCents: z.number().int(),
});
export type ProjectedInvoice = z.infer<typeof ProjectedInvoice>;

export const TierRow = z.object({
  tier: z.string(),
  monthlyFeeCents: z.number().int(),
  perMinuteCents: z.number().int(),
  perMillionTokensCents: z.number().int(),
  includedMinutes: z.number().nullable(),
  includedTokens: z.number().nullable(),
});

/** Every tier's price list in cents, from the same table the ledger invoices with. */
export const tierTable = (): z.infer<typeof TierRow>[] =>
  PLAN_TIERS.map((tier) => ({
    tier,
    ...tierPriceCents(tier),
    includedMinutes: PLAN_LIMITS[tier].includedMinutesPerMonth,
    includedTokens: PLAN_LIMITS[tier].llmTokensPerMonth,
  }));

export interface ProjectionInput {
  /** The UTC month `YYYY-MM` being projected. */
  readonly period: string;
  readonly subscription: SubscriptionSnapshot | undefined;
  /** The tier the month's usage is priced at: the tenant's tier now, as it would be at the month's end. */
  readonly usageTier: PlanTier;
  readonly callSeconds: number;
  readonly llmTokens: number;
}

/**
 * What this month's invoice would be if the month ended with things as they are: the current subscription's fee
 * from when it started this month (a trial costs nothing; a lapsed subscription is on the free tier) and the
 * metered usage beyond what the tier includes. The ledger's own pricing functions, so the projection and the
 * invoice agree to the cent when nothing changes before the month ends.
 */
export const projectedInvoice = (input: ProjectionInput): ProjectedInvoice => {
  const { start, end } = periodBounds(input.period);
  const segments: TierSegment[] = [];
  if (input.subscription !== undefined) {
    const tier = tierOfSubscription(input.subscription);
    const from = Math.max(start.getTime(), Date.parse(input.subscription.currentPeriodStart));
    if (tier !== 'free' && from < end.getTime()) {
      segments.push({
        tier,
        from: new Date(from).toISOString(),
        to: end.toISOString(),
        trial: input.subscription.status === 'trialing',
      });
    }
  }
  const lines = [
    ...feeLines(input.period, segments),
    ...usageLines(input.usageTier, input.callSeconds, input.llmTokens),
  ].map(({ kind, description, quantity, amountCents }) => ({ kind, description, quantity, amountCents }));
  return {
    periodStart: start.toISOString(),
    periodEnd: end.toISOString(),
    lines,
    totalCents: lines.reduce((sum, line) => sum + line.amountCents, 0),
  };
};
