import { z } from 'zod';
import {
  billableSeconds,
  billingPeriodOf,
  effectiveUsageCap,
  meterIdentifierOf,
  type MeterResource,
  parseStreamName,
  PlanTier,
  USAGE_RESOURCES,
  type EventEnvelope,
  type UsageLimitOverrides,
  UsageLimitOverridesSchema,
} from '@ccp/schemas';
import type { InsertRow, ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import type { Processor, ProcessorContext } from '../processor.js';
import { callEventsOf, callIdsByTenant, callKey, utcInstant, type CallEventAt } from './call-stream.js';
import { ClickHouseCount, ClickHouseInstant, loadCallRows } from './read-rows.js';
import { sendMeterCommands, type Metered } from './usage-meter.js';

/**
 * Billing and usage: what each tenant and AI agent consumed, per UTC month, and the plan's caps enforced.
 *
 * One row per metered event in usage_events:
 * - call_minutes: CallEnded's duration, rounded by the plan in force when the call ended (PLAN_LIMITS
 *   callRounding: free and starter round each call up to the minute, professional and enterprise bill by the
 *   second with a 6-second minimum);
 * - llm_tokens: AiReplied, prompt plus completion tokens, with the tier in force (tokens are priced by it);
 * - speech_seconds: an utterance's startedAt to endedAt, when the media gateway reported both.
 * Usage is attributed to the AI agent the call was with at that moment (usage_calls follows the call's start
 * and transfers to other agents). Totals are sums at query time (usageTotals), with FINAL.
 *
 * The plan history comes from tenant events into tenant_plans (keyed by position, so restarts and rebuilds
 * round every call as it was rounded live). A call's minutes cannot be rounded before its tenant's plan is
 * known: such a batch fails and is delivered again, which only happens while tenant events lag behind call
 * events on another topic; a stuck processor shows in its lag, a wrongly rounded call would not show at all.
 *
 * Caps: after each batch, for each tenant it touched, the current month's totals are compared with the current
 * plan's caps, or the tenant's own limits where a super admin set them (UsageLimitsSet); a total at or over a
 * cap sends EnforceUsageCap (idempotency key `usage-cap:<tenant>:<period>:<resource>:<tier>:<cap>`; tier and
 * cap are in the key so that after a change the new limit is decided on afresh, while the same one is asked
 * once). Only the current month is enforced: a cap of a
 * month that is over limits nothing, and a rebuild or first run over old months must not send any. The tenant
 * decider keeps one cap per period and resource, so a repeated send stores nothing.
 *
 * Metering (billing): the same function that makes a usage row says what the event bills: a call's seconds as
 * its tier rounds them (billableSeconds; nothing for a call that never connected) and a reply's tokens. Speech
 * seconds are not billed. Each batch sends them to the tenant's monthly meters as RecordUsage (usage-meter.ts),
 * identified by the position of the event that caused them; the meter skips identifiers it already holds.
 *
 * Idempotent: usage rows are keyed by event id with version = position; usage_calls rows skip events at or
 * below their version; caps are checked against totals, not increments, so a redelivered batch finds the same;
 * metered units are identified by position.
 */

export const USAGE = 'usage';

export type UsageKind = 'call_minutes' | 'llm_tokens' | 'speech_seconds';
const KINDS: readonly UsageKind[] = ['call_minutes', 'llm_tokens', 'speech_seconds'];

/** A row of usage_calls (011_usage). */
const UsageCallRow = z.object({
  tenant_id: z.string(),
  call_id: z.string(),
  agent_id: z.string(),
  started_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type UsageCallRow = z.output<typeof UsageCallRow>;

/** From `position` on: the tier (TenantCreated, PlanTierChanged) or a super admin's limits (UsageLimitsSet). */
interface PlanFrom {
  readonly position: number;
  readonly tier?: PlanTier;
  readonly limits?: UsageLimitOverrides;
}

const planSetBy = (envelope: EventEnvelope): PlanTier | undefined => {
  if (envelope.type === 'TenantCreated') return (envelope.data as { planTier: PlanTier }).planTier;
  if (envelope.type === 'PlanTierChanged') return (envelope.data as { to: PlanTier }).to;
  return undefined;
};

const limitsSetBy = (envelope: EventEnvelope): UsageLimitOverrides | undefined =>
  envelope.type === 'UsageLimitsSet'
    ? UsageLimitOverridesSchema.parse((envelope.data as { overrides: unknown }).overrides)
    : undefined;

/** Whether a tenant event changes what its usage is rounded or capped by. */
const changesPlan = (envelope: EventEnvelope): boolean =>
  planSetBy(envelope) !== undefined || limitsSetBy(envelope) !== undefined;

const planRowOf = ({ envelope, position }: BusEvent): InsertRow[] => {
  const stream = parseStreamName(envelope.streamId);
  if (stream?.category !== 'tenant' || !changesPlan(envelope)) return [];
  const limits = limitsSetBy(envelope);
  return [
    {
      tenant_id: stream.tenantId,
      position,
      effective_at: utcInstant(envelope.occurredAt),
      plan_tier: planSetBy(envelope) ?? '',
      usage_limits: limits === undefined ? '' : JSON.stringify(limits),
      version: position,
    },
  ];
};

const PlanRow = z.object({
  tenant_id: z.string(),
  position: ClickHouseCount,
  plan_tier: PlanTier.or(z.literal('')),
  usage_limits: z.string(),
});

/** Each tenant's plan history, oldest first. */
const loadPlans = async (
  readStore: ReadStore,
  tenantIds: readonly string[],
): Promise<Map<string, PlanFrom[]>> => {
  const plans = new Map<string, PlanFrom[]>();
  if (tenantIds.length === 0) return plans;
  const rows = await readStore.query<unknown>(
    `SELECT tenant_id, position, plan_tier, usage_limits FROM tenant_plans FINAL
     WHERE tenant_id IN {tenants:Array(String)} ORDER BY tenant_id, position`,
    { tenants: tenantIds },
  );
  for (const raw of rows) {
    const row = PlanRow.parse(raw);
    plans.set(row.tenant_id, [
      ...(plans.get(row.tenant_id) ?? []),
      {
        position: row.position,
        ...(row.plan_tier !== '' && { tier: row.plan_tier }),
        ...(row.usage_limits !== '' && {
          limits: UsageLimitOverridesSchema.parse(JSON.parse(row.usage_limits)),
        }),
      },
    ]);
  }
  return plans;
};

/** The plan in force just before `position`. */
const planAt = (history: readonly PlanFrom[] | undefined, position: number): PlanTier | undefined => {
  let found: PlanTier | undefined;
  for (const entry of history ?? []) if (entry.position < position) found = entry.tier ?? found;
  return found;
};

const latestPlan = (history: readonly PlanFrom[] | undefined): PlanTier | undefined =>
  history?.findLast((entry) => entry.tier !== undefined)?.tier;

const latestLimits = (history: readonly PlanFrom[] | undefined): UsageLimitOverrides =>
  history?.findLast((entry) => entry.limits !== undefined)?.limits ?? {};

/** The call's agent row after one more of its events; the same row when it does not change it. */
const applyToCall = (row: UsageCallRow | undefined, at: CallEventAt): UsageCallRow | undefined => {
  const { event } = at;
  if (row === undefined) {
    if (event.type !== 'CallStarted') return undefined;
    return {
      tenant_id: at.tenantId,
      call_id: at.callId,
      agent_id: event.data.agentId ?? '',
      started_at: utcInstant(event.data.startedAt),
      version: at.position,
    };
  }
  if (at.position <= row.version) return row;
  if (event.type === 'CallTransferred' && event.data.to.kind === 'agent') {
    return { ...row, agent_id: event.data.to.id, version: at.position };
  }
  return row;
};

interface Usage {
  readonly kind: UsageKind;
  readonly quantity: number;
  readonly planTier: PlanTier | '';
  /** What it bills on the tenant's meter (an integer), when anything. */
  readonly billed?: { readonly resource: MeterResource; readonly quantity: number };
}

const speechSeconds = (startedAt: string | undefined, endedAt: string | undefined): number =>
  startedAt === undefined || endedAt === undefined
    ? 0
    : Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)) / 1000;

/**
 * What one call event meters, for the usage rows and the billing meter alike; `plan` is asked for what is priced
 * by the tier: minutes and tokens.
 */
const usageOf = (at: CallEventAt, plan: () => PlanTier): Usage | undefined => {
  const { event } = at;
  switch (event.type) {
    case 'CallEnded': {
      const tier = plan();
      const seconds = billableSeconds(tier, event.data.durationSeconds);
      return {
        kind: 'call_minutes',
        quantity: seconds / 60,
        planTier: tier,
        ...(seconds > 0 && { billed: { resource: 'call_seconds', quantity: seconds } }),
      };
    }
    case 'AiReplied': {
      const tokens = event.data.promptTokens + event.data.completionTokens;
      // The tier is kept because tokens are priced by it (usage cost), like minutes.
      return tokens > 0
        ? {
            kind: 'llm_tokens',
            quantity: tokens,
            planTier: plan(),
            billed: { resource: 'llm_tokens', quantity: tokens },
          }
        : undefined;
    }
    case 'UtteranceRecorded': {
      const seconds = speechSeconds(event.data.startedAt, event.data.endedAt);
      return seconds > 0 ? { kind: 'speech_seconds', quantity: seconds, planTier: '' } : undefined;
    }
    default:
      return undefined;
  }
};

const TotalRow = z.object({ kind: z.enum(KINDS), total: z.number() });

/** A period's totals per kind; sums of floats are rounded so that their order of addition does not show. */
const totalsOf = async (
  readStore: ReadStore,
  tenantId: string,
  period: string,
): Promise<Record<UsageKind, number>> => {
  const rows = await readStore.query<unknown>(
    `SELECT kind, round(sum(quantity), 6) AS total FROM usage_events FINAL
     WHERE tenant_id = {tenant:String} AND period = {period:String} GROUP BY kind`,
    { tenant: tenantId, period },
  );
  const totals: Record<UsageKind, number> = { call_minutes: 0, llm_tokens: 0, speech_seconds: 0 };
  for (const raw of rows) {
    const row = TotalRow.parse(raw);
    totals[row.kind] = row.total;
  }
  return totals;
};

export const createUsageProcessor = (): Processor => {
  /** Caps this process already asked for, so that every later batch of the month does not ask again. */
  const asked = new Set<string>();

  const enforceCaps = async (
    context: ProcessorContext,
    tenantId: string,
    tier: PlanTier,
    limits: UsageLimitOverrides,
    causation: EventEnvelope,
  ): Promise<void> => {
    const period = billingPeriodOf(context.now());
    const totals = await totalsOf(context.readStore, tenantId, period);
    for (const resource of USAGE_RESOURCES) {
      const cap = effectiveUsageCap(tier, resource, limits);
      const used = totals[resource];
      if (cap === null || used < cap) continue;
      // The cap is in the key: after a plan or limit change the tenant decides on the new one afresh.
      const idempotencyKey = `usage-cap:${tenantId}:${period}:${resource}:${tier}:${cap}`;
      if (asked.has(idempotencyKey)) continue;
      await context.send(
        'EnforceUsageCap',
        { tenantId, period, resource, used, cap },
        { idempotencyKey, correlationId: causation.correlationId, causationId: causation.id },
      );
      asked.add(idempotencyKey);
    }
  };

  return {
    name: USAGE,
    // Version 2: token rows keep their tier; tenants' own limits.
    version: 2,
    categories: ['call', 'tenant'],
    tables: ['usage_events', 'usage_calls', 'tenant_plans'],
    async handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void> {
      const { readStore } = context;
      const planRows = batch.flatMap(planRowOf);
      if (planRows.length > 0) await readStore.insert('tenant_plans', planRows);
      const events = callEventsOf(batch);
      const byTenant = callIdsByTenant(events);
      /** Tenants whose usage or plan changed, with the last event that did so (the cause of a cap). */
      const touched = new Map<string, EventEnvelope>();
      for (const { envelope } of batch) {
        const stream = parseStreamName(envelope.streamId);
        if (stream?.category === 'tenant' && changesPlan(envelope)) touched.set(stream.tenantId, envelope);
      }
      const plans = await loadPlans(readStore, [...new Set([...byTenant.keys(), ...touched.keys()])]);

      const loaded = await loadCallRows(readStore, 'usage_calls', byTenant, UsageCallRow);
      const calls = new Map(loaded.map((row) => [callKey(row.tenant_id, row.call_id), row]));
      const changed = new Map<string, UsageCallRow>();
      const usageRows: InsertRow[] = [];
      const metered: Metered[] = [];
      for (const at of events) {
        const key = callKey(at.tenantId, at.callId);
        const before = calls.get(key);
        const after = applyToCall(before, at);
        if (after !== undefined && after !== before) {
          calls.set(key, after);
          changed.set(key, after);
        }
        const usage = usageOf(at, () => {
          const tier = planAt(plans.get(at.tenantId), at.position);
          if (tier === undefined) {
            throw new Error(
              `${USAGE}: the plan of tenant ${at.tenantId} is not known at position ${at.position}; the batch is retried once its tenant events arrive`,
            );
          }
          return tier;
        });
        if (usage === undefined) continue;
        usageRows.push({
          tenant_id: at.tenantId,
          period: billingPeriodOf(new Date(at.occurredAt)),
          kind: usage.kind,
          event_id: at.envelope.id,
          call_id: at.callId,
          agent_id: after?.agent_id ?? '',
          quantity: usage.quantity,
          plan_tier: usage.planTier,
          occurred_at: at.occurredAt,
          version: at.position,
        });
        if (usage.billed !== undefined) {
          metered.push({
            tenantId: at.tenantId,
            item: {
              identifier: meterIdentifierOf(at.position),
              resource: usage.billed.resource,
              quantity: usage.billed.quantity,
              occurredAt: at.occurredAt,
            },
            correlationId: at.envelope.correlationId,
            causationId: at.envelope.id,
          });
        }
        touched.set(at.tenantId, at.envelope);
      }
      if (usageRows.length > 0) await readStore.insert('usage_events', usageRows);
      if (changed.size > 0) await readStore.insert('usage_calls', [...changed.values()]);
      await sendMeterCommands(context, metered);

      for (const [tenantId, causation] of touched) {
        const tier = latestPlan(plans.get(tenantId));
        if (tier !== undefined)
          await enforceCaps(context, tenantId, tier, latestLimits(plans.get(tenantId)), causation);
      }
    },
  };
};

// Totals

export interface UsageAmounts {
  readonly callMinutes: number;
  readonly llmTokens: number;
  readonly speechSeconds: number;
}

export interface UsageTotals extends UsageAmounts {
  readonly period: string;
  /** Per AI agent, in agent id order; usage of calls with no agent is under ''. */
  readonly byAgent: readonly (UsageAmounts & { readonly agentId: string })[];
}

const AgentTotalRow = z.object({ agent_id: z.string(), kind: z.enum(KINDS), total: z.number() });

const amountsOf = (totals: Readonly<Partial<Record<UsageKind, number>>>): UsageAmounts => ({
  callMinutes: totals.call_minutes ?? 0,
  llmTokens: totals.llm_tokens ?? 0,
  speechSeconds: totals.speech_seconds ?? 0,
});

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A tenant's usage in a billing period ('YYYY-MM', UTC), in all and per agent. */
export const usageTotals = async (
  readStore: ReadStore,
  tenantId: string,
  period: string,
): Promise<UsageTotals> => {
  if (!PERIOD.test(period)) throw new RangeError('a billing period is YYYY-MM');
  const rows = await readStore.query<unknown>(
    `SELECT agent_id, kind, round(sum(quantity), 6) AS total FROM usage_events FINAL
     WHERE tenant_id = {tenant:String} AND period = {period:String}
     GROUP BY agent_id, kind ORDER BY agent_id, kind`,
    { tenant: tenantId, period },
  );
  const perAgent = new Map<string, Partial<Record<UsageKind, number>>>();
  for (const raw of rows) {
    const row = AgentTotalRow.parse(raw);
    perAgent.set(row.agent_id, { ...perAgent.get(row.agent_id), [row.kind]: row.total });
  }
  return {
    period,
    ...amountsOf(await totalsOf(readStore, tenantId, period)),
    byAgent: [...perAgent].map(([agentId, totals]) => ({ agentId, ...amountsOf(totals) })),
  };
};
