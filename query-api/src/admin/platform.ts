import { z } from 'zod';
import {
  billingPeriodOf,
  decodeEvent,
  effectiveCapRule,
  effectiveUsageCap,
  PLAN_LIMITS,
  PLAN_TIERS,
  PlanTier,
  PLATFORM_TENANT,
  Region,
  REGIONS,
  UsageLimitOverridesSchema,
} from '@ccp/schemas';
import { priced, TIERED_USAGE_SQL } from '../analytics/cost.js';
import { cents } from '../analytics/numbers.js';
import type { EventStore } from '../../../command-service/src/event-store/port.js';
import type { ReadStore } from '../../../projections/src/read-store/port.js';
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

/** A remote provider's last failure, as the media gateway reports it (the platform hands its report over). */
export const ProviderFailure = z.object({
  port: z.enum(['llm', 'stt', 'tts']),
  provider: z.string(),
  kind: z.enum(['auth', 'rate-limit', 'server', 'client', 'unreachable']),
  status: z.number().int().optional(),
  message: z.string(),
  at: z.string(),
  recovered: z.boolean(),
});
export type ProviderFailure = z.infer<typeof ProviderFailure>;

const Probe = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });
export const PlatformHealth = z.object({
  status: z.enum(['ok', 'degraded']),
  eventStore: Probe,
  readStore: Probe,
  processors: z.unknown().describe("Each stream processor's lag, as the processors report it"),
  engines: z.record(z.string(), z.string()).describe('Which adapter each port runs on'),
  providerFailures: z
    .array(ProviderFailure)
    .describe(
      "Each remote provider's last failure (calls fell back to the offline engine); degraded until it answers again",
    ),
  voice: z.object({
    callsLastHour: z.number().int(),
    failedLastHour: z.number().int(),
    activeCalls: z.number().int(),
  }),
});

const probe = async (check: () => Promise<unknown>): Promise<z.infer<typeof Probe>> => {
  const started = performance.now();
  try {
    await check();
    return { ok: true, latencyMs: performance.now() - started };
  } catch (error) {
    return { ok: false, latencyMs: performance.now() - started, error: String(error).slice(0, 300) };
  }
};

/** Whether the engines answer, how far behind the processors are, and how calls are going. */
export const platformHealth = async (
  deps: {
    store: EventStore;
    readStore: ReadStore;
    processors: () => unknown;
    engines: Readonly<Record<string, string>>;
    providerFailures: () => readonly ProviderFailure[];
  },
  now: Date,
): Promise<z.infer<typeof PlatformHealth>> => {
  const eventStore = await probe(() => deps.store.readAll({ maxCount: 1 }));
  const readStore = await probe(() => deps.readStore.query('SELECT 1'));
  let voice = { callsLastHour: 0, failedLastHour: 0, activeCalls: 0 };
  if (readStore.ok) {
    const [row] = await deps.readStore.query<Record<string, unknown>>(
      `SELECT countIf(started_at >= {now:DateTime64(3, 'UTC')} - INTERVAL 1 HOUR) AS calls,
              countIf(started_at >= {now:DateTime64(3, 'UTC')} - INTERVAL 1 HOUR AND outcome = 'failed') AS failed,
              countIf(status != 'ended' AND started_at >= {now:DateTime64(3, 'UTC')} - INTERVAL 1 DAY) AS active
         FROM calls FINAL WHERE started_at >= {now:DateTime64(3, 'UTC')} - INTERVAL 1 DAY`,
      { now },
    );
    voice = {
      callsLastHour: Number(row?.['calls'] ?? 0),
      failedLastHour: Number(row?.['failed'] ?? 0),
      activeCalls: Number(row?.['active'] ?? 0),
    };
  }
  const failures = [...deps.providerFailures()];
  return {
    status: eventStore.ok && readStore.ok && failures.every((f) => f.recovered) ? 'ok' : 'degraded',
    eventStore,
    readStore,
    processors: deps.processors(),
    engines: { ...deps.engines },
    providerFailures: failures,
    voice,
  };
};

export const Announcement = z.object({
  announcementId: z.string(),
  scope: z.enum(['platform', 'tenant']),
  title: z.string(),
  body: z.string(),
  severity: z.string(),
  startsAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  publishedAt: z.string(),
});
export const Announcements = z.object({ announcements: z.array(Announcement) });

/** Announcements in force now for a tenant's members: the tenant's own and the platform's, newest first. */
export const activeAnnouncements = async (
  store: ReadStore,
  tenantId: string,
  now: Date,
): Promise<z.infer<typeof Announcements>> => {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT tenant_id, stream_id,
            argMaxIf(data, position, type = 'AnnouncementPublished') AS content,
            toString(maxIf(occurred_at, type = 'AnnouncementPublished')) AS published_text,
            countIf(type = 'AnnouncementWithdrawn') AS withdrawn
       FROM events FINAL
      WHERE tenant_id IN ({tenantId:String}, {platform:String}) AND stream_id LIKE 'announcement-%'
      GROUP BY tenant_id, stream_id HAVING withdrawn = 0 AND countIf(type = 'AnnouncementPublished') > 0
      ORDER BY published_text DESC`,
    { tenantId, platform: PLATFORM_TENANT },
  );
  const at = now.getTime();
  return {
    announcements: rows
      .map((r) => {
        const content = JSON.parse(String(r['content'])) as {
          title: string;
          body: string;
          severity: string;
          startsAt?: string;
          endsAt?: string;
        };
        const streamId = String(r['stream_id']);
        return {
          announcementId: streamId.slice(streamId.indexOf('.') + 1),
          scope: String(r['tenant_id']) === PLATFORM_TENANT ? ('platform' as const) : ('tenant' as const),
          title: content.title,
          body: content.body,
          severity: content.severity,
          startsAt: content.startsAt ?? null,
          endsAt: content.endsAt ?? null,
          publishedAt: isoOf(r['published_text']) ?? '',
        };
      })
      .filter(
        (a) =>
          (a.startsAt === null || Date.parse(a.startsAt) <= at) &&
          (a.endsAt === null || Date.parse(a.endsAt) > at),
      ),
  };
};

export const TicketQuery = z.strictObject({
  status: z.enum(['open', 'resolved']).optional(),
  priority: z.string().min(1).max(20).optional(),
});

export const Ticket = z.object({
  tenantId: z.string(),
  ticketId: z.string(),
  subject: z.string(),
  priority: z.string(),
  status: z.enum(['open', 'resolved']),
  workStatus: z.string().nullable(),
  assigneeId: z.string().nullable(),
  category: z.string().nullable(),
  callId: z.string().nullable(),
  departmentId: z.string().nullable(),
  openedAt: z.string(),
  updatedAt: z.string(),
});
export const Tickets = z.object({ tickets: z.array(Ticket) });

/**
 * A ticket's subject from its first event on the decrypting store: subjects are personal data (they often name
 * the caller), so the audit log holds a marker and an erased subject reads '[erased]'.
 */
const ticketSubject = async (events: EventStore, streamId: string): Promise<string> => {
  const [first] = await events.readStream(streamId, { maxCount: 1 });
  const decoded = first && decodeEvent(first);
  if (!decoded?.ok || decoded.value.type !== 'TicketOpened') return '';
  const { subject } = decoded.value.data as { subject?: unknown };
  return typeof subject === 'string' ? subject : '';
};

/**
 * Support tickets as their events tell them: the audit log for the state, the event store for the subject
 * (descriptions, customers and subjects are personal data, not in the audit log). `tenantId` '*' lists every
 * tenant's, newest activity first.
 */
export const supportTickets = async (
  store: ReadStore,
  events: EventStore,
  tenantId: string,
  query: z.infer<typeof TicketQuery>,
  /** Only the tickets opened from these calls (a caller's record). */
  callIds?: readonly string[],
): Promise<z.infer<typeof Tickets>> => {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT tenant_id, stream_id,
            if(countIf(type = 'TicketUpdated' AND JSONHas(data, 'changes', 'priority')) > 0,
               argMaxIf(JSONExtractString(data, 'changes', 'priority'), position, type = 'TicketUpdated' AND JSONHas(data, 'changes', 'priority')),
               anyIf(JSONExtractString(data, 'priority'), type = 'TicketOpened')) AS current_priority,
            argMaxIf(type, position, type IN ('TicketOpened', 'TicketResolved', 'TicketReopened')) AS last_state,
            argMaxIf(JSONExtractString(data, 'changes', 'status'), position, type = 'TicketUpdated' AND JSONHas(data, 'changes', 'status')) AS work_status,
            argMaxIf(JSONExtractString(data, 'changes', 'assigneeId'), position, type = 'TicketUpdated' AND JSONHas(data, 'changes', 'assigneeId')) AS assignee,
            anyIf(JSONExtractString(data, 'category'), type = 'TicketOpened') AS ticket_category,
            anyIf(JSONExtractString(data, 'callId'), type = 'TicketOpened') AS call,
            anyIf(JSONExtractString(data, 'departmentId'), type = 'TicketOpened') AS department,
            toString(minIf(occurred_at, type = 'TicketOpened')) AS opened_text,
            toString(max(occurred_at)) AS updated_text
       FROM events FINAL
      WHERE ${tenantId === '*' ? '1' : 'tenant_id = {tenantId:String}'} AND stream_id LIKE 'ticket-%'
      GROUP BY tenant_id, stream_id
     HAVING countIf(type = 'TicketOpened') > 0${callIds === undefined ? '' : ' AND call IN {callIds:Array(String)}'}
      ORDER BY updated_text DESC LIMIT 1000`,
    { tenantId, ...(callIds !== undefined && { callIds: [...callIds] }) },
  );
  const orNull = (value: unknown) =>
    value === '' || value === null || value === undefined ? null : String(value);
  const tickets = rows
    .map((r) => {
      const streamId = String(r['stream_id']);
      return {
        streamId,
        tenantId: String(r['tenant_id']),
        ticketId: streamId.slice(streamId.indexOf('.') + 1),
        priority: String(r['current_priority']),
        status: r['last_state'] === 'TicketResolved' ? ('resolved' as const) : ('open' as const),
        workStatus: orNull(r['work_status']),
        assigneeId: orNull(r['assignee']),
        category: orNull(r['ticket_category']),
        callId: orNull(r['call']),
        departmentId: orNull(r['department']),
        openedAt: isoOf(r['opened_text']) ?? '',
        updatedAt: isoOf(r['updated_text']) ?? '',
      };
    })
    .filter(
      (t) =>
        (query.status === undefined || t.status === query.status) &&
        (query.priority === undefined || t.priority === query.priority),
    );
  return {
    tickets: await Promise.all(
      tickets.map(async ({ streamId, ...ticket }) => ({
        ...ticket,
        subject: await ticketSubject(events, streamId),
      })),
    ),
  };
};

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

export const Branding = z.object({
  tenantId: z.string(),
  displayName: z.string().nullable(),
  primaryColor: z.string().nullable(),
  logoUrl: z.string().nullable(),
  sso: z
    .array(z.object({ issuer: z.string(), clientId: z.string(), name: z.string().optional() }))
    .describe("Identity providers the tenant's members sign in with (OpenID Connect)"),
});

/**
 * The white-label look of the tenant that owns `domain` (its settings' branding.customDomain), for the console
 * to theme its sign-in page before anyone signs in: only the branding, nothing else about the tenant.
 */
export const brandingForDomain = async (
  store: ReadStore,
  domain: string,
): Promise<Omit<z.infer<typeof Branding>, 'sso'> | undefined> => {
  const rows = await store.query<{ tenant_id: string; branding: string }>(
    `SELECT tenant_id, argMax(JSONExtractRaw(data, 'settings', 'branding'), position) AS branding
       FROM events FINAL
      WHERE type IN ('TenantCreated', 'TenantSettingsUpdated') AND JSONHas(data, 'settings', 'branding')
      GROUP BY tenant_id`,
  );
  for (const row of rows) {
    const branding = JSON.parse(row.branding) as {
      customDomain?: string;
      displayName?: string;
      primaryColor?: string;
      logoUrl?: string;
    };
    if (branding.customDomain?.toLowerCase() !== domain.toLowerCase()) continue;
    return {
      tenantId: row.tenant_id,
      displayName: branding.displayName ?? null,
      primaryColor: branding.primaryColor ?? null,
      logoUrl: branding.logoUrl ?? null,
    };
  }
  return undefined;
};
