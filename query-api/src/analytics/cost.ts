import { z } from 'zod';
import { PlanTier, usageCostUsd } from '@ccp/schemas';
import { cents } from './numbers.js';

/** Usage in money: what the metered minutes and tokens cost at the list prices of the tier they were used on. */
export const UsageCost = z.object({
  currency: z.literal('USD'),
  callMinutesUsd: z.number(),
  llmTokensUsd: z.number(),
  totalUsd: z.number(),
});
export type UsageCost = z.infer<typeof UsageCost>;

/** Sums of usage_events grouped by tier and kind, as `priced` takes them. */
export const TIERED_USAGE_SQL = `plan_tier, kind, sum(quantity) AS quantity`;

const TieredRow = z.object({
  plan_tier: z.string(),
  kind: z.string(),
  quantity: z.coerce.number(),
});

/**
 * Prices usage rows (sums per tier and kind). Rows metered before tiers were kept on token rows carry no tier
 * ('') and are priced at `fallback`, the tier in force now; speech seconds are not priced.
 */
export const priced = (rows: readonly unknown[], fallback: PlanTier): UsageCost => {
  let minutesUsd = 0;
  let tokensUsd = 0;
  for (const raw of rows) {
    const row = TieredRow.parse(raw);
    const parsedTier = PlanTier.safeParse(row.plan_tier);
    const tier = parsedTier.success ? parsedTier.data : fallback;
    if (row.kind === 'call_minutes') minutesUsd += usageCostUsd(tier, row.quantity, 0);
    if (row.kind === 'llm_tokens') tokensUsd += usageCostUsd(tier, 0, row.quantity);
  }
  return {
    currency: 'USD',
    callMinutesUsd: cents(minutesUsd),
    llmTokensUsd: cents(tokensUsd),
    totalUsd: cents(minutesUsd + tokensUsd),
  };
};
