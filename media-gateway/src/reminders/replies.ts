import { createHmac } from 'node:crypto';
import {
  decodeEvent,
  E164,
  type CallEvent,
  type EventOf,
  type MessageChannel,
  type messageEvents,
  type ReplyIntent,
} from '@ccp/schemas';
import {
  derivedMessageId,
  replyIntentOf,
  replyLanguageOf,
  replyText,
  type ReplyAnswer,
} from '@ccp/command-service';
import type { EventStore } from '@ccp/command-service';
import { callbackDial } from '../dialer/callbacks.js';
import type { Send } from './commands.js';
import type { AppointmentEntry, ContactEntry, RemindersView } from './view.js';

type Received = Extract<EventOf<(typeof messageEvents)[number]>, { type: 'MessageReceived' }>['data'];

export interface ReplyDependencies {
  readonly view: RemindersView;
  readonly store: Pick<EventStore, 'readStream'>;
  readonly send: Send;
  readonly now: () => Date;
  /** The tenant's secret key for the ids of contacts made from a reply (replyContactId). */
  readonly contactIdKey: (tenantId: string) => Buffer;
}

/**
 * The id of a contact made for a number or address that wrote in: the same on every call (a second STOP finds
 * the same contact), and keyed, so the id (in stream names, read-side columns and URLs, where erasure cannot
 * reach) does not give the number away; a plain hash would, since phone numbers are few enough to try them all.
 */
export const replyContactId = (key: Buffer, tenantId: string, address: string): string => {
  const normalized = address.includes('@') ? address.toLowerCase() : address;
  return `c-${createHmac('sha256', key).update(`${tenantId}/${normalized}`).digest('hex').slice(0, 24)}`;
};

/** The appointment a reply is about: the contact's (or this number's) next one still open. */
const nextAppointment = (
  deps: ReplyDependencies,
  tenantId: string,
  contact: ContactEntry | undefined,
  from: string,
): AppointmentEntry | undefined => {
  const now = deps.now().getTime();
  return deps.view
    .appointmentsOf(tenantId, contact?.contactId, from)
    .filter((a) => Date.parse(a.startsAt) + a.durationMinutes * 60_000 > now)
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))[0];
};

const startedOf = async (store: Pick<EventStore, 'readStream'>, tenantId: string, callId: string) => {
  const [first] = await store.readStream(`call-${tenantId}.${callId}`, { maxCount: 1 });
  const decoded = first && decodeEvent(first);
  const event = decoded?.ok ? (decoded.value as unknown as CallEvent) : undefined;
  return event?.type === 'CallStarted' ? event.data : undefined;
};

/**
 * A request to move the appointment: a call back by the agent who booked it, from the number the customer
 * called (the callbacks campaign), when it was booked on a call; otherwise a ticket for the staff.
 */
const requestReschedule = async (
  deps: ReplyDependencies,
  tenantId: string,
  messageId: string,
  appointment: AppointmentEntry,
  from: string,
): Promise<string> => {
  const reason = `asked by message to reschedule appointment ${appointment.appointmentId}`;
  if (appointment.callId !== undefined) {
    const started = await startedOf(deps.store, tenantId, appointment.callId);
    const dial =
      started &&
      callbackDial(
        tenantId,
        appointment.callId,
        {
          kind: 'callback',
          callbackId: derivedMessageId(`rs-${messageId}`),
          at: deps.now().toISOString(),
          reason,
          ...(E164.safeParse(from).success && { number: from }),
        },
        started,
      );
    if (dial && 'command' in dial) {
      const answer = await deps.send('ScheduleCallbackDial', dial.command, appointment.appointmentId);
      if (answer === 'done') return `callback ${String(dial.command.callbackId)} scheduled`;
    }
  }
  const ticketId = derivedMessageId(`reply-${messageId}`);
  const { name, phone, email } = appointment.customer;
  await deps.send(
    'OpenTicket',
    {
      tenantId,
      ticketId,
      subject: `Reschedule request: ${appointment.service}`,
      description: `The customer replied to a message and ${reason} (starting ${appointment.startsAt}). Call them back to agree another time.`,
      priority: 'normal',
      category: 'appointments',
      customer: { name, ...(phone !== undefined && { phone }), ...(email !== undefined && { email }) },
      ...(appointment.callId !== undefined && { callId: appointment.callId }),
    },
    appointment.appointmentId,
  );
  return `ticket ${ticketId} opened`;
};

/** The contact a STOP or START is recorded on: the one known by this address, else one made for it. */
const contactFor = async (
  deps: ReplyDependencies,
  tenantId: string,
  contact: ContactEntry | undefined,
  appointment: AppointmentEntry | undefined,
  from: string,
): Promise<string | undefined> => {
  if (contact) return contact.contactId;
  const isPhone = from.startsWith('+');
  const contactId = replyContactId(deps.contactIdKey(tenantId), tenantId, from);
  const created = await deps.send(
    'CreateContact',
    {
      tenantId,
      contactId,
      name: appointment?.customer.name ?? from,
      phones: isPhone ? [from] : [],
      emails: isPhone ? [] : [from],
      ...(appointment?.language !== undefined && { language: appointment.language }),
    },
    contactId,
    // Made before a crash that came before the consent was recorded: handled again, it is the same contact.
    ['CONTACT_EXISTS'],
  );
  return created === 'done' ? contactId : undefined;
};

const act = async (
  deps: ReplyDependencies,
  tenantId: string,
  messageId: string,
  intent: ReplyIntent,
  received: Received,
  contact: ContactEntry | undefined,
  appointment: AppointmentEntry | undefined,
): Promise<{ answer: ReplyAnswer; outcome: string; contactId?: string }> => {
  const consentChannel: MessageChannel = received.channel;
  switch (intent) {
    case 'confirm': {
      if (!appointment) return { answer: 'no_appointment', outcome: 'no open appointment to confirm' };
      const { appointmentId } = appointment;
      const answer = await deps.send('ConfirmAppointment', { tenantId, appointmentId }, appointmentId);
      return answer === 'done'
        ? { answer: 'confirmed', outcome: `appointment ${appointmentId} confirmed` }
        : { answer: 'no_appointment', outcome: `appointment ${appointmentId} could not be confirmed` };
    }
    case 'reschedule': {
      if (!appointment) return { answer: 'no_appointment', outcome: 'no open appointment to reschedule' };
      const outcome = await requestReschedule(deps, tenantId, messageId, appointment, received.from);
      return { answer: 'reschedule_requested', outcome };
    }
    case 'stop':
    case 'start': {
      const granted = intent === 'start';
      const contactId = await contactFor(deps, tenantId, contact, appointment, received.from);
      const recorded =
        contactId === undefined
          ? 'refused'
          : await deps.send(
              'RecordConsent',
              {
                tenantId,
                contactId,
                channel: consentChannel,
                granted,
                source: 'message_reply',
                evidenceId: messageId,
              },
              contactId,
            );
      if (recorded !== 'done') {
        return { answer: 'failed', outcome: `consent for ${consentChannel} could not be recorded` };
      }
      return {
        answer: granted ? 'started' : 'stopped',
        outcome: `consent for ${consentChannel} ${granted ? 'given' : 'withdrawn'}`,
        contactId,
      };
    }
    case 'unknown':
      return { answer: 'not_understood', outcome: 'not understood; nothing done' };
  }
};

/** A sender whose messages are not understood gets at most one answer in this time. */
const NOT_UNDERSTOOD_ANSWER_EVERY_MS = 24 * 60 * 60_000;
const NOT_ANSWERED = 'not understood; not answered (answered once in the last 24 hours)';

const answeredLately = (deps: ReplyDependencies, tenantId: string, from: string): boolean => {
  const at = deps.view.notUnderstoodAnsweredAt(tenantId, from);
  return at !== undefined && deps.now().getTime() - Date.parse(at) < NOT_UNDERSTOOD_ANSWER_EVERY_MS;
};

const recordHandling = (
  deps: ReplyDependencies,
  tenantId: string,
  messageId: string,
  intent: ReplyIntent,
  contactId: string | undefined,
  appointment: AppointmentEntry | undefined,
  outcome: string,
) =>
  deps.send(
    'RecordReplyHandling',
    {
      tenantId,
      messageId,
      intent,
      ...(contactId !== undefined && { contactId }),
      ...(appointment !== undefined && { appointmentId: appointment.appointmentId }),
      outcome,
    },
    messageId,
  );

/**
 * A reply a contact sent: what it asks (replyIntentOf), done on their next open appointment or their consent,
 * answered with a short message in their language, and recorded with RecordReplyHandling last, so a reply
 * handled halfway before a crash is handled again (every step is idempotent by its derived id) and one
 * recorded is never handled twice. A message not understood is answered at most once a day per sender.
 */
export const handleReply = async (
  deps: ReplyDependencies,
  tenantId: string,
  messageId: string,
  received: Received,
): Promise<void> => {
  if (deps.view.replyHandled(tenantId, messageId)) return;
  const intent = replyIntentOf(received.body);
  const contact = deps.view.contactByAddress(tenantId, received.from);
  const appointment = nextAppointment(deps, tenantId, contact, received.from);
  const result = await act(deps, tenantId, messageId, intent, received, contact, appointment);
  const contactId = result.contactId ?? contact?.contactId;
  if (intent === 'unknown' && answeredLately(deps, tenantId, received.from)) {
    // Another automatic responder would answer our answer, and so on for ever: once a day is enough.
    await recordHandling(deps, tenantId, messageId, intent, contactId, appointment, NOT_ANSWERED);
    return;
  }
  const language = contact?.language ?? appointment?.language ?? replyLanguageOf(received.body) ?? 'en';
  const reply = replyText(result.answer, language);
  const ours = E164.safeParse(received.to);
  await deps.send(
    'ScheduleMessage',
    {
      tenantId,
      messageId: derivedMessageId(`reply-${messageId}`),
      channel: received.channel,
      to: received.from,
      ...(received.channel !== 'email' && ours.success && { from: ours.data }),
      purpose: 'reply',
      language: reply.language,
      ...(received.channel === 'email' && { subject: 'Re: your appointment' }),
      body: reply.text,
      ...(contactId !== undefined && { contactId }),
      ...(appointment !== undefined && { appointmentId: appointment.appointmentId }),
      dueAt: deps.now().toISOString(),
    },
    messageId,
  );
  await recordHandling(deps, tenantId, messageId, intent, contactId, appointment, result.outcome);
};
