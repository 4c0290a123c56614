import { z } from 'zod';
import { decodeEvent, streamName, type CallEvent } from '@ccp/schemas';
import type { EventStore } from '@ccp/command-service';
import type { ReadStore } from '@ccp/projections';
import { supportTickets } from '../admin/platform.js';
import { CALL_COLUMNS, CallSummary, callSummaryOf } from './calls.js';

export const CallHandling = z.object({
  callId: z.string(),
  escalation: z
    .object({ reason: z.string(), summary: z.string(), at: z.string() })
    .nullable()
    .describe('Why the AI handed the call on, and its summary for the person who picks it up'),
  queue: z.object({ departmentId: z.string(), queue: z.string(), at: z.string() }).nullable(),
  people: z.array(z.object({ userId: z.string(), mode: z.string(), joinedAt: z.string() })),
  inControl: z.string().nullable().describe('The person who took the conversation over from the AI'),
  coaching: z.array(z.object({ userId: z.string(), note: z.string(), at: z.string() })),
  summary: z.object({ text: z.string(), followUps: z.array(z.string()) }).nullable(),
  wrapUps: z.array(
    z.object({
      userId: z.string(),
      tags: z.array(z.string()),
      resolved: z.boolean(),
      followUp: z.object({ dueAt: z.string(), reason: z.string() }).nullable(),
      note: z.string().nullable(),
      at: z.string(),
    }),
  ),
  ended: z.boolean(),
  recordingConsent: z
    .object({
      outcome: z.enum(['given', 'refused']),
      policy: z.string(),
      method: z.string().describe('announcement (heard and stayed on), key or phrase'),
      key: z.string().nullable(),
      at: z.string(),
    })
    .nullable()
    .describe("The caller's answer to the tenant's recording consent policy; null when none was asked"),
});
export type CallHandling = z.infer<typeof CallHandling>;

const empty = (callId: string): CallHandling => ({
  callId,
  escalation: null,
  queue: null,
  people: [],
  inControl: null,
  coaching: [],
  summary: null,
  wrapUps: [],
  ended: false,
  recordingConsent: null,
});

/** How people handled the call so far: one fold of its events. */
const handlingStep = (h: CallHandling, event: CallEvent, at: string): CallHandling => {
  switch (event.type) {
    case 'EscalationRequested':
      return { ...h, escalation: { reason: event.data.reason, summary: event.data.summary ?? '', at } };
    case 'CallQueued':
      return { ...h, queue: { departmentId: event.data.departmentId, queue: event.data.queue, at } };
    case 'HumanJoined':
      return {
        ...h,
        people: [
          ...h.people.filter((p) => p.userId !== event.data.userId),
          {
            userId: event.data.userId,
            mode: event.data.mode,
            joinedAt: h.people.find((p) => p.userId === event.data.userId)?.joinedAt ?? at,
          },
        ],
      };
    case 'HumanTookOver':
      return { ...h, inControl: event.data.userId };
    case 'AiCoached':
      return { ...h, coaching: [...h.coaching, { userId: event.data.userId, note: event.data.note, at }] };
    case 'CallTransferred':
      return event.data.to.kind === 'agent' ? { ...h, inControl: null } : h;
    case 'CallSummarized':
      return { ...h, summary: { text: event.data.summary, followUps: [...event.data.followUps] } };
    case 'CallWrappedUp':
      return {
        ...h,
        wrapUps: [
          ...h.wrapUps,
          {
            userId: event.data.userId,
            tags: [...event.data.tags],
            resolved: event.data.resolved,
            followUp: event.data.followUp ?? null,
            note: event.data.note ?? null,
            at,
          },
        ],
      };
    case 'CallEnded':
      return { ...h, ended: true };
    case 'RecordingConsentGiven':
    case 'RecordingConsentRefused':
      return {
        ...h,
        recordingConsent: {
          outcome: event.type === 'RecordingConsentGiven' ? 'given' : 'refused',
          policy: event.data.policy,
          method: event.data.method,
          key: event.data.key ?? null,
          at,
        },
      };
    default:
      return h;
  }
};

/**
 * A call's handling read from its own stream on the decrypting store: the escalation summary, notes and
 * coaching are personal data that the read store does not keep in clear.
 */
export const callHandling = async (
  store: EventStore,
  tenantId: string,
  callId: string,
): Promise<CallHandling | undefined> => {
  const recorded = await store.readStream(streamName('call', tenantId, callId));
  if (recorded.length === 0) return undefined;
  let handling = empty(callId);
  for (const event of recorded) {
    const decoded = decodeEvent(event);
    if (!decoded.ok) continue;
    handling = handlingStep(handling, decoded.value as unknown as CallEvent, decoded.value.occurredAt);
  }
  return handling;
};

export const EscalationInbox = z.object({
  items: z.array(
    z.object({
      call: CallSummary,
      waitingSince: z.string().nullable().describe('When the call was queued, else escalated'),
      handling: CallHandling,
    }),
  ),
});

/**
 * Calls that wait for people or have them on: escalated and not ended, oldest wait first. Started in the last
 * day only: a call the carrier never reported ended must not haunt the inbox.
 */
export const escalationInbox = async (
  readStore: ReadStore,
  store: EventStore,
  tenantId: string,
  now: Date,
): Promise<z.infer<typeof EscalationInbox>> => {
  const rows = await readStore.query<Record<string, unknown>>(
    `SELECT ${CALL_COLUMNS}, toString(ifNull(queued_at, escalated_at)) AS waiting_text
       FROM calls FINAL
      WHERE tenant_id = {tenantId:String} AND escalated = 1 AND status != 'ended'
        AND started_at >= {since:DateTime64(3, 'UTC')}
      ORDER BY ifNull(queued_at, escalated_at), call_id LIMIT 200`,
    { tenantId, since: new Date(now.getTime() - 86_400_000) },
  );
  const items = [];
  for (const row of rows) {
    const call = callSummaryOf(row);
    const handling = (await callHandling(store, tenantId, call.callId)) ?? empty(call.callId);
    // The read side may lag the call's end by a moment; the stream has the last word.
    if (handling.ended) continue;
    const waiting = row['waiting_text'];
    items.push({
      call,
      waitingSince: typeof waiting === 'string' && waiting !== '' ? `${waiting.replace(' ', 'T')}Z` : null,
      handling,
    });
  }
  return { items };
};

export const CallerHistory = z.object({
  caller: z.string().describe("The other party's number or address"),
  calls: z.array(CallSummary).describe('Earlier and later calls with the same party, newest first'),
  tickets: z.array(
    z.object({ ticketId: z.string(), subject: z.string(), status: z.string(), callId: z.string() }),
  ),
});

/**
 * The caller's record with the tenant: every call with the same party (in either direction) and the tickets
 * opened from those calls.
 */
export const callerHistory = async (
  readStore: ReadStore,
  store: EventStore,
  tenantId: string,
  callId: string,
): Promise<z.infer<typeof CallerHistory> | undefined> => {
  const [call] = await readStore.query<{ direction: string; from_address: string; to_address: string }>(
    `SELECT direction, from_address, to_address FROM calls FINAL
      WHERE tenant_id = {tenantId:String} AND call_id = {callId:String}`,
    { tenantId, callId },
  );
  if (!call) return undefined;
  const caller = call.direction === 'outbound' ? call.to_address : call.from_address;
  const rows = await readStore.query<Record<string, unknown>>(
    `SELECT ${CALL_COLUMNS} FROM calls FINAL
      WHERE tenant_id = {tenantId:String} AND call_id != {callId:String}
        AND ((direction = 'inbound' AND from_address = {caller:String})
          OR (direction = 'outbound' AND to_address = {caller:String}))
      ORDER BY started_at DESC LIMIT 50`,
    { tenantId, callId, caller },
  );
  const calls = rows.map(callSummaryOf);
  const { tickets } = await supportTickets(readStore, store, tenantId, {}, [
    callId,
    ...calls.map((c) => c.callId),
  ]);
  return {
    caller,
    calls,
    tickets: tickets
      .map(({ ticketId, subject, status, callId: from }) => ({
        ticketId,
        subject,
        status,
        callId: from ?? '',
      }))
      .sort((a, b) => a.ticketId.localeCompare(b.ticketId)),
  };
};
