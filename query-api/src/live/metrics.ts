import { z } from 'zod';
import type { ReadStore } from '@ccp/projections';
import { maybe, num } from '../analytics/numbers.js';

const Breakdown = z.object({
  id: z.string(),
  activeCalls: z.number().int(),
  waiting: z.number().int(),
  endedToday: z.number().int(),
  averageHandleSeconds: z.number().nullable(),
});

export const LiveMetrics = z.object({
  at: z.string(),
  activeCalls: z.number().int().describe('Calls in progress or waiting, started within the last 24 hours'),
  waiting: z.number().int().describe('Calls queued for a person right now'),
  longestWaitSeconds: z.number().nullable(),
  droppedToday: z.number().int().describe('Calls abandoned since midnight in the tenant time zone'),
  endedToday: z.number().int(),
  averageHandleSeconds: z.number().nullable().describe('Over calls ended today'),
  satisfaction: z.number().nullable().describe('Mean feedback score (1-5) today'),
  sentiment: z.number().nullable().describe("Callers' mean sentiment (-1..1) on the active calls"),
  departments: z.array(Breakdown),
  agents: z.array(Breakdown),
});
export type LiveMetrics = z.infer<typeof LiveMetrics>;

/**
 * Calls that have not ended are live; the 24-hour horizon keeps a call whose end was never reported (a carrier
 * that lost a callback) from counting as active forever.
 */
const LIVE = `status != 'ended' AND started_at >= {now:DateTime64(3, 'UTC')} - INTERVAL 1 DAY`;
const TODAY = `ended_at >= toStartOfDay({now:DateTime64(3, 'UTC')}, {tz:String})`;
/**
 * Every live call and every call ended today started within the last two days: reading only those keeps the
 * live board from scanning the tenant's history (the started_at index and monthly partitions do the pruning).
 */
const RECENT = `tenant_id = {tenantId:String} AND started_at >= {now:DateTime64(3, 'UTC')} - INTERVAL 2 DAY`;

export const liveMetrics = async (
  store: ReadStore,
  tenantId: string,
  timeZone: string,
  now: Date,
): Promise<LiveMetrics> => {
  const params = { tenantId, now, tz: timeZone };
  const [totals] = await store.query<Record<string, unknown>>(
    `SELECT countIf(${LIVE}) AS active,
            countIf(${LIVE} AND status = 'queued') AS waiting,
            maxIf(dateDiff('millisecond', queued_at, {now:DateTime64(3, 'UTC')}), ${LIVE} AND status = 'queued' AND queued_at IS NOT NULL) AS longest_ms,
            countIf(${TODAY} AND outcome = 'abandoned') AS dropped,
            countIf(${TODAY}) AS ended,
            avgIf(duration_seconds, ${TODAY} AND duration_seconds IS NOT NULL) AS handle,
            avgIf(feedback_score, ${TODAY} AND feedback_score IS NOT NULL) AS satisfaction
       FROM calls FINAL WHERE ${RECENT}`,
    params,
  );
  const [sentiment] = await store.query<Record<string, unknown>>(
    `SELECT avg(average) AS average FROM call_sentiment FINAL
      WHERE tenant_id = {tenantId:String} AND call_id IN (
        SELECT call_id FROM calls FINAL WHERE ${RECENT} AND ${LIVE})
        AND started_at >= {now:DateTime64(3, 'UTC')} - INTERVAL 2 DAY`,
    params,
  );
  const breakdown = async (column: string) =>
    (
      await store.query<Record<string, unknown>>(
        `SELECT ${column} AS id,
                countIf(${LIVE}) AS active,
                countIf(${LIVE} AND status = 'queued') AS waiting,
                countIf(${TODAY}) AS ended,
                avgIf(duration_seconds, ${TODAY} AND duration_seconds IS NOT NULL) AS handle
           FROM calls FINAL
          WHERE ${RECENT} AND ${column} != '' AND (${LIVE} OR ${TODAY})
          GROUP BY id ORDER BY active DESC, id`,
        params,
      )
    ).map((r) => ({
      id: String(r['id']),
      activeCalls: num(r['active']),
      waiting: num(r['waiting']),
      endedToday: num(r['ended']),
      averageHandleSeconds: maybe(r['handle']),
    }));
  const t = totals ?? {};
  const waiting = num(t['waiting']);
  return {
    at: now.toISOString(),
    activeCalls: num(t['active']),
    waiting,
    longestWaitSeconds: waiting === 0 ? null : Math.max(0, num(t['longest_ms'])) / 1000,
    droppedToday: num(t['dropped']),
    endedToday: num(t['ended']),
    averageHandleSeconds: maybe(t['handle']),
    satisfaction: maybe(t['satisfaction']),
    sentiment: maybe(sentiment?.['average']),
    departments: await breakdown(`if(queue_department_id != '', queue_department_id, department_id)`),
    agents: await breakdown('agent_id'),
  };
};
