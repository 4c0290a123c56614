import { z } from 'zod';
import { messageEvents, type EventOf } from '@ccp/schemas';
import type { BusEvent } from '../bus/port.js';
import type { Processor, ProcessorContext } from '../processor.js';
import { utcInstant } from './call-stream.js';
import { ClickHouseCount, ClickHouseInstant } from './read-rows.js';
import { eventsOf, foldInto, key, text, type At } from './row-fold.js';

/**
 * The outbox and delivery log on the read side (017_appointments): one row per message, outbound (scheduled,
 * sending, retrying, sent, delivered, undelivered, read, abandoned, cancelled) or inbound (received, with what
 * the reply was taken to mean). Recipients, subjects, bodies and provider errors are personal data the event
 * store decrypted for the processor; erased, they read '[erased]'.
 */

type MessageEvent = EventOf<(typeof messageEvents)[number]>;
const MESSAGE_TYPES: ReadonlySet<string> = new Set(messageEvents.map((d) => d.type));

const MessageRow = z.object({
  tenant_id: z.string(),
  message_id: z.string(),
  direction: z.string(),
  channel: z.string(),
  to_address: z.string(),
  from_address: z.string(),
  purpose: z.string(),
  language: z.string(),
  subject: z.string(),
  body: z.string(),
  status: z.string(),
  attempts: ClickHouseCount,
  last_error: z.string(),
  due_at: ClickHouseInstant.nullable(),
  sent_at: ClickHouseInstant.nullable(),
  provider: z.string(),
  provider_message_id: z.string(),
  contact_id: z.string(),
  appointment_id: z.string(),
  reply_intent: z.string(),
  reply_outcome: z.string(),
  created_at: ClickHouseInstant,
  updated_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type MessageRow = z.output<typeof MessageRow>;

const blank = (at: At<MessageEvent>) => ({
  tenant_id: at.tenantId,
  message_id: at.id,
  from_address: '',
  purpose: '',
  language: '',
  subject: '',
  attempts: 0,
  last_error: '',
  due_at: null,
  sent_at: null,
  provider: '',
  provider_message_id: '',
  contact_id: '',
  appointment_id: '',
  reply_intent: '',
  reply_outcome: '',
  created_at: at.occurredAt,
  updated_at: at.occurredAt,
  version: at.position,
});

const applyToMessage = (row: MessageRow | undefined, at: At<MessageEvent>): MessageRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  const { event } = at;
  if (event.type === 'MessageScheduled') {
    const { data } = event;
    return {
      ...blank(at),
      direction: 'outbound',
      channel: data.channel,
      to_address: text(data.to),
      from_address: data.from ?? '',
      purpose: data.purpose,
      language: data.language,
      subject: text(data.subject),
      body: text(data.body),
      status: 'scheduled',
      due_at: utcInstant(data.dueAt),
      contact_id: data.contactId ?? '',
      appointment_id: data.appointmentId ?? '',
    };
  }
  if (event.type === 'MessageReceived') {
    const { data } = event;
    return {
      ...blank(at),
      direction: 'inbound',
      channel: data.channel,
      to_address: data.to,
      from_address: text(data.from),
      body: text(data.body),
      status: 'received',
      provider: data.provider,
      provider_message_id: data.providerMessageId,
    };
  }
  if (row === undefined) return undefined;
  const changed = (change: Partial<MessageRow>): MessageRow => ({
    ...row,
    ...change,
    updated_at: at.occurredAt,
    version: at.position,
  });
  switch (event.type) {
    case 'MessageCancelled':
      return changed({ status: 'cancelled' });
    case 'MessageDeliveryStarted':
      return changed({ status: 'sending', attempts: event.data.attempt });
    case 'MessageSent':
      return changed({
        status: 'sent',
        attempts: event.data.attempt,
        provider: event.data.provider,
        provider_message_id: event.data.providerMessageId,
        sent_at: at.occurredAt,
      });
    case 'MessageDeliveryFailed':
      return changed({
        status: 'retrying',
        attempts: event.data.attempt,
        last_error: text(event.data.error),
        due_at: utcInstant(event.data.retryAt),
      });
    case 'MessageAbandoned':
      return changed({
        status: 'abandoned',
        attempts: event.data.attempt,
        last_error: text(event.data.error),
      });
    case 'MessageStatusChanged':
      return changed({ status: event.data.status });
    case 'MessageReplyHandled':
      return changed({
        reply_intent: event.data.intent,
        reply_outcome: text(event.data.outcome),
        contact_id: event.data.contactId ?? row.contact_id,
        appointment_id: event.data.appointmentId ?? row.appointment_id,
      });
    default:
      return row;
  }
};

export const MESSAGES = 'messages';

/** The outbox and delivery log. */
export const createMessagesProcessor = (): Processor => ({
  name: MESSAGES,
  categories: ['message'],
  tables: ['messages'],
  async handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void> {
    await foldInto(
      context.readStore,
      {
        table: 'messages',
        column: 'message_id',
        idsOf: (at) => [at.id],
        rowKey: (row: MessageRow) => key(row.tenant_id, row.message_id),
        keysOf: (at) => [key(at.tenantId, at.id)],
        schema: MessageRow,
        apply: applyToMessage,
      },
      eventsOf<MessageEvent>(batch, 'message', MESSAGE_TYPES),
    );
  },
});
