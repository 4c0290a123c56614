import { z } from 'zod';
import { SlaMetric, type SlaTargets } from '@ccp/schemas';
import { utcInstant, type CallEventAt } from './call-stream.js';
import { ClickHouseCount, ClickHouseInstant } from './read-rows.js';

/**
 * The SLA processor's rules for one call (see sla.ts): how each call event moves the call's row of call_sla
 * (time to answer, queue waits, handle time, transfers) and which per-call targets it breaches when a metric
 * becomes final. Pure: no read store, no commands.
 */

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
    case 'RecordingConsentGiven':
    case 'RecordingConsentRefused':
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
