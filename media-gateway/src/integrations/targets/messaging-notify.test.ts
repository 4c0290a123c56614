import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEvent, SYSTEM_ACTOR, type ConnectionSettings } from '@ccp/schemas';
import {
  commandRoutes,
  createCommandHandler,
  createSqliteEventStore,
  type CommandHandler,
  type EventStore,
} from '@ccp/command-service';
import { commandSenderFor } from '../../command-sender.js';
import type { Connection } from '../connections.js';
import type { DeliveryRequest } from '../port.js';
import type { TargetDeps } from './index.js';
import { createMessagingNotifyTarget, NOTICE_BODY_LIMIT, noticeMessageId } from './messaging-notify.js';

/*
 * Email, SMS and WhatsApp notifications on a real command handler (the message decider included) and an
 * in-memory SQLite log: what the target schedules is read back from the log as MessageScheduled events.
 */

const TENANT = 'acme';
const NOW = new Date('2026-12-07T05:00:00.000Z');
let store: EventStore;
let handler: CommandHandler;

beforeEach(async () => {
  store = createSqliteEventStore({ path: ':memory:' });
  handler = createCommandHandler({ store, routes: commandRoutes, clock: () => NOW });
  await handler.handleTrusted(
    'CreateTenant',
    { tenantId: TENANT, name: 'Acme Dental', planTier: 'starter' },
    { actor: SYSTEM_ACTOR },
  );
});
afterEach(async () => {
  await store.close();
});

const target = () => {
  const deps: TargetDeps = {
    fetch: () => Promise.reject(new Error('messaging notifications call no URL')),
    apiUrls: {},
    commands: commandSenderFor(handler),
    consoleUrl: () => 'https://console.example.test',
    log: () => undefined,
  };
  return createMessagingNotifyTarget(deps);
};

const connection = (settings: ConnectionSettings): Connection => ({
  tenantId: TENANT,
  connectionId: `${settings.kind}-1`,
  streamId: `connection-${TENANT}.${settings.kind}-1`,
  kind: settings.kind,
  name: 'Front desk',
  settings,
  enabled: true,
  version: 1,
  sealedSecrets: 'secret:v1:sealed',
});

const request = (
  conn: Connection,
  deliveryId = 'dlv-1',
  text = 'Jane Doe left a 40 s voicemail.',
): DeliveryRequest => ({
  deliveryId,
  attempt: 1,
  connection: conn,
  secrets: {},
  action: 'notify',
  source: {
    eventId: 'evt-voicemail-1',
    eventType: 'VoicemailLeft',
    streamId: `call-${TENANT}.c1`,
    position: 5,
    occurredAt: NOW.toISOString(),
  },
  content: {
    kind: 'notification',
    topic: 'voicemail',
    title: 'New voicemail',
    text,
    link: 'https://console.example.test/calls/c1',
  },
  signal: new AbortController().signal,
  now: NOW,
});

const scheduled = async (): Promise<Record<string, unknown>[]> =>
  (await store.readAll()).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    if (!decoded.ok) throw new Error(`${recorded.type} does not decode: ${decoded.error.message}`);
    const event = decoded.value;
    return event.type === 'MessageScheduled'
      ? [{ streamId: recorded.streamId, correlationId: event.correlationId, ...(event.data as object) }]
      : [];
  });

describe('email / SMS / WhatsApp notifications → the platform messaging (real command handler)', () => {
  it('schedules one email per recipient, due now, as an integration notice', async () => {
    const email = connection({
      kind: 'email',
      to: ['ops@acme.test', 'lead@acme.test'],
      topics: ['voicemail'],
    });
    const result = await target().deliver(request(email));
    expect(result).toEqual({ ok: true, externalId: 'dlv-1:to0' });
    const messages = await scheduled();
    expect(messages).toEqual([
      {
        streamId: `message-${TENANT}.dlv-1:to0`,
        correlationId: 'evt-voicemail-1',
        channel: 'email',
        to: 'ops@acme.test',
        purpose: 'integration_notice',
        language: 'en',
        subject: 'New voicemail',
        body: 'New voicemail\n\nJane Doe left a 40 s voicemail.\n\nhttps://console.example.test/calls/c1',
        dueAt: NOW.toISOString(),
      },
      expect.objectContaining({ streamId: `message-${TENANT}.dlv-1:to1`, to: 'lead@acme.test' }),
    ]);
  });

  it('schedules nothing twice when the same delivery is attempted again', async () => {
    const sms = connection({
      kind: 'sms',
      to: ['+15550100001', '+15550100002'],
      from: '+15550109999',
      topics: ['voicemail'],
    });
    expect((await target().deliver(request(sms))).ok).toBe(true);
    const before = (await store.readAll()).length;
    expect(await target().deliver({ ...request(sms), attempt: 2 })).toEqual({
      ok: true,
      externalId: 'dlv-1:to0',
    });
    expect((await store.readAll()).length).toBe(before);
    const messages = await scheduled();
    expect(messages.map((m) => [m.streamId, m.from])).toEqual([
      [`message-${TENANT}.dlv-1:to0`, '+15550109999'],
      [`message-${TENANT}.dlv-1:to1`, '+15550109999'],
    ]);
    expect(messages.every((m) => !('subject' in m))).toBe(true);
  });

  it(`keeps an SMS within ${NOTICE_BODY_LIMIT} characters, its link whole`, async () => {
    const whatsapp = connection({
      kind: 'whatsapp',
      to: ['+15550100003'],
      from: '+15550109999',
      topics: ['voicemail'],
    });
    expect((await target().deliver(request(whatsapp, 'dlv-long', 'z'.repeat(5000)))).ok).toBe(true);
    const [message] = await scheduled();
    const body = String(message?.body);
    expect(body).toHaveLength(NOTICE_BODY_LIMIT);
    expect(body.endsWith('…\n\nhttps://console.example.test/calls/c1')).toBe(true);
    expect(message).toMatchObject({ channel: 'whatsapp', purpose: 'integration_notice' });
  });

  it('derives a short message id from a long delivery id, the same every time', () => {
    const long = `d-${'a'.repeat(78)}`;
    expect(noticeMessageId(long, 3)).toMatch(/^notice-[0-9a-f]{48}:to3$/);
    expect(noticeMessageId(long, 3)).toBe(noticeMessageId(long, 3));
    expect(noticeMessageId(long, 3)).not.toBe(noticeMessageId(`${long.slice(0, -1)}b`, 3));
  });

  it('refuses an SMS connection without a number to send from, and schedules nothing', async () => {
    const sms = connection({ kind: 'sms', to: ['+15550100001'], topics: ['voicemail'] });
    expect(await target().deliver(request(sms))).toEqual({
      ok: false,
      errorKind: 'client_error',
      error: 'an SMS connection sends from a number of the tenant: set settings.from',
      retryable: false,
    });
    expect(await scheduled()).toEqual([]);
    expect(await target().test(sms, {}, new AbortController().signal)).toMatchObject({ ok: false });
  });

  it('reports a message the command refuses as a client error that is not retried', async () => {
    // A blank title makes a blank subject, which ScheduleMessage refuses: repeating cannot change that.
    const email = connection({ kind: 'email', to: ['ops@acme.test'], topics: ['voicemail'] });
    const blank = request(email, 'dlv-blank');
    const result = await target().deliver({
      ...blank,
      content: { ...blank.content, title: '   ' } as typeof blank.content,
    });
    expect(result).toMatchObject({ ok: false, errorKind: 'client_error', retryable: false });
    expect(result.ok ? '' : result.error).toMatch(/^VALIDATION_FAILED: .*subject/);
    expect(await scheduled()).toEqual([]);
  });

  it('tests without sending: messages go out through the platform provider', async () => {
    const email = connection({ kind: 'email', to: ['ops@acme.test'], topics: ['voicemail'] });
    expect(await target().test(email, {}, new AbortController().signal)).toEqual({
      ok: true,
      message: "notifications go out through the platform's configured email provider (no message was sent)",
    });
    expect(await scheduled()).toEqual([]);
  });
});
