import { z } from 'zod';
import { CampaignStatus } from '@ccp/schemas';
import type { QueryParams } from '@ccp/projections';
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
      name: z.string().nullable().describe('The campaign set up in the platform, null for any other'),
      status: CampaignStatus.nullable(),
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

/** What a campaign's calls achieved and cost; the ROI report's figures, and a campaign page's. */
export interface CampaignCallResults {
  readonly calls: number;
  readonly leads: number;
  readonly connected: number;
  readonly conversions: number;
  readonly costUsd: number;
}

/**
 * The outbound calls `where` selects (a condition over calls' columns, tenant first), grouped by campaign: how
 * many, their distinct leads, those answered, those converted (an appointment booked), and their minutes and
 * LLM tokens at list prices. Ordered by calls placed, most first.
 */
export const campaignCallResults = async (
  ctx: ReportContext,
  where: { readonly sql: string; readonly params: QueryParams },
): Promise<Map<string, CampaignCallResults>> => {
  const rows = await ctx.store.query<Record<string, unknown>>(
    `SELECT campaign_id AS campaign, count() AS placed, uniqExactIf(lead_id, lead_id != '') AS lead_count,
            countIf(answered_at IS NOT NULL) AS connected_calls, countIf(converted = 1) AS conversion_count
       FROM calls FINAL WHERE ${where.sql}
      GROUP BY campaign_id ORDER BY placed DESC, campaign`,
    where.params,
  );
  const usage = await ctx.store.query<Record<string, unknown>>(
    `SELECT campaigns.campaign_id AS campaign, ${TIERED_USAGE_SQL}
       FROM usage_events AS u FINAL
      INNER JOIN (SELECT call_id, campaign_id FROM calls FINAL WHERE ${where.sql}) AS campaigns
         ON u.call_id = campaigns.call_id
      WHERE u.tenant_id = {tenantId:String} AND u.kind IN ('call_minutes', 'llm_tokens')
      GROUP BY campaigns.campaign_id, plan_tier, kind`,
    where.params,
  );
  return new Map(
    rows.map((r) => {
      const campaignId = String(r['campaign']);
      return [
        campaignId,
        {
          calls: num(r['placed']),
          leads: num(r['lead_count']),
          connected: num(r['connected_calls']),
          conversions: num(r['conversion_count']),
          costUsd: priced(
            usage.filter((u) => String(u['campaign']) === campaignId),
            ctx.planTier,
          ).totalUsd,
        },
      ];
    }),
  );
};

/** The name and status of each of the tenant's campaigns (the campaigns processor's table). */
const campaignNames = async (ctx: ReportContext): Promise<Map<string, { name: string; status: string }>> => {
  const rows = await ctx.store.query<{ campaign_id: string; name: string; status: string }>(
    'SELECT campaign_id, name, status FROM campaigns FINAL WHERE tenant_id = {tenantId:String}',
    { tenantId: ctx.tenantId },
  );
  return new Map(rows.map((r) => [r.campaign_id, { name: r.name, status: r.status }]));
};

/**
 * Outbound campaigns: the calls placed for leads, grouped by campaign, what they achieved (connected,
 * converted) and what they cost (their usage at list prices), with the campaign's name and status when the
 * campaign is one the tenant set up (calls may name campaigns of another system, or none).
 */
export const campaignPerformance = async (
  ctx: ReportContext,
  query: CampaignQuery,
): Promise<z.infer<typeof CampaignReport>> => {
  const { valuePerConversion, ...filters } = query;
  const where = callWhere(ctx.tenantId, { ...filters, direction: 'outbound' }, ctx.now);
  const results = await campaignCallResults(ctx, {
    sql: `${where.sql} AND (campaign_id != '' OR lead_id != '')`,
    params: where.params,
  });
  const names = await campaignNames(ctx);
  return {
    campaigns: [...results].map(([campaignId, r]) => {
      const revenue = valuePerConversion === undefined ? null : cents(r.conversions * valuePerConversion);
      const known = names.get(campaignId);
      return {
        campaignId,
        name: known?.name ?? null,
        status: known === undefined ? null : CampaignStatus.parse(known.status),
        calls: r.calls,
        leads: r.leads,
        connected: r.connected,
        conversions: r.conversions,
        connectRate: rate(r.connected, r.calls),
        conversionRate: rate(r.conversions, r.calls),
        costUsd: r.costUsd,
        costPerConversionUsd: r.conversions === 0 ? null : cents(r.costUsd / r.conversions),
        revenueUsd: revenue,
        roi: revenue === null || r.costUsd === 0 ? null : (revenue - r.costUsd) / r.costUsd,
      };
    }),
  };
};
