import { z } from 'zod';
import { EntityId, MessageChannel } from '@ccp/schemas';
import type { QueryParams, ReadStore } from '@ccp/projections';
import {
  decodeInstantKeyset,
  IsoInstant,
  isoFromClickHouse,
  ListPage,
  optional,
  pageOfRows,
} from './paging.js';

export const MessageStatus = z.enum([
  'scheduled',
  'sending',
  'retrying',
  'sent',
  'delivered',
  'undelivered',
  'read',
  'abandoned',
  'cancelled',
  'received',
]);
export const MessageDirection = z.enum(['outbound', 'inbound']);

export const Message = z.object({
  messageId: z.string(),
  direction: MessageDirection,
  channel: z.string(),
  to: z.string(),
  from: z.string().optional(),
  purpose: z.string().optional(),
  language: z.string().optional(),
  subject: z.string().optional(),
  body: z.string(),
  status: MessageStatus,
  attempts: z.number().int(),
  lastError: z.string().optional(),
  dueAt: z.string().optional(),
  sentAt: z.string().optional(),
  provider: z.string().optional(),
  providerMessageId: z.string().optional(),
  contactId: z.string().optional(),
  appointmentId: z.string().optional(),
  replyIntent: z.string().optional(),
  replyOutcome: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Message = z.infer<typeof Message>;

export const MessageQuery = z
  .strictObject({
    direction: MessageDirection.optional(),
    status: MessageStatus.optional(),
    channel: MessageChannel.optional(),
    contactId: EntityId.optional(),
    appointmentId: EntityId.optional(),
    from: IsoInstant.optional().describe('Messages created at or after this'),
    until: IsoInstant.optional().describe('Messages created before this'),
    ...ListPage,
  })
  .refine((q) => q.from === undefined || q.until === undefined || q.from < q.until, {
    message: 'until must be after from',
    path: ['until'],
  });

export const MessageList = z.object({ messages: z.array(Message), nextCursor: z.string().optional() });

export const MESSAGE_COLUMNS = `message_id, direction, channel, to_address, from_address, purpose, language, subject,
  body, status, attempts, last_error, toString(due_at) AS due_text, toString(sent_at) AS sent_text, provider,
  provider_message_id, contact_id, appointment_id, reply_intent, reply_outcome,
  toString(created_at) AS created_text, toString(updated_at) AS updated_text`;

const instant = (value: unknown): string | undefined => optional(isoFromClickHouse(value));

export const messageOf = (r: Record<string, unknown>): Message => {
  const optionals = {
    from: optional(r['from_address']),
    purpose: optional(r['purpose']),
    language: optional(r['language']),
    subject: optional(r['subject']),
    lastError: optional(r['last_error']),
    dueAt: instant(r['due_text']),
    sentAt: instant(r['sent_text']),
    provider: optional(r['provider']),
    providerMessageId: optional(r['provider_message_id']),
    contactId: optional(r['contact_id']),
    appointmentId: optional(r['appointment_id']),
    replyIntent: optional(r['reply_intent']),
    replyOutcome: optional(r['reply_outcome']),
  };
  return {
    messageId: String(r['message_id']),
    direction: MessageDirection.parse(r['direction']),
    channel: String(r['channel']),
    to: String(r['to_address']),
    body: String(r['body']),
    status: MessageStatus.parse(r['status']),
    attempts: Number(r['attempts']),
    ...Object.fromEntries(Object.entries(optionals).filter(([, value]) => value !== undefined)),
    createdAt: isoFromClickHouse(r['created_text']),
    updatedAt: isoFromClickHouse(r['updated_text']),
  };
};

/** The outbox and delivery log, newest first. */
export const listMessages = async (
  store: ReadStore,
  tenantId: string,
  query: z.output<typeof MessageQuery>,
): Promise<z.infer<typeof MessageList>> => {
  const clauses = ['tenant_id = {tenantId:String}'];
  const params: Record<string, QueryParams[string]> = { tenantId, limit: query.limit + 1 };
  for (const [column, value] of [
    ['direction', query.direction],
    ['status', query.status],
    ['channel', query.channel],
    ['contact_id', query.contactId],
    ['appointment_id', query.appointmentId],
  ] as const) {
    if (value === undefined) continue;
    clauses.push(`${column} = {${column}:String}`);
    params[column] = value;
  }
  if (query.from !== undefined) {
    clauses.push(`created_at >= {from:DateTime64(3, 'UTC')}`);
    params['from'] = query.from;
  }
  if (query.until !== undefined) {
    clauses.push(`created_at < {until:DateTime64(3, 'UTC')}`);
    params['until'] = query.until;
  }
  const after = decodeInstantKeyset(query.cursor);
  if (after !== undefined) {
    clauses.push(`(created_at, message_id) < ({afterAt:DateTime64(3, 'UTC')}, {afterId:String})`);
    params['afterAt'] = after[0];
    params['afterId'] = after[1];
  }
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages FINAL WHERE ${clauses.join(' AND ')}
      ORDER BY created_at DESC, message_id DESC LIMIT {limit:UInt32}`,
    params,
  );
  const page = pageOfRows(rows.map(messageOf), query.limit, (m) => [m.createdAt, m.messageId]);
  return { messages: page.rows, ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) };
};
