import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, decodeEvent, type EventEnvelope } from '@ccp/schemas';
import {
  commandRoutes,
  createCommandHandler,
  createSqliteCheckpointStore,
  createSqliteEventStore,
  createSqliteSubjectKeys,
  withPersonalDataEncryption,
  type CheckpointStore,
  type CommandHandler,
  type EventStore,
} from '@ccp/command-service';
import { backoffDelayMs, retryDelayMs, startDispatcher, type Dispatcher } from './dispatcher.js';
import { createLiveConnections } from './live-connections.js';
import type { AttemptResult, DeliveryRequest, IntegrationTarget } from './port.js';

/*
 * The dispatcher on a real command handler and SQLite log, with a scripted target double (each connection
 * answers as the test says) and a clock the test moves.
 */

const T0 = Date.parse('2026-03-10T12:00:00Z');
let at = T0;
const now = () => new Date(at);
let dir: string;
let store: EventStore;
let keys: ReturnType<typeof createSqliteSubjectKeys>;
let checkpoints: CheckpointStore;
let handler: CommandHandler;
let dispatcher: Dispatcher | undefined;
/** What each connection answers; `hang` never answers (until the attempt times out). */
let answers: Record<string, 'hang' | AttemptResult> = {};
let calls: { connectionId: string; deliveryId: string; at: number }[] = [];

const scripted: IntegrationTarget = {
  kinds: ['webhook'],
  actions: ['send_webhook'],
  deliver: (request: DeliveryRequest) => {
    calls.push({
      connectionId: request.connection.connectionId,
      deliveryId: request.deliveryId,
      at: Date.now(),
    });
    const answer = answers[request.connection.connectionId] ?? { ok: true, statusCode: 200 };
    if (answer !== 'hang') return Promise.resolve(answer);
    return new Promise((_, reject) =>
      request.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
    );
  },
  test: () => Promise.resolve({ ok: true, message: 'ok' }),
};

const send = (type: string, data: Record<string, unknown>) =>
  handler.handleTrusted(type, { tenantId: 'acme', ...data }, { actor: SYSTEM_ACTOR });

const deliveryEvents = async (deliveryId: string): Promise<EventEnvelope[]> =>
  (await store.readStream(`delivery-acme.${deliveryId}`)).flatMap((r) => {
    const d = decodeEvent(r);
    return d.ok ? [d.value] : [];
  });

const start = async (settings: { concurrency?: number; perConnection?: number; timeoutMs?: number } = {}) => {
  dispatcher = await startDispatcher({
    store,
    checkpoints,
    handler,
    connections: createLiveConnections(store, keys),
    targets: new Map([['webhook', scripted]]),
    settings: {
      attemptTimeoutMs: settings.timeoutMs ?? 30_000,
      concurrency: settings.concurrency ?? 8,
      perConnectionConcurrency: settings.perConnection ?? 2,
      retryBaseMs: 1_000,
    },
    render: (_action, source) =>
      Promise.resolve({
        kind: 'event',
        type: source.eventType,
        timestamp: source.occurredAt,
        data: {
          tenantId: 'acme',
          eventId: source.eventId,
          eventType: source.eventType,
          streamId: source.streamId,
          position: 1,
          occurredAt: source.occurredAt,
          correlationId: 'c',
        },
      }),
    now,
    pollMs: 20,
    random: () => 1,
    log: () => undefined,
  });
  return dispatcher;
};

const schedule = async (connectionId: string, n: number) => {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const deliveryId = `dlv_${connectionId}_${i}`;
    await send('ScheduleDelivery', {
      deliveryId,
      connectionId,
      kind: 'webhook',
      action: 'send_webhook',
      source: {
        eventId: `e${i}`,
        eventType: 'CallEnded',
        streamId: 'call-acme.c1',
        position: 1,
        occurredAt: now().toISOString(),
      },
      dueAt: now().toISOString(),
    });
    dispatcher?.enqueue({ tenantId: 'acme', deliveryId, connectionId, due: now() });
    ids.push(deliveryId);
  }
  return ids;
};

const waitUntil = async (check: () => Promise<boolean> | boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

beforeEach(async () => {
  at = T0;
  answers = {};
  calls = [];
  dir = mkdtempSync(join(tmpdir(), 'dispatcher-'));
  keys = createSqliteSubjectKeys(join(dir, 'keys.db'), randomBytes(32));
  store = withPersonalDataEncryption(createSqliteEventStore({ path: join(dir, 'events.db') }), keys);
  checkpoints = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
  handler = createCommandHandler({ store, routes: commandRoutes, clock: now });
  await send('CreateTenant', { name: 'Acme Dental', planTier: 'starter' });
  for (const id of ['fast', 'slow'])
    await handler.handleTrusted(
      'CreateConnection',
      {
        tenantId: 'acme',
        connectionId: id,
        name: id,
        settings: { kind: 'webhook', url: `https://${id}.example/hook`, eventTypes: ['*'] },
        secrets: { signingSecret: `whsec_${Buffer.alloc(32, 3).toString('base64')}` },
      },
      { actor: SYSTEM_ACTOR },
    );
});
afterEach(async () => {
  await dispatcher?.stop();
  dispatcher = undefined;
  await checkpoints.close();
  await store.close();
  keys.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('backoff', () => {
  it('is full jitter between half and all of base·2^(n-1), capped at an hour', () => {
    expect(backoffDelayMs(1_000, 1, () => 0)).toBe(500);
    expect(backoffDelayMs(1_000, 1, () => 1)).toBe(1_000);
    expect(backoffDelayMs(1_000, 4, () => 1)).toBe(8_000);
    expect(backoffDelayMs(1_000, 30, () => 1)).toBe(3_600_000);
  });
  it('takes the later of Retry-After and the backoff', () => {
    expect(retryDelayMs(1_000, 1, 120_000, () => 1)).toBe(120_000);
    expect(retryDelayMs(1_000, 3, 10, () => 1)).toBe(4_000);
  });
});

describe('the dispatcher', () => {
  it('delivers and records each attempt once', async () => {
    await start();
    const [id] = await schedule('fast', 1);
    await waitUntil(async () => (await deliveryEvents(id ?? '')).some((e) => e.type === 'DeliverySucceeded'));
    expect(calls).toHaveLength(1);
    expect((await deliveryEvents(id ?? '')).map((e) => e.type)).toEqual([
      'DeliveryScheduled',
      'DeliverySucceeded',
    ]);
  });

  it('retries a 429 no sooner than its Retry-After, with the same delivery id', async () => {
    answers['fast'] = {
      ok: false,
      errorKind: 'rate_limited',
      statusCode: 429,
      error: '429',
      retryable: true,
      retryAfterMs: 120_000,
    };
    await start();
    const [id = ''] = await schedule('fast', 1);
    await waitUntil(async () => (await deliveryEvents(id)).some((e) => e.type === 'DeliveryAttemptFailed'));
    const failed = (await deliveryEvents(id)).find((e) => e.type === 'DeliveryAttemptFailed');
    expect((failed?.data as { retryAt: string }).retryAt).toBe(new Date(T0 + 120_000).toISOString());
    answers['fast'] = { ok: true, statusCode: 200 };
    at = T0 + 60_000;
    dispatcher?.poke();
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toHaveLength(1);
    at = T0 + 120_001;
    dispatcher?.poke();
    await waitUntil(async () => (await deliveryEvents(id)).some((e) => e.type === 'DeliverySucceeded'));
    expect(calls.map((c) => c.deliveryId)).toEqual([id, id]);
  });

  it('dead-letters at once what cannot succeed (a final answer)', async () => {
    answers['fast'] = {
      ok: false,
      errorKind: 'payload_too_large',
      statusCode: 413,
      error: '413',
      retryable: false,
    };
    await start();
    const [id = ''] = await schedule('fast', 1);
    await waitUntil(async () => (await deliveryEvents(id)).some((e) => e.type === 'DeliveryDeadLettered'));
    expect(calls).toHaveLength(1);
  });

  it('never lets a hanging connection delay another one', async () => {
    answers['slow'] = 'hang';
    await start({ concurrency: 4, perConnection: 2 });
    await schedule('slow', 6);
    const started = Date.now();
    const fast = await schedule('fast', 6);
    await waitUntil(async () => {
      const done = await Promise.all(
        fast.map(async (id) => (await deliveryEvents(id)).some((e) => e.type === 'DeliverySucceeded')),
      );
      return done.every(Boolean);
    }, 3_000);
    expect(Date.now() - started).toBeLessThan(3_000);
    // The hanging connection holds no more than its own share.
    expect(calls.filter((c) => c.connectionId === 'slow')).toHaveLength(2);
  });

  it('cancels the pending deliveries of a disabled connection', async () => {
    answers['slow'] = {
      ok: false,
      errorKind: 'server_error',
      statusCode: 500,
      error: '500',
      retryable: true,
    };
    await start();
    const ids = await schedule('slow', 3);
    await waitUntil(async () =>
      (await deliveryEvents(ids[2] ?? '')).some((e) => e.type === 'DeliveryAttemptFailed'),
    );
    await send('DisableConnection', { connectionId: 'slow' });
    await dispatcher?.cancelConnection('acme', 'slow', 'connection_disabled');
    for (const id of ids) expect((await deliveryEvents(id)).at(-1)?.type).toBe('DeliveryCancelled');
    expect(dispatcher?.stats().pending).toBe(0);
  });

  it('attempts again after a restart what was pending, with the same id', async () => {
    answers['fast'] = 'hang';
    await start({ timeoutMs: 60_000 });
    const [id = ''] = await schedule('fast', 1);
    await waitUntil(() => calls.length === 1);
    await dispatcher?.stop();
    answers['fast'] = { ok: true, statusCode: 200 };
    await start();
    await waitUntil(async () => (await deliveryEvents(id)).some((e) => e.type === 'DeliverySucceeded'));
    expect(calls.map((c) => c.deliveryId)).toEqual([id, id]);
  });
});
