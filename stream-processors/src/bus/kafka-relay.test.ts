import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as realDelay } from 'node:timers/promises';
import { KafkaJSError, type Producer, type ProducerBatch, type RecordMetadata } from 'kafkajs';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import {
  createSqliteCheckpointStore,
  createSqliteEventStore,
  type CheckpointStore,
  type EventStore,
  type NewEvent,
} from '@ccp/command-service';
import { HEADER_POSITION, HEADER_TYPE, HEADER_VERSION } from './kafka-codec.js';
import { startRelay, type RelayOptions, type RunningRelay } from './kafka-relay.js';
import { topicOf, type Rejection } from './port.js';

/*
 * The Kafka relay without a broker: a real SQLite event store and checkpoint store in a temp dir, test doubles for
 * the kafkajs producer and the schema registry client. kafka.test.ts runs the same relay against a real broker.
 */

const metadata = (tenantId: string, correlationId: string, version: number) => ({
  version,
  tenantId,
  occurredAt: new Date().toISOString(),
  causationId: null,
  correlationId,
  actor: SYSTEM_ACTOR,
});

/** A valid UtteranceRecorded v2 of stream `call-<tenant>.<call>`, numbered n. */
const utterance = (tenantId: string, callId: string, n: number): NewEvent => ({
  id: randomUUID(),
  type: 'UtteranceRecorded',
  data: { utteranceId: `u${n}`, speaker: 'caller', text: `line ${n}`, confidence: 0.9, language: 'en' },
  metadata: metadata(tenantId, callId, 2),
});

/** A valid TenantSettingsUpdated v1 of stream `tenant-<tenant>.<tenant>`: another category, another topic. */
const settingsUpdated = (tenantId: string): NewEvent => ({
  id: randomUUID(),
  type: 'TenantSettingsUpdated',
  data: { settings: { systemPrompt: 'be kind' } },
  metadata: metadata(tenantId, tenantId, 1),
});

/** Thrown by the registry double for a payload it refuses: named as the registry client names its error. */
class ConfluentSchemaRegistryValidationError extends Error {
  override readonly name = 'ConfluentSchemaRegistryValidationError';
  constructor(
    message: string,
    readonly paths: string[][],
  ) {
    super(message);
  }
}

/**
 * A TEST DOUBLE of the schema registry client, with only what the relay uses (register, encode). `register` gives
 * each subject an id; `encode` writes the registry's wire format (magic byte 0, the schema id as 4 bytes big
 * endian, then the JSON payload) and throws the client's validation error for an event passed to `refuse`.
 */
const fakeRegistry = () => {
  const subjects = new Map<number, string>();
  const refused = new Set<string>();
  const registry: Pick<SchemaRegistry, 'register' | 'encode'> = {
    register: async (_schema: unknown, options?: { subject?: string }) => {
      const id = subjects.size + 1;
      subjects.set(id, options?.subject ?? `subject-${id}`);
      return { id };
    },
    encode: async (id: number, payload: { id: string }) => {
      if (!subjects.has(id)) throw new Error(`no schema with id ${id}`);
      if (refused.has(payload.id))
        throw new ConfluentSchemaRegistryValidationError('invalid payload', [['data', 'text']]);
      const header = Buffer.alloc(5);
      header.writeUInt32BE(id, 1);
      return Buffer.concat([header, Buffer.from(JSON.stringify(payload))]);
    },
  };
  return {
    registry,
    /** The subject a schema id was registered under. */
    subjectOf: (id: number) => subjects.get(id),
    /** Makes encode refuse this event, as a registry refuses a payload its schema does not accept. */
    refuse: (eventId: string) => refused.add(eventId),
  };
};

/** One message as a consumer reads it from the broker. */
interface Published {
  readonly topic: string;
  readonly key: string;
  readonly position: number;
  readonly type: string;
  readonly version: string;
  readonly magicByte: number;
  readonly schemaId: number;
  readonly eventId: string;
}

const messagesOf = (batch: ProducerBatch): Published[] =>
  (batch.topicMessages ?? []).flatMap(({ topic, messages }) =>
    messages.map((message) => {
      const value = Buffer.from(message.value ?? '');
      return {
        topic,
        key: String(message.key),
        position: Number(message.headers?.[HEADER_POSITION]),
        type: String(message.headers?.[HEADER_TYPE]),
        version: String(message.headers?.[HEADER_VERSION]),
        magicByte: value.readUInt8(0),
        schemaId: value.readUInt32BE(1),
        eventId: (JSON.parse(value.subarray(5).toString()) as { id: string }).id,
      };
    }),
  );

/**
 * A TEST DOUBLE of kafkajs' Producer, with only what the relay uses (sendBatch): records every call and what it
 * carried; the calls `failCalls` picks (numbered from 1) reject as a broker that is down does, the others are
 * acknowledged. `until(condition)` resolves once a call has made the condition true.
 */
const recordingProducer = () => {
  const calls: { batch: ProducerBatch; acknowledged: boolean }[] = [];
  let fails = (_call: number) => false;
  const waiters = new Set<() => void>();
  const producer: Pick<Producer, 'sendBatch'> = {
    sendBatch: async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
      const acknowledged = !fails(calls.length + 1);
      calls.push({ batch: structuredClone(batch), acknowledged });
      for (const wake of waiters) wake();
      if (!acknowledged) throw new KafkaJSError('broker not available', { retriable: true });
      return [];
    },
  };
  return {
    producer,
    calls,
    failCalls: (which: (call: number) => boolean) => {
      fails = which;
    },
    /** Every message the broker acknowledged, in the order it received them. */
    published: () => calls.filter((c) => c.acknowledged).flatMap((c) => messagesOf(c.batch)),
    failures: () => calls.filter((c) => !c.acknowledged).length,
    until: (condition: () => boolean): Promise<void> =>
      new Promise((resolve) => {
        const check = () => {
          if (!condition()) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
  };
};

/**
 * A TEST DOUBLE around the real checkpoint store: the saves `failSaves` picks (numbered from 1) throw, as a disk
 * that is full does, without saving; the others save.
 */
const flakyCheckpoints = (real: CheckpointStore) => {
  let saves = 0;
  let fails = (_save: number) => false;
  let failed = 0;
  const checkpoints: CheckpointStore = {
    load: (name) => real.load(name),
    save: async (name, position) => {
      saves += 1;
      if (fails(saves)) {
        failed += 1;
        throw new Error('SQLITE_FULL: database or disk is full');
      }
      await real.save(name, position);
    },
    close: () => real.close(),
  };
  return {
    checkpoints,
    failSaves: (which: (save: number) => boolean) => {
      fails = which;
    },
    failed: () => failed,
  };
};

/** Polls a condition with the real clock (also when a test fakes timers); fails with the last assertion. */
const eventually = async (check: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await realDelay(10);
    }
  }
};

/** Whether a promise settles while no timer fires: a few turns of the event loop, the fake clock standing still. */
const settlesWithoutTheClock = async (promise: Promise<unknown>): Promise<boolean> => {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let turn = 0; turn < 50 && !settled; turn += 1) await new Promise((resolve) => setImmediate(resolve));
  return settled;
};

const RELAY = 'kafka-relay';
let dir: string;
let store: EventStore;
let checkpoints: CheckpointStore;
let log: string[];
let rejections: Rejection[];
let ensured: string[];
const relays: RunningRelay[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ccp-kafka-relay-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
  checkpoints = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
  log = [];
  rejections = [];
  ensured = [];
});
afterEach(async () => {
  // A relay left waiting on the fake clock (a test that failed) gets to finish its wait.
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(60_000);
  vi.useRealTimers();
  for (const relay of relays.splice(0)) await relay.stop();
  await checkpoints.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const start = async (options: Partial<RelayOptions> & Pick<RelayOptions, 'producer' | 'registry'>) => {
  const relay = await startRelay({
    store,
    checkpoints,
    name: RELAY,
    ensureTopics: async (topics) => {
      ensured.push(...topics);
    },
    onRejected: (rejection) => rejections.push(rejection),
    log: (message) => log.push(message),
    ...options,
  });
  relays.push(relay);
  return relay;
};

/** Appends one event to a stream at its end; its position in the global log. */
const append = async (streamId: string, event: NewEvent): Promise<number> => {
  const [last] = await store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
  return (await store.append(streamId, [event], last ? last.revision : 'no_stream')).position;
};

const callA = 'call-acme.a';
const callB = 'call-acme.b';
const tenant = 'tenant-acme.acme';

describe('kafka relay', () => {
  it('publishes the log after its checkpoint: a topic per category, keyed by stream, with position, type and version, in log order', async () => {
    // Given a log of two calls and a tenant, and a checkpoint after its first event
    const skipped = await append(callA, utterance('acme', 'a', 0));
    const positions = [
      await append(callA, utterance('acme', 'a', 1)),
      await append(tenant, settingsUpdated('acme')),
      await append(callB, utterance('acme', 'b', 0)),
      await append(callA, utterance('acme', 'a', 2)),
      await append(callB, utterance('acme', 'b', 1)),
    ];
    await checkpoints.save(RELAY, skipped);
    const expected = await store.readAll({ after: skipped });
    const broker = recordingProducer();
    const registry = fakeRegistry();

    // When the relay runs, two events a produce request
    const relay = await start({ producer: broker.producer, registry: registry.registry, maxBatchSize: 2 });
    await eventually(() => expect(relay.acknowledged()).toBe(positions.at(-1)));

    // Then every event after the checkpoint went out once, to its category's topic, keyed by its stream
    const published = broker.published();
    expect([...published].sort((a, b) => a.position - b.position)).toEqual(
      expected.map((event) =>
        expect.objectContaining({
          topic: topicOf(event.streamId.split('-')[0] ?? ''),
          key: event.streamId,
          position: event.position,
          type: event.type,
          version: event.type === 'UtteranceRecorded' ? '2' : '1',
          eventId: event.id,
          magicByte: 0,
        }),
      ),
    );
    expect(published.find((m) => m.key === tenant)?.topic).toBe('ccp.tenant.v1');
    expect(registry.subjectOf(published[0]?.schemaId ?? 0)).toBe('ccp.call.v1-UtteranceRecorded.v2');
    expect(registry.subjectOf(published.find((m) => m.key === tenant)?.schemaId ?? 0)).toBe(
      'ccp.tenant.v1-TenantSettingsUpdated.v1',
    );
    // in log order within each topic, in produce requests of at most two, acknowledged by all in-sync replicas
    for (const topic of ['ccp.call.v1', 'ccp.tenant.v1']) {
      const inTopic = published.filter((m) => m.topic === topic).map((m) => m.position);
      expect(inTopic).toEqual([...inTopic].sort((a, b) => a - b));
    }
    expect(broker.calls.map((c) => messagesOf(c.batch).length)).toEqual([2, 2, 1]);
    expect(broker.calls.every((c) => c.batch.acks === -1)).toBe(true);
    expect(new Set(ensured)).toEqual(new Set(['ccp.call.v1', 'ccp.tenant.v1']));
    // and the checkpoint holds the last event's position
    expect(await checkpoints.load(RELAY)).toBe(positions.at(-1));
    expect(rejections).toEqual([]);
  });

  it('retries a batch the broker refused and moves the checkpoint only once the broker acknowledged it', async () => {
    // Given three events and a broker that refuses the first two produce requests
    const positions = [
      await append(callA, utterance('acme', 'a', 0)),
      await append(callA, utterance('acme', 'a', 1)),
      await append(callA, utterance('acme', 'a', 2)),
    ];
    const broker = recordingProducer();
    broker.failCalls((call) => call <= 2);

    // When the relay runs
    const relay = await start({
      producer: broker.producer,
      registry: fakeRegistry().registry,
      maxBatchSize: 2,
    });

    // Then, while the broker refuses, nothing is checkpointed
    await broker.until(() => broker.failures() === 1);
    expect(await checkpoints.load(RELAY)).toBeUndefined();
    expect(relay.acknowledged()).toBe(0);
    await broker.until(() => broker.failures() === 2);
    expect(await checkpoints.load(RELAY)).toBeUndefined();
    expect(relay.acknowledged()).toBe(0);

    // and once it acknowledges, every event is published once, in order, and checkpointed
    await eventually(() => expect(relay.acknowledged()).toBe(positions.at(-1)));
    expect(await checkpoints.load(RELAY)).toBe(positions.at(-1));
    expect(broker.published().map((m) => m.position)).toEqual(positions);
    // the refused batch was sent again as it was
    expect(broker.calls.map((c) => messagesOf(c.batch).map((m) => m.position))).toEqual([
      positions.slice(0, 2),
      positions.slice(0, 2),
      positions.slice(0, 2),
      positions.slice(2),
    ]);
    expect(log.some((line) => line.includes('publishing failed (attempt 1)'))).toBe(true);
    expect(log.some((line) => line.includes('publishing failed (attempt 2)'))).toBe(true);
  });

  it('reports an event its schema refuses, skips it, checkpoints past it and publishes what follows', async () => {
    // Given events the codec's schema refuses (a confidence of 7) or the registry refuses, among valid ones
    const valid = await append(callA, utterance('acme', 'a', 0));
    const invalidData = await append(callA, {
      ...utterance('acme', 'a', 1),
      data: { utteranceId: 'u1', speaker: 'caller', text: 'line 1', confidence: 7, language: 'en' },
    });
    const registry = fakeRegistry();
    const refusedEvent = utterance('acme', 'a', 2);
    registry.refuse(refusedEvent.id);
    const refusedByRegistry = await append(callA, refusedEvent);
    const after = await append(callA, utterance('acme', 'a', 3));
    const lastEvent = utterance('acme', 'a', 4);
    registry.refuse(lastEvent.id);
    const refusedLast = await append(callA, lastEvent);
    const broker = recordingProducer();

    // When the relay runs
    const relay = await start({ producer: broker.producer, registry: registry.registry, maxBatchSize: 2 });

    // Then the checkpoint moves past every event, the refused last one included
    await eventually(() => expect(relay.acknowledged()).toBe(refusedLast));
    expect(await checkpoints.load(RELAY)).toBe(refusedLast);
    // the refused events are reported with their stream, position, type and why
    expect(rejections).toEqual([
      {
        key: callA,
        position: invalidData,
        type: 'UtteranceRecorded',
        reason: expect.stringContaining('data.confidence'),
      },
      {
        key: callA,
        position: refusedByRegistry,
        type: 'UtteranceRecorded',
        reason: expect.stringMatching(/does not match ccp\.call\.v1-UtteranceRecorded\.v2 at .*text/),
      },
      {
        key: callA,
        position: refusedLast,
        type: 'UtteranceRecorded',
        reason: expect.stringContaining('does not match'),
      },
    ]);
    // and every other event is published, none retried
    expect(broker.published().map((m) => m.position)).toEqual([valid, after]);
    expect(broker.failures()).toBe(0);
    expect(log.filter((line) => line.includes('failed'))).toEqual([]);
  });

  it('stops promptly while the broker keeps refusing, and a new relay publishes the unacknowledged tail again', async () => {
    // Given four events and a broker that acknowledges the first produce request and refuses every later one
    const positions = [
      await append(callA, utterance('acme', 'a', 0)),
      await append(callA, utterance('acme', 'a', 1)),
      await append(callA, utterance('acme', 'a', 2)),
      await append(callA, utterance('acme', 'a', 3)),
    ];
    const down = recordingProducer();
    down.failCalls((call) => call >= 2);
    // A clock that stands still: stopping must not wait for a retry's back-off to run out.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const first = await start({
      producer: down.producer,
      registry: fakeRegistry().registry,
      maxBatchSize: 2,
    });
    await down.until(() => down.failures() >= 1);
    expect(first.acknowledged()).toBe(positions[1]);

    // When it is stopped
    const stopping = first.stop();

    // Then it stops without waiting out the back-off, and sends nothing more
    expect(await settlesWithoutTheClock(stopping)).toBe(true);
    const sent = down.calls.length;
    await vi.runAllTimersAsync();
    vi.useRealTimers();
    expect(down.calls.length).toBe(sent);
    // the checkpoint stays at the batch the broker acknowledged
    expect(first.acknowledged()).toBe(positions[1]);
    expect(await checkpoints.load(RELAY)).toBe(positions[1]);
    expect(down.published().map((m) => m.position)).toEqual(positions.slice(0, 2));
    expect(down.calls.at(-1)?.batch.topicMessages?.[0]?.messages).toHaveLength(2);

    // and a new relay from that checkpoint publishes the tail the broker had refused
    const up = recordingProducer();
    const second = await start({ producer: up.producer, registry: fakeRegistry().registry, maxBatchSize: 2 });
    await eventually(() => expect(second.acknowledged()).toBe(positions[3]));
    expect(up.published().map((m) => m.position)).toEqual(positions.slice(2));
    expect(await checkpoints.load(RELAY)).toBe(positions[3]);
  });

  it('retries a checkpoint it could not save, and loses no batch', async () => {
    // Given three events and a checkpoint store whose first save fails
    const positions = [
      await append(callA, utterance('acme', 'a', 0)),
      await append(callB, utterance('acme', 'b', 0)),
      await append(tenant, settingsUpdated('acme')),
    ];
    const flaky = flakyCheckpoints(checkpoints);
    flaky.failSaves((save) => save === 1);
    const broker = recordingProducer();

    // When the relay publishes them in one batch
    const relay = await start({
      producer: broker.producer,
      registry: fakeRegistry().registry,
      checkpoints: flaky.checkpoints,
    });

    // Then, while the checkpoint is not saved, the relay does not count the batch as acknowledged
    await eventually(() => expect(flaky.failed()).toBe(1));
    expect(relay.acknowledged()).toBe(0);
    expect(await checkpoints.load(RELAY)).toBeUndefined();
    // and it saves it on the next attempt
    await eventually(() => expect(relay.acknowledged()).toBe(positions.at(-1)));
    expect(await checkpoints.load(RELAY)).toBe(positions.at(-1));
    expect(log.some((line) => line.includes('saving the checkpoint failed (attempt 1)'))).toBe(true);
    // the batch was published once, whole
    expect(
      broker
        .published()
        .map((m) => m.position)
        .sort((a, b) => a - b),
    ).toEqual(positions);
    expect(broker.calls).toHaveLength(1);
  });
});
