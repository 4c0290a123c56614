import { z } from 'zod';
import {
  DEFAULT_SLA_TARGETS,
  parseStreamName,
  SlaMetric,
  type EventEnvelope,
  type SlaTargets,
  type TenantSettings,
} from '@ccp/schemas';
import type { InsertRow, ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import type { Processor, ProcessorContext } from '../processor.js';
import { callEventsOf, callIdsByTenant, callKey, utcInstant, type CallEventAt } from './call-stream.js';
import {
  checkRange,
  ClickHouseCount,
  ClickHouseFloat,
  ClickHouseInstant,
  loadCallRows,
  type TimeRange,
} from './read-rows.js';

/**
 * SLA: how each call went against its tenant's service levels, and breaches flagged back to the write side.
 *
 * Per call (table call_sla):
 * - time to answer: from the call's start to the first answer, which is the AI's first reply or line, a human's
 *   first line, a takeover, or a human barging in (a human who only listens or whispers has not answered);
 * - queue wait: the time spent waiting in queues, from CallQueued until a human joins or takes over, the call is
 *   handed to an AI agent or an outside number, or it ends (then abandoned in the queue); summed over every
 *   wait of the call;
 * - handle time: the call's duration as CallEnded says;
 * - abandoned: ended with outcome 'abandoned';
 * - transfers: how many times the call was transferred.
 * - first-contact resolution: the call ended 'resolved', was never transferred, and nothing was left to do
 *   afterwards: its summary lists no follow-ups and no ticket was opened for it. Judged at query time, since
 *   summaries and tickets come after the call ended (table sla_follow_ups).
 *
 * A per-call target (answerWithinSeconds, maxQueueWaitSeconds, maxHandleSeconds) is checked when its metric is
 * final: time to answer at the answer (or at the end of a call never answered, with the whole call as the
 * wait), queue wait whenever a wait ends, handle time at the end. A breach sends FlagSlaBreach once per call
 * and metric (idempotency key `sla:<tenant>:<call>:<metric>`; the call decider also keeps each metric once).
 * Rates (abandonment, first-contact resolution) are over many calls: slaCompliance reports them against the
 * tenant's targets, they are never flagged on a call.
 *
 * Targets: the processor also reads tenant events and keeps every change of a tenant's targets in
 * tenant_sla_targets (keyed by position, so it survives restarts and rebuilds); a call is measured against the
 * targets in force when it started, copied into its row, so the breach it may send is the same on every replay.
 *
 * Idempotent as call-facts is: a call's row carries the position of the last event applied, events at or
 * below it change nothing; breaches are sent before the rows are written, so a crash in between sends them
 * again with the same keys and data, which the write side answers as already done.
 */

export const SLA = 'sla';

/** A row of call_sla (010_sla), as loaded from the read store and written back. */
export const CallSlaRow = z.object({
  tenant_id: z.string(),
  call_id: z.string(),
  agent_id: z.string(),
  department_id: z.string(),
  started_at: ClickHouseInstant,
  answered_at: ClickHouseInstant.nullable(),
  time_to_answer_seconds: z.number().nullable(),
  queued: z.union([z.literal(0), z.literal(1)]),
  queued_since: ClickHouseInstant.nullable(),
  queue_wait_seconds: z.number(),
  transfer_count: z.number().int(),
  ended_at: ClickHouseInstant.nullable(),
  outcome: z.string(),
  handle_seconds: z.number().int().nullable(),
  abandoned: z.union([z.literal(0), z.literal(1)]),
  target_answer_seconds: z.number().int(),
  target_queue_wait_seconds: z.number().int(),
  target_handle_seconds: z.number().int(),
  breaches: z.array(SlaMetric),
  version: ClickHouseCount,
});
export type CallSlaRow = z.output<typeof CallSlaRow>;

export interface SlaBreach {
  readonly metric: SlaMetric;
  readonly target: number;
  readonly actual: number;
}

interface Applied {
  readonly row: CallSlaRow;
  readonly breaches: readonly SlaBreach[];
}

/** Seconds to the millisecond, so that sums and comparisons are the same on every replay. */
const secondsBetween = (from: string, to: string): number =>
  Math.max(0, Date.parse(to) - Date.parse(from)) / 1000;
const toMillis = (seconds: number): number => Math.round(seconds * 1000) / 1000;

const checked = (applied: Applied, metric: SlaMetric, target: number, actual: number): Applied => {
  if (actual <= target || applied.row.breaches.includes(metric)) return applied;
  return {
    row: { ...applied.row, breaches: [...applied.row.breaches, metric] },
    breaches: [...applied.breaches, { metric, target, actual }],
  };
};

const unchanged = (row: CallSlaRow): Applied => ({ row, breaches: [] });

const answered = (row: CallSlaRow, at: CallEventAt): Applied => {
  if (row.answered_at !== null) return unchanged(row);
  const seconds = toMillis(secondsBetween(row.started_at, at.occurredAt));
  return checked(
    { row: { ...row, answered_at: at.occurredAt, time_to_answer_seconds: seconds }, breaches: [] },
    'time_to_answer',
    row.target_answer_seconds,
    seconds,
  );
};

/** A wait in a queue is over; the breach, if any, is on the call's total wait so far. */
const leftQueue = (applied: Applied, at: CallEventAt): Applied => {
  const { row } = applied;
  if (row.queued_since === null) return applied;
  const total = toMillis(row.queue_wait_seconds + secondsBetween(row.queued_since, at.occurredAt));
  return checked(
    { ...applied, row: { ...row, queued_since: null, queue_wait_seconds: total } },
    'queue_wait',
    row.target_queue_wait_seconds,
    total,
  );
};

const startedRow = (at: CallEventAt, targets: SlaTargets): CallSlaRow | undefined => {
  const { event } = at;
  if (event.type !== 'CallStarted') return undefined;
  return {
    tenant_id: at.tenantId,
    call_id: at.callId,
    agent_id: event.data.agentId ?? '',
    department_id: event.data.departmentId ?? '',
    // The partition key: from the event, so every version of the row lands in the same partition.
    started_at: utcInstant(event.data.startedAt),
    answered_at: null,
    time_to_answer_seconds: null,
    queued: 0,
    queued_since: null,
    queue_wait_seconds: 0,
    transfer_count: 0,
    ended_at: null,
    outcome: '',
    handle_seconds: null,
    abandoned: 0,
    target_answer_seconds: targets.answerWithinSeconds,
    target_queue_wait_seconds: targets.maxQueueWaitSeconds,
    target_handle_seconds: targets.maxHandleSeconds,
    breaches: [],
    version: at.position,
  };
};

const evolve = (row: CallSlaRow, at: CallEventAt): Applied => {
  const { event } = at;
  switch (event.type) {
    case 'IvrOptionChosen':
      return unchanged({ ...row, department_id: event.data.departmentId ?? row.department_id });
    case 'UtteranceRecorded':
      return event.data.speaker === 'caller' ? unchanged(row) : answered(row, at);
    case 'AiReplied':
      return answered(row, at);
    case 'CallQueued':
      return unchanged({
        ...row,
        queued: 1,
        queued_since: row.queued_since ?? at.occurredAt,
        department_id: event.data.departmentId,
      });
    case 'HumanJoined': {
      const picked = leftQueue(unchanged(row), at);
      if (event.data.mode !== 'barge') return picked;
      const answer = answered(picked.row, at);
      return { row: answer.row, breaches: [...picked.breaches, ...answer.breaches] };
    }
    case 'HumanTookOver': {
      const picked = leftQueue(unchanged(row), at);
      const answer = answered(picked.row, at);
      return { row: answer.row, breaches: [...picked.breaches, ...answer.breaches] };
    }
    case 'CallTransferred': {
      const { to } = event.data;
      const moved: CallSlaRow = {
        ...row,
        transfer_count: row.transfer_count + 1,
        agent_id: to.kind === 'agent' ? to.id : row.agent_id,
        department_id: to.kind === 'department' ? to.id : row.department_id,
      };
      // Handed to an AI agent or an outside number, the call no longer waits for one of the tenant's humans.
      return to.kind === 'agent' || to.kind === 'external'
        ? leftQueue(unchanged(moved), at)
        : unchanged(moved);
    }
    case 'CallEnded': {
      if (row.ended_at !== null) return unchanged(row);
      const { outcome, durationSeconds } = event.data;
      let applied = leftQueue(unchanged(row), at);
      applied = {
        ...applied,
        row: {
          ...applied.row,
          ended_at: at.occurredAt,
          outcome,
          handle_seconds: durationSeconds,
          abandoned: outcome === 'abandoned' ? 1 : 0,
        },
      };
      // Never answered: the caller waited the whole call for an answer.
      if (row.answered_at === null) {
        applied = checked(applied, 'time_to_answer', row.target_answer_seconds, durationSeconds);
      }
      return checked(applied, 'handle_time', row.target_handle_seconds, durationSeconds);
    }
    case 'CallStarted':
    case 'ToolInvoked':
    case 'EscalationRequested':
    case 'RecordingAvailable':
    case 'FeedbackGiven':
    case 'CallSummarized':
    case 'SlaBreached':
    case 'CallAnswered':
    case 'CallLanguageChanged':
    case 'MessageTaken':
    case 'CallbackScheduled':
    case 'VoicemailLeft':
    case 'AiCoached':
    case 'CallWrappedUp':
      return unchanged(row);
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
};

/**
 * Applies one event to a call's row. An event at or below the row's version was applied already and changes
 * nothing; an event before the call's CallStarted cannot be placed and gives no row.
 */
export const applySlaEvent = (
  row: CallSlaRow | undefined,
  at: CallEventAt,
  targets: SlaTargets,
): { readonly row: CallSlaRow | undefined; readonly breaches: readonly SlaBreach[] } => {
  if (row === undefined) return { row: startedRow(at, targets), breaches: [] };
  if (at.position <= row.version) return unchanged(row);
  const applied = evolve(row, at);
  if (applied.row === row) return applied;
  return { row: { ...applied.row, version: at.position }, breaches: applied.breaches };
};

// Targets

/** The targets a tenant event sets, if it sets any. */
const targetsSetBy = (envelope: EventEnvelope): SlaTargets | undefined => {
  if (envelope.type !== 'TenantCreated' && envelope.type !== 'TenantSettingsUpdated') return undefined;
  // Decoded by the bus against the event's schema: TenantCreated always has targets (defaults when stored
  // before they existed), an update only when it changed them.
  const settings = (envelope.data as { settings?: Partial<TenantSettings> }).settings;
  return settings?.slaTargets;
};

const targetRowOf = ({ envelope, position }: BusEvent): InsertRow[] => {
  const stream = parseStreamName(envelope.streamId);
  if (stream?.category !== 'tenant') return [];
  const targets = targetsSetBy(envelope);
  if (!targets) return [];
  return [
    {
      tenant_id: stream.tenantId,
      position,
      effective_at: utcInstant(envelope.occurredAt),
      answer_within_seconds: targets.answerWithinSeconds,
      max_queue_wait_seconds: targets.maxQueueWaitSeconds,
      max_handle_seconds: targets.maxHandleSeconds,
      max_abandon_rate: targets.maxAbandonRate,
      min_first_contact_resolution_rate: targets.minFirstContactResolutionRate,
      version: position,
    },
  ];
};

const TargetRow = z.object({
  tenant_id: z.string(),
  position: ClickHouseCount,
  answer_within_seconds: z.number(),
  max_queue_wait_seconds: z.number(),
  max_handle_seconds: z.number(),
  max_abandon_rate: z.number(),
  min_first_contact_resolution_rate: z.number(),
});

interface TargetsFrom {
  readonly position: number;
  readonly targets: SlaTargets;
}

/** Each tenant's target history, oldest first. */
const loadTargets = async (
  readStore: ReadStore,
  tenantIds: readonly string[],
): Promise<Map<string, TargetsFrom[]>> => {
  const history = new Map<string, TargetsFrom[]>();
  if (tenantIds.length === 0) return history;
  const rows = await readStore.query<unknown>(
    `SELECT tenant_id, position, answer_within_seconds, max_queue_wait_seconds, max_handle_seconds,
            max_abandon_rate, min_first_contact_resolution_rate
     FROM tenant_sla_targets FINAL WHERE tenant_id IN {tenants:Array(String)} ORDER BY tenant_id, position`,
    { tenants: tenantIds },
  );
  for (const raw of rows) {
    const row = TargetRow.parse(raw);
    const list = history.get(row.tenant_id) ?? [];
    list.push({
      position: row.position,
      targets: {
        answerWithinSeconds: row.answer_within_seconds,
        maxQueueWaitSeconds: row.max_queue_wait_seconds,
        maxHandleSeconds: row.max_handle_seconds,
        maxAbandonRate: row.max_abandon_rate,
        minFirstContactResolutionRate: row.min_first_contact_resolution_rate,
      },
    });
    history.set(row.tenant_id, list);
  }
  return history;
};

/** The targets in force just before `position`; the defaults when the tenant's targets are not known yet. */
const targetsAt = (history: readonly TargetsFrom[] | undefined, position: number): SlaTargets => {
  let found: SlaTargets | undefined;
  for (const entry of history ?? []) if (entry.position < position) found = entry.targets;
  return found ?? DEFAULT_SLA_TARGETS;
};

// Follow-ups

const followUpRowOf = ({ envelope, position }: BusEvent): InsertRow[] => {
  const stream = parseStreamName(envelope.streamId);
  if (stream === undefined) return [];
  const row = (callId: string, source: 'summary' | 'ticket') => ({
    tenant_id: stream.tenantId,
    call_id: callId,
    source,
    source_id: envelope.id,
    occurred_at: utcInstant(envelope.occurredAt),
    version: position,
  });
  if (stream.category === 'call' && envelope.type === 'CallSummarized') {
    const { followUps } = envelope.data as { followUps: readonly string[] };
    return followUps.length > 0 ? [row(stream.id, 'summary')] : [];
  }
  if (stream.category === 'ticket' && envelope.type === 'TicketOpened') {
    const { callId } = envelope.data as { callId?: string };
    return callId === undefined ? [] : [row(callId, 'ticket')];
  }
  return [];
};

export const createSlaProcessor = (): Processor => ({
  name: SLA,
  categories: ['call', 'tenant', 'ticket'],
  tables: ['call_sla', 'tenant_sla_targets', 'sla_follow_ups'],
  async handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void> {
    const { readStore } = context;
    const targetRows = batch.flatMap(targetRowOf);
    if (targetRows.length > 0) await readStore.insert('tenant_sla_targets', targetRows);
    const followUps = batch.flatMap(followUpRowOf);
    if (followUps.length > 0) await readStore.insert('sla_follow_ups', followUps);

    const events = callEventsOf(batch);
    if (events.length === 0) return;
    const byTenant = callIdsByTenant(events);
    const targets = await loadTargets(readStore, [...byTenant.keys()]);
    const loaded = await loadCallRows(readStore, 'call_sla', byTenant, CallSlaRow);
    const rows = new Map(loaded.map((row) => [callKey(row.tenant_id, row.call_id), row]));
    const changed = new Map<string, CallSlaRow>();
    const flagged: { at: CallEventAt; breach: SlaBreach }[] = [];
    for (const at of events) {
      const key = callKey(at.tenantId, at.callId);
      const before = rows.get(key);
      const after = applySlaEvent(before, at, targetsAt(targets.get(at.tenantId), at.position));
      if (after.row === undefined) {
        context.log(
          `${SLA}: ${at.envelope.type} at position ${at.position} of call ${at.callId} (tenant ${at.tenantId}) precedes its CallStarted; skipped`,
        );
        continue;
      }
      if (after.row !== before) {
        rows.set(key, after.row);
        changed.set(key, after.row);
      }
      for (const breach of after.breaches) flagged.push({ at, breach });
    }

    for (const { at, breach } of flagged) {
      await context.send(
        'FlagSlaBreach',
        { tenantId: at.tenantId, callId: at.callId, ...breach },
        {
          idempotencyKey: `sla:${at.tenantId}:${at.callId}:${breach.metric}`,
          correlationId: at.envelope.correlationId,
          causationId: at.envelope.id,
        },
      );
    }
    if (changed.size > 0) await readStore.insert('call_sla', [...changed.values()]);
  },
});

// Compliance

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

/** The tenant's current targets (the latest it set), or the defaults. */
export const currentSlaTargets = async (readStore: ReadStore, tenantId: string): Promise<SlaTargets> => {
  const history = await loadTargets(readStore, [tenantId]);
  return targetsAt(history.get(tenantId), Number.MAX_SAFE_INTEGER);
};

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
