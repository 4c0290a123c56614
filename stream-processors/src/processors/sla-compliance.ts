import { z } from 'zod';
import type { SlaTargets } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import { checkRange, ClickHouseCount, ClickHouseFloat, type TimeRange } from './read-rows.js';
import { currentSlaTargets } from './sla-targets.js';

/**
 * SLA compliance over a range of calls (see sla.ts), queried from the rows the SLA processor writes: per-call
 * targets as each call carried them, rates over many calls against the tenant's current targets.
 */

/** One per-call target over the calls of a range. */
export interface PerCallCompliance {
  /** Calls where the metric was measured (answered; queued; ended). */
  readonly measured: number;
  readonly averageSeconds: number | null;
  /** Calls within the target each carried (the target in force when it started). */
  readonly withinTarget: number;
  /** withinTarget over the calls that count (see slaCompliance); null when there are none. */
  readonly rate: number | null;
  /** Calls flagged as breaching it. */
  readonly breaches: number;
}

/** A rate over many calls against the tenant's current target. */
export interface RateCompliance {
  readonly count: number;
  readonly rate: number | null;
  readonly target: number;
  /** Whether the rate meets the target; null when there were no calls. */
  readonly met: boolean | null;
}

export interface SlaCompliance {
  /** Ended calls started in the range: what every rate is over. */
  readonly calls: number;
  /** The tenant's current targets, against which the rates are judged. */
  readonly targets: SlaTargets;
  /** Over all ended calls: a call never answered is not answered in time. */
  readonly timeToAnswer: PerCallCompliance;
  /** Over the calls that waited in a queue. */
  readonly queueWait: PerCallCompliance;
  readonly handleTime: PerCallCompliance;
  /** Must stay at or below maxAbandonRate. */
  readonly abandonment: RateCompliance;
  /** Must reach minFirstContactResolutionRate. */
  readonly firstContactResolution: RateCompliance;
  /** Calls transferred at least once, and transfers in all. */
  readonly transferred: number;
  readonly transfers: number;
}

const ComplianceRow = z.object({
  calls: ClickHouseCount,
  answered: ClickHouseCount,
  avg_answer: ClickHouseFloat,
  answered_in_time: ClickHouseCount,
  answer_breaches: ClickHouseCount,
  queued_calls: ClickHouseCount,
  avg_queue_wait: ClickHouseFloat,
  queue_in_time: ClickHouseCount,
  queue_breaches: ClickHouseCount,
  avg_handle: ClickHouseFloat,
  handled_in_time: ClickHouseCount,
  handle_breaches: ClickHouseCount,
  abandoned_calls: ClickHouseCount,
  transferred: ClickHouseCount,
  transfers: ClickHouseCount,
  first_contact_resolved: ClickHouseCount,
});

const rateOf = (count: number, over: number): number | null => (over === 0 ? null : count / over);

/**
 * SLA compliance of a tenant's calls that started in [from, to) and have ended. Per-call metrics are judged
 * against the targets each call carried; rates against the tenant's current targets.
 */
export const slaCompliance = async (
  readStore: ReadStore,
  tenantId: string,
  range: TimeRange,
): Promise<SlaCompliance> => {
  const { from, to } = checkRange(range);
  const [raw] = await readStore.query<unknown>(
    `SELECT
       count() AS calls,
       count(time_to_answer_seconds) AS answered,
       avgOrNull(time_to_answer_seconds) AS avg_answer,
       countIf(time_to_answer_seconds <= target_answer_seconds) AS answered_in_time,
       countIf(has(breaches, 'time_to_answer')) AS answer_breaches,
       countIf(queued = 1) AS queued_calls,
       avgOrNullIf(queue_wait_seconds, queued = 1) AS avg_queue_wait,
       countIf(queued = 1 AND queue_wait_seconds <= target_queue_wait_seconds) AS queue_in_time,
       countIf(has(breaches, 'queue_wait')) AS queue_breaches,
       avgOrNull(handle_seconds) AS avg_handle,
       countIf(handle_seconds <= target_handle_seconds) AS handled_in_time,
       countIf(has(breaches, 'handle_time')) AS handle_breaches,
       countIf(abandoned = 1) AS abandoned_calls,
       countIf(transfer_count > 0) AS transferred,
       sum(transfer_count) AS transfers,
       countIf(outcome = 'resolved' AND transfer_count = 0 AND call_id NOT IN (
         SELECT call_id FROM sla_follow_ups FINAL WHERE tenant_id = {tenant:String}
       )) AS first_contact_resolved
     FROM call_sla FINAL
     WHERE tenant_id = {tenant:String}
       AND started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}
       AND ended_at IS NOT NULL`,
    { tenant: tenantId, from, to },
  );
  const row = ComplianceRow.parse(raw);
  const targets = await currentSlaTargets(readStore, tenantId);
  const abandonRate = rateOf(row.abandoned_calls, row.calls);
  const fcrRate = rateOf(row.first_contact_resolved, row.calls);
  return {
    calls: row.calls,
    targets,
    timeToAnswer: {
      measured: row.answered,
      averageSeconds: row.avg_answer,
      withinTarget: row.answered_in_time,
      rate: rateOf(row.answered_in_time, row.calls),
      breaches: row.answer_breaches,
    },
    queueWait: {
      measured: row.queued_calls,
      averageSeconds: row.avg_queue_wait,
      withinTarget: row.queue_in_time,
      rate: rateOf(row.queue_in_time, row.queued_calls),
      breaches: row.queue_breaches,
    },
    handleTime: {
      measured: row.calls,
      averageSeconds: row.avg_handle,
      withinTarget: row.handled_in_time,
      rate: rateOf(row.handled_in_time, row.calls),
      breaches: row.handle_breaches,
    },
    abandonment: {
      count: row.abandoned_calls,
      rate: abandonRate,
      target: targets.maxAbandonRate,
      met: abandonRate === null ? null : abandonRate <= targets.maxAbandonRate,
    },
    firstContactResolution: {
      count: row.first_contact_resolved,
      rate: fcrRate,
      target: targets.minFirstContactResolutionRate,
      met: fcrRate === null ? null : fcrRate >= targets.minFirstContactResolutionRate,
    },
    transferred: row.transferred,
    transfers: row.transfers,
  };
};
