import { z } from 'zod';
import { PlanTier, PLATFORM_TENANT, Region, REGIONS } from '@ccp/schemas';
import { priced, TIERED_USAGE_SQL } from '../analytics/cost.js';
import { cents } from '../analytics/numbers.js';
import type { ReadStore } from '@ccp/projections';
import { isoOf } from '../calls/calls.js';

const LIFECYCLE = `('TenantCreated','TenantSuspended','TenantReactivated','TenantDisabled','TenantDeletionRequested')`;
const STATUS_OF: Record<string, string> = {
  TenantCreated: 'active',
  TenantReactivated: 'active',
  TenantSuspended: 'suspended',
  TenantDisabled: 'disabled',
  TenantDeletionRequested: 'deletion_requested',
};

export const TenantOverview = z.object({
  tenants: z.array(
    z.object({
      tenantId: z.string(),
      name: z.string(),
      status: z.string(),
      planTier: z.string(),
      region: Region,
      createdAt: z.string().nullable(),
      calls: z.number().int().describe('Calls started in the range'),
      activeCalls: z.number().int(),
      minutes: z.number(),
      tokens: z.number().int(),
      escalatedCalls: z.number().int(),
      escalationRate: z.number().nullable(),
      ratedCalls: z.number().int().describe('Calls the caller rated'),
      averageSatisfaction: z.number().nullable(),
      costUsd: z.number().describe("The range's minutes and tokens at the list prices of their tier"),
    }),
  ),
});

/**
 * Every tenant with its lifecycle and its traffic, for super admins: lifecycle from the audit log (tenant
 * streams), traffic from the calls projection, joined in memory (tenants are few, calls are many).
 */
export const tenantOverview = async (
  store: ReadStore,
  range: { from: Date; to: Date },
  now: Date,
): Promise<z.infer<typeof TenantOverview>> => {
  const lifecycle = await store.query<Record<string, unknown>>(
    `SELECT tenant_id,
            anyIf(JSONExtractString(data, 'name'), type = 'TenantCreated') AS name,
            toString(minIf(occurred_at, type = 'TenantCreated')) AS created_text,
            argMaxIf(type, position, type IN ${LIFECYCLE}) AS last_status,
            argMaxIf(JSONExtractString(data, 'planTier'), position, type = 'TenantCreated') AS created_tier,
            argMaxIf(JSONExtractString(data, 'to'), position, type = 'PlanTierChanged') AS changed_tier,
            countIf(type = 'PlanTierChanged') AS tier_changes,
            argMaxIf(JSONExtractString(data, 'settings', 'region'), position,
                     type IN ('TenantCreated', 'TenantSettingsUpdated') AND JSONHas(data, 'settings', 'region')) AS region
       FROM events FINAL
      WHERE stream_id LIKE 'tenant-%' AND tenant_id != {platform:String}
      GROUP BY tenant_id HAVING countIf(type = 'TenantCreated') > 0
      ORDER BY tenant_id`,
    { platform: PLATFORM_TENANT },
  );
  const traffic = await store.query<Record<string, unknown>>(
    `SELECT tenant_id,
            countIf(started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}) AS calls,
            countIf(status != 'ended' AND started_at >= {now:DateTime64(3, 'UTC')} - INTERVAL 1 DAY) AS active,
            sumIf(ifNull(duration_seconds, 0), started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}) / 60 AS minutes,
            sumIf(prompt_tokens + completion_tokens, started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}) AS tokens,
            countIf(escalated = 1 AND started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}) AS escalated_calls,
            avgIf(feedback_score, feedback_score IS NOT NULL AND started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}) AS satisfaction,
            countIf(feedback_score IS NOT NULL AND started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}) AS rated
       FROM calls FINAL GROUP BY tenant_id`,
    { from: range.from, to: range.to, now },
  );
  const usage = await store.query<Record<string, unknown>>(
    `SELECT tenant_id, ${TIERED_USAGE_SQL} FROM usage_events FINAL
      WHERE occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}
      GROUP BY tenant_id, plan_tier, kind`,
    { from: range.from, to: range.to },
  );
  const byTenant = new Map(traffic.map((r) => [String(r['tenant_id']), r]));
  return {
    tenants: lifecycle.map((r) => {
      const t = byTenant.get(String(r['tenant_id'])) ?? {};
      const tenantId = String(r['tenant_id']);
      const calls = Number(t['calls'] ?? 0);
      const escalatedCalls = Number(t['escalated_calls'] ?? 0);
      const tier = PlanTier.catch('free').parse(
        Number(r['tier_changes']) > 0 ? r['changed_tier'] : r['created_tier'],
      );
      return {
        tenantId,
        name: String(r['name']),
        status: STATUS_OF[String(r['last_status'])] ?? 'active',
        planTier: tier,
        region: Region.catch('north_america').parse(r['region']),
        createdAt: isoOf(r['created_text']),
        calls,
        activeCalls: Number(t['active'] ?? 0),
        minutes: Number(t['minutes'] ?? 0),
        tokens: Number(t['tokens'] ?? 0),
        escalatedCalls,
        escalationRate: calls === 0 ? null : escalatedCalls / calls,
        ratedCalls: Number(t['rated'] ?? 0),
        averageSatisfaction:
          t['satisfaction'] === null || t['satisfaction'] === undefined ? null : Number(t['satisfaction']),
        costUsd: priced(
          usage.filter((u) => String(u['tenant_id']) === tenantId),
          tier,
        ).totalUsd,
      };
    }),
  };
};

export const RegionReport = z.object({
  regions: z.array(
    z.object({
      region: Region,
      tenants: z.number().int(),
      calls: z.number().int(),
      activeCalls: z.number().int(),
      minutes: z.number(),
      tokens: z.number().int(),
      escalationRate: z.number().nullable(),
      averageSatisfaction: z.number().nullable(),
      costUsd: z.number(),
    }),
  ),
});

/** The platform by region: every tenant's traffic and cost in the range, added up where its business is. */
export const regionAnalytics = (overview: z.infer<typeof TenantOverview>): z.infer<typeof RegionReport> => ({
  regions: REGIONS.map((region) => {
    const tenants = overview.tenants.filter((t) => t.region === region);
    const sum = (pick: (t: (typeof tenants)[number]) => number) => tenants.reduce((n, t) => n + pick(t), 0);
    const calls = sum((t) => t.calls);
    const rated = sum((t) => t.ratedCalls);
    return {
      region,
      tenants: tenants.length,
      calls,
      activeCalls: sum((t) => t.activeCalls),
      minutes: sum((t) => t.minutes),
      tokens: sum((t) => t.tokens),
      escalationRate: calls === 0 ? null : sum((t) => t.escalatedCalls) / calls,
      averageSatisfaction:
        rated === 0 ? null : sum((t) => (t.averageSatisfaction ?? 0) * t.ratedCalls) / rated,
      costUsd: cents(sum((t) => t.costUsd)),
    };
  }).filter((r) => r.tenants > 0),
});

export const TopAgents = z.object({
  agents: z.array(
    z.object({
      tenantId: z.string(),
      agentId: z.string(),
      calls: z.number().int(),
      tokens: z.number().int(),
    }),
  ),
});

/** The busiest AI agents across the platform. */
export const topAgents = async (
  store: ReadStore,
  range: { from: Date; to: Date },
): Promise<z.infer<typeof TopAgents>> => {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT tenant_id, agent_id, count() AS calls, sum(prompt_tokens + completion_tokens) AS tokens
       FROM calls FINAL
      WHERE agent_id != '' AND started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}
      GROUP BY tenant_id, agent_id ORDER BY calls DESC, tenant_id, agent_id LIMIT 50`,
    { from: range.from, to: range.to },
  );
  return {
    agents: rows.map((r) => ({
      tenantId: String(r['tenant_id']),
      agentId: String(r['agent_id']),
      calls: Number(r['calls']),
      tokens: Number(r['tokens']),
    })),
  };
};
