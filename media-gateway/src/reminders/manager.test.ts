import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEvent, SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import {
  appointmentMessageId,
  commandRoutes,
  createCommandHandler,
  createSqliteCheckpointStore,
  createSqliteEventStore,
  type CheckpointStore,
  type CommandHandler,
  type EventStore,
} from '@ccp/command-service';
import { startReminders, type Reminders } from './manager.js';
import { replyContactId } from './replies.js';

/* The reminders process manager on a real command handler and SQLite log, with a clock the test moves. */

const TENANT = 'acme';
const NY = 'America/New_York';
// Monday 2026-03-02 10:00 in New York.
const T0 = Date.parse('2026-03-02T15:00:00Z');
// Thursday 2026-03-05 15:00 in New York.
const START = '2026-03-05T20:00:00.000Z';
const PHONE = '+12125550147';
const CONTACT_ID_KEY = Buffer.alloc(32, 7);

let at = T0;
const now = () => new Date(at);
let dir: string;
let store: EventStore;
let checkpoints: CheckpointStore;
let handler: CommandHandler;
let running: Reminders | undefined;
const logged: string[] = [];

const send = (type: string, data: Record<string, unknown>) =>
  handler.handleTrusted(type, { tenantId: TENANT, ...data }, { actor: SYSTEM_ACTOR });

beforeEach(async () => {
  at = T0;
  dir = mkdtempSync(join(tmpdir(), 'reminders-'));
  store = createSqliteEventStore({ path: ':memory:' });
  checkpoints = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
  handler = createCommandHandler({ store, routes: commandRoutes, clock: now });
  await handler.handleTrusted(
    'CreateTenant',
    { tenantId: TENANT, name: 'Acme Dental', planTier: 'starter' },
    { actor: SYSTEM_ACTOR },
  );
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await checkpoints.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  logged.length = 0;
});

const start = async (
  overrides: {
    handler?: Pick<CommandHandler, 'handleTrusted'>;
    retryMs?: number;
    store?: EventStore;
    checkpoints?: CheckpointStore;
  } = {},
) => {
  running = await startReminders({
    store,
    checkpoints,
    handler,
    now,
    ...overrides,
    business: async () => ({ name: 'Acme Dental', senderNumber: '+15550100001' }),
    log: (m) => logged.push(m),
    contactIdKey: () => CONTACT_ID_KEY,
    pollMs: 10,
  });
  return running;
};

const events = async (): Promise<EventEnvelope[]> =>
  (await store.readAll()).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value] : [];
  });

const ofType = async (type: string) => (await events()).filter((e) => e.type === type);
const idOf = (event: EventEnvelope) => event.streamId.slice(event.streamId.indexOf('.') + 1);

const book = (appointmentId = 'apt-1', extra: Record<string, unknown> = {}) =>
  send('ScheduleAppointment', {
    appointmentId,
    customer: { name: 'Ana Ruiz', phone: PHONE },
    service: 'Cleaning',
    startsAt: START,
    durationMinutes: 30,
    timeZone: NY,
    ...extra,
  });

const settle = async () => {
  await running?.caughtUp();
};

describe('the reminders process manager', () => {
  it('plans a confirmation and two reminders when an appointment is booked, in the contact’s language', async () => {
    await send('CreateContact', {
      contactId: 'ana',
      name: 'Ana Ruiz',
      phones: [PHONE],
      emails: ['ana@example.com'],
      language: 'es',
      consent: [],
    });
    await start();
    await book('apt-1', { contactId: 'ana' });
    await settle();
    const scheduled = await ofType('MessageScheduled');
    expect(scheduled.map(idOf)).toEqual([
      'apt-apt-1-r0-confirmation-sms',
      'apt-apt-1-r0-reminder-1440-sms',
      'apt-apt-1-r0-reminder-120-sms',
    ]);
    expect(scheduled[0]?.data).toMatchObject({
      to: PHONE,
      from: '+15550100001',
      language: 'es',
      purpose: 'confirmation',
      contactId: 'ana',
      appointmentId: 'apt-1',
      expiresAt: START,
    });
    expect((scheduled[0]?.data as { body: string }).body).toContain('jueves, 5 de marzo');
    expect(running?.stats().noShowTimers).toBe(1);
  });

  it('cancels the old time’s messages when the appointment is moved, and plans the new time’s', async () => {
    await start();
    await book();
    await settle();
    await send('RescheduleAppointment', { appointmentId: 'apt-1', startsAt: '2026-03-06T20:00:00Z' });
    await settle();
    expect((await ofType('MessageCancelled')).map(idOf)).toEqual([
      'apt-apt-1-r0-confirmation-sms',
      'apt-apt-1-r0-reminder-1440-sms',
      'apt-apt-1-r0-reminder-120-sms',
    ]);
    const scheduled = (await ofType('MessageScheduled')).map(idOf);
    expect(scheduled.slice(3)).toEqual([
      'apt-apt-1-r1-rescheduled-sms',
      'apt-apt-1-r1-reminder-1440-sms',
      'apt-apt-1-r1-reminder-120-sms',
    ]);
  });

  it('cancels pending messages and sends a notice when the appointment is cancelled', async () => {
    await start();
    await book();
    await settle();
    await send('CancelAppointment', { appointmentId: 'apt-1', reason: 'customer called' });
    await settle();
    expect(await ofType('MessageCancelled')).toHaveLength(3);
    const notice = (await ofType('MessageScheduled')).at(-1);
    expect(notice && idOf(notice)).toBe('apt-apt-1-r0-cancellation-sms');
    expect(notice?.data).toMatchObject({ purpose: 'cancellation', to: PHONE });
    expect(running?.stats().noShowTimers).toBe(0);
  });

  it('confirms the appointment on a "C" reply and answers it', async () => {
    await start();
    await book();
    await settle();
    await send('ReceiveMessage', {
      messageId: 'in-1',
      channel: 'sms',
      from: PHONE,
      to: '+15550100001',
      body: 'c',
      provider: 'twilio',
      providerMessageId: 'SM1',
    });
    await settle();
    expect(await ofType('AppointmentConfirmed')).toHaveLength(1);
    const handled = await ofType('MessageReplyHandled');
    expect(handled[0]?.data).toMatchObject({ intent: 'confirm', appointmentId: 'apt-1' });
    const reply = (await ofType('MessageScheduled')).find((e) => idOf(e) === 'reply-in-1');
    expect(reply?.data).toMatchObject({
      purpose: 'reply',
      to: PHONE,
      from: '+15550100001',
      body: 'Thank you, your appointment is confirmed.',
    });
  });

  it('on STOP records the consent withdrawn and moves the pending reminders to email', async () => {
    await send('CreateContact', {
      contactId: 'ana',
      name: 'Ana Ruiz',
      phones: [PHONE],
      emails: ['ana@example.com'],
      consent: [],
    });
    await start();
    await book('apt-1', { contactId: 'ana' });
    await settle();
    // The confirmation went out (as the delivery worker records it); the reminders wait.
    const confirmation = { messageId: 'apt-apt-1-r0-confirmation-sms' };
    await send('StartMessageDelivery', { ...confirmation, attempt: 1 });
    await send('RecordMessageSent', {
      ...confirmation,
      attempt: 1,
      provider: 'outbox',
      providerMessageId: 'o-1',
    });
    await send('ReceiveMessage', {
      messageId: 'in-2',
      channel: 'sms',
      from: PHONE,
      to: '+15550100001',
      body: 'STOP',
      provider: 'twilio',
      providerMessageId: 'SM2',
    });
    await settle();
    const consent = await ofType('ConsentRecorded');
    expect(consent.map((e) => e.data)).toEqual([
      { channel: 'sms', granted: false, source: 'message_reply', evidenceId: 'in-2' },
    ]);
    // The reminders still to go move to email; the confirmation already sent is not sent again.
    expect((await ofType('MessageCancelled')).map(idOf)).toEqual([
      'apt-apt-1-r0-reminder-1440-sms',
      'apt-apt-1-r0-reminder-120-sms',
    ]);
    const scheduled = (await ofType('MessageScheduled')).map(idOf);
    expect(scheduled.slice(3)).toEqual([
      'reply-in-2',
      'apt-apt-1-r0-reminder-1440-email',
      'apt-apt-1-r0-reminder-120-email',
    ]);
    // A later booking goes by email only.
    await book('apt-2', { contactId: 'ana' });
    await settle();
    const later = (await ofType('MessageScheduled')).map(idOf).filter((id) => id.includes('apt-2'));
    expect(later.every((id) => id.endsWith('-email'))).toBe(true);
    expect(later).toHaveLength(3);
  });

  it('records a "BAJA" from a number no contact has on a contact made for it, and answers in Spanish', async () => {
    await start();
    await book();
    await settle();
    await send('ReceiveMessage', {
      messageId: 'in-5',
      channel: 'sms',
      from: PHONE,
      to: '+15550100001',
      body: 'Baja',
      provider: 'twilio',
      providerMessageId: 'SM5',
    });
    await settle();
    const created = await ofType('ContactCreated');
    expect(created.map(idOf)).toEqual([replyContactId(CONTACT_ID_KEY, TENANT, PHONE)]);
    expect(idOf(created[0] as EventEnvelope)).not.toContain('2125550147');
    expect(created[0]?.data).toMatchObject({ name: 'Ana Ruiz', phones: [PHONE] });
    expect((await ofType('ConsentRecorded'))[0]?.data).toMatchObject({ channel: 'sms', granted: false });
    const reply = (await ofType('MessageScheduled')).find((e) => idOf(e) === 'reply-in-5');
    expect(reply?.data).toMatchObject({ language: 'es' });
    expect((reply?.data as { body: string }).body).toContain('No recibirá más mensajes');
    // The appointment's reminders, pending on SMS, have nowhere else to go (no email): cancelled.
    expect((await ofType('MessageCancelled')).map(idOf)).toEqual([
      'apt-apt-1-r0-confirmation-sms',
      'apt-apt-1-r0-reminder-1440-sms',
      'apt-apt-1-r0-reminder-120-sms',
    ]);
  });

  it('opens a ticket for an "R" reply to an appointment not booked on a call', async () => {
    await start();
    await book();
    await settle();
    await send('ReceiveMessage', {
      messageId: 'in-3',
      channel: 'sms',
      from: PHONE,
      to: '+15550100001',
      body: 'reprogramar',
      provider: 'twilio',
      providerMessageId: 'SM3',
    });
    await settle();
    const opened = await ofType('TicketOpened');
    expect(opened.map(idOf)).toEqual(['reply-in-3']);
    expect((await ofType('MessageReplyHandled'))[0]?.data).toMatchObject({
      intent: 'reschedule',
      outcome: 'ticket reply-in-3 opened',
    });
  });

  it('asks the agent who booked on a call to call back on an "R" reply, through the callbacks campaign', async () => {
    await send('StartCall', {
      callId: 'CA1',
      direction: 'inbound',
      from: PHONE,
      to: '+15550100001',
      provider: 'twilio',
      agentId: 'sofia',
    });
    await start();
    await book('apt-1', { callId: 'CA1', agentId: 'sofia' });
    await settle();
    await send('ReceiveMessage', {
      messageId: 'in-4',
      channel: 'sms',
      from: PHONE,
      to: '+15550100001',
      body: 'R',
      provider: 'twilio',
      providerMessageId: 'SM4',
    });
    await settle();
    const dials = await ofType('CallbackDialScheduled');
    expect(dials).toHaveLength(1);
    expect(dials[0]?.data).toMatchObject({
      kind: 'callback',
      lead: { leadId: 'rs-in-4', phone: PHONE, agentId: 'sofia' },
    });
    expect(await ofType('TicketOpened')).toEqual([]);
    expect((await ofType('MessageReplyHandled'))[0]?.data).toMatchObject({
      intent: 'reschedule',
      outcome: 'callback rs-in-4 scheduled',
    });
  });

  it('marks a no-show after the grace period, but not an appointment completed meanwhile', async () => {
    await start();
    await book('apt-1');
    await book('apt-2');
    await settle();
    at = Date.parse(START) + 10 * 60_000;
    await send('ConfirmAppointment', { appointmentId: 'apt-2' });
    await send('CompleteAppointment', { appointmentId: 'apt-2' });
    await settle();
    // The grace runs from the end (30 minutes after the start), not from the start.
    at = Date.parse(START) + 89 * 60_000;
    running?.poke();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await ofType('AppointmentNoShow')).toEqual([]);
    at = Date.parse(START) + 91 * 60_000;
    running?.poke();
    await expect
      .poll(async () => (await ofType('AppointmentNoShow')).map(idOf), { timeout: 5000 })
      .toEqual(['apt-1']);
    expect(running?.stats().noShowTimers).toBe(0);
  });

  it('on its first start marks no appointment that was over before it, and later ones as ever', async () => {
    await book('apt-old');
    at = Date.parse(START) + 3 * 60 * 60_000;
    await book('apt-new', { startsAt: '2026-03-06T20:00:00.000Z' });
    await start();
    expect(running?.stats().noShowTimers).toBe(1);
    await running?.stop();
    // Restarted a day later: still not the old one, which was over before the first start.
    at = Date.parse('2026-03-06T22:00:00.000Z');
    await start();
    await settle();
    running?.poke();
    await expect
      .poll(async () => (await ofType('AppointmentNoShow')).map(idOf), { timeout: 5000 })
      .toEqual(['apt-new']);
  });

  it('schedules nothing twice after a restart, even replaying from an older checkpoint', async () => {
    await start();
    await book();
    await settle();
    await running?.stop();
    running = undefined;
    // Back to where it started: every event is handled again.
    await checkpoints.save('appointment-reminders', 1);
    await start();
    await settle();
    expect(await ofType('MessageScheduled')).toHaveLength(3);
    await send('RescheduleAppointment', { appointmentId: 'apt-1', startsAt: '2026-03-06T20:00:00Z' });
    await settle();
    expect(await ofType('MessageScheduled')).toHaveLength(6);
    expect(await ofType('MessageCancelled')).toHaveLength(3);
  });
});

describe('the reminders process manager behind the log', () => {
  // The manager has handled nothing after the tenant was created: what follows is written before it reacts.
  const behind = () => checkpoints.save('appointment-reminders', 1);
  const pendingIds = async () => {
    const closed = new Set(
      (await events())
        .filter((e) => e.type === 'MessageCancelled' || e.type === 'MessageSent')
        .map((e) => e.streamId),
    );
    return (await ofType('MessageScheduled')).filter((e) => !closed.has(e.streamId)).map(idOf);
  };

  it('cancels the old time’s messages planned after the move was already written', async () => {
    await behind();
    await book();
    await send('RescheduleAppointment', { appointmentId: 'apt-1', startsAt: '2026-03-06T20:00:00Z' });
    await start();
    await settle();
    expect(await pendingIds()).toEqual([
      'apt-apt-1-r1-rescheduled-sms',
      'apt-apt-1-r1-reminder-1440-sms',
      'apt-apt-1-r1-reminder-120-sms',
    ]);
  });

  it('tells the revision of a message whose id was hashed for its length', async () => {
    const long = `apt-${'x'.repeat(70)}`;
    await behind();
    await book(long);
    await send('RescheduleAppointment', { appointmentId: long, startsAt: '2026-03-06T20:00:00Z' });
    await start();
    await settle();
    expect(await pendingIds()).toEqual([
      appointmentMessageId(long, 1, 'rescheduled', 'sms'),
      appointmentMessageId(long, 1, 'reminder', 'sms', 1440),
      appointmentMessageId(long, 1, 'reminder', 'sms', 120),
    ]);
    expect(await pendingIds()).not.toContain(appointmentMessageId(long, 0, 'reminder', 'sms', 120));
  });

  it('cancels the reminders of an appointment cancelled before they were planned, keeping the notice', async () => {
    await behind();
    await book();
    await send('CancelAppointment', { appointmentId: 'apt-1', reason: 'customer called' });
    await start();
    await settle();
    expect(await pendingIds()).toEqual(['apt-apt-1-r0-cancellation-sms']);
  });

  it('moves to email the SMS planned after a STOP was already recorded', async () => {
    await send('CreateContact', {
      contactId: 'ana',
      name: 'Ana Ruiz',
      phones: [PHONE],
      emails: ['ana@example.com'],
      consent: [],
    });
    await behind();
    await book('apt-1', { contactId: 'ana' });
    await send('RecordConsent', {
      contactId: 'ana',
      channel: 'sms',
      granted: false,
      source: 'message_reply',
      evidenceId: 'in-9',
    });
    await start();
    await settle();
    expect(await pendingIds()).toEqual([
      'apt-apt-1-r0-confirmation-email',
      'apt-apt-1-r0-reminder-1440-email',
      'apt-apt-1-r0-reminder-120-email',
    ]);
  });
});

describe('the reminders process manager when commands fail', () => {
  /** The real handler, failing the first `failures` commands of a type as a store that is down would. */
  const failing = (type: string, failures = Number.POSITIVE_INFINITY) => {
    let left = failures;
    return {
      handleTrusted: (t: string, data: unknown, context: Parameters<CommandHandler['handleTrusted']>[2]) => {
        if (t === type && left > 0) {
          left -= 1;
          return Promise.reject(new Error('the store is unavailable'));
        }
        return handler.handleTrusted(t, data, context);
      },
    } as Pick<CommandHandler, 'handleTrusted'>;
  };

  it('keeps trying a reaction that fails until it is done, however many times it fails', async () => {
    await start({ handler: failing('ScheduleMessage', 6), retryMs: 5 });
    await book();
    await settle();
    expect((await ofType('MessageScheduled')).map(idOf)).toEqual([
      'apt-apt-1-r0-confirmation-sms',
      'apt-apt-1-r0-reminder-1440-sms',
      'apt-apt-1-r0-reminder-120-sms',
    ]);
    expect(logged.filter((m) => m.includes('failed'))).toHaveLength(3);
  });

  it('takes a final refusal (the ticket with the derived id exists) as done', async () => {
    await send('OpenTicket', {
      ticketId: 'reply-in-3',
      subject: 'Reschedule request',
      description: 'opened before a crash',
      priority: 'normal',
      category: 'appointments',
      customer: { name: 'Ana Ruiz', phone: PHONE },
    });
    await start({ retryMs: 5 });
    await book();
    await send('ReceiveMessage', {
      messageId: 'in-3',
      channel: 'sms',
      from: PHONE,
      to: '+15550100001',
      body: 'R',
      provider: 'twilio',
      providerMessageId: 'SM3',
    });
    await settle();
    expect((await ofType('MessageReplyHandled'))[0]?.data).toMatchObject({ intent: 'reschedule' });
    expect(logged.some((m) => m.includes('TICKET_EXISTS'))).toBe(true);
  });

  it('keeps the checkpoint before a reaction still failing when stopped, and does it at the next start', async () => {
    const before = (await store.readAll()).at(-1)?.position;
    await start({ handler: failing('ScheduleMessage'), retryMs: 5 });
    await book();
    await expect.poll(() => logged.filter((m) => m.includes('failed')).length).toBeGreaterThan(2);
    await running?.stop();
    running = undefined;
    expect(await checkpoints.load('appointment-reminders')).toBe(before);
    expect(await ofType('MessageScheduled')).toEqual([]);
    await start();
    await settle();
    expect(await ofType('MessageScheduled')).toHaveLength(3);
  });
});

describe('the reminders process manager after a crash', () => {
  it('records a STOP handled halfway (its contact made, its consent not) when the reply is handled again', async () => {
    const downForConsent = {
      handleTrusted: (t: string, data: unknown, context: Parameters<CommandHandler['handleTrusted']>[2]) =>
        t === 'RecordConsent'
          ? Promise.reject(new Error('the store is unavailable'))
          : handler.handleTrusted(t, data, context),
    } as Pick<CommandHandler, 'handleTrusted'>;
    await start({ handler: downForConsent, retryMs: 5 });
    await book();
    await send('ReceiveMessage', {
      messageId: 'in-6',
      channel: 'sms',
      from: PHONE,
      to: '+15550100001',
      body: 'STOP',
      provider: 'twilio',
      providerMessageId: 'SM6',
    });
    await expect.poll(async () => (await ofType('ContactCreated')).length).toBe(1);
    await running?.stop();
    running = undefined;
    await start();
    await settle();
    expect((await ofType('ConsentRecorded')).map((e) => e.data)).toEqual([
      { channel: 'sms', granted: false, source: 'message_reply', evidenceId: 'in-6' },
    ]);
    expect((await ofType('MessageReplyHandled'))[0]?.data).toMatchObject({
      intent: 'stop',
      outcome: 'consent for sms withdrawn',
    });
  });
});

describe('the id of a contact made from a reply', () => {
  it('is the same for the same number, and neither shows the number nor can be made without the key', () => {
    const id = replyContactId(CONTACT_ID_KEY, TENANT, PHONE);
    expect(id).toMatch(/^c-[0-9a-f]{24}$/);
    expect(replyContactId(CONTACT_ID_KEY, TENANT, PHONE)).toBe(id);
    expect(replyContactId(Buffer.alloc(32, 8), TENANT, PHONE)).not.toBe(id);
    expect(replyContactId(CONTACT_ID_KEY, 'other', PHONE)).not.toBe(id);
    expect(replyContactId(CONTACT_ID_KEY, TENANT, 'Ana@Example.com')).toBe(
      replyContactId(CONTACT_ID_KEY, TENANT, 'ana@example.com'),
    );
  });
});

describe('the reminders process manager when the log or its checkpoints fail', () => {
  it('goes on after a checkpoint could not be saved', async () => {
    let failSaves = 0;
    const flaky: CheckpointStore = {
      load: (name) => checkpoints.load(name),
      save: (name, position) =>
        failSaves-- > 0 ? Promise.reject(new Error('disk full')) : checkpoints.save(name, position),
      close: () => checkpoints.close(),
    };
    await start({ checkpoints: flaky, retryMs: 5 });
    failSaves = 1;
    await book();
    await expect.poll(async () => (await ofType('MessageScheduled')).length).toBe(3);
    await send('RescheduleAppointment', { appointmentId: 'apt-1', startsAt: '2026-03-06T20:00:00Z' });
    await settle();
    expect((await ofType('MessageScheduled')).map(idOf).slice(3)).toEqual([
      'apt-apt-1-r1-rescheduled-sms',
      'apt-apt-1-r1-reminder-1440-sms',
      'apt-apt-1-r1-reminder-120-sms',
    ]);
    expect(logged.some((m) => m.includes('disk full'))).toBe(true);
    expect(await checkpoints.load('appointment-reminders')).toBe(running?.stats().position);
  });

  it('subscribes again, from the last event handled, when the subscription fails', async () => {
    let broken = 1;
    const flaky: EventStore = {
      ...store,
      append: (...args) => store.append(...args),
      readStream: (...args) => store.readStream(...args),
      readAll: (...args) => store.readAll(...args),
      close: () => store.close(),
      subscribe: (options) => {
        if (broken-- <= 0) return store.subscribe(options);
        return {
          close: () => Promise.resolve(),
          [Symbol.asyncIterator]: () => ({
            next: () => Promise.reject(new Error('connection lost')),
          }),
        };
      },
    };
    await start({ store: flaky, retryMs: 5 });
    await book();
    await settle();
    expect(await ofType('MessageScheduled')).toHaveLength(3);
    expect(logged.some((m) => m.includes('connection lost'))).toBe(true);
    await running?.stop();
    running = undefined;
  });
});

describe('automatic answers', () => {
  const receive = (messageId: string, body: string) =>
    send('ReceiveMessage', {
      messageId,
      channel: 'sms',
      from: PHONE,
      to: '+15550100001',
      body,
      provider: 'twilio',
      providerMessageId: `SM-${messageId}`,
    });
  const answered = async () =>
    (await ofType('MessageScheduled')).filter((e) => idOf(e).startsWith('reply-')).map(idOf);

  it('answers a message it does not understand once a day per sender, and every confirmation', async () => {
    await start();
    await book();
    await receive('in-a', 'hello?');
    await settle();
    at += 60 * 60_000;
    await receive('in-b', 'auto-reply: I am out of office');
    await receive('in-c', 'C');
    await settle();
    expect(await answered()).toEqual(['reply-in-a', 'reply-in-c']);
    expect((await ofType('MessageReplyHandled')).map((e) => e.data)).toEqual([
      expect.objectContaining({ intent: 'unknown', outcome: 'not understood; nothing done' }),
      expect.objectContaining({
        intent: 'unknown',
        outcome: 'not understood; not answered (answered once in the last 24 hours)',
      }),
      expect.objectContaining({ intent: 'confirm' }),
    ]);
    // After a restart (the view folded again) and less than a day: still not; after a day: once more.
    await running?.stop();
    await start();
    await receive('in-d', 'hello?');
    await settle();
    expect(await answered()).toEqual(['reply-in-a', 'reply-in-c']);
    at += 24 * 60 * 60_000;
    await receive('in-e', 'hello?');
    await settle();
    expect(await answered()).toEqual(['reply-in-a', 'reply-in-c', 'reply-in-e']);
  });
});
