import { z } from 'zod';
import type { ReadStore } from '@ccp/projections';
import {
  checkRange,
  ClickHouseCount,
  ClickHouseFloat,
  ClickHouseInstant,
  type TimeRange,
} from './read-rows.js';

/**
 * Agent, department and queue statistics: aggregates over `calls` (written by the call-facts processor) at
 * query time, not projections of their own. A call's row already says how it went, so a GROUP BY over the
 * tenant's calls in a range is cheap, and there is no second projection to keep consistent or rebuild.
 *
 * A call counts in the range its start falls in ([from, to)), and under the agent and department it ended
 * up with (calls follow transfers and routing; see call-facts). Averages are null when nothing was measured.
 */

/** What every grouping of calls reports. */
export interface CallStatistics {
  readonly calls: number;
  readonly ended: number;
  readonly resolved: number;
  /** Resolved without ever being escalated to a human: the AI's containment. */
  readonly resolvedByAi: number;
  readonly abandoned: number;
  readonly escalated: number;
  readonly transferred: number;
  /** A human joined the call. */
  readonly humanHandled: number;
  readonly takenOver: number;
  readonly averageDurationSeconds: number | null;
  readonly averageFeedback: number | null;
  readonly feedbackCount: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly averageAiLatencyMs: number | null;
}

export interface AgentStatistics extends CallStatistics {
  readonly agentId: string;
}

export interface DepartmentStatistics extends CallStatistics {
  readonly departmentId: string;
}

export interface QueueStatistics {
  readonly departmentId: string;
  readonly queue: string;
  readonly queued: number;
  /** Still waiting for a human now. */
  readonly waiting: number;
  /** A human joined while the call was waiting. */
  readonly answered: number;
  /** The caller hung up while waiting. */
  readonly abandoned: number;
  readonly averageWaitSeconds: number | null;
  readonly maxWaitSeconds: number | null;
  /** When the longest-waiting call still in the queue was queued (UTC ISO); null when none is waiting. */
  readonly oldestWaitingSince: string | null;
}

/**
 * Aliases are the camelCase names of the result, which no snake_case column of `calls` can shadow (ClickHouse
 * resolves an alias before a column of the same name, so `countIf(escalated = 1) AS escalated` would nest).
 */
const CALL_AGGREGATES = `
  count() AS calls,
  countIf(status = 'ended') AS ended,
  countIf(outcome = 'resolved') AS resolved,
  countIf(outcome = 'resolved' AND escalated = 0) AS resolvedByAi,
  countIf(outcome = 'abandoned') AS abandoned,
  countIf(escalated = 1) AS escalatedCalls,
  countIf(transferred = 1) AS transferredCalls,
  countIf(human_joined = 1) AS humanHandled,
  countIf(taken_over = 1) AS takenOver,
  avgOrNull(duration_seconds) AS averageDurationSeconds,
  avgOrNull(feedback_score) AS averageFeedback,
  count(feedback_score) AS feedbackCount,
  sum(prompt_tokens) AS promptTokens,
  sum(completion_tokens) AS completionTokens,
  if(sum(ai_reply_count) = 0, NULL, sum(ai_latency_ms) / sum(ai_reply_count)) AS averageAiLatencyMs`;

const IN_RANGE = `tenant_id = {tenant:String}
  AND started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}`;

const CallAggregates = z
  .object({
    calls: ClickHouseCount,
    ended: ClickHouseCount,
    resolved: ClickHouseCount,
    resolvedByAi: ClickHouseCount,
    abandoned: ClickHouseCount,
    escalatedCalls: ClickHouseCount,
    transferredCalls: ClickHouseCount,
    humanHandled: ClickHouseCount,
    takenOver: ClickHouseCount,
    averageDurationSeconds: ClickHouseFloat,
    averageFeedback: ClickHouseFloat,
    feedbackCount: ClickHouseCount,
    promptTokens: ClickHouseCount,
    completionTokens: ClickHouseCount,
    averageAiLatencyMs: ClickHouseFloat,
  })
  .transform(({ escalatedCalls, transferredCalls, ...rest }) => ({
    ...rest,
    escalated: escalatedCalls,
    transferred: transferredCalls,
  }));

const rowsOf = async <T>(
  readStore: ReadStore,
  sql: string,
  tenantId: string,
  range: TimeRange,
  schema: z.ZodType<T>,
): Promise<T[]> => {
  const { from, to } = checkRange(range);
  const rows = await readStore.query<unknown>(sql, { tenant: tenantId, from, to });
  return rows.map((row) => schema.parse(row));
};

/** Per AI agent (calls without an agent are left out), in agent id order. */
export const agentStatistics = (
  readStore: ReadStore,
  tenantId: string,
  range: TimeRange,
): Promise<AgentStatistics[]> =>
  rowsOf(
    readStore,
    `SELECT agent_id AS agentId, ${CALL_AGGREGATES} FROM calls FINAL
     WHERE ${IN_RANGE} AND agent_id != ''
     GROUP BY agent_id ORDER BY agent_id`,
    tenantId,
    range,
    z.object({ agentId: z.string() }).and(CallAggregates),
  );

/** Per department (calls never routed to one are left out), in department id order. */
export const departmentStatistics = (
  readStore: ReadStore,
  tenantId: string,
  range: TimeRange,
): Promise<DepartmentStatistics[]> =>
  rowsOf(
    readStore,
    `SELECT department_id AS departmentId, ${CALL_AGGREGATES} FROM calls FINAL
     WHERE ${IN_RANGE} AND department_id != ''
     GROUP BY department_id ORDER BY department_id`,
    tenantId,
    range,
    z.object({ departmentId: z.string() }).and(CallAggregates),
  );

const QueueAggregates = z
  .object({
    departmentId: z.string(),
    queue: z.string(),
    queuedCalls: ClickHouseCount,
    waiting: ClickHouseCount,
    answered: ClickHouseCount,
    abandoned: ClickHouseCount,
    averageWaitSeconds: ClickHouseFloat,
    maxWaitSeconds: ClickHouseFloat,
    oldestWaitingSince: ClickHouseInstant.nullable(),
  })
  .transform(({ queuedCalls, ...rest }) => ({ ...rest, queued: queuedCalls }));

/** Per queue of each department, for calls that waited in one (the last queue a call waited in). */
export const queueStatistics = (
  readStore: ReadStore,
  tenantId: string,
  range: TimeRange,
): Promise<QueueStatistics[]> =>
  rowsOf(
    readStore,
    `SELECT queue_department_id AS departmentId, queue,
            count() AS queuedCalls,
            countIf(status = 'queued') AS waiting,
            count(queue_wait_ms) AS answered,
            countIf(abandoned_in_queue = 1) AS abandoned,
            avgOrNull(queue_wait_ms) / 1000 AS averageWaitSeconds,
            maxOrNull(queue_wait_ms) / 1000 AS maxWaitSeconds,
            minIf(queued_at, status = 'queued') AS oldestWaitingSince
     FROM calls FINAL
     WHERE ${IN_RANGE} AND queued = 1
     GROUP BY queue_department_id, queue ORDER BY queue_department_id, queue`,
    tenantId,
    range,
    QueueAggregates,
  );
