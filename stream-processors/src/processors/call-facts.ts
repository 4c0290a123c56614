import { z } from 'zod';
import type { BusEvent } from '../bus/port.js';
import type { Processor, ProcessorContext } from '../processor.js';
import {
  callEventsOf,
  callIdsByTenant,
  callKey,
  utteranceIdOf,
  type CallEvent,
  type CallEventAt,
} from './call-stream.js';
import { ClickHouseCount, ClickHouseInstant, loadCallRows } from './read-rows.js';

const Flag = z.union([z.literal(0), z.literal(1)]);
const OptionalInstant = ClickHouseInstant.nullable();

/** A row of `calls` (002_calls, 005_calls_handling), as loaded from the read store and written back. */
export const CallRow = z.object({
  tenant_id: z.string(),
  call_id: z.string(),
  direction: z.string(),
  provider: z.string(),
  from_address: z.string(),
  to_address: z.string(),
  agent_id: z.string(),
  department_id: z.string(),
  status: z.enum(['in_progress', 'queued', 'ended']),
  started_at: ClickHouseInstant,
  answered_at: OptionalInstant,
  ended_at: OptionalInstant,
  outcome: z.string(),
  duration_seconds: z.number().int().nullable(),
  escalated: Flag,
  escalation_reason: z.string(),
  human_user_id: z.string(),
  taken_over: Flag,
  transferred: Flag,
  utterance_count: z.number().int(),
  ai_reply_count: z.number().int(),
  tool_call_count: z.number().int(),
  prompt_tokens: ClickHouseCount,
  completion_tokens: ClickHouseCount,
  feedback_score: z.number().int().nullable(),
  has_recording: Flag,
  last_event_at: ClickHouseInstant,
  version: ClickHouseCount,
  queued: Flag,
  queue: z.string(),
  queue_department_id: z.string(),
  queued_at: OptionalInstant,
  queue_wait_ms: ClickHouseCount.nullable(),
  abandoned_in_queue: Flag,
  escalated_at: OptionalInstant,
  human_joined: Flag,
  human_joined_at: OptionalInstant,
  transfer_count: z.number().int(),
  transfer_target_kind: z.string(),
  ai_latency_ms: ClickHouseCount,
  lead_id: z.string(),
  campaign_id: z.string(),
  converted: Flag,
  wrapped_up: Flag,
  wrap_up_resolved: Flag,
  tags: z.array(z.string()),
  follow_up_due: OptionalInstant,
});
export type CallRow = z.output<typeof CallRow>;

type Started = Extract<CallEvent, { type: 'CallStarted' }>['data'];

const startedCall = (at: CallEventAt, data: Started): CallRow => ({
  tenant_id: at.tenantId,
  call_id: at.callId,
  direction: data.direction,
  provider: data.provider,
  from_address: data.from,
  to_address: data.to,
  agent_id: data.agentId ?? '',
  department_id: data.departmentId ?? '',
  status: 'in_progress',
  // The partition key: taken from the event, so every later version of the row lands in the same partition.
  started_at: new Date(data.startedAt).toISOString(),
  answered_at: null,
  ended_at: null,
  outcome: '',
  duration_seconds: null,
  escalated: 0,
  escalation_reason: '',
  human_user_id: '',
  taken_over: 0,
  transferred: 0,
  utterance_count: 0,
  ai_reply_count: 0,
  tool_call_count: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  feedback_score: null,
  has_recording: 0,
  last_event_at: at.occurredAt,
  version: at.position,
  queued: 0,
  queue: '',
  queue_department_id: '',
  queued_at: null,
  queue_wait_ms: null,
  abandoned_in_queue: 0,
  escalated_at: null,
  human_joined: 0,
  human_joined_at: null,
  transfer_count: 0,
  transfer_target_kind: '',
  ai_latency_ms: 0,
  lead_id: data.leadId ?? '',
  campaign_id: data.campaignId ?? '',
  converted: 0,
  wrapped_up: 0,
  wrap_up_resolved: 0,
  tags: [],
  follow_up_due: null,
});

/** The caller hears someone for the first time: the AI's first reply or the first line of a human. */
const answered = (row: CallRow, at: CallEventAt): Pick<CallRow, 'answered_at'> => ({
  answered_at: row.answered_at ?? at.occurredAt,
});

/** A call converts when the AI books an appointment in it: what outbound campaigns are placed for. */
const converts = (tool: { name: string; status: string }): boolean =>
  tool.name === 'book_appointment' && tool.status === 'succeeded';

const millisBetween = (from: string, to: string): number =>
  Math.max(0, new Date(to).getTime() - new Date(from).getTime());

/**
 * The call's facts after one more of its events. Department and agent follow the call as it is routed (IVR
 * choice, escalation, queue, transfer), so statistics attribute a call to where it ended up. The flags record
 * that something ever happened (a call transferred back to an AI agent stays `escalated`).
 */
const evolveCall = (row: CallRow, at: CallEventAt): CallRow => {
  const { event } = at;
  switch (event.type) {
    case 'CallStarted':
      // The write side refuses a second start; a stray one must not reset the call.
      return row;
    case 'IvrOptionChosen':
      return { ...row, department_id: event.data.departmentId ?? row.department_id };
    case 'UtteranceRecorded':
      return {
        ...row,
        ...(event.data.speaker === 'caller' ? {} : answered(row, at)),
        utterance_count: row.utterance_count + 1,
      };
    case 'AiReplied':
      return {
        ...row,
        ...answered(row, at),
        ai_reply_count: row.ai_reply_count + 1,
        prompt_tokens: row.prompt_tokens + event.data.promptTokens,
        completion_tokens: row.completion_tokens + event.data.completionTokens,
        ai_latency_ms: row.ai_latency_ms + event.data.latencyMs,
      };
    case 'ToolInvoked':
      return {
        ...row,
        tool_call_count: row.tool_call_count + 1,
        converted: converts(event.data) ? 1 : row.converted,
      };
    case 'EscalationRequested':
      return {
        ...row,
        escalated: 1,
        escalation_reason: event.data.reason,
        escalated_at: row.escalated_at ?? at.occurredAt,
        department_id: event.data.departmentId ?? row.department_id,
      };
    case 'CallQueued':
      return {
        ...row,
        status: row.status === 'ended' ? 'ended' : 'queued',
        queued: 1,
        queue: event.data.queue,
        queue_department_id: event.data.departmentId,
        department_id: event.data.departmentId,
        queued_at: at.occurredAt,
        queue_wait_ms: null,
      };
    case 'HumanJoined': {
      const fromQueue = row.status === 'queued' && row.queued_at !== null;
      return {
        ...row,
        status: fromQueue ? 'in_progress' : row.status,
        queue_wait_ms:
          fromQueue && row.queued_at !== null
            ? millisBetween(row.queued_at, at.occurredAt)
            : row.queue_wait_ms,
        human_joined: 1,
        human_joined_at: row.human_joined_at ?? at.occurredAt,
        human_user_id: row.human_user_id === '' ? event.data.userId : row.human_user_id,
      };
    }
    case 'HumanTookOver':
      return { ...row, ...answered(row, at), taken_over: 1, human_user_id: event.data.userId };
    case 'CallTransferred': {
      const { to } = event.data;
      // Handed to an AI agent or an outside number, the call no longer waits for one of the tenant's humans.
      const leavesQueue = row.status === 'queued' && (to.kind === 'agent' || to.kind === 'external');
      return {
        ...row,
        status: leavesQueue ? 'in_progress' : row.status,
        transferred: 1,
        transfer_count: row.transfer_count + 1,
        transfer_target_kind: to.kind,
        agent_id: to.kind === 'agent' ? to.id : row.agent_id,
        department_id: to.kind === 'department' ? to.id : row.department_id,
        human_user_id: to.kind === 'human' ? to.id : row.human_user_id,
      };
    }
    case 'RecordingAvailable':
      return { ...row, has_recording: 1 };
    case 'FeedbackGiven':
      return { ...row, feedback_score: event.data.score };
    case 'CallWrappedUp':
      return {
        ...row,
        wrapped_up: 1,
        wrap_up_resolved: event.data.resolved ? 1 : 0,
        tags: event.data.tags,
        follow_up_due: event.data.followUp ? new Date(event.data.followUp.dueAt).toISOString() : null,
      };
    case 'CallSummarized':
    case 'SlaBreached':
    case 'CallAnswered':
    case 'CallLanguageChanged':
    case 'MessageTaken':
    case 'CallbackScheduled':
    case 'VoicemailLeft':
    case 'AiCoached':
    case 'RecordingConsentGiven':
    case 'RecordingConsentRefused':
      // Owned by other projections (the summary is personal data; breaches by the SLA processor's tables).
      return row;
    case 'CallEnded':
      if (row.status === 'ended') return row;
      return {
        ...row,
        status: 'ended',
        ended_at: at.occurredAt,
        outcome: event.data.outcome,
        duration_seconds: event.data.durationSeconds,
        abandoned_in_queue: row.status === 'queued' ? 1 : 0,
      };
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
};

/**
 * Applies one event to a call's current row. An event at or below the row's version is a redelivery (or a
 * rebuild overlapping what was already written) and changes nothing: the same row comes back. Events before a
 * call's CallStarted cannot be placed (the row's partition is its start) and give undefined.
 */
export const applyCallEvent = (row: CallRow | undefined, at: CallEventAt): CallRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  if (row === undefined) return at.event.type === 'CallStarted' ? startedCall(at, at.event.data) : undefined;
  return { ...evolveCall(row, at), last_event_at: at.occurredAt, version: at.position };
};

/**
 * A transcript line of `utterances` (003): caller, AI and human lines, AI replies as speaker 'ai'. The row
 * depends on its event alone, so it is written whatever state the call's row is in.
 */
const utteranceRowOf = (at: CallEventAt): Record<string, unknown>[] => {
  const { event } = at;
  const common = {
    tenant_id: at.tenantId,
    call_id: at.callId,
    occurred_at: at.occurredAt,
    position: at.position,
    version: at.position,
  };
  if (event.type === 'UtteranceRecorded') {
    return [
      {
        ...common,
        utterance_id: utteranceIdOf(at, event.data.utteranceId),
        speaker: event.data.speaker,
        text: event.data.text,
        confidence: event.data.confidence,
        language: event.data.language,
      },
    ];
  }
  if (event.type === 'AiReplied') {
    return [
      {
        ...common,
        utterance_id: event.data.utteranceId,
        speaker: 'ai',
        text: event.data.text,
        // What the AI said is known exactly, not recognised from audio.
        confidence: 1,
        language: event.data.language,
      },
    ];
  }
  return [];
};

export const CALL_FACTS = 'call-facts';

/**
 * Call facts: one row per call in `calls`, and the transcript in `utterances`.
 *
 * A call's row is rebuilt by applying its events to its current row: calls already in this batch are in
 * memory, the others are loaded (FINAL) from the read store once per batch. State is deliberately not kept
 * between batches: after a rebalance another member of the group may have moved a call on, and after a
 * rebuild the table was emptied, so the read store is the only state that is always right.
 *
 * Idempotent: utterance rows are keyed by utterance with version = position, and a call's row is written with
 * version = the position of the last event applied, skipping events at or below the stored version; so a
 * redelivered batch, or one split differently, reads the same under FINAL. Utterances are written before the
 * calls row: if the process dies in between, the redelivered batch writes both again, whereas the other way
 * round the calls row would already claim those positions.
 */
export const createCallFactsProcessor = (): Processor => ({
  name: CALL_FACTS,
  // Version 2: lead, campaign and conversion; wrap-ups.
  version: 2,
  categories: ['call'],
  tables: ['calls', 'utterances'],
  async handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void> {
    const events = callEventsOf(batch);
    if (events.length === 0) return;
    await context.readStore.insert('utterances', events.flatMap(utteranceRowOf));

    const loaded = await loadCallRows(context.readStore, 'calls', callIdsByTenant(events), CallRow);
    const calls = new Map(loaded.map((row) => [callKey(row.tenant_id, row.call_id), row]));
    const changed = new Map<string, CallRow>();
    for (const at of events) {
      const key = callKey(at.tenantId, at.callId);
      const before = calls.get(key);
      const after = applyCallEvent(before, at);
      if (after === undefined) {
        context.log(
          `${CALL_FACTS}: ${at.envelope.type} at position ${at.position} of call ${at.callId} (tenant ${at.tenantId}) precedes its CallStarted; skipped`,
        );
      } else if (after !== before) {
        calls.set(key, after);
        changed.set(key, after);
      }
    }
    await context.readStore.insert('calls', [...changed.values()]);
  },
});
