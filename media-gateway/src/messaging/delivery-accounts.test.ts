import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeEvent, SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import {
  commandRoutes,
  createCommandHandler,
  createSqliteEventStore,
  type CommandHandler,
  type EventStore,
} from '@ccp/command-service';
import { startLocalCarrier, type LocalCarrier } from '../simulator/local-carrier.js';
import { twilioSid } from '../simulator/signed-request.js';
import { startDeliveryWorker, type DeliveryWorker } from './delivery.js';
import type { MessageSender } from './port.js';
import { createTwilioSender } from './twilio.js';

/*
 * Which provider account an attempt goes through, when a tenant can bring its own Twilio account: the claim names
 * it, an interrupted attempt is asked about there, and never sent again through another account. Two stand-ins of
 * Twilio's Messages API: the platform's account and the tenant's own.
 */

const TENANT = 'acme';
const NUMBER = '+15550400000';
const T0 = Date.parse('2026-03-02T14:00:00Z');
const authToken = 'delivery-auth-token-0123456789abcdef';

let at = T0;
const now = () => new Date(at);
let store: EventStore;
let handler: CommandHandler;
let platformCarrier: LocalCarrier;
let ownCarrier: LocalCarrier;
let platform: MessageSender;
let own: MessageSender;
const workers: DeliveryWorker[] = [];

beforeEach(async () => {
  at = T0;
  store = createSqliteEventStore({ path: ':memory:' });
  handler = createCommandHandler({ store, routes: commandRoutes, clock: now });
  await handler.handleTrusted(
    'CreateTenant',
    { tenantId: TENANT, name: TENANT, planTier: 'starter' },
    { actor: SYSTEM_ACTOR },
  );
  platformCarrier = await startLocalCarrier({ accountSid: twilioSid('AC'), authToken });
  ownCarrier = await startLocalCarrier({ accountSid: twilioSid('AC'), authToken });
  platform = createTwilioSender({
    accountSid: platformCarrier.accountSid,
    authToken,
    apiUrl: platformCarrier.url,
  });
  own = createTwilioSender({ accountSid: ownCarrier.accountSid, authToken, apiUrl: ownCarrier.url });
});
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
  await platformCarrier.stop();
  await ownCarrier.stop();
  await store.close();
});

/** The tenant's senders as routing gives them: its own account while `ownEnabled`, else the platform's. */
const start = async (routing: {
  senderFor: () => Promise<MessageSender>;
  ownEnabled: boolean;
}): Promise<DeliveryWorker> => {
  const worker = await startDeliveryWorker({
    store,
    handler,
    senderFor: routing.senderFor,
    senderOfAccount: (_channel, _tenantId, account) =>
      Promise.resolve(
        account === platform.account
          ? platform
          : routing.ownEnabled && account === own.account
            ? own
            : undefined,
      ),
    ownsNumber: (_tenantId, number) => Promise.resolve(number === NUMBER),
    now,
    log: () => undefined,
    pollMs: 10,
  });
  workers.push(worker);
  return worker;
};

const schedule = (messageId: string) =>
  handler.handleTrusted(
    'ScheduleMessage',
    {
      tenantId: TENANT,
      messageId,
      channel: 'sms',
      to: '+15550400001',
      from: NUMBER,
      purpose: 'reminder',
      language: 'en',
      body: `Reminder ${messageId}: cleaning tomorrow at 10:00.`,
      dueAt: new Date(at).toISOString(),
    },
    { actor: SYSTEM_ACTOR },
  );

/** A crash between the claim and its outcome: claimed through `account`, maybe taken by that account. */
const interrupted = async (messageId: string, account: string, takenBy?: MessageSender) => {
  await schedule(messageId);
  await handler.handleTrusted(
    'StartMessageDelivery',
    { tenantId: TENANT, messageId, attempt: 1, account },
    { actor: SYSTEM_ACTOR },
  );
  await takenBy?.send({
    messageId,
    channel: 'sms',
    to: '+15550400001',
    from: NUMBER,
    body: `Reminder ${messageId}: cleaning tomorrow at 10:00.`,
  });
};

const eventsOf = async (messageId: string): Promise<EventEnvelope[]> =>
  (await store.readStream(`message-${TENANT}.${messageId}`)).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value] : [];
  });
const typesOf = async (messageId: string) => (await eventsOf(messageId)).map((e) => e.type);

describe('message delivery through a provider account', () => {
  it('names the account the attempt goes through in its claim', async () => {
    await start({ senderFor: () => Promise.resolve(own), ownEnabled: true });
    await schedule('m-own');
    await vi.waitFor(async () => expect(await typesOf('m-own')).toContain('MessageSent'));
    expect((await eventsOf('m-own')).find((e) => e.type === 'MessageDeliveryStarted')?.data).toEqual({
      attempt: 1,
      account: ownCarrier.accountSid,
    });
    expect(ownCarrier.messages.sent).toHaveLength(1);
    expect(platformCarrier.messages.sent).toHaveLength(0);
  });

  it('records a sender that cannot be resolved as a failed attempt, tried again, never left in flight', async () => {
    let resolvable = false;
    await start({
      senderFor: () =>
        resolvable ? Promise.resolve(own) : Promise.reject(new Error('the connection could not be read')),
      ownEnabled: true,
    });
    await schedule('m-unresolved');
    await vi.waitFor(async () => expect(await typesOf('m-unresolved')).toContain('MessageDeliveryFailed'));
    const failed = (await eventsOf('m-unresolved')).find((e) => e.type === 'MessageDeliveryFailed');
    expect(failed?.data).toMatchObject({ attempt: 1, error: expect.stringMatching(/^unavailable: /) });
    resolvable = true;
    at = Date.parse((failed?.data as { retryAt: string }).retryAt);
    await vi.waitFor(async () => expect(await typesOf('m-unresolved')).toContain('MessageSent'));
    expect(ownCarrier.messages.sent).toHaveLength(1);
  });

  it('does not send again an interrupted attempt whose own account was disabled since: its outcome is unknown', async () => {
    await interrupted('m-disabled', ownCarrier.accountSid, own);
    // The tenant's connection is disabled: its messages now go through the platform's account.
    await start({ senderFor: () => Promise.resolve(platform), ownEnabled: false });
    await vi.waitFor(async () => expect(await typesOf('m-disabled')).toContain('MessageAbandoned'));
    const abandoned = (await eventsOf('m-disabled')).find((e) => e.type === 'MessageAbandoned');
    expect(abandoned?.data).toMatchObject({ attempt: 1, error: expect.stringMatching(/^unknown: /) });
    at += 24 * 3_600_000;
    await new Promise((r) => setTimeout(r, 60));
    expect(platformCarrier.messages.sent).toHaveLength(0);
    expect(ownCarrier.messages.sent).toHaveLength(1);
  });

  it('asks the account the attempt went through, though the tenant now sends through another', async () => {
    await interrupted('m-platform', platformCarrier.accountSid, platform);
    // The tenant connected its own account since: the attempt was the platform's, and the platform is asked.
    await start({ senderFor: () => Promise.resolve(own), ownEnabled: true });
    await vi.waitFor(async () => expect(await typesOf('m-platform')).toContain('MessageSent'));
    expect((await eventsOf('m-platform')).at(-1)?.data).toMatchObject({
      attempt: 1,
      providerMessageId: platformCarrier.messages.sent[0]?.sid,
    });
    expect(ownCarrier.messages.sent).toHaveLength(0);
  });
});
