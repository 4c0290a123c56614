import { z } from 'zod';
import type { PlanTier } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import { priced, TIERED_USAGE_SQL, UsageCost } from './cost.js';
import { callWhere, type CallFilters } from './filters.js';
import { maybe, num, rate } from './numbers.js';

/** What a report needs besides its own parameters. */
export interface ReportContext {
  readonly store: ReadStore;
  readonly tenantId: string;
  /** The tenant's IANA time zone: buckets are its days and weeks. */
  readonly timeZone: string;
  /** The tier in force: usage recorded without one is priced by it. */
  readonly planTier: PlanTier;
  readonly now: Date;
}

export const Interval = z.enum(['hour', 'day', 'week']);
export type Interval = z.infer<typeof Interval>;

const BUCKET: Record<Interval, string> = {
  hour: 'toStartOfHour(started_at, {tz:String})',
  day: 'toStartOfDay(started_at, {tz:String})',
  // Weeks start on Monday (mode 1), as calendars in most tenants' countries do.
  week: 'toStartOfWeek(started_at, 1, {tz:String})',
};

/*
 * Aliases never take a column's name: ClickHouse would read the alias wherever the column is named in the
 * same query (countIf(queued = 1) AS queued makes the next countIf(queued ...) an aggregate of an aggregate).
 */

export const VolumeBucket = z.object({
  bucket: z.string().describe('Start of the bucket, local time of the tenant (YYYY-MM-DD hh:mm:ss)'),
  calls: z.number().int(),
  answered: z.number().int(),
  escalated: z.number().int(),
  resolved: z.number().int(),
  abandoned: z.number().int(),
});
export const VolumeReport = z.object({
  interval: Interval,
  timeZone: z.string(),
  buckets: z.array(VolumeBucket),
});

export const callVolume = async (
  ctx: ReportContext,
  filters: CallFilters,
  interval: Interval,
): Promise<z.infer<typeof VolumeReport>> => {
  const where = callWhere(ctx.tenantId, filters, ctx.now);
  const rows = await ctx.store.query<Record<string, unknown>>(
    `SELECT toString(toDateTime(${BUCKET[interval]}, {tz:String})) AS bucket,
            count() AS calls,
            countIf(answered_at IS NOT NULL) AS answered,
            countIf(escalated = 1) AS escalated_calls,
            countIf(outcome = 'resolved') AS resolved,
            countIf(outcome = 'abandoned') AS abandoned
       FROM calls FINAL
      WHERE ${where.sql}
      GROUP BY bucket ORDER BY bucket`,
    { ...where.params, tz: ctx.timeZone },
  );
  return {
    interval,
    timeZone: ctx.timeZone,
    buckets: rows.map((r) => ({
      bucket: String(r['bucket']),
      calls: num(r['calls']),
      answered: num(r['answered']),
      escalated: num(r['escalated_calls']),
      resolved: num(r['resolved']),
      abandoned: num(r['abandoned']),
    })),
  };
};

export const OutcomeReport = z.object({
  calls: z.number().int(),
  ended: z.number().int(),
  resolved: z.number().int(),
  escalated: z.number().int(),
  abandoned: z.number().int(),
  outcomes: z.array(z.object({ outcome: z.string(), calls: z.number().int() })),
  successRate: z.number().nullable().describe('Resolved calls over ended calls'),
  resolutionByAiRate: z.number().nullable().describe('Ended calls resolved without a human'),
  escalationRate: z.number().nullable(),
  averageHandleSeconds: z.number().nullable(),
  averageSatisfaction: z.number().nullable().describe('Mean feedback score (1-5)'),
  feedbackCount: z.number().int(),
});

export const outcomes = async (
  ctx: ReportContext,
  filters: CallFilters,
): Promise<z.infer<typeof OutcomeReport>> => {
  const where = callWhere(ctx.tenantId, filters, ctx.now);
  const [totals] = await ctx.store.query<Record<string, unknown>>(
    `SELECT count() AS calls,
            countIf(ended_at IS NOT NULL) AS ended,
            countIf(outcome = 'resolved') AS resolved,
            countIf(outcome = 'resolved' AND human_joined = 0 AND taken_over = 0) AS resolved_by_ai,
            countIf(escalated = 1) AS escalated_calls,
            countIf(outcome = 'abandoned') AS abandoned,
            avgIf(duration_seconds, duration_seconds IS NOT NULL) AS handle,
            avgIf(feedback_score, feedback_score IS NOT NULL) AS satisfaction,
            countIf(feedback_score IS NOT NULL) AS feedback
       FROM calls FINAL WHERE ${where.sql}`,
    where.params,
  );
  const byOutcome = await ctx.store.query<Record<string, unknown>>(
    `SELECT outcome, count() AS calls FROM calls FINAL
      WHERE ${where.sql} AND outcome != '' GROUP BY outcome ORDER BY calls DESC, outcome`,
    where.params,
  );
  const t = totals ?? {};
  const ended = num(t['ended']);
  return {
    calls: num(t['calls']),
    ended,
    resolved: num(t['resolved']),
    escalated: num(t['escalated_calls']),
    abandoned: num(t['abandoned']),
    outcomes: byOutcome.map((r) => ({ outcome: String(r['outcome']), calls: num(r['calls']) })),
    successRate: rate(num(t['resolved']), ended),
    resolutionByAiRate: rate(num(t['resolved_by_ai']), ended),
    escalationRate: rate(num(t['escalated_calls']), num(t['calls'])),
    averageHandleSeconds: maybe(t['handle']),
    averageSatisfaction: maybe(t['satisfaction']),
    feedbackCount: num(t['feedback']),
  };
};

export const SentimentReport = z.object({
  interval: Interval,
  timeZone: z.string(),
  buckets: z.array(
    z.object({
      bucket: z.string(),
      averageScore: z.number().nullable(),
      positive: z.number().int(),
      neutral: z.number().int(),
      negative: z.number().int(),
    }),
  ),
});

/**
 * Callers' sentiment over time: their lines' scores and labels, added up per call (call_sentiment, the
 * sentiment processor's rollup) and bucketed by when the call started, in the tenant's time zone. A per-call
 * rollup keeps the dashboard to one row per call instead of one per utterance.
 */
export const sentimentOverTime = async (
  ctx: ReportContext,
  filters: CallFilters,
  interval: Interval,
): Promise<z.infer<typeof SentimentReport>> => {
  const where = callWhere(
    ctx.tenantId,
    { from: filters.from, to: filters.to, agentId: filters.agentId },
    ctx.now,
  );
  const rows = await ctx.store.query<Record<string, unknown>>(
    `SELECT toString(toDateTime(${BUCKET[interval]}, {tz:String})) AS bucket,
            if(sum(utterances) = 0, NULL, sum(score_sum) / sum(utterances)) AS average,
            sum(positive) AS positive_lines,
            sum(neutral) AS neutral_lines,
            sum(negative) AS negative_lines
       FROM call_sentiment FINAL
      WHERE ${where.sql} AND utterances > 0
      GROUP BY bucket ORDER BY bucket`,
    { ...where.params, tz: ctx.timeZone },
  );
  return {
    interval,
    timeZone: ctx.timeZone,
    buckets: rows.map((r) => ({
      bucket: String(r['bucket']),
      averageScore: maybe(r['average']),
      positive: num(r['positive_lines']),
      neutral: num(r['neutral_lines']),
      negative: num(r['negative_lines']),
    })),
  };
};

export const IntentReport = z.object({
  intents: z.array(z.object({ intent: z.string(), utterances: z.number().int(), calls: z.number().int() })),
});

/** What callers wanted, most frequent first, over the calls started in the range (call_intents rollup). */
export const topIntents = async (
  ctx: ReportContext,
  filters: CallFilters,
  limit: number,
): Promise<z.infer<typeof IntentReport>> => {
  const where = callWhere(ctx.tenantId, { from: filters.from, to: filters.to }, ctx.now);
  const rows = await ctx.store.query<Record<string, unknown>>(
    `SELECT intent, sum(lines) AS utterance_count, count() AS call_count
       FROM call_intents FINAL
      ARRAY JOIN mapKeys(intents) AS intent, mapValues(intents) AS lines
      WHERE ${where.sql} AND intent != ''
      GROUP BY intent ORDER BY utterance_count DESC, intent LIMIT {limit:UInt32}`,
    { ...where.params, limit },
  );
  return {
    intents: rows.map((r) => ({
      intent: String(r['intent']),
      utterances: num(r['utterance_count']),
      calls: num(r['call_count']),
    })),
  };
};

export const AgentComparison = z.object({
  agents: z.array(
    z.object({
      kind: z.enum(['ai', 'human']),
      agentId: z.string(),
      calls: z.number().int(),
      resolvedRate: z.number().nullable(),
      escalationRate: z.number().nullable(),
      averageHandleSeconds: z.number().nullable(),
      averageSatisfaction: z.number().nullable(),
      averageAiLatencyMs: z.number().nullable(),
      tokens: z.number().int(),
    }),
  ),
});

/** AI agents by the calls they answered; people by the calls they joined. */
export const agentComparison = async (
  ctx: ReportContext,
  filters: CallFilters,
): Promise<z.infer<typeof AgentComparison>> => {
  const where = callWhere(ctx.tenantId, filters, ctx.now);
  const select = `count() AS calls,
            countIf(outcome = 'resolved') AS resolved,
            countIf(ended_at IS NOT NULL) AS ended,
            countIf(escalated = 1) AS escalated_calls,
            avgIf(duration_seconds, duration_seconds IS NOT NULL) AS handle,
            avgIf(feedback_score, feedback_score IS NOT NULL) AS satisfaction,
            sum(ai_latency_ms) AS latency, sum(ai_reply_count) AS replies,
            sum(prompt_tokens + completion_tokens) AS tokens`;
  const ai = await ctx.store.query<Record<string, unknown>>(
    `SELECT agent_id AS id, ${select} FROM calls FINAL WHERE ${where.sql} AND agent_id != ''
      GROUP BY agent_id ORDER BY calls DESC, id`,
    where.params,
  );
  const human = await ctx.store.query<Record<string, unknown>>(
    `SELECT human_user_id AS id, ${select} FROM calls FINAL WHERE ${where.sql} AND human_user_id != ''
      GROUP BY human_user_id ORDER BY calls DESC, id`,
    where.params,
  );
  const row = (kind: 'ai' | 'human') => (r: Record<string, unknown>) => ({
    kind,
    agentId: String(r['id']),
    calls: num(r['calls']),
    resolvedRate: rate(num(r['resolved']), num(r['ended'])),
    escalationRate: rate(num(r['escalated_calls']), num(r['calls'])),
    averageHandleSeconds: maybe(r['handle']),
    averageSatisfaction: maybe(r['satisfaction']),
    averageAiLatencyMs: kind === 'ai' ? rate(num(r['latency']), num(r['replies'])) : null,
    tokens: num(r['tokens']),
  });
  return { agents: [...ai.map(row('ai')), ...human.map(row('human'))] };
};

export const DepartmentReport = z.object({
  departments: z.array(
    z.object({
      departmentId: z.string(),
      calls: z.number().int(),
      queued: z.number().int(),
      answeredByHuman: z.number().int(),
      abandonedInQueue: z.number().int(),
      averageQueueWaitSeconds: z.number().nullable(),
      maxQueueWaitSeconds: z.number().nullable(),
      averageHandleSeconds: z.number().nullable(),
    }),
  ),
});

export const departmentStats = async (
  ctx: ReportContext,
  filters: CallFilters,
): Promise<z.infer<typeof DepartmentReport>> => {
  const where = callWhere(ctx.tenantId, { ...filters, departmentId: undefined }, ctx.now);
  const rows = await ctx.store.query<Record<string, unknown>>(
    `SELECT if(queue_department_id != '', queue_department_id, department_id) AS dept,
            count() AS calls,
            countIf(queued = 1) AS queued_calls,
            countIf(queued = 1 AND human_joined = 1) AS answered_by_human,
            countIf(abandoned_in_queue = 1) AS abandoned,
            avgIf(queue_wait_ms, queue_wait_ms IS NOT NULL) / 1000 AS wait,
            maxIf(queue_wait_ms, queue_wait_ms IS NOT NULL) / 1000 AS max_wait,
            avgIf(duration_seconds, duration_seconds IS NOT NULL) AS handle
       FROM calls FINAL
      WHERE ${where.sql}
      GROUP BY dept HAVING dept != '' ${filters.departmentId !== undefined ? 'AND dept = {dept:String}' : ''}
      ORDER BY calls DESC, dept`,
    { ...where.params, ...(filters.departmentId !== undefined && { dept: filters.departmentId }) },
  );
  return {
    departments: rows.map((r) => ({
      departmentId: String(r['dept']),
      calls: num(r['calls']),
      queued: num(r['queued_calls']),
      answeredByHuman: num(r['answered_by_human']),
      abandonedInQueue: num(r['abandoned']),
      averageQueueWaitSeconds: maybe(r['wait']),
      maxQueueWaitSeconds: num(r['queued_calls']) === 0 ? null : maybe(r['max_wait']),
      averageHandleSeconds: maybe(r['handle']),
    })),
  };
};

export const SlaReport = z.object({
  calls: z.number().int(),
  compliant: z.number().int(),
  complianceRate: z.number().nullable(),
  breaches: z.array(z.object({ metric: z.string(), calls: z.number().int() })),
  averageTimeToAnswerSeconds: z.number().nullable(),
  averageQueueWaitSeconds: z.number().nullable(),
});

export const slaCompliance = async (
  ctx: ReportContext,
  filters: CallFilters,
): Promise<z.infer<typeof SlaReport>> => {
  const where = callWhere(
    ctx.tenantId,
    { from: filters.from, to: filters.to, agentId: filters.agentId, departmentId: filters.departmentId },
    ctx.now,
  );
  const [totals] = await ctx.store.query<Record<string, unknown>>(
    `SELECT count() AS calls, countIf(length(breaches) = 0) AS compliant,
            avgIf(time_to_answer_seconds, time_to_answer_seconds IS NOT NULL) AS answer,
            avgIf(queue_wait_seconds, queued = 1) AS wait
       FROM call_sla FINAL WHERE ${where.sql}`,
    where.params,
  );
  const breaches = await ctx.store.query<Record<string, unknown>>(
    `SELECT metric, count() AS calls FROM call_sla FINAL ARRAY JOIN breaches AS metric
      WHERE ${where.sql} GROUP BY metric ORDER BY calls DESC, metric`,
    where.params,
  );
  const t = totals ?? {};
  return {
    calls: num(t['calls']),
    compliant: num(t['compliant']),
    complianceRate: rate(num(t['compliant']), num(t['calls'])),
    breaches: breaches.map((r) => ({ metric: String(r['metric']), calls: num(r['calls']) })),
    averageTimeToAnswerSeconds: maybe(t['answer']),
    averageQueueWaitSeconds: num(t['calls']) === 0 ? null : maybe(t['wait']),
  };
};

export const UsageReport = z.object({
  periods: z.array(
    z.object({
      period: z.string().describe('Billing period (YYYY-MM)'),
      kinds: z.record(z.string(), z.number()),
    }),
  ),
  calls: z.number().int(),
  minutes: z.number(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  cost: UsageCost.describe(
    'Billable minutes and LLM tokens at the list prices of the tier they were used on',
  ),
});

export const usage = async (
  ctx: ReportContext,
  filters: CallFilters,
): Promise<z.infer<typeof UsageReport>> => {
  const where = callWhere(ctx.tenantId, { from: filters.from, to: filters.to }, ctx.now, {
    startedAt: 'occurred_at',
  });
  // One pass over usage_events: per period and kind for the table, per tier and kind for the cost.
  const rows = await ctx.store.query<Record<string, unknown>>(
    `SELECT period, ${TIERED_USAGE_SQL} FROM usage_events FINAL
      WHERE ${where.sql} GROUP BY period, plan_tier, kind ORDER BY period, kind`,
    where.params,
  );
  const periods = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const period = String(r['period']);
    const kinds = periods.get(period) ?? {};
    const kind = String(r['kind']);
    kinds[kind] = (kinds[kind] ?? 0) + num(r['quantity']);
    periods.set(period, kinds);
  }
  const callsWhere = callWhere(ctx.tenantId, { from: filters.from, to: filters.to }, ctx.now);
  const [totals] = await ctx.store.query<Record<string, unknown>>(
    `SELECT count() AS calls, sum(ifNull(duration_seconds, 0)) / 60 AS minutes,
            sum(prompt_tokens) AS prompt, sum(completion_tokens) AS completion
       FROM calls FINAL WHERE ${callsWhere.sql}`,
    callsWhere.params,
  );
  return {
    periods: [...periods.entries()].map(([period, kinds]) => ({ period, kinds })),
    calls: num(totals?.['calls']),
    minutes: num(totals?.['minutes']),
    promptTokens: num(totals?.['prompt']),
    completionTokens: num(totals?.['completion']),
    cost: priced(rows, ctx.planTier),
  };
};
