import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventDefinition, ERASED } from '@ccp/schemas';
import { startLocalKafka, type LocalKafka } from '@ccp/infra';
import {
  createSqliteCheckpointStore,
  type CheckpointStore,
  createSqliteSubjectKeys,
  subjectOf as keySubjectOf,
  withPersonalDataEncryption,
  type SubjectKeys,
  type EventStore,
  type NewEvent,
  createSqliteEventStore,
} from '@ccp/command-service';
import { busContract, utterance, type BusFixture } from './contract.js';
import { createKafkaBus } from './kafka.js';
import { HEADER_POSITION, registryClientOptions, registrySchemaOf, subjectOf } from './kafka-codec.js';
import { personalDataDecryptor } from './kafka-personal-data.js';
import { type Bus, type BusEvent, type BusOptions, type Rejection, topicOf } from './port.js';

let kafka: LocalKafka;
const kafkaLog: string[] = [];

beforeAll(async () => {
  kafka = await startLocalKafka({ withRegistry: true });
}, 120_000);
afterAll(async () => {
  await kafka?.stop();
});

interface KafkaFixture extends BusFixture {
  /** The store as kept on disk: personal fields sealed. */
  readonly raw: EventStore;
  readonly keys: SubjectKeys;
  readonly checkpoints: CheckpointStore;
}

/**
 * The platform's arrangement: the command side appends through the encrypting store, the relay reads the raw
 * store (so topics carry sealed personal data), and consumers decrypt with the same subject keys.
 */
const kafkaFixture = async (): Promise<KafkaFixture> => {
  const dir = mkdtempSync(join(tmpdir(), 'ccp-kafka-bus-'));
  const raw = createSqliteEventStore({ path: join(dir, 'events.db') });
  const keys = createSqliteSubjectKeys(join(dir, 'keys.db'), randomBytes(32));
  const checkpoints = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
  const store = withPersonalDataEncryption(raw, keys);
  return {
    store,
    raw,
    keys,
    checkpoints,
    openBus: async (options: BusOptions): Promise<Bus> =>
      createKafkaBus({
        ...options,
        store: raw,
        decrypt: personalDataDecryptor(keys),
        brokers: kafka.brokers,
        registryUrl: kafka.registryUrl ?? '',
        checkpoints,
        sessionTimeoutMs: 6_000,
        rebalanceTimeoutMs: 6_000,
        heartbeatIntervalMs: 500,
        log: (message) => kafkaLog.push(message),
      }),
    close: async () => {
      await checkpoints.close();
      keys.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

busContract('kafka', kafkaFixture);

const eventually = async (check: () => void | Promise<void>, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
};

/** Every message of a topic as stored in Kafka, read with a plain client (no registry, no decryption). */
const rawMessages = async (topic: string) => {
  const client = new Kafka({ clientId: 'raw-reader', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const wanted = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  const consumer = client.consumer({ groupId: `raw-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const messages: { key: string; value: Buffer; position: number }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      messages.push({
        key: message.key?.toString() ?? '',
        value: message.value ?? Buffer.alloc(0),
        position: Number(message.headers?.[HEADER_POSITION]?.toString()),
      });
    },
  });
  await eventually(() => expect(messages.length).toBeGreaterThanOrEqual(wanted));
  await consumer.disconnect();
  return messages;
};

/** An event of another category (and topic) than the contract's calls. */
const settingsUpdated = (tenant: string, systemPrompt: string): NewEvent => ({
  id: randomUUID(),
  type: 'TenantSettingsUpdated',
  data: { settings: { systemPrompt } },
  metadata: { ...(utterance(tenant, tenant, 0).metadata as object), version: 1 },
});

describe('kafka bus', () => {
  let fixture: KafkaFixture;
  const buses: Bus[] = [];
  const open = async (rejections: Rejection[] = []) => {
    const bus = await fixture.openBus({ onRejected: (r) => rejections.push(r) });
    buses.push(bus);
    return bus;
  };
  const collect = (key: string) => {
    const seen: BusEvent[] = [];
    return {
      seen,
      handle: async (batch: readonly BusEvent[]) => {
        for (const event of batch) if (event.key === key) seen.push(event);
      },
    };
  };

  beforeAll(async () => {
    fixture = await kafkaFixture();
  });
  afterAll(async () => {
    for (const bus of buses) await bus.close();
    await fixture.close();
  });

  it('keeps personal data sealed in the topics, opens it for consumers, and erasure reaches Kafka too', async () => {
    const tenant = 'sealed';
    const call = `s-${randomUUID().slice(0, 8)}`;
    const key = `call-${tenant}.${call}`;
    const event = utterance(tenant, call, 0);
    await fixture.store.append(
      key,
      [{ ...event, data: { ...(event.data as object), text: 'my card is 4242' } }],
      'no_stream',
    );
    const bus = await open();
    await bus.start();
    const got = collect(key);
    await bus.consume({ group: `sealed-${randomUUID()}`, categories: ['call'], handle: got.handle });
    await eventually(() => expect(got.seen).toHaveLength(1));
    expect(got.seen[0]?.envelope.data).toMatchObject({ text: 'my card is 4242', utteranceId: 'u0' });

    const inTopic = (await rawMessages(topicOf('call'))).filter((m) => m.key === key);
    expect(inTopic).toHaveLength(1);
    expect(inTopic[0]?.value.toString()).toContain('"text":"pii:v1:');
    expect(inTopic[0]?.value.toString()).not.toContain('4242');
    expect(inTopic[0]?.position).toBe(got.seen[0]?.position);

    fixture.keys.erase(keySubjectOf(tenant, key));
    const after = collect(key);
    await bus.consume({ group: `erased-${randomUUID()}`, categories: ['call'], handle: after.handle });
    await eventually(() => expect(after.seen).toHaveLength(1));
    expect(after.seen[0]?.envelope.data).toMatchObject({ text: ERASED, utteranceId: 'u0' });
  });

  it('reports and skips a message a foreign producer wrote into a topic, and delivers what follows', async () => {
    const tenant = 'foreign';
    const call = `f-${randomUUID().slice(0, 8)}`;
    const key = `call-${tenant}.${call}`;
    // Its own bus: every group reading the topic reports what it cannot read, this test counts one group's.
    const rejections: Rejection[] = [];
    const bus = await open(rejections);
    await bus.start();
    const got = collect(key);
    await bus.consume({ group: `foreign-${randomUUID()}`, categories: ['call'], handle: got.handle });
    const client = new Kafka({ clientId: 'foreign', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const producer = client.producer();
    await producer.connect();
    await producer.send({
      topic: topicOf('call'),
      messages: [
        { key, value: 'not an event', headers: { [HEADER_POSITION]: '1' } },
        // The registry's header with a schema id nobody registered.
        { key, value: Buffer.from([0, 0, 0, 0x7f, 0x7f, 0x7b, 0x7d]), headers: { [HEADER_POSITION]: '2' } },
      ],
    });
    await producer.disconnect();
    await fixture.store.append(key, [utterance(tenant, call, 0)], 'no_stream');
    await eventually(() => expect(got.seen.map((e) => e.envelope.type)).toEqual(['UtteranceRecorded']));
    await eventually(() => expect(rejections.filter((r) => r.key === key)).toHaveLength(2));
  });

  it('publishes each event once across a relay restart: it resumes from the checkpoint the broker acknowledged', async () => {
    const tenant = 'relay';
    const call = `p-${randomUUID().slice(0, 8)}`;
    const key = `call-${tenant}.${call}`;
    for (const bus of buses.splice(0)) await bus.close();
    const first = await open();
    await first.start();
    for (let n = 0; n < 10; n += 1)
      await fixture.store.append(key, [utterance(tenant, call, n)], n - 1 < 0 ? 'no_stream' : n - 1);
    const [last] = await fixture.raw.readStream(key, { direction: 'backwards', maxCount: 1 });
    await eventually(async () => expect(await fixture.checkpoints.load('kafka-relay')).toBe(last?.position));
    await first.close();
    for (let n = 10; n < 15; n += 1) await fixture.store.append(key, [utterance(tenant, call, n)], n - 1);
    const second = await open();
    await second.start();
    const [end] = await fixture.raw.readStream(key, { direction: 'backwards', maxCount: 1 });
    await eventually(async () => expect(await fixture.checkpoints.load('kafka-relay')).toBe(end?.position));
    const positions = (await rawMessages(topicOf('call')))
      .filter((m) => m.key === key)
      .map((m) => m.position);
    expect(positions).toHaveLength(15);
    expect(new Set(positions).size).toBe(15);
  });

  it('moves the checkpoint only once the broker acknowledged', { timeout: 120_000 }, async () => {
    const tenant = 'acked';
    const bus = await open();
    await bus.start();
    const key = `tenant-${tenant}.${tenant}`;
    await fixture.store.append(key, [settingsUpdated(tenant, 'hi')], 'no_stream');
    const [first] = await fixture.raw.readStream(key);
    await eventually(async () => expect(await fixture.checkpoints.load('kafka-relay')).toBe(first?.position));

    // The topic disappears: the broker refuses the next event until it is back.
    const admin = new Kafka({
      clientId: 'acked',
      brokers: kafka.brokers,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topicOf('tenant')] });
    const logged = kafkaLog.length;
    await fixture.store.append(key, [settingsUpdated(tenant, 'hello')], 0);
    // Not a fixed wait: the relay's own report that the broker refused this event proves it was sent and
    // refused; the checkpoint moves only after a send the broker acknowledged, so it must still be the first.
    // (kafkajs retries inside one attempt for a few seconds before the relay hears of the refusal.)
    await eventually(
      () =>
        expect(kafkaLog.slice(logged).some((line) => /kafka-relay: publishing failed/.test(line))).toBe(true),
      60_000,
    );
    expect(await fixture.checkpoints.load('kafka-relay')).toBe(first?.position);

    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: topicOf('tenant'), numPartitions: 3 }],
    });
    await admin.disconnect();
    const [second] = await fixture.raw.readStream(key, { fromRevision: 1 });
    await eventually(async () =>
      expect(await fixture.checkpoints.load('kafka-relay')).toBe(second?.position),
    );
    const positions = (await rawMessages(topicOf('tenant')))
      .filter((m) => m.key === key)
      .map((m) => m.position);
    expect(positions).toEqual([second?.position]);
  });

  it('registers each event version under its subject with BACKWARD compatibility, which the registry enforces', async () => {
    const registry = new SchemaRegistry({ host: kafka.registryUrl ?? '' }, registryClientOptions);
    const definition = eventDefinition('UtteranceRecorded', 2);
    if (!definition) throw new Error('UtteranceRecorded v2 is missing');
    const response = await fetch(`${kafka.registryUrl}/config/${encodeURIComponent(subjectOf(definition))}`);
    expect(await response.json()).toMatchObject({ compatibilityLevel: 'BACKWARD' });

    // A scratch subject, so the real one stays as the relay registered it.
    const subject = `compat-${randomUUID()}`;
    const schema = registrySchemaOf(definition);
    const register = (s: unknown) =>
      registry.register(
        { type: SchemaType.JSON, schema: JSON.stringify(s) },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      );
    await register(schema);
    const data = (schema.properties as Record<string, Record<string, unknown>>).data ?? {};
    const withOptional = {
      ...schema,
      properties: {
        ...(schema.properties as object),
        data: { ...data, properties: { ...(data.properties as object), sentiment: { type: 'number' } } },
      },
    };
    await expect(register(withOptional)).resolves.toMatchObject({ id: expect.any(Number) });
    const withRequired = {
      ...withOptional,
      properties: {
        ...(withOptional.properties as object),
        data: {
          ...withOptional.properties.data,
          required: [...((data.required as string[]) ?? []), 'sentiment'],
        },
      },
    };
    await expect(register(withRequired)).rejects.toThrow();
  });
});
