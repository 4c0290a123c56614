import { afterAll, describe, expect, it } from 'vitest';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import { createIntegrationsProcessor, INTEGRATION_TABLES } from './integrations.js';
import {
  handleAll,
  handleWithCrash,
  inBatchesOf,
  recordCalls,
  tableRows,
  testReadStores,
} from './processor-testing.js';

const stores = testReadStores('integrations');
afterAll(() => stores.close());

const ORDER: Record<(typeof INTEGRATION_TABLES)[number], string> = {
  integration_connections: 'connection_id',
  integration_deliveries: 'delivery_id',
};

const snapshot = async (store: ReadStore, tenantId: string) => {
  const all: Record<string, unknown> = {};
  for (const table of INTEGRATION_TABLES) all[table] = await tableRows(store, table, tenantId, ORDER[table]);
  return all;
};

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const ROTATED = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const PROVIDER_TEXT = 'upstream said: customer Ana Lopez not found';

const source = (n: number) => ({
  eventId: `ev-${n}`,
  eventType: 'CallEnded',
  streamId: `call-int1.CA${n}`,
  position: 100 + n,
  occurredAt: '2024-03-01T09:00:00.000Z',
});

/**
 * Through the real write side (its deciders; this store does not seal, so the secrets are in clear in the log,
 * the harder case): a webhook connection created, renamed, tested, rotated, disabled and enabled; a second one
 * removed; three deliveries: one delivered after a failure, one dead-lettered and replayed, one cancelled.
 */
const integrationLog = async (): Promise<BusEvent[]> => {
  const log = await recordCalls('int1');
  const settings = { kind: 'webhook', url: 'https://hooks.example.com/ccp', eventTypes: ['CallEnded'] };
  log.at('2024-03-01T09:00:00.000Z');
  await log.send('CreateConnection', {
    connectionId: 'hook',
    name: 'Ops hook',
    settings,
    secrets: { signingSecret: SECRET },
  });
  await log.send('CreateConnection', {
    connectionId: 'gone',
    name: 'Old hook',
    settings,
    secrets: { signingSecret: SECRET },
  });
  log.at('2024-03-01T09:01:00.000Z');
  await log.send('UpdateConnection', { connectionId: 'hook', name: 'Operations hook' });
  await log.send('RecordConnectionTest', {
    connectionId: 'hook',
    ok: true,
    message: 'answered 204',
    statusCode: 204,
    latencyMs: 42,
  });
  await log.send('RemoveConnection', { connectionId: 'gone' });
  log.at('2024-03-01T09:02:00.000Z');
  for (const n of [1, 2, 3])
    await log.send('ScheduleDelivery', {
      deliveryId: `d${n}`,
      connectionId: 'hook',
      kind: 'webhook',
      action: 'send_webhook',
      source: source(n),
      dueAt: '2024-03-01T09:02:00.000Z',
    });
  log.at('2024-03-01T09:02:01.000Z');
  await log.send('RecordDeliveryAttempt', {
    deliveryId: 'd1',
    attempt: 1,
    outcome: 'failed',
    statusCode: 503,
    latencyMs: 120,
    errorKind: 'server_error',
    error: PROVIDER_TEXT,
    retryAt: '2024-03-01T09:03:00.000Z',
  });
  await log.send('RecordDeliveryAttempt', {
    deliveryId: 'd2',
    attempt: 1,
    outcome: 'failed',
    statusCode: 401,
    latencyMs: 30,
    errorKind: 'auth_failed',
    error: PROVIDER_TEXT,
  });
  log.at('2024-03-01T09:03:00.000Z');
  await log.send('RecordDeliveryAttempt', {
    deliveryId: 'd1',
    attempt: 2,
    outcome: 'delivered',
    statusCode: 200,
    latencyMs: 80,
    externalId: 'msg-1',
  });
  await log.send('DisableConnection', { connectionId: 'hook' });
  await log.send('CancelDelivery', { deliveryId: 'd3', reason: 'connection_disabled' });
  log.at('2024-03-01T09:04:00.000Z');
  await log.send('EnableConnection', { connectionId: 'hook' });
  await log.send('RotateConnectionSecrets', {
    connectionId: 'hook',
    secrets: { signingSecret: ROTATED },
    overlapSeconds: 3600,
  });
  await log.send('ReplayDelivery', { deliveryId: 'd2' });
  const events = await log.busEvents(['connection', 'delivery']);
  await log.close();
  return events;
};

describe('integrations processor', () => {
  it('folds connections and deliveries into rows, with hints and error kinds but no secret or provider text', async () => {
    const events = await integrationLog();
    // The log itself carries them: what is checked below is that the processor leaves them out.
    expect(JSON.stringify(events)).toContain(SECRET);
    expect(JSON.stringify(events)).toContain(PROVIDER_TEXT);
    const store = await stores.open('integrations_whole');
    await handleAll(createIntegrationsProcessor(), store, [events]);
    const [hook, gone] = await tableRows(store, 'integration_connections', 'int1', 'connection_id desc');
    expect(hook).toMatchObject({
      connection_id: 'hook',
      kind: 'webhook',
      name: 'Operations hook',
      enabled: 1,
      removed: 0,
      secret_hints: JSON.stringify({ signingSecret: `…${ROTATED.slice(-4)}` }),
      created_at: '2024-03-01 09:00:00.000',
      updated_at: '2024-03-01 09:04:00.000',
      secrets_rotated_at: '2024-03-01 09:04:00.000',
      previous_valid_until: '2024-03-01 10:04:00.000',
      last_test_ok: 1,
      last_test_message: 'answered 204',
      last_test_status: 204,
      last_test_latency_ms: 42,
      last_tested_at: '2024-03-01 09:01:00.000',
    });
    expect(JSON.parse(String(hook?.['settings']))).toEqual({
      kind: 'webhook',
      url: 'https://hooks.example.com/ccp',
      eventTypes: ['CallEnded'],
    });
    expect(gone).toMatchObject({ connection_id: 'gone', removed: 1, enabled: 0 });

    expect(await tableRows(store, 'integration_deliveries', 'int1', 'delivery_id')).toMatchObject([
      {
        delivery_id: 'd1',
        connection_id: 'hook',
        kind: 'webhook',
        action: 'send_webhook',
        source_event_type: 'CallEnded',
        source_event_id: 'ev-1',
        source_stream_id: 'call-int1.CA1',
        scheduled_at: '2024-03-01 09:02:00.000',
        status: 'delivered',
        attempts: 2,
        last_status_code: 200,
        last_error_kind: null,
        last_latency_ms: 80,
        next_attempt_at: null,
        delivered_at: '2024-03-01 09:03:00.000',
        external_id: 'msg-1',
      },
      {
        delivery_id: 'd2',
        // Dead-lettered after its one attempt with no retry, then replayed: pending again, due at once.
        status: 'pending',
        attempts: 1,
        last_status_code: 401,
        last_error_kind: 'auth_failed',
        next_attempt_at: '2024-03-01 09:04:00.000',
        delivered_at: null,
      },
      { delivery_id: 'd3', status: 'cancelled', attempts: 0, next_attempt_at: null },
    ]);
    const stored = JSON.stringify(await snapshot(store, 'int1'));
    expect(stored).not.toContain(SECRET.slice(6, 30));
    expect(stored).not.toContain(ROTATED.slice(6, 30));
    expect(stored).not.toContain('Ana Lopez');
  });

  it('a redelivered log writes no row again and leaves the tables as they were', async () => {
    const events = await integrationLog();
    const store = await stores.open('integrations_redelivery');
    await handleAll(createIntegrationsProcessor(), store, [events]);
    const before = await snapshot(store, 'int1');
    const count = () =>
      store.query(
        `SELECT (SELECT count() FROM integration_connections) AS connections,
                (SELECT count() FROM integration_deliveries) AS deliveries`,
      );
    const written = await count();
    await handleAll(createIntegrationsProcessor(), store, [events]);
    await handleAll(createIntegrationsProcessor(), store, inBatchesOf(events, 3));
    expect(await snapshot(store, 'int1')).toEqual(before);
    expect(await count()).toEqual(written);
  });

  it('gives the same rows whatever the batches, and after a crash in the middle of one', async () => {
    const events = await integrationLog();
    const whole = await stores.open('integrations_redelivery');
    const single = await stores.open('integrations_single');
    await handleAll(createIntegrationsProcessor(), single, inBatchesOf(events, 1));
    expect(await snapshot(single, 'int1')).toEqual(await snapshot(whole, 'int1'));
    // A crash between the two tables' writes: the batches that hold events of both categories.
    const batches = inBatchesOf(events, 4);
    const both = batches.flatMap((batch, n) =>
      new Set(batch.map((e) => e.key.split('-')[0])).size === 2 ? [n] : [],
    );
    expect(both.length).toBeGreaterThanOrEqual(2);
    for (const crashAt of both) {
      const crashed = await stores.open(`integrations_crash_${crashAt}`);
      await handleWithCrash(createIntegrationsProcessor(), crashed, batches, crashAt);
      expect(await snapshot(crashed, 'int1')).toEqual(await snapshot(whole, 'int1'));
    }
  });
});
