import { z } from 'zod';
import { priced, TIERED_USAGE_SQL } from './cost.js';
import { callWhere, CallFilters } from './filters.js';
import { cents, num, rate } from './numbers.js';
import type { ReportContext } from './reports.js';

export const CampaignQuery = CallFilters.omit({ direction: true }).extend({
  valuePerConversion: z.coerce
    .number()
    .nonnegative()
    .max(1e9)
    .optional()
    .describe('What one conversion (a booked appointment) is worth in US dollars; gives revenue and ROI'),
});
export type CampaignQuery = z.output<typeof CampaignQuery>;

export const CampaignReport = z.object({
  campaigns: z.array(
    z.object({
      campaignId: z.string().describe("'' for outbound calls placed for a lead outside any campaign"),
      calls: z.number().int(),
      leads: z.number().int().describe('Distinct leads called'),
      connected: z.number().int().describe('Calls answered by a person or a machine'),
      conversions: z.number().int().describe('Calls in which an appointment was booked'),
      connectRate: z.number().nullable(),
      conversionRate: z.number().nullable().describe('Conversions per call placed'),
      costUsd: z.number().describe('Minutes and LLM tokens of these calls at list prices'),
      costPerConversionUsd: z.number().nullable(),
      revenueUsd: z.number().nullable(),
      roi: z.number().nullable().describe('(revenue - cost) / cost; null without valuePerConversion or cost'),
    }),
  ),
});

/**
 * Outbound campaigns: the calls placed for leads, grouped by campaign, what they achieved (connected,
 * converted) and what they cost (their usage at list prices). Campaign management itself is a later feature;
 * this reads the campaign and lead that outbound calls carry on CallStarted.
 */
export const campaignPerformance = async (
  ctx: ReportContext,
  query: CampaignQuery,
): Promise<z.infer<typeof CampaignReport>> => {
  const { valuePerConversion, ...filters } = query;
  const where = callWhere(ctx.tenantId, { ...filters, direction: 'outbound' }, ctx.now);
  const forLeads = `${where.sql} AND (campaign_id != '' OR lead_id != '')`;
  const rows = await ctx.store.query<Record<string, unknown>>(
    `SELECT campaign_id AS campaign, count() AS placed, uniqExactIf(lead_id, lead_id != '') AS lead_count,
            countIf(answered_at IS NOT NULL) AS connected_calls, countIf(converted = 1) AS conversion_count
       FROM calls FINAL WHERE ${forLeads}
      GROUP BY campaign_id ORDER BY placed DESC, campaign`,
    where.params,
  );
  const usage = await ctx.store.query<Record<string, unknown>>(
    `SELECT campaigns.campaign_id AS campaign, ${TIERED_USAGE_SQL}
       FROM usage_events AS u FINAL
      INNER JOIN (SELECT call_id, campaign_id FROM calls FINAL WHERE ${forLeads}) AS campaigns
         ON u.call_id = campaigns.call_id
      WHERE u.tenant_id = {tenantId:String} AND u.kind IN ('call_minutes', 'llm_tokens')
      GROUP BY campaigns.campaign_id, plan_tier, kind`,
    where.params,
  );
  return {
    campaigns: rows.map((r) => {
      const campaignId = String(r['campaign']);
      const calls = num(r['placed']);
      const conversions = num(r['conversion_count']);
      const cost = priced(
        usage.filter((u) => String(u['campaign']) === campaignId),
        ctx.planTier,
      ).totalUsd;
      const revenue = valuePerConversion === undefined ? null : cents(conversions * valuePerConversion);
      return {
        campaignId,
        calls,
        leads: num(r['lead_count']),
        connected: num(r['connected_calls']),
        conversions,
        connectRate: rate(num(r['connected_calls']), calls),
        conversionRate: rate(conversions, calls),
        costUsd: cost,
        costPerConversionUsd: conversions === 0 ? null : cents(cost / conversions),
        revenueUsd: revenue,
        roi: revenue === null || cost === 0 ? null : (revenue - cost) / cost,
      };
    }),
  };
};
