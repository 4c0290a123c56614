import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_NUMBER, DEMO_TENANT, seedDemo } from '@ccp/infra';
import { decodeEvent, SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import { createCommandHandler, type CommandHandler } from '@ccp/command-service';
import { mediaGatewayModule, type MediaGatewayModule } from '@ccp/media-gateway';
import {
  sendSignedRequest,
  startLocalCarrier,
  twilioSid,
  type LocalCarrier,
} from '@ccp/media-gateway/simulator';
import { nextMondayInNewYork } from '../support/gateway.js';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

/*
 * Confirmations, reminders, no-shows and replies through the whole platform: appointments booked through the
 * command handler, their messages planned by the reminders process manager and sent by the messaging worker
 * through the Twilio stand-in (the local carrier) or the embedded outbox, replies posted as Twilio's signed
 * incoming-message webhook. The reminders' and the messages' clock is one the test moves; bookings are
 * decided on real time, so every appointment is in the real future (next Monday or later).
 */

const NY = 'America/New_York';
// Monday 09:00 in New York: its 2 h reminder (07:00) falls in the default quiet hours (21:00-08:00).
const START = nextMondayInNewYork(9);
const S = START.getTime();
const HOUR = 3_600_000;
let at = S - 2 * 24 * HOUR + 5 * HOUR; // Saturday 14:00 in New York
const clock = () => new Date(at);

const ANA = '+15557710001';
const BOB = '+15557710002';
const CARL = '+15557710003';
const DAN = '+15557710004';

const accountSid = twilioSid('AC');
const authToken = 'reminders-auth-token-0123456789abcdef';
let carrier: LocalCarrier;
let smtp: SMTPServer;
const mails: ParsedMail[] = [];
let dataDir: string;
let test: TestPlatform;
let gateway: MediaGatewayModule;
/** Decides on the test's clock (completing an appointment needs its start to have passed). */
let shifted: CommandHandler;

const start = async () => {
  let module: MediaGatewayModule | undefined;
  test = await startTestPlatform(dataDir, {
    env: {
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_API_URL: carrier.url,
      SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    },
    modules: (config) => {
      module = mediaGatewayModule(config.mediaGateway, {
        messaging: { clock, pollMs: 20 },
        reminders: { clock, pollMs: 20 },
      });
      return [module];
    },
  });
  await seedDemo(test.platform, 'demo-password-1');
  if (!module) throw new Error('the media gateway did not start');
  gateway = module;
  shifted = createCommandHandler({
    store: test.platform.store,
    routes: [...test.platform.handler.routes.values()],
    clock,
  });
};

const send = (type: string, data: Record<string, unknown>) =>
  test.platform.handler.handleTrusted(type, { tenantId: DEMO_TENANT, ...data }, { actor: SYSTEM_ACTOR });

const events = async (): Promise<EventEnvelope[]> =>
  (await test.platform.store.readAll()).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok && decoded.value.tenantId === DEMO_TENANT ? [decoded.value] : [];
  });
const idOf = (event: EventEnvelope) => event.streamId.slice(event.streamId.indexOf('.') + 1);
const scheduledFor = async (appointmentId: string) =>
  (await events()).filter(
    (e) =>
      e.type === 'MessageScheduled' && (e.data as { appointmentId?: string }).appointmentId === appointmentId,
  );
const typesOfStream = async (streamId: string) =>
  (await events()).filter((e) => e.streamId === streamId).map((e) => e.type);
const smsTo = (number: string) => carrier.messages.sent.filter((m) => m.to === number);

/** Moves the clock and lets the timers see it. */
const moveTo = async (instant: number) => {
  at = instant;
  gateway.reminders()?.poke();
  await gateway.reminders()?.caughtUp();
};

const book = (appointmentId: string, phone: string, contactId: string, startsAt = START) =>
  send('ScheduleAppointment', {
    appointmentId,
    customer: { name: `Patient ${contactId}`, phone },
    service: 'Cleaning',
    startsAt: startsAt.toISOString(),
    durationMinutes: 30,
    timeZone: NY,
    contactId,
  });

const reply = (from: string, body: string) => {
  const sid = twilioSid('SM');
  return sendSignedRequest({
    url: `${test.url}/twilio/message`,
    params: { AccountSid: accountSid, MessageSid: sid, SmsSid: sid, From: from, To: DEMO_NUMBER, Body: body },
    authToken,
  }).then((answer) => ({ answer, messageId: `in-${sid}` }));
};

beforeAll(async () => {
  carrier = await startLocalCarrier({ accountSid, authToken });
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData: (stream, _session, callback) => {
      simpleParser(stream).then((mail) => {
        mails.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  dataDir = mkdtempSync(join(tmpdir(), 'ccp-reminders-'));
  await start();
  await send('ConfigureSchedule', {
    confirmations: true,
    reminderOffsetsMinutes: [1440, 120],
    channels: ['sms', 'email'],
    quietHours: { from: '21:00', until: '08:00' },
    noShowGraceMinutes: 60,
    templates: [],
  });
  const contact = (contactId: string, phone: string, extra: Record<string, unknown> = {}) =>
    send('CreateContact', {
      contactId,
      name: `Patient ${contactId}`,
      phones: [phone],
      timeZone: NY,
      ...extra,
    });
  await contact('ana', ANA, { language: 'es', emails: ['ana@example.com'] });
  await contact('bob', BOB);
  await contact('carl', CARL);
  await contact('dan', DAN);
});
afterAll(async () => {
  await test?.stop();
  await carrier?.stop();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('appointment confirmations, reminders, no-shows and replies', () => {
  it('confirms a booking by SMS in the contact’s language', async () => {
    await book('e2e-ana', ANA, 'ana');
    await vi.waitFor(() => expect(smsTo(ANA)).toHaveLength(1), { timeout: 15_000 });
    const [sms] = smsTo(ANA);
    expect(sms?.from).toBe(DEMO_NUMBER);
    expect(sms?.body).toContain('Responda C para confirmar');
    expect(sms?.body).toContain('lunes');
    expect((await scheduledFor('e2e-ana')).map(idOf)).toEqual([
      'apt-e2e-ana-r0-confirmation-sms',
      'apt-e2e-ana-r0-reminder-1440-sms',
      'apt-e2e-ana-r0-reminder-120-sms',
    ]);
  });

  it('cancels and plans again when an appointment is moved, and sends a notice when it is cancelled', async () => {
    await book('e2e-bob', BOB, 'bob');
    await vi.waitFor(() => expect(smsTo(BOB)).toHaveLength(1), { timeout: 15_000 });
    await send('RescheduleAppointment', {
      appointmentId: 'e2e-bob',
      startsAt: new Date(S + 24 * HOUR + 2 * HOUR).toISOString(),
    });
    await vi.waitFor(() => expect(smsTo(BOB)).toHaveLength(2), { timeout: 15_000 });
    expect(smsTo(BOB)[1]?.body).toContain('rescheduled to Tuesday');
    const r0 = ['reminder-1440', 'reminder-120'].map((m) => `message-${DEMO_TENANT}.apt-e2e-bob-r0-${m}-sms`);
    for (const stream of r0)
      expect(await typesOfStream(stream)).toEqual(['MessageScheduled', 'MessageCancelled']);
    expect((await scheduledFor('e2e-bob')).map(idOf).slice(3)).toEqual([
      'apt-e2e-bob-r1-rescheduled-sms',
      'apt-e2e-bob-r1-reminder-1440-sms',
      'apt-e2e-bob-r1-reminder-120-sms',
    ]);
    await send('CancelAppointment', { appointmentId: 'e2e-bob', reason: 'the patient called' });
    await vi.waitFor(() => expect(smsTo(BOB)).toHaveLength(3), { timeout: 15_000 });
    expect(smsTo(BOB)[2]?.body).toContain('was cancelled');
  });

  it('confirms the appointment when the contact replies "C", and answers in their language', async () => {
    const { answer, messageId } = await reply(ANA, 'C');
    expect(answer.status).toBe(200);
    await vi.waitFor(
      async () =>
        expect(await typesOfStream(`appointment-${DEMO_TENANT}.e2e-ana`)).toContain('AppointmentConfirmed'),
      { timeout: 15_000 },
    );
    await vi.waitFor(() => expect(smsTo(ANA)).toHaveLength(2), { timeout: 15_000 });
    expect(smsTo(ANA)[1]?.body).toBe('Gracias, su cita está confirmada.');
    const handled = (await events()).find((e) => e.type === 'MessageReplyHandled' && idOf(e) === messageId);
    expect(handled?.data).toMatchObject({ intent: 'confirm', contactId: 'ana', appointmentId: 'e2e-ana' });
  });

  it('records consent withdrawn on "STOP", and later messages skip SMS', async () => {
    const { messageId } = await reply(ANA, 'stop');
    await vi.waitFor(
      async () => {
        const consent = (await events()).filter((e) => e.type === 'ConsentRecorded' && idOf(e) === 'ana');
        expect(consent.map((e) => e.data)).toEqual([
          { channel: 'sms', granted: false, source: 'message_reply', evidenceId: messageId },
        ]);
      },
      { timeout: 15_000 },
    );
    await book('e2e-ana-2', ANA, 'ana', new Date(S + 24 * HOUR));
    await vi.waitFor(async () => expect(await scheduledFor('e2e-ana-2')).toHaveLength(3), {
      timeout: 15_000,
    });
    expect((await scheduledFor('e2e-ana-2')).map((e) => (e.data as { channel: string }).channel)).toEqual([
      'email',
      'email',
      'email',
    ]);
    // The first appointment's reminders moved to email too; the opt-out was answered once, on SMS.
    expect((await scheduledFor('e2e-ana')).map(idOf)).toEqual(
      expect.arrayContaining(['apt-e2e-ana-r0-reminder-1440-email', 'apt-e2e-ana-r0-reminder-120-email']),
    );
    // Email goes through a real (local) SMTP server.
    await vi.waitFor(
      () =>
        expect(mails.filter((m) => m.subject?.startsWith('Su cita en Bright Smile Dental'))).toHaveLength(1),
      { timeout: 15_000 },
    );
    const mail = mails.find((m) => m.subject?.startsWith('Su cita en Bright Smile Dental'));
    expect(mail?.text).toContain('Hola Patient ana');
    expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toContain('ana@example.com');
    await vi.waitFor(() => expect(smsTo(ANA)).toHaveLength(3), { timeout: 15_000 });
    expect(smsTo(ANA)[2]?.body).toContain('No recibirá más mensajes');
  });

  it('reminds a day before and, out of quiet hours, at 08:00 instead of 07:00; a restart sends nothing twice', async () => {
    await book('e2e-carl', CARL, 'carl');
    await vi.waitFor(() => expect(smsTo(CARL)).toHaveLength(1), { timeout: 15_000 });
    const reminders = await scheduledFor('e2e-carl');
    expect(reminders.map((e) => (e.data as { dueAt: string }).dueAt)).toEqual([
      new Date(at).toISOString(),
      new Date(S - 24 * HOUR).toISOString(),
      // 07:00 is inside quiet hours: 08:00.
      new Date(S - HOUR).toISOString(),
    ]);

    await moveTo(S - 24 * HOUR + 60_000);
    await vi.waitFor(() => expect(smsTo(CARL)).toHaveLength(2), { timeout: 15_000 });
    expect(smsTo(CARL)[1]?.body).toContain('reminder: Cleaning on Monday');

    // Restart on the same data: the manager folds the log again and resumes from its checkpoint.
    await test.stop({ keepData: true });
    await start();
    await gateway.reminders()?.caughtUp();
    await moveTo(S - 2 * HOUR + 60_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smsTo(CARL)).toHaveLength(2);
    await moveTo(S - HOUR + 60_000);
    await vi.waitFor(() => expect(smsTo(CARL)).toHaveLength(3), { timeout: 15_000 });
    expect(await scheduledFor('e2e-carl')).toHaveLength(3);
    expect(await scheduledFor('e2e-bob')).toHaveLength(7);
    expect(await scheduledFor('e2e-ana-2')).toHaveLength(3);
  });

  it('marks a no-show after the grace period, but not an appointment completed meanwhile', async () => {
    await book('e2e-dan', DAN, 'dan');
    await gateway.reminders()?.caughtUp();
    await moveTo(S + 10 * 60_000);
    await shifted.handleTrusted(
      'ConfirmAppointment',
      { tenantId: DEMO_TENANT, appointmentId: 'e2e-dan' },
      { actor: SYSTEM_ACTOR },
    );
    await shifted.handleTrusted(
      'CompleteAppointment',
      { tenantId: DEMO_TENANT, appointmentId: 'e2e-dan' },
      { actor: SYSTEM_ACTOR },
    );
    // The 60 minutes of grace run from the end of the 30-minute appointment.
    await moveTo(S + 89 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await typesOfStream(`appointment-${DEMO_TENANT}.e2e-carl`)).not.toContain('AppointmentNoShow');
    await moveTo(S + 91 * 60_000);
    await vi.waitFor(
      async () =>
        expect(await typesOfStream(`appointment-${DEMO_TENANT}.e2e-carl`)).toContain('AppointmentNoShow'),
      { timeout: 15_000 },
    );
    // Ana confirmed hers and never came: a no-show too. Dan's was completed.
    await vi.waitFor(
      async () =>
        expect(await typesOfStream(`appointment-${DEMO_TENANT}.e2e-ana`)).toContain('AppointmentNoShow'),
      { timeout: 15_000 },
    );
    expect(await typesOfStream(`appointment-${DEMO_TENANT}.e2e-dan`)).not.toContain('AppointmentNoShow');
  });
});
