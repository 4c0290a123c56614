import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { MessageChannel, MessagePurpose } from './message-template.js';
import { E164, Email, EntityId, IsoDateTime, TenantId } from './primitives.js';

/**
 * Messages to and from contacts, one stream each (`message-<tenant>.<messageId>`).
 *
 * An outbound message is an event-sourced timer: scheduled with the time it is due, claimed by the messaging
 * worker with StartMessageDelivery before it is handed to the provider, then recorded as sent, failed (the
 * decider says when to try again) or abandoned after the last attempt. A message id is derived from what it is
 * for (the appointment, its revision and the reminder offset), so planning it twice schedules it once; the
 * provider is given the id as its idempotency key where it takes one, so a crash between the provider's answer
 * and RecordMessageSent is resolved by asking the provider, not by sending again.
 *
 * An inbound message (a reply) is recorded once per provider message id, then handled: "C" confirms, "R" asks
 * for a call back to reschedule, "STOP" withdraws consent.
 */
const category = 'message';

export const MAX_MESSAGE_ATTEMPTS = 5;

/** A recipient: an E.164 number for SMS and WhatsApp, an address for email. */
const Recipient = z.union([E164, Email]);

const messageKey = { tenantId: TenantId, messageId: EntityId };
const UtcDateTime = IsoDateTime.transform((at) => new Date(at).toISOString());
export const MessageProvider = z.enum(['twilio', 'smtp', 'outbox']);
export type MessageProvider = z.infer<typeof MessageProvider>;

/**
 * Appointment messages have templates (MessagePurpose); billing notices and integration notices (a tenant's
 * email/SMS/WhatsApp notification connections) are the platform's own text, about no appointment or contact.
 */
export const OutboundPurpose = z.union([
  MessagePurpose,
  z.literal('billing_notice'),
  z.literal('integration_notice'),
]);
export type OutboundPurpose = z.infer<typeof OutboundPurpose>;

const OutboundMessage = z.object({
  channel: MessageChannel,
  to: Recipient,
  /** Our sender: a tenant number for SMS/WhatsApp; absent for email (the platform's address). */
  from: E164.optional(),
  purpose: OutboundPurpose,
  language: z.string().min(2).max(35),
  subject: z.string().trim().min(1).max(200).optional(),
  body: z.string().trim().min(1).max(1600),
  contactId: EntityId.optional(),
  appointmentId: EntityId.optional(),
  dueAt: UtcDateTime,
  /** Not worth sending after this (a reminder after the appointment started): it is then cancelled. */
  expiresAt: UtcDateTime.optional(),
});
export type OutboundMessage = z.infer<typeof OutboundMessage>;

const channelFitsRecipient = (m: { channel: string; to: string }) =>
  m.channel === 'email' ? !m.to.startsWith('+') : m.to.startsWith('+');

export const ScheduleMessage = defineCommand(
  category,
  'ScheduleMessage',
  z.object({ ...messageKey, ...OutboundMessage.shape }).refine(channelFitsRecipient, {
    message: 'an email goes to an address, an SMS or WhatsApp message to an E.164 number',
    path: ['to'],
  }),
  'Plan a message to be sent when it is due (at once if due now); scheduling the same id again does nothing.',
);
export const CancelMessage = defineCommand(
  category,
  'CancelMessage',
  z.object({ ...messageKey, reason: z.string().trim().min(1).max(200) }),
  'Do not send a planned message; a message already sent or given up stays as it is.',
);
export const StartMessageDelivery = defineCommand(
  category,
  'StartMessageDelivery',
  z.object({
    ...messageKey,
    attempt: z.number().int().min(1).max(MAX_MESSAGE_ATTEMPTS),
    /**
     * The provider account the attempt goes through (a Twilio AccountSid, not a secret): an interrupted attempt
     * is asked about at that account, and never sent again through another. Absent: the channel's only sender.
     */
    account: z.string().min(1).max(80).optional(),
  }),
  'Claim a due message for one delivery attempt, before handing it to the provider.',
);
export const RecordMessageSent = defineCommand(
  category,
  'RecordMessageSent',
  z.object({
    ...messageKey,
    attempt: z.number().int().min(1),
    provider: MessageProvider,
    providerMessageId: z.string().min(1).max(200),
  }),
  'Record that the provider accepted the message.',
);
export const RecordMessageFailure = defineCommand(
  category,
  'RecordMessageFailure',
  z.object({
    ...messageKey,
    attempt: z.number().int().min(1),
    error: z.string().min(1).max(500),
    /** The provider asked to wait (HTTP 429 Retry-After): not before this. */
    notBefore: UtcDateTime.optional(),
    /** The provider refused the message itself (a malformed or unreachable number): no retry is worth it. */
    permanent: z.boolean().optional(),
  }),
  'Record a failed attempt: the message is tried again later, or given up after the last attempt.',
);
export const RecordMessageStatus = defineCommand(
  category,
  'RecordMessageStatus',
  z.object({
    ...messageKey,
    status: z.enum(['delivered', 'undelivered', 'read']),
    detail: z.string().max(200).optional(),
  }),
  'Record what the provider reported about a sent message (its status callback).',
);
export const ReceiveMessage = defineCommand(
  category,
  'ReceiveMessage',
  z.object({
    ...messageKey,
    channel: MessageChannel,
    from: Recipient,
    to: Recipient,
    body: z.string().max(1600),
    provider: MessageProvider,
    providerMessageId: z.string().min(1).max(200),
  }),
  'Record a message a contact sent (a reply to a confirmation or reminder); the same message twice is kept once.',
);
export const ReplyIntent = z.enum(['confirm', 'reschedule', 'stop', 'start', 'unknown']);
export type ReplyIntent = z.infer<typeof ReplyIntent>;
export const RecordReplyHandling = defineCommand(
  category,
  'RecordReplyHandling',
  z.object({
    ...messageKey,
    intent: ReplyIntent,
    contactId: EntityId.optional(),
    appointmentId: EntityId.optional(),
    outcome: z.string().min(1).max(300),
  }),
  'Record what a received message was taken to mean and what was done about it.',
);

export const MessageScheduled = defineEvent(category, 'MessageScheduled', 1, OutboundMessage);
export const MessageCancelled = defineEvent(
  category,
  'MessageCancelled',
  1,
  z.object({ reason: z.string() }),
);
export const MessageDeliveryStarted = defineEvent(
  category,
  'MessageDeliveryStarted',
  1,
  z.object({ attempt: z.number().int(), account: z.string().optional() }),
);
export const MessageSent = defineEvent(
  category,
  'MessageSent',
  1,
  z.object({ attempt: z.number().int(), provider: MessageProvider, providerMessageId: z.string() }),
);
export const MessageDeliveryFailed = defineEvent(
  category,
  'MessageDeliveryFailed',
  1,
  z.object({ attempt: z.number().int(), error: z.string(), retryAt: IsoDateTime }),
);
export const MessageAbandoned = defineEvent(
  category,
  'MessageAbandoned',
  1,
  z.object({ attempt: z.number().int(), error: z.string() }),
);
export const MessageStatusChanged = defineEvent(
  category,
  'MessageStatusChanged',
  1,
  z.object({ status: z.enum(['delivered', 'undelivered', 'read']), detail: z.string().optional() }),
);
export const MessageReceived = defineEvent(
  category,
  'MessageReceived',
  1,
  z.object({
    channel: MessageChannel,
    from: z.string(),
    to: z.string(),
    body: z.string(),
    provider: MessageProvider,
    providerMessageId: z.string(),
  }),
);
export const MessageReplyHandled = defineEvent(
  category,
  'MessageReplyHandled',
  1,
  z.object({
    intent: ReplyIntent,
    contactId: EntityId.optional(),
    appointmentId: EntityId.optional(),
    outcome: z.string(),
  }),
);

export const messageCommands = [
  ScheduleMessage,
  CancelMessage,
  StartMessageDelivery,
  RecordMessageSent,
  RecordMessageFailure,
  RecordMessageStatus,
  ReceiveMessage,
  RecordReplyHandling,
] as const;
export const messageEvents = [
  MessageScheduled,
  MessageCancelled,
  MessageDeliveryStarted,
  MessageSent,
  MessageDeliveryFailed,
  MessageAbandoned,
  MessageStatusChanged,
  MessageReceived,
  MessageReplyHandled,
] as const;
