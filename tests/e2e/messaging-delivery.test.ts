import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { decodeEvent, MAX_MESSAGE_ATTEMPTS, SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import { sendSignedRequest, twilioSid } from '@ccp/media-gateway/simulator';
import { startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';

/*
 * Messages to contacts through the platform with the media gateway: scheduled through the command handler,
 * delivered by the messaging worker through the Twilio stand-in (the local carrier), the embedded outbox and a
 * real local SMTP server; an unreachable provider retried with backoff on a clock the test moves, then given
 * up; and Twilio's incoming-message webhook, signature-checked.
 */

const T0 = Date.parse('2026-03-02T15:00:00Z');
let at = T0;
const clock = () => new Date(at);
let platform: GatewayPlatform;
let withSmtp: GatewayPlatform;
let smtp: SMTPServer;
const mails: ParsedMail[] = [];

beforeAll(async () => {
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
  const hooks = { messaging: { clock, pollMs: 20 } };
  platform = await startGatewayPlatform({ now: clock, hooks });
  withSmtp = await startGatewayPlatform({
    now: clock,
    hooks,
    env: { SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}` },
  });
});
afterAll(async () => {
  await platform?.stop();
  await withSmtp?.stop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const schedule = (on: GatewayPlatform, messageId: string, message: Record<string, unknown>) =>
  on.test.platform.handler.handleTrusted(
    'ScheduleMessage',
    {
      tenantId: DEMO_TENANT,
      messageId,
      purpose: 'reminder',
      language: 'en',
      body: `Reminder ${messageId}: your cleaning is tomorrow at 10:00. Reply C to confirm.`,
      dueAt: new Date(at).toISOString(),
      ...message,
    },
    { actor: SYSTEM_ACTOR },
  );

const eventsOf = async (on: GatewayPlatform, messageId: string): Promise<EventEnvelope[]> =>
  (await on.test.platform.store.readStream(`message-${DEMO_TENANT}.${messageId}`)).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value] : [];
  });
const typesOf = async (on: GatewayPlatform, messageId: string) =>
  (await eventsOf(on, messageId)).map((e) => e.type);

describe('messages delivered by the platform', () => {
  it('sends an SMS through Twilio (the stand-in) once, and records its delivered status', async () => {
    await schedule(platform, 'e2e-sms', { channel: 'sms', to: '+15557700001', from: DEMO_NUMBER });
    await vi.waitFor(
      async () => expect(await typesOf(platform, 'e2e-sms')).toContain('MessageStatusChanged'),
      {
        timeout: 15_000,
      },
    );
    const events = await eventsOf(platform, 'e2e-sms');
    expect(events.map((e) => e.type)).toEqual([
      'MessageScheduled',
      'MessageDeliveryStarted',
      'MessageSent',
      'MessageStatusChanged',
    ]);
    const sent = platform.carrier.messages.sent.filter((m) => m.to === '+15557700001');
    expect(sent).toHaveLength(1);
    expect(events[2]?.data).toEqual({ attempt: 1, provider: 'twilio', providerMessageId: sent[0]?.sid });
    expect(events[3]?.data).toEqual({ status: 'delivered' });
    // The status callback the stand-in signed was accepted by the platform's signature check.
    await expect.poll(() => platform.carrier.messages.callbacks.map((c) => c.status)).toContain(204);
  });

  it('sends WhatsApp through Twilio with whatsapp: on both numbers', async () => {
    await schedule(platform, 'e2e-wa', { channel: 'whatsapp', to: '+15557700002', from: DEMO_NUMBER });
    await vi.waitFor(async () => expect(await typesOf(platform, 'e2e-wa')).toContain('MessageSent'), {
      timeout: 15_000,
    });
    const sent = platform.carrier.messages.sent.filter((m) => m.to === 'whatsapp:+15557700002');
    expect(sent.map((m) => m.from)).toEqual([`whatsapp:${DEMO_NUMBER}`]);
  });

  it('hands email to the embedded outbox when no SMTP server is set', async () => {
    await schedule(platform, 'e2e-outbox', {
      channel: 'email',
      to: 'ana@example.com',
      subject: 'Your appointment',
    });
    await vi.waitFor(async () => expect(await typesOf(platform, 'e2e-outbox')).toContain('MessageSent'), {
      timeout: 15_000,
    });
    expect((await eventsOf(platform, 'e2e-outbox')).at(-1)?.data).toEqual({
      attempt: 1,
      provider: 'outbox',
      providerMessageId: 'outbox:e2e-outbox',
    });
    const outbox = platform.gateway.messaging()?.routing.outbox.entries() ?? [];
    expect(outbox.filter((e) => e.messageId === 'e2e-outbox').map((e) => e.to)).toEqual(['ana@example.com']);
  });

  it('sends email through the SMTP server when one is set, with a Message-ID made from the message id', async () => {
    await schedule(withSmtp, 'e2e-mail', {
      channel: 'email',
      to: 'bob@example.com',
      subject: 'Your appointment',
    });
    await vi.waitFor(async () => expect(await typesOf(withSmtp, 'e2e-mail')).toContain('MessageSent'), {
      timeout: 15_000,
    });
    const mail = mails.filter((m) => m.messageId?.startsWith('<e2e-mail@'));
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe('Your appointment');
    expect(mail[0]?.text?.trim()).toMatch(/^Reminder e2e-mail:/);
    expect((await eventsOf(withSmtp, 'e2e-mail')).at(-1)?.data).toMatchObject({
      provider: 'smtp',
      providerMessageId: mail[0]?.messageId,
    });
  });

  it('retries an unreachable SMS provider (503) with growing waits, then gives the message up', async () => {
    platform.carrier.messages.failWith({ status: 503 });
    try {
      await schedule(platform, 'e2e-down', { channel: 'sms', to: '+15557700003', from: DEMO_NUMBER });
      const waits: number[] = [];
      for (let failures = 1; failures < MAX_MESSAGE_ATTEMPTS; failures += 1) {
        await vi.waitFor(
          async () =>
            expect(
              (await typesOf(platform, 'e2e-down')).filter((t) => t === 'MessageDeliveryFailed'),
            ).toHaveLength(failures),
          { timeout: 15_000 },
        );
        const failed = (await eventsOf(platform, 'e2e-down')).filter(
          (e) => e.type === 'MessageDeliveryFailed',
        );
        const retryAt = Date.parse((failed.at(-1)?.data as { retryAt: string }).retryAt);
        waits.push(retryAt - at);
        at = retryAt;
      }
      await vi.waitFor(
        async () => expect(await typesOf(platform, 'e2e-down')).toContain('MessageAbandoned'),
        {
          timeout: 15_000,
        },
      );
      expect(waits.every((w, i) => i === 0 || w > (waits[i - 1] ?? 0))).toBe(true);
      const attempts = platform.carrier.requests.filter(
        (r) =>
          r.method === 'POST' && r.path.endsWith('/Messages.json') && r.params['To']?.[0] === '+15557700003',
      );
      expect(attempts.map((r) => r.status)).toEqual(Array(MAX_MESSAGE_ATTEMPTS).fill(503));
      expect(platform.carrier.messages.sent.filter((m) => m.to === '+15557700003')).toEqual([]);
    } finally {
      platform.carrier.messages.failWith(undefined);
    }
  });
});

describe('messages the platform does not send', () => {
  it("gives up an SMS from a number that is not the tenant's own, without handing it to Twilio", async () => {
    // A number no tenant of this platform has (on a shared Twilio account it could be another tenant's).
    await schedule(platform, 'e2e-foreign', { channel: 'sms', to: '+15557700011', from: '+15557709999' });
    await vi.waitFor(
      async () => expect(await typesOf(platform, 'e2e-foreign')).toContain('MessageAbandoned'),
      { timeout: 15_000 },
    );
    expect((await eventsOf(platform, 'e2e-foreign')).at(-1)?.data).toMatchObject({
      attempt: 1,
      error: expect.stringMatching(/not one of the tenant's numbers/),
    });
    const posts = platform.carrier.requests.filter(
      (r) => r.method === 'POST' && r.params['To']?.[0] === '+15557700011',
    );
    expect(posts).toEqual([]);
  });

  it('cancels an SMS to a contact who withdrew consent for SMS (a STOP)', async () => {
    const { handler } = platform.test.platform;
    await handler.handleTrusted(
      'CreateContact',
      {
        tenantId: DEMO_TENANT,
        contactId: 'e2e-stopped',
        name: 'Dana',
        phones: ['+15557700012'],
        consent: ['sms'],
      },
      { actor: SYSTEM_ACTOR },
    );
    await handler.handleTrusted(
      'RecordConsent',
      {
        tenantId: DEMO_TENANT,
        contactId: 'e2e-stopped',
        channel: 'sms',
        granted: false,
        source: 'message_reply',
      },
      { actor: SYSTEM_ACTOR },
    );
    await schedule(platform, 'e2e-stopped-sms', {
      channel: 'sms',
      to: '+15557700012',
      from: DEMO_NUMBER,
      contactId: 'e2e-stopped',
    });
    await vi.waitFor(
      async () => expect(await typesOf(platform, 'e2e-stopped-sms')).toContain('MessageCancelled'),
      { timeout: 15_000 },
    );
    expect(await typesOf(platform, 'e2e-stopped-sms')).toEqual(['MessageScheduled', 'MessageCancelled']);
    expect((await eventsOf(platform, 'e2e-stopped-sms')).at(-1)?.data).toEqual({
      reason: 'consent withdrawn',
    });
    expect(platform.carrier.messages.sent.filter((m) => m.to === '+15557700012')).toEqual([]);
  });
});

describe("Twilio's incoming-message webhook", () => {
  const incoming = (sid: string, signature: 'valid' | 'forged', to = DEMO_NUMBER) =>
    sendSignedRequest({
      url: `${platform.test.url}/twilio/message`,
      params: {
        AccountSid: platform.accountSid,
        ApiVersion: '2010-04-01',
        MessageSid: sid,
        SmsSid: sid,
        From: '+15557700009',
        To: to,
        Body: 'C',
        NumMedia: '0',
      },
      authToken: platform.authToken,
      signature,
    });

  it('refuses a forged signature with 403 and records nothing', async () => {
    const sid = twilioSid('SM');
    const answer = await incoming(sid, 'forged');
    expect(answer.status).toBe(403);
    expect(await typesOf(platform, `in-${sid}`)).toEqual([]);
  });

  it('records a signed message once, even when Twilio posts it twice, and answers empty TwiML', async () => {
    const sid = twilioSid('SM');
    const first = await incoming(sid, 'valid');
    expect(first.status).toBe(200);
    expect(first.body).toContain('<Response/>');
    expect((await incoming(sid, 'valid')).status).toBe(200);
    // Handling the reply (MessageReplyHandled) is the reminders' business, from this event.
    const events = (await eventsOf(platform, `in-${sid}`)).filter((e) => e.type === 'MessageReceived');
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toEqual({
      channel: 'sms',
      from: '+15557700009',
      to: DEMO_NUMBER,
      body: 'C',
      provider: 'twilio',
      providerMessageId: sid,
    });
  });

  it('answers 404 for a number no tenant has, recording nothing', async () => {
    const sid = twilioSid('SM');
    expect((await incoming(sid, 'valid', '+15550009999')).status).toBe(404);
    expect(await typesOf(platform, `in-${sid}`)).toEqual([]);
  });
});
