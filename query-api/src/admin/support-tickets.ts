import { z } from 'zod';
import { decodeEvent } from '@ccp/schemas';
import type { EventStore } from '@ccp/command-service';
import type { ReadStore } from '@ccp/projections';
import { isoOf } from '../calls/calls.js';

export const TicketQuery = z.strictObject({
  status: z.enum(['open', 'resolved']).optional(),
  priority: z.string().min(1).max(20).optional(),
});

export const Ticket = z.object({
  tenantId: z.string(),
  ticketId: z.string(),
  subject: z.string(),
  priority: z.string(),
  status: z.enum(['open', 'resolved']),
  workStatus: z.string().nullable(),
  assigneeId: z.string().nullable(),
  category: z.string().nullable(),
  callId: z.string().nullable(),
  departmentId: z.string().nullable(),
  openedAt: z.string(),
  updatedAt: z.string(),
});
export const Tickets = z.object({ tickets: z.array(Ticket) });

/**
 * A ticket's subject from its first event on the decrypting store: subjects are personal data (they often name
 * the caller), so the audit log holds a marker and an erased subject reads '[erased]'.
 */
const ticketSubject = async (events: EventStore, streamId: string): Promise<string> => {
  const [first] = await events.readStream(streamId, { maxCount: 1 });
  const decoded = first && decodeEvent(first);
  if (!decoded?.ok || decoded.value.type !== 'TicketOpened') return '';
  const { subject } = decoded.value.data as { subject?: unknown };
  return typeof subject === 'string' ? subject : '';
};

/**
 * Support tickets as their events tell them: the audit log for the state, the event store for the subject
 * (descriptions, customers and subjects are personal data, not in the audit log). `tenantId` '*' lists every
 * tenant's, newest activity first.
 */
export const supportTickets = async (
  store: ReadStore,
  events: EventStore,
  tenantId: string,
  query: z.infer<typeof TicketQuery>,
  /** Only the tickets opened from these calls (a caller's record). */
  callIds?: readonly string[],
): Promise<z.infer<typeof Tickets>> => {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT tenant_id, stream_id,
            if(countIf(type = 'TicketUpdated' AND JSONHas(data, 'changes', 'priority')) > 0,
               argMaxIf(JSONExtractString(data, 'changes', 'priority'), position, type = 'TicketUpdated' AND JSONHas(data, 'changes', 'priority')),
               anyIf(JSONExtractString(data, 'priority'), type = 'TicketOpened')) AS current_priority,
            argMaxIf(type, position, type IN ('TicketOpened', 'TicketResolved', 'TicketReopened')) AS last_state,
            argMaxIf(JSONExtractString(data, 'changes', 'status'), position, type = 'TicketUpdated' AND JSONHas(data, 'changes', 'status')) AS work_status,
            argMaxIf(JSONExtractString(data, 'changes', 'assigneeId'), position, type = 'TicketUpdated' AND JSONHas(data, 'changes', 'assigneeId')) AS assignee,
            anyIf(JSONExtractString(data, 'category'), type = 'TicketOpened') AS ticket_category,
            anyIf(JSONExtractString(data, 'callId'), type = 'TicketOpened') AS call,
            anyIf(JSONExtractString(data, 'departmentId'), type = 'TicketOpened') AS department,
            toString(minIf(occurred_at, type = 'TicketOpened')) AS opened_text,
            toString(max(occurred_at)) AS updated_text
       FROM events FINAL
      WHERE ${tenantId === '*' ? '1' : 'tenant_id = {tenantId:String}'} AND stream_id LIKE 'ticket-%'
      GROUP BY tenant_id, stream_id
     HAVING countIf(type = 'TicketOpened') > 0${callIds === undefined ? '' : ' AND call IN {callIds:Array(String)}'}
      ORDER BY updated_text DESC LIMIT 1000`,
    { tenantId, ...(callIds !== undefined && { callIds: [...callIds] }) },
  );
  const orNull = (value: unknown) =>
    value === '' || value === null || value === undefined ? null : String(value);
  const tickets = rows
    .map((r) => {
      const streamId = String(r['stream_id']);
      return {
        streamId,
        tenantId: String(r['tenant_id']),
        ticketId: streamId.slice(streamId.indexOf('.') + 1),
        priority: String(r['current_priority']),
        status: r['last_state'] === 'TicketResolved' ? ('resolved' as const) : ('open' as const),
        workStatus: orNull(r['work_status']),
        assigneeId: orNull(r['assignee']),
        category: orNull(r['ticket_category']),
        callId: orNull(r['call']),
        departmentId: orNull(r['department']),
        openedAt: isoOf(r['opened_text']) ?? '',
        updatedAt: isoOf(r['updated_text']) ?? '',
      };
    })
    .filter(
      (t) =>
        (query.status === undefined || t.status === query.status) &&
        (query.priority === undefined || t.priority === query.priority),
    );
  return {
    tickets: await Promise.all(
      tickets.map(async ({ streamId, ...ticket }) => ({
        ...ticket,
        subject: await ticketSubject(events, streamId),
      })),
    ),
  };
};
