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
  openSecret,
  withPersonalDataEncryption,
  type CheckpointStore,
  type CommandHandler,
  type DeliveryMetrics,
  type EventStore,
} from '@ccp/command-service';
import { backoffDelayMs, retryDelayMs } from './delivery-facts.js';
import { startDispatcher, type Dispatcher } from './dispatcher.js';
import { startPlanner } from './planner.js';
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
/**
 * What each connection answers, by `tenant/connection` or by connection in any tenant; `hang` never answers
 * (until the attempt times out or the dispatcher stops).
 */
let answers: Record<string, 'hang' | AttemptResult> = {};
let calls: { tenantId: string; connectionId: string; deliveryId: string; answered: boolean }[] = [];

const scripted: IntegrationTarget = {
  kinds: ['webhook'],
  actions: ['send_webhook'],
  deliver: (request: DeliveryRequest) => {
    const { tenantId, connectionId } = request.connection;
    const call = { tenantId, connectionId, deliveryId: request.deliveryId, answered: false };
    calls.push(call);
    const answer = answers[`${tenantId}/${connectionId}`] ??
      answers[connectionId] ?? { ok: true, statusCode: 200 };
    if (answer !== 'hang') {
      call.answered = true;
      return Promise.resolve(answer);
    }
    return new Promise((_, reject) =>
      request.signal.addEventListener(
        'abort',
        () => {
          call.answered = true;
          reject(new Error('aborted'));
        },
        { once: true },
      ),
    );
  },
  test: () => Promise.resolve({ ok: true, message: 'ok' }),
};

const send = (type: string, data: Record<string, unknown>) =>
  handler.handleTrusted(type, { tenantId: 'acme', ...data }, { actor: SYSTEM_ACTOR });

const deliveryEvents = async (deliveryId: string, tenantId = 'acme'): Promise<EventEnvelope[]> =>
  (await store.readStream(`delivery-${tenantId}.${deliveryId}`)).flatMap((r) => {
    const d = decodeEvent(r);
    return d.ok ? [d.value] : [];
  });

const start = async (
  settings: { concurrency?: number; perConnection?: number; timeoutMs?: number } = {},
  on: EventStore = store,
  log: (message: string) => void = () => undefined,
  metrics?: DeliveryMetrics,
) => {
  dispatcher = await startDispatcher({
    store: on,
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
    log,
    ...(metrics && { metrics }),
  });
  return dispatcher;
};

const schedule = async (connectionId: string, n: number, tenantId = 'acme') => {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const deliveryId = `dlv_${connectionId}_${i}`;
    await send('ScheduleDelivery', {
      tenantId,
      deliveryId,
      connectionId,
      kind: 'webhook',
      action: 'send_webhook',
      source: {
        eventId: `e${i}`,
        eventType: 'CallEnded',
        streamId: `call-${tenantId}.c1`,
        position: 1,
        occurredAt: now().toISOString(),
      },
      dueAt: now().toISOString(),
    });
    dispatcher?.enqueue({ tenantId, deliveryId, connectionId, due: now() });
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
  await send('CreateTenant', { tenantId: 'beta', name: 'Beta Clinic', planTier: 'starter' });
  for (const [tenantId, id] of [
    ['acme', 'fast'],
    ['acme', 'slow'],
    ['acme', 'slow2'],
    ['beta', 'slow'],
  ] as const)
    await handler.handleTrusted(
      'CreateConnection',
      {
        tenantId,
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
    const counted: string[] = [];
    await start({}, store, undefined, {
      delivery: (kind, channel, outcome) => counted.push(`${kind} ${channel} ${outcome}`),
      providerError: () => undefined,
      addProviderErrorSource: () => undefined,
    });
    const [id = ''] = await schedule('fast', 1);
    await waitUntil(async () => (await deliveryEvents(id)).some((e) => e.type === 'DeliveryAttemptFailed'));
    const failed = (await deliveryEvents(id)).find((e) => e.type === 'DeliveryAttemptFailed');
    expect((failed?.data as { retryAt: string }).retryAt).toBe(new Date(T0 + 120_000).toISOString());
    answers['fast'] = { ok: true, statusCode: 200 };
    at = T0 + 60_000;
    // Settled: nothing due at this clock is left or in flight, so a premature retry would have been made.
    await dispatcher?.settled();
    expect(calls).toHaveLength(1);
    at = T0 + 120_001;
    dispatcher?.poke();
    await waitUntil(async () => (await deliveryEvents(id)).some((e) => e.type === 'DeliverySucceeded'));
    expect(calls.map((c) => c.deliveryId)).toEqual([id, id]);
    // Each attempt counted once, by the connection's kind.
    expect(counted).toEqual(['integration webhook failed', 'integration webhook delivered']);
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
    await start({ concurrency: 8, perConnection: 2, timeoutMs: 600_000 });
    await schedule('slow', 6);
    const fast = await schedule('fast', 6);
    await waitUntil(async () => {
      const done = await Promise.all(
        fast.map(async (id) => (await deliveryEvents(id)).some((e) => e.type === 'DeliverySucceeded')),
      );
      return done.every(Boolean);
    });
    // Delivered while the hanging connection's attempts are still open; it holds no more than its own share.
    const slow = calls.filter((c) => c.connectionId === 'slow');
    expect(slow).toHaveLength(2);
    expect(slow.every((c) => !c.answered)).toBe(true);
  });

  it("frees a connection's slot once the target answered, while the attempt is still being recorded", async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((r) => (release = r));
    const real = handler;
    // The first recording waits on the test: the connection's one slot is free all the same.
    let held = false;
    handler = {
      ...real,
      handleTrusted: async (type, input, context) => {
        if (type === 'RecordDeliveryAttempt' && !held) {
          held = true;
          await gate;
        }
        return real.handleTrusted(type, input, context);
      },
    };
    await start({ perConnection: 1 });
    const ids = await schedule('fast', 2);
    await waitUntil(() => calls.length === 2);
    expect((await deliveryEvents(ids[0] ?? '')).map((e) => e.type)).toEqual(['DeliveryScheduled']);
    release();
    await dispatcher?.settled();
    for (const id of ids) expect((await deliveryEvents(id)).at(-1)?.type).toBe('DeliverySucceeded');
    handler = real;
  });

  it("keeps a tenant's hanging connections from taking another tenant's slots", async () => {
    // acme's two connections hang; beta's connection has the same id as one of them and answers at once.
    answers['acme/slow'] = 'hang';
    answers['acme/slow2'] = 'hang';
    await start({ concurrency: 4, perConnection: 2, timeoutMs: 600_000 });
    await schedule('slow', 4);
    await schedule('slow2', 4);
    const [id = ''] = await schedule('slow', 1, 'beta');
    await waitUntil(async () =>
      (await deliveryEvents(id, 'beta')).some((e) => e.type === 'DeliverySucceeded'),
    );
    const acme = calls.filter((c) => c.tenantId === 'acme');
    // Half the global limit for one tenant, every one of its attempts still hanging.
    expect(acme).toHaveLength(2);
    expect(acme.every((c) => !c.answered)).toBe(true);
    expect(dispatcher?.stats().inFlight).toBe(2);
  });

  it('makes a replayed dead letter again through its stream, with the same id', async () => {
    answers['fast'] = {
      ok: false,
      errorKind: 'client_error',
      statusCode: 400,
      error: '400',
      retryable: false,
    };
    await start();
    const [id = ''] = await schedule('fast', 1);
    await waitUntil(async () => (await deliveryEvents(id)).some((e) => e.type === 'DeliveryDeadLettered'));
    await dispatcher?.settled();
    expect(dispatcher?.stats().pending).toBe(0);
    answers['fast'] = { ok: true, statusCode: 200 };
    // Not handed over in process: the dispatcher learns of it from the log and reads the connection from it.
    await send('ReplayDelivery', { deliveryId: id });
    await waitUntil(async () => (await deliveryEvents(id)).some((e) => e.type === 'DeliverySucceeded'));
    expect(calls.map((c) => c.deliveryId)).toEqual([id, id]);
    expect((await deliveryEvents(id)).map((e) => e.type)).toEqual([
      'DeliveryScheduled',
      'DeliveryAttemptFailed',
      'DeliveryDeadLettered',
      'DeliveryReplayRequested',
      'DeliverySucceeded',
    ]);
  });

  it('waits a second before reading again a delivery whose stream cannot be read', async () => {
    answers['fast'] = {
      ok: false,
      errorKind: 'client_error',
      statusCode: 400,
      error: '400',
      retryable: false,
    };
    let failing = false;
    let reads = 0;
    const flaky: EventStore = {
      ...store,
      readStream: (streamId, options) => {
        if (streamId.startsWith('delivery-')) {
          reads += 1;
          if (failing) return Promise.reject(new Error('disk I/O error'));
        }
        return store.readStream(streamId, options);
      },
    };
    const logs: string[] = [];
    await start({}, flaky, (m) => logs.push(m));
    const [id = ''] = await schedule('fast', 1);
    await waitUntil(async () => (await deliveryEvents(id)).some((e) => e.type === 'DeliveryDeadLettered'));
    await dispatcher?.settled();
    answers['fast'] = { ok: true, statusCode: 200 };
    reads = 0;
    failing = true;
    await send('ReplayDelivery', { deliveryId: id });
    await waitUntil(() => reads > 0);
    // The clock has not moved: one failed read, then nothing is due until a second later.
    await dispatcher?.settled();
    dispatcher?.poke();
    await dispatcher?.settled();
    expect(reads).toBe(1);
    expect(logs.filter((m) => m.includes('disk I/O error'))).toHaveLength(1);
    failing = false;
    at = T0 + 1_000;
    dispatcher?.poke();
    await waitUntil(async () => (await deliveryEvents(id)).some((e) => e.type === 'DeliverySucceeded'));
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

  it("cancels a removed connection's pending deliveries and erases its key", async () => {
    answers['slow'] = {
      ok: false,
      errorKind: 'server_error',
      statusCode: 500,
      error: '500',
      retryable: true,
    };
    const running = await start();
    const connections = createLiveConnections(store, keys);
    const planner = await startPlanner({
      store,
      checkpoints,
      keys,
      handler,
      targets: new Map([['webhook', scripted]]),
      dispatch: running,
      now,
      log: () => undefined,
    });
    try {
      await connections.catchUp();
      const connection = connections.view.connection('acme', 'slow');
      expect(connection && connections.view.secretsOf(connection)).toBeDefined();
      const ids = await schedule('slow', 3);
      await waitUntil(async () =>
        (await deliveryEvents(ids[2] ?? '')).some((e) => e.type === 'DeliveryAttemptFailed'),
      );
      await send('RemoveConnection', { connectionId: 'slow' });
      expect(await planner.caughtUp()).toBe(true);
      for (const id of ids) {
        const last = (await deliveryEvents(id)).at(-1);
        expect(last?.type).toBe('DeliveryCancelled');
        expect(last?.data).toEqual({ reason: 'connection_removed' });
      }
      expect(running.stats().pending).toBe(0);
      const created = (await store.readStream('connection-acme.slow')).find(
        (r) => r.type === 'ConnectionCreated',
      );
      const sealed = (created?.data as { secrets?: unknown } | undefined)?.secrets;
      expect(String(sealed)).toMatch(/^secret:v1:/);
      expect(openSecret(keys, 'acme', 'connection-acme.slow', sealed)).toBeUndefined();
      // The live view no longer holds the connection either.
      await connections.catchUp();
      expect(connections.view.connection('acme', 'slow')).toBeUndefined();
    } finally {
      await planner.stop();
    }
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
