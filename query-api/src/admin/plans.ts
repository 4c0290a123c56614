import { z } from 'zod';
import {
  billingPeriodOf,
  effectiveCapRule,
  effectiveUsageCap,
  PLAN_LIMITS,
  PLAN_TIERS,
  PlanTier,
  UsageLimitOverridesSchema,
} from '@ccp/schemas';
import { priced, TIERED_USAGE_SQL } from '../analytics/cost.js';
import type { ReadStore } from '@ccp/projections';

export const UsageAgainstCaps = z.object({
  period: z.string().describe('The billing period (UTC month, YYYY-MM)'),
  tenants: z.array(
    z.object({
      tenantId: z.string(),
      planTier: z.string(),
      minutes: z.number(),
      includedMinutes: z.number().nullable().describe("The tenant's cap: its own where set, else its tier's"),
      tokens: z.number(),
      tokenCap: z.number().nullable(),
      atUsageCap: z.string().nullable(),
      /** The larger of minutes and tokens over their caps (0..1+), null when the tenant has no caps. */
      capUsed: z.number().nullable(),
      limitsOverridden: z.boolean().describe('A super admin set caps of its own for this tenant'),
      costUsd: z.number().describe("This period's minutes and tokens at the list prices of their tier"),
      billingThresholdUsd: z.number().nullable(),
      billingThresholdReached: z.boolean(),
    }),
  ),
});

/**
 * Each tenant's metered usage this billing period against its caps (its tier's, or its own where a super admin
 * set them) and its billing alert threshold, highest first: who is about to be blocked, billed overage or
 * alerted. Tiers and limits come from the plan history (tenant_plans), thresholds from the tenants' events,
 * usage from usage_events.
 */
export const usageAgainstCaps = async (
  store: ReadStore,
  now: Date,
  /** One tenant only (its own plan page); every tenant when absent. */
  onlyTenant?: string,
): Promise<z.infer<typeof UsageAgainstCaps>> => {
  const period = billingPeriodOf(now);
  const tenantClause = onlyTenant === undefined ? '1' : 'tenant_id = {onlyTenant:String}';
  const scope: Record<string, string> = onlyTenant === undefined ? {} : { onlyTenant };
  const plans = await store.query<Record<string, unknown>>(
    `SELECT tenant_id, argMaxIf(plan_tier, position, plan_tier != '') AS tier,
            argMaxIf(usage_limits, position, usage_limits != '') AS limits
       FROM tenant_plans FINAL WHERE ${tenantClause} GROUP BY tenant_id ORDER BY tenant_id`,
    scope,
  );
  const usage = await store.query<Record<string, unknown>>(
    `SELECT tenant_id, ${TIERED_USAGE_SQL} FROM usage_events FINAL
      WHERE period = {period:String} AND ${tenantClause} GROUP BY tenant_id, plan_tier, kind`,
    { period, ...scope },
  );
  const thresholds = await store.query<Record<string, unknown>>(
    `SELECT tenant_id, argMax(JSONExtract(data, 'billingThresholdUsd', 'Nullable(Float64)'), position) AS threshold
       FROM events FINAL WHERE type = 'UsageLimitsSet' AND stream_id LIKE 'tenant-%' AND ${tenantClause}
      GROUP BY tenant_id`,
    scope,
  );
  const thresholdOf = new Map(thresholds.map((r) => [String(r['tenant_id']), r['threshold']]));
  const tenants = plans.flatMap((r) => {
    const tenantId = String(r['tenant_id']);
    const tier = PlanTier.safeParse(r['tier']);
    if (!tier.success) return [];
    const limits = r['limits'] === '' ? {} : UsageLimitOverridesSchema.parse(JSON.parse(String(r['limits'])));
    const own = usage.filter((u) => String(u['tenant_id']) === tenantId);
    const total = (kind: string) =>
      own.filter((u) => u['kind'] === kind).reduce((sum, u) => sum + Number(u['quantity']), 0);
    const minutes = total('call_minutes');
    const tokens = total('llm_tokens');
    const minuteCap = effectiveUsageCap(tier.data, 'call_minutes', limits);
    const tokenCap = effectiveUsageCap(tier.data, 'llm_tokens', limits);
    const ratios = [
      minuteCap ? minutes / minuteCap : undefined,
      tokenCap ? tokens / tokenCap : undefined,
    ].filter((x): x is number => x !== undefined);
    const costUsd = priced(own, tier.data).totalUsd;
    const threshold = thresholdOf.get(tenantId);
    const billingThresholdUsd = threshold === null || threshold === undefined ? null : Number(threshold);
    return [
      {
        tenantId,
        planTier: tier.data,
        minutes,
        includedMinutes: minuteCap,
        tokens,
        tokenCap,
        atUsageCap: minuteCap === null && tokenCap === null ? null : effectiveCapRule(tier.data, limits),
        capUsed: ratios.length === 0 ? null : Math.max(...ratios),
        limitsOverridden: Object.keys(limits).length > 0,
        costUsd,
        billingThresholdUsd,
        billingThresholdReached: billingThresholdUsd !== null && costUsd >= billingThresholdUsd,
      },
    ];
  });
  tenants.sort((a, b) => (b.capUsed ?? -1) - (a.capUsed ?? -1) || a.tenantId.localeCompare(b.tenantId));
  return { period, tenants };
};

const Tier = z.object({
  tier: z.string(),
  features: z.array(z.string()).describe('Permission scopes the tier grants'),
  aiAgents: z.number().int().nullable(),
  phoneNumbers: z.number().int().nullable(),
  teamMembers: z.number().int().nullable(),
  includedMinutesPerMonth: z.number().nullable(),
  llmTokensPerMonth: z.number().nullable(),
  atUsageCap: z.string().nullable(),
  callRounding: z.string(),
  monthlyFeeUsd: z.number(),
  perMinuteUsd: z.number(),
  perMillionTokensUsd: z.number(),
});
export const TierCatalog = z.object({ tiers: z.array(Tier) });

export const TenantPlan = z.object({
  tier: Tier,
  usage: UsageAgainstCaps.shape.tenants.element
    .nullable()
    .describe('This billing period; null before any use'),
  period: z.string(),
});

/** The subscription tiers: what each permits, its caps and its list prices. */
export const tierCatalog = (): z.infer<typeof TierCatalog> => ({
  tiers: PLAN_TIERS.map((tier) => {
    const limits = PLAN_LIMITS[tier];
    return {
      tier,
      features: [...limits.features],
      aiAgents: limits.aiAgents,
      phoneNumbers: limits.phoneNumbers,
      teamMembers: limits.teamMembers,
      includedMinutesPerMonth: limits.includedMinutesPerMonth,
      llmTokensPerMonth: limits.llmTokensPerMonth,
      atUsageCap: limits.atUsageCap,
      callRounding:
        limits.callRounding.kind === 'per_minute'
          ? 'per_minute'
          : `per_second (minimum ${limits.callRounding.minimumSeconds} s)`,
      ...limits.prices,
    };
  }),
});
