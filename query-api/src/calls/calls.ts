import { z } from 'zod';
import type { QueryParams, ReadStore } from '@ccp/projections';
import { CallFilters, callWhere } from '../analytics/filters.js';
import { readPage } from '../http/pagination.js';

export const CallSort = z.enum(['started_at', 'duration_seconds', 'feedback_score', 'utterance_count']);

export const CallListQuery = CallFilters.extend({
  status: z.enum(['in_progress', 'queued', 'ended']).optional(),
  escalated: z.enum(['true', 'false']).optional(),
  tag: z.string().trim().toLowerCase().min(1).max(40).optional().describe('Calls wrapped up with this tag'),
  wrappedUp: z.enum(['true', 'false']).optional(),
  campaignId: z.string().min(1).max(80).optional(),
  intent: z.string().min(1).max(80).optional().describe('Calls in which the caller had this intent'),
  humanUserId: z.string().min(1).max(80).optional().describe('Calls a person joined or took over'),
  sort: CallSort.default('started_at'),
  order: z.enum(['asc', 'desc']).default('desc'),
});

/** ClickHouse's DateTime64 text ('2026-11-24 10:00:00.000', UTC) as ISO 8601. */
export const isoOf = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? `${value.replace(' ', 'T')}Z` : null;

export const CallSummary = z.object({
  callId: z.string(),
  direction: z.string(),
  status: z.string(),
  from: z.string(),
  to: z.string(),
  agentId: z.string().nullable(),
  departmentId: z.string().nullable(),
  startedAt: z.string(),
  answeredAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  outcome: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  escalated: z.boolean(),
  escalationReason: z.string().nullable(),
  humanUserId: z.string().nullable(),
  queue: z.string().nullable(),
  queueWaitSeconds: z.number().nullable(),
  feedbackScore: z.number().nullable(),
  utterances: z.number().int(),
  toolCalls: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  hasRecording: z.boolean(),
  campaignId: z.string().nullable(),
  leadId: z.string().nullable(),
  converted: z.boolean().describe('An appointment was booked in the call'),
  wrappedUp: z.boolean(),
  wrapUpResolved: z.boolean().nullable().describe("The handler's word on whether it was resolved"),
  tags: z.array(z.string()),
  followUpDue: z.string().nullable(),
});
export type CallSummary = z.infer<typeof CallSummary>;

/**
 * The columns behind CallSummary. Times are read as text under other names: an alias named like its column
 * would stand for the text in WHERE and ORDER BY too.
 */
export const CALL_COLUMNS = `call_id, direction, status, from_address, to_address, agent_id, department_id,
  toString(started_at) AS started_text, toString(answered_at) AS answered_text, toString(ended_at) AS ended_text,
  outcome, duration_seconds, escalated, escalation_reason, human_user_id, queue, queue_wait_ms, feedback_score,
  utterance_count, tool_call_count, prompt_tokens, completion_tokens, has_recording, campaign_id, lead_id,
  converted, wrapped_up, wrap_up_resolved, tags, toString(follow_up_due) AS follow_up_text`;

const orNull = (value: unknown): string | null => (value === '' || value === null ? null : String(value));
const numOrNull = (value: unknown): number | null => (value === null ? null : Number(value));

export const callSummaryOf = (r: Record<string, unknown>): CallSummary => ({
  callId: String(r['call_id']),
  direction: String(r['direction']),
  status: String(r['status']),
  from: String(r['from_address']),
  to: String(r['to_address']),
  agentId: orNull(r['agent_id']),
  departmentId: orNull(r['department_id']),
  startedAt: isoOf(r['started_text']) ?? '',
  answeredAt: isoOf(r['answered_text']),
  endedAt: isoOf(r['ended_text']),
  outcome: orNull(r['outcome']),
  durationSeconds: numOrNull(r['duration_seconds']),
  escalated: Number(r['escalated']) === 1,
  escalationReason: orNull(r['escalation_reason']),
  humanUserId: orNull(r['human_user_id']),
  queue: orNull(r['queue']),
  queueWaitSeconds: r['queue_wait_ms'] === null ? null : Number(r['queue_wait_ms']) / 1000,
  feedbackScore: numOrNull(r['feedback_score']),
  utterances: Number(r['utterance_count']),
  toolCalls: Number(r['tool_call_count']),
  promptTokens: Number(r['prompt_tokens']),
  completionTokens: Number(r['completion_tokens']),
  hasRecording: Number(r['has_recording']) === 1,
  campaignId: orNull(r['campaign_id']),
  leadId: orNull(r['lead_id']),
  converted: Number(r['converted']) === 1,
  wrappedUp: Number(r['wrapped_up']) === 1,
  wrapUpResolved: Number(r['wrapped_up']) === 1 ? Number(r['wrap_up_resolved']) === 1 : null,
  tags: Array.isArray(r['tags']) ? r['tags'].map(String) : [],
  followUpDue: isoOf(r['follow_up_text']),
});

export const callListWhere = (
  tenantId: string,
  query: z.output<typeof CallListQuery>,
  now: Date,
): { sql: string; params: QueryParams } => {
  const base = callWhere(tenantId, query, now);
  const clauses = [base.sql];
  const params: Record<string, unknown> = { ...base.params };
  if (query.status !== undefined) {
    clauses.push('status = {status:String}');
    params['status'] = query.status;
  }
  if (query.escalated !== undefined) clauses.push(`escalated = ${query.escalated === 'true' ? 1 : 0}`);
  if (query.wrappedUp !== undefined) clauses.push(`wrapped_up = ${query.wrappedUp === 'true' ? 1 : 0}`);
  if (query.tag !== undefined) {
    clauses.push('has(tags, {tag:String})');
    params['tag'] = query.tag;
  }
  if (query.intent !== undefined) {
    clauses.push(
      `call_id IN (SELECT call_id FROM call_intents FINAL
                    WHERE tenant_id = {tenantId:String} AND has(mapKeys(intents), {intent:String}))`,
    );
    params['intent'] = query.intent;
  }
  if (query.humanUserId !== undefined) {
    clauses.push('human_user_id = {humanUserId:String}');
    params['humanUserId'] = query.humanUserId;
  }
  if (query.campaignId !== undefined) {
    clauses.push('campaign_id = {campaignId:String}');
    params['campaignId'] = query.campaignId;
  }
  return { sql: clauses.join(' AND '), params: params as QueryParams };
};

export const listCalls = async (
  store: ReadStore,
  tenantId: string,
  query: z.output<typeof CallListQuery>,
  page: { offset: number; limit: number },
  now: Date,
): Promise<{ items: CallSummary[]; total: number }> => {
  const where = callListWhere(tenantId, query, now);
  // The sort column comes from an enum, never from the caller's text; call_id breaks ties so pages are stable.
  const { rows, total } = await readPage(
    store,
    {
      columns: CALL_COLUMNS,
      from: 'calls FINAL',
      where: where.sql,
      orderBy: `${query.sort} ${query.order === 'asc' ? 'ASC' : 'DESC'}, call_id`,
      params: where.params,
    },
    page,
  );
  return { items: rows.map(callSummaryOf), total };
};

export const TranscriptLine = z.object({
  utteranceId: z.string(),
  speaker: z.string(),
  text: z.string(),
  language: z.string(),
  confidence: z.number(),
  sentiment: z.number().nullable(),
  intent: z.string().nullable(),
  at: z.string(),
});

export const CallDetail = z.object({ call: CallSummary, transcript: z.array(TranscriptLine) });

export const callDetail = async (
  store: ReadStore,
  tenantId: string,
  callId: string,
): Promise<z.infer<typeof CallDetail> | undefined> => {
  const [row] = await store.query<Record<string, unknown>>(
    `SELECT ${CALL_COLUMNS} FROM calls FINAL WHERE tenant_id = {tenantId:String} AND call_id = {callId:String}`,
    { tenantId, callId },
  );
  if (!row) return undefined;
  const lines = await store.query<Record<string, unknown>>(
    `SELECT utterance_id, speaker, text, language, confidence, sentiment_score, intent,
            toString(occurred_at) AS occurred_text
       FROM utterances FINAL WHERE tenant_id = {tenantId:String} AND call_id = {callId:String}
      ORDER BY position`,
    { tenantId, callId },
  );
  return {
    call: callSummaryOf(row),
    transcript: lines.map((l) => ({
      utteranceId: String(l['utterance_id']),
      speaker: String(l['speaker']),
      text: String(l['text']),
      language: String(l['language']),
      confidence: Number(l['confidence']),
      sentiment: l['sentiment_score'] === null ? null : Number(l['sentiment_score']),
      intent: orNull(l['intent']),
      at: isoOf(l['occurred_text']) ?? '',
    })),
  };
};
