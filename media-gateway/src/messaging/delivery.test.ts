import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeEvent, MAX_MESSAGE_ATTEMPTS, SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import {
  commandRoutes,
  createCommandHandler,
  createSqliteEventStore,
  type CommandHandler,
  type EventStore,
  type Subscription,
} from '@ccp/command-service';
import { createLiveDirectory } from '../directory/live-directory.js';
import { startLocalCarrier, type LocalCarrier } from '../simulator/local-carrier.js';
import { twilioSid } from '../simulator/signed-request.js';
import { startDeliveryWorker, type DeliveryWorker } from './delivery.js';
import { createOutbox, type Outbox } from './outbox.js';
import type { MessageSender } from './port.js';
import { createTwilioSender } from './twilio.js';

/*
 * The delivery worker on a real command handler and SQLite log, with the outbox and the Twilio stand-in as
 * providers and a clock the test moves.
 */

const TENANT = 'acme';
/** Another tenant on the same Twilio account, and its number. */
const OTHER_TENANT = 'globex';
const OTHER_NUMBER = '+15550499000';
const T0 = Date.parse('2026-03-02T14:00:00Z');
const authToken = 'delivery-auth-token-0123456789abcdef';

let at = T0;
const now = () => new Date(at);
let store: EventStore;
let handler: CommandHandler;
let carrier: LocalCarrier;
let outbox: Outbox;
let twilio: MessageSender;
const workers: DeliveryWorker[] = [];
const logged: string[] = [];

beforeEach(async () => {
  at = T0;
  store = createSqliteEventStore({ path: ':memory:' });
  handler = createCommandHandler({ store, routes: commandRoutes, clock: now });
  for (const [tenantId, address] of [
    [TENANT, '+15550400000'],
    [OTHER_TENANT, OTHER_NUMBER],
  ] as const) {
    await handler.handleTrusted(
      'CreateTenant',
      { tenantId, name: tenantId, planTier: 'starter' },
      { actor: SYSTEM_ACTOR },
    );
    await handler.handleTrusted(
      'ProvisionNumber',
      { tenantId, address, kind: 'pstn', provider: 'twilio' },
      { actor: SYSTEM_ACTOR },
    );
  }
  carrier = await startLocalCarrier({ accountSid: twilioSid('AC'), authToken });
  outbox = createOutbox({ now });
  twilio = createTwilioSender({ accountSid: carrier.accountSid, authToken, apiUrl: carrier.url });
});
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
  await carrier.stop();
  await store.close();
  logged.length = 0;
});

const start = async (
  sender: MessageSender = outbox,
  extra: Partial<Parameters<typeof startDeliveryWorker>[0]> = {},
) => {
  const live = createLiveDirectory(store);
  const worker = await startDeliveryWorker({
    store,
    handler,
    senderFor: () => sender,
    ownsNumber: async (tenantId, number) => {
      await live.catchUp();
      return live.directory.number(number)?.tenantId === tenantId;
    },
    now,
    log: (m) => logged.push(m),
    pollMs: 10,
    ...extra,
  });
  workers.push(worker);
  return worker;
};

const schedule = (messageId: string, dueInMs = 0, to = '+15550400001') =>
  handler.handleTrusted(
    'ScheduleMessage',
    {
      tenantId: TENANT,
      messageId,
      channel: 'sms',
      to,
      from: '+15550400000',
      purpose: 'reminder',
      language: 'en',
      body: `Reminder ${messageId}: cleaning tomorrow at 10:00.`,
      dueAt: new Date(at + dueInMs).toISOString(),
    },
    { actor: SYSTEM_ACTOR },
  );

const eventsOf = async (messageId: string): Promise<EventEnvelope[]> =>
  (await store.readStream(`message-${TENANT}.${messageId}`)).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value] : [];
  });
const typesOf = async (messageId: string) => (await eventsOf(messageId)).map((e) => e.type);

describe('message delivery worker', () => {
  it('sends a message when it is due, once, and records it as sent', async () => {
    await start();
    await schedule('m-now');
    await schedule('m-later', 3_600_000);
    await vi.waitFor(async () => expect(await typesOf('m-now')).toContain('MessageSent'));
    expect(await typesOf('m-now')).toEqual(['MessageScheduled', 'MessageDeliveryStarted', 'MessageSent']);
    const sent = (await eventsOf('m-now')).at(-1);
    expect(sent?.data).toEqual({ attempt: 1, provider: 'outbox', providerMessageId: 'outbox:m-now' });
    expect(await typesOf('m-later')).toEqual(['MessageScheduled']);
    at += 3_600_000;
    await vi.waitFor(async () => expect(await typesOf('m-later')).toContain('MessageSent'));
    expect(outbox.entries().map((e) => e.messageId)).toEqual(['m-now', 'm-later']);
  });

  it('picks up messages scheduled before it started', async () => {
    await schedule('m-before');
    await start();
    await vi.waitFor(async () => expect(await typesOf('m-before')).toContain('MessageSent'));
  });

  it('retries an unreachable provider with backoff, then gives the message up after the last attempt', async () => {
    carrier.messages.failWith({ status: 503 });
    await start(twilio);
    await schedule('m-down');
    const retryTimes: number[] = [];
    for (let attempt = 1; attempt < MAX_MESSAGE_ATTEMPTS; attempt += 1) {
      await vi.waitFor(async () =>
        expect((await eventsOf('m-down')).filter((e) => e.type === 'MessageDeliveryFailed')).toHaveLength(
          attempt,
        ),
      );
      const failed = (await eventsOf('m-down')).filter((e) => e.type === 'MessageDeliveryFailed').at(-1);
      const retryAt = Date.parse((failed?.data as { retryAt: string }).retryAt);
      retryTimes.push(retryAt - at);
      // Not before its time.
      await new Promise((r) => setTimeout(r, 40));
      expect((await eventsOf('m-down')).filter((e) => e.type === 'MessageDeliveryStarted')).toHaveLength(
        attempt,
      );
      at = retryAt;
    }
    await vi.waitFor(async () => expect(await typesOf('m-down')).toContain('MessageAbandoned'));
    // Each wait longer than the one before.
    expect(retryTimes).toEqual([...retryTimes].sort((a, b) => a - b));
    expect(retryTimes[0]).toBeGreaterThan(0);
    expect(carrier.messages.sent).toHaveLength(0);
    const posts = carrier.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'));
    expect(posts).toHaveLength(MAX_MESSAGE_ATTEMPTS);
  });

  it('waits at least as long as a 429 Retry-After asks', async () => {
    carrier.messages.failWith({ status: 429, retryAfterSeconds: 3600, times: 1 });
    await start(twilio);
    await schedule('m-429');
    await vi.waitFor(async () => expect(await typesOf('m-429')).toContain('MessageDeliveryFailed'));
    const failed = (await eventsOf('m-429')).find((e) => e.type === 'MessageDeliveryFailed');
    expect(Date.parse((failed?.data as { retryAt: string }).retryAt)).toBeGreaterThanOrEqual(T0 + 3_600_000);
    at += 3_600_000 * 1.5;
    await vi.waitFor(async () => expect(await typesOf('m-429')).toContain('MessageSent'));
    expect(carrier.messages.sent).toHaveLength(1);
  });

  it('recovers an attempt interrupted after the provider took it: recorded as sent, not sent again', async () => {
    await schedule('m-taken');
    await handler.handleTrusted(
      'StartMessageDelivery',
      { tenantId: TENANT, messageId: 'm-taken', attempt: 1 },
      { actor: SYSTEM_ACTOR },
    );
    const taken = await twilio.send({
      messageId: 'm-taken',
      channel: 'sms',
      to: '+15550400001',
      from: '+15550400000',
      body: 'Reminder m-taken: cleaning tomorrow at 10:00.',
    });
    await start(twilio);
    await vi.waitFor(async () => expect(await typesOf('m-taken')).toContain('MessageSent'));
    expect((await eventsOf('m-taken')).at(-1)?.data).toEqual({
      attempt: 1,
      provider: 'twilio',
      providerMessageId: taken.providerMessageId,
    });
    expect(carrier.messages.sent).toHaveLength(1);
  });

  it('recovers an attempt interrupted before the provider had it: a failure, then sent on the next attempt', async () => {
    await schedule('m-lost');
    await handler.handleTrusted(
      'StartMessageDelivery',
      { tenantId: TENANT, messageId: 'm-lost', attempt: 1 },
      { actor: SYSTEM_ACTOR },
    );
    await start(twilio);
    await vi.waitFor(async () => expect(await typesOf('m-lost')).toContain('MessageDeliveryFailed'));
    const failed = (await eventsOf('m-lost')).find((e) => e.type === 'MessageDeliveryFailed');
    expect(failed?.data).toMatchObject({ attempt: 1, error: 'interrupted' });
    at = Date.parse((failed?.data as { retryAt: string }).retryAt);
    await vi.waitFor(async () => expect(await typesOf('m-lost')).toContain('MessageSent'));
    expect(carrier.messages.sent).toHaveLength(1);
    expect((await eventsOf('m-lost')).at(-1)?.data).toMatchObject({ attempt: 2, provider: 'twilio' });
  });

  it.each([
    ['dropped the connection', { accept: 'then-drop' as const, times: 1 }],
    ['answered after the client gave up', { accept: 'then-delay' as const, delayMs: 400, times: 1 }],
  ])(
    'records a message Twilio took but whose answer was lost (%s) as sent, and does not send it again',
    async (_case, failure) => {
      carrier.messages.failWith(failure);
      const impatient = createTwilioSender({
        accountSid: carrier.accountSid,
        authToken,
        apiUrl: carrier.url,
        requestTimeoutMs: 150,
      });
      await start(impatient);
      await schedule('m-unanswered');
      await vi.waitFor(async () => expect(await typesOf('m-unanswered')).toContain('MessageSent'));
      expect(await typesOf('m-unanswered')).toEqual([
        'MessageScheduled',
        'MessageDeliveryStarted',
        'MessageSent',
      ]);
      expect(carrier.messages.sent).toHaveLength(1);
      expect((await eventsOf('m-unanswered')).at(-1)?.data).toEqual({
        attempt: 1,
        provider: 'twilio',
        providerMessageId: carrier.messages.sent[0]?.sid,
      });
      // Well past any retry time: nothing is sent again.
      at += 24 * 3_600_000;
      await new Promise((r) => setTimeout(r, 60));
      expect(carrier.messages.sent).toHaveLength(1);
    },
  );

  it('a connection that never reached Twilio is a failed attempt, to be tried again', async () => {
    // The carrier is not listening: no request reaches it, and the provider has nothing to find.
    const closed = await startLocalCarrier({ accountSid: twilioSid('AC'), authToken });
    await closed.stop();
    const unreachable = createTwilioSender({ accountSid: closed.accountSid, authToken, apiUrl: closed.url });
    await start(unreachable);
    await schedule('m-unreached');
    await vi.waitFor(async () => expect(await typesOf('m-unreached')).toContain('MessageDeliveryFailed'));
    expect((await eventsOf('m-unreached')).at(-1)?.data).toMatchObject({
      attempt: 1,
      error: expect.stringMatching(/^unavailable: /),
    });
  });

  it('with two workers on one log, each message is sent exactly once', async () => {
    await start(twilio);
    await start(twilio);
    const ids = Array.from({ length: 12 }, (_, i) => `m-pair-${i}`);
    for (const [i, id] of ids.entries()) await schedule(id, 0, `+1555041${String(i).padStart(4, '0')}`);
    await vi.waitFor(async () => {
      for (const id of ids) expect(await typesOf(id)).toContain('MessageSent');
    });
    expect(carrier.messages.sent).toHaveLength(ids.length);
    for (const id of ids) expect((await typesOf(id)).filter((t) => t === 'MessageSent')).toHaveLength(1);
  });

  it('gives a message the provider refuses for good up at once, without trying again', async () => {
    await start(twilio);
    // No number to send from, and the sender has no default: Twilio's adapter refuses the message itself.
    await handler.handleTrusted(
      'ScheduleMessage',
      {
        tenantId: TENANT,
        messageId: 'm-refused',
        channel: 'sms',
        to: '+15550400009',
        purpose: 'reminder',
        language: 'en',
        body: 'Nobody sends this.',
        dueAt: new Date(at).toISOString(),
      },
      { actor: SYSTEM_ACTOR },
    );
    await vi.waitFor(async () => expect(await typesOf('m-refused')).toContain('MessageAbandoned'));
    expect(await typesOf('m-refused')).toEqual([
      'MessageScheduled',
      'MessageDeliveryStarted',
      'MessageAbandoned',
    ]);
    expect(carrier.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it("logs a failed attempt by message id, attempt and error class, never the provider's text with the number", async () => {
    carrier.messages.failWith({ status: 400, times: 1 });
    await start(twilio);
    await schedule('m-logged', 0, '+15550400077');
    await vi.waitFor(async () => expect(await typesOf('m-logged')).toContain('MessageAbandoned'));
    // The provider's text (which quotes the number) is kept in the event, whose error is personal data.
    expect((await eventsOf('m-logged')).at(-1)?.data).toMatchObject({
      error: expect.stringContaining('+15550400077'),
    });
    const lines = logged.filter((line) => line.includes('m-logged'));
    expect(lines).toEqual([expect.stringMatching(/m-logged attempt 1 failed: MessageRejected \(HTTP 400\)/)]);
    expect(logged.join('\n')).not.toContain('0400077');
  });

  it('goes on following the log after its subscription fails, from the last event it handled', async () => {
    const subscribedAfter: (number | undefined)[] = [];
    // The first subscription hands over one message event, then fails as a lost store connection does.
    const failing = (inner: Subscription): Subscription => ({
      close: () => inner.close(),
      async *[Symbol.asyncIterator]() {
        for await (const recorded of inner) {
          yield recorded;
          if (recorded.streamId.startsWith('message-')) throw new Error('the store connection was lost');
        }
      },
    });
    const flaky: EventStore = new Proxy(store, {
      get(target, property) {
        if (property === 'subscribe') {
          return (options?: { after?: number }) => {
            subscribedAfter.push(options?.after);
            const inner = target.subscribe(options);
            return subscribedAfter.length === 1 ? failing(inner) : inner;
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    await start(outbox, { store: flaky });
    await schedule('m-first');
    await vi.waitFor(async () => expect(await typesOf('m-first')).toContain('MessageSent'));
    await schedule('m-second');
    await vi.waitFor(async () => expect(await typesOf('m-second')).toContain('MessageSent'));
    const scheduled = (await store.readStream(`message-${TENANT}.m-first`))[0];
    expect(subscribedAfter.slice(0, 2)).toEqual([expect.any(Number), scheduled?.position]);
    expect(logged.some((line) => /following the log failed/.test(line))).toBe(true);
    expect(outbox.entries().map((e) => e.messageId)).toEqual(['m-first', 'm-second']);
  });

  it("gives a message from a number that is not the tenant's own up for good, without sending it", async () => {
    await start(twilio);
    await handler.handleTrusted(
      'ScheduleMessage',
      {
        tenantId: TENANT,
        messageId: 'm-foreign',
        channel: 'sms',
        to: '+15550400011',
        // The other tenant's number on the same Twilio account.
        from: OTHER_NUMBER,
        purpose: 'reminder',
        language: 'en',
        body: 'Sent in the name of another business.',
        dueAt: new Date(at).toISOString(),
      },
      { actor: SYSTEM_ACTOR },
    );
    await schedule('m-own', 0, '+15550400012');
    await vi.waitFor(async () => expect(await typesOf('m-foreign')).toContain('MessageAbandoned'));
    expect(await typesOf('m-foreign')).toEqual([
      'MessageScheduled',
      'MessageDeliveryStarted',
      'MessageAbandoned',
    ]);
    expect((await eventsOf('m-foreign')).at(-1)?.data).toMatchObject({
      error: expect.stringMatching(/not one of the tenant's numbers/),
    });
    await vi.waitFor(async () => expect(await typesOf('m-own')).toContain('MessageSent'));
    expect(carrier.messages.sent.map((m) => m.from)).toEqual(['+15550400000']);
  });

  it('cancels a message to a contact who withdrew consent for its channel; sends the answer to their STOP, and to one who did not', async () => {
    const contact = async (contactId: string, phone: string, withdraw: 'sms' | 'email' | undefined) => {
      await handler.handleTrusted(
        'CreateContact',
        { tenantId: TENANT, contactId, name: contactId, phones: [phone], consent: ['sms', 'email'] },
        { actor: SYSTEM_ACTOR },
      );
      if (withdraw === undefined) return;
      await handler.handleTrusted(
        'RecordConsent',
        { tenantId: TENANT, contactId, channel: withdraw, granted: false, source: 'message_reply' },
        { actor: SYSTEM_ACTOR },
      );
    };
    await contact('c-stopped', '+15550400021', 'sms');
    await contact('c-no-email', '+15550400022', 'email');
    await start();
    const toContact = (messageId: string, contactId: string, to: string, purpose = 'reminder') =>
      handler.handleTrusted(
        'ScheduleMessage',
        {
          tenantId: TENANT,
          messageId,
          channel: 'sms',
          to,
          from: '+15550400000',
          contactId,
          purpose,
          language: 'en',
          body: `Reminder ${messageId}.`,
          dueAt: new Date(at + 60_000).toISOString(),
        },
        { actor: SYSTEM_ACTOR },
      );
    await toContact('m-stopped', 'c-stopped', '+15550400021');
    await toContact('m-sms-ok', 'c-no-email', '+15550400022');
    // The answer to the contact's own STOP, which confirms the withdrawal.
    await toContact('m-stop-answer', 'c-stopped', '+15550400021', 'reply');
    at += 60_000;
    await vi.waitFor(async () => expect(await typesOf('m-sms-ok')).toContain('MessageSent'));
    await vi.waitFor(async () => expect(await typesOf('m-stop-answer')).toContain('MessageSent'));
    await vi.waitFor(async () => expect(await typesOf('m-stopped')).toContain('MessageCancelled'));
    expect(await typesOf('m-stopped')).toEqual(['MessageScheduled', 'MessageCancelled']);
    expect((await eventsOf('m-stopped')).at(-1)?.data).toEqual({ reason: 'consent withdrawn' });
    expect(
      outbox
        .entries()
        .map((e) => e.messageId)
        .sort(),
    ).toEqual(['m-sms-ok', 'm-stop-answer']);
  });

  it('a cancelled message is never sent', async () => {
    await start();
    await schedule('m-cancel', 60_000);
    await handler.handleTrusted(
      'CancelMessage',
      { tenantId: TENANT, messageId: 'm-cancel', reason: 'appointment cancelled' },
      { actor: SYSTEM_ACTOR },
    );
    at += 120_000;
    await new Promise((r) => setTimeout(r, 60));
    expect(await typesOf('m-cancel')).toEqual(['MessageScheduled', 'MessageCancelled']);
    expect(outbox.entries()).toEqual([]);
  });
});
