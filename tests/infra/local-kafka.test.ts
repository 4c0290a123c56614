/**
 * The local Kafka that the bus adapter's tests and the scale profile rely on: a real broker and a
 * real Confluent-compatible registry, started and stopped by infra/kafka/local-kafka.ts. The first
 * run downloads them from Maven Central (hence the long hook timeout); later runs use the cache.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, Partitioners, type Consumer, type KafkaMessage } from 'kafkajs';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { startLocalKafka, type LocalKafka } from '@ccp/infra';

const FIRST_RUN_DOWNLOAD_MS = 15 * 60_000;

let local: LocalKafka;
let kafka: Kafka;

beforeAll(async () => {
  local = await startLocalKafka({ withRegistry: true });
  kafka = new Kafka({ clientId: 'local-kafka-test', brokers: local.brokers, logLevel: logLevel.NOTHING });
}, FIRST_RUN_DOWNLOAD_MS);

afterAll(async () => {
  await local?.stop();
}, 60_000);

/** Consumes from the start of `topic` until `count` messages arrived, or fails after `timeoutMs`. */
const consume = async (topic: string, count: number, timeoutMs = 30_000): Promise<KafkaMessage[]> => {
  const consumer: Consumer = kafka.consumer({ groupId: `test-${topic}-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: KafkaMessage[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${received.length} of ${count} messages from ${topic}`)),
        timeoutMs,
      );
      void consumer
        .run({
          eachMessage: async ({ message }) => {
            received.push(message);
            if (received.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    return received;
  } finally {
    await consumer.disconnect();
  }
};

const createTopic = async (topic: string): Promise<void> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
};

const portIsClosed = (address: string): Promise<boolean> => {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
};

describe('local Kafka (KRaft) and schema registry', () => {
  it('listens on loopback only', () => {
    expect(local.brokers).toHaveLength(1);
    expect(local.brokers[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(local.registryUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('creates a topic, produces with an idempotent producer and consumes the message back', async () => {
    const topic = 'ccp.infra-test.v1';
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(
        true,
      );
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      expect(metadata?.partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }

    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      const [ack] = await producer.send({
        topic,
        acks: -1,
        messages: [{ key: 'call-acme.CA123', value: '{"type":"CallStarted"}', headers: { v: '1' } }],
      });
      expect(ack?.errorCode).toBe(0);
    } finally {
      await producer.disconnect();
    }

    const [message] = await consume(topic, 1);
    expect(message?.key?.toString()).toBe('call-acme.CA123');
    expect(message?.value?.toString()).toBe('{"type":"CallStarted"}');
    expect(message?.headers?.v?.toString()).toBe('1');
  }, 60_000);

  it('registers JSON schemas with BACKWARD compatibility and refuses an incompatible version', async () => {
    if (!local.registryUrl) throw new Error('the registry was not started');
    const registry = new SchemaRegistry({ host: local.registryUrl });
    const subject = 'ccp.infra-test.v1-value';
    const v1 = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { callId: { type: 'string' }, seconds: { type: 'integer' } },
      required: ['callId'],
      // A closed content model: with an open one, JSON Schema compatibility (Confluent's rules, which
      // Apicurio follows) treats every added property as narrowing what old data may hold.
      additionalProperties: false,
    };

    // On a subject's first registration the client also PUTs its compatibility level.
    const first = await registry.register(
      { type: SchemaType.JSON, schema: JSON.stringify(v1) },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    const config = await fetch(`${local.registryUrl}/config/${encodeURIComponent(subject)}`);
    expect(await config.json()).toMatchObject({ compatibilityLevel: 'BACKWARD' });

    // An optional field added to a closed model: every old record still validates.
    const v2 = { ...v1, properties: { ...v1.properties, agent: { type: 'string' } } };
    const second = await registry.register(
      { type: SchemaType.JSON, schema: JSON.stringify(v2) },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    expect(second.id).not.toBe(first.id);
    expect(await registry.getLatestSchemaId(subject)).toBe(second.id);

    // A field's type changed: old data no longer validates, so BACKWARD must refuse it.
    const incompatible = {
      ...v2,
      properties: { ...v2.properties, seconds: { type: 'string' } },
    };
    const refused = await registry
      .register(
        { type: SchemaType.JSON, schema: JSON.stringify(incompatible) },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(Error);
    expect(String(refused)).toMatch(/incompatible/i);
    expect(await registry.getLatestSchemaId(subject)).toBe(second.id);
    const versions = await fetch(`${local.registryUrl}/subjects/${encodeURIComponent(subject)}/versions`);
    expect(await versions.json()).toEqual([1, 2]);

    // The wire format round trip the relay and the processors use: encode, produce, consume, decode.
    const payload = { callId: 'CA123', seconds: 42, agent: 'ada' };
    const encoded = await registry.encode(second.id, payload);
    const topic = 'ccp.infra-schema-test.v1';
    await createTopic(topic);
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: [{ key: 'CA123', value: encoded }] });
    } finally {
      await producer.disconnect();
    }
    const [message] = await consume(topic, 1);
    if (!message?.value) throw new Error('no message value');
    expect(await registry.decode(message.value)).toEqual(payload);
  }, 60_000);

  it('stop() ends the broker and the registry and closes their ports', async () => {
    const addresses = [...local.brokers, local.registryUrl ?? ''].filter(Boolean);
    for (const address of addresses) expect(await portIsClosed(address)).toBe(false);
    await local.stop();
    for (const address of addresses) expect(await portIsClosed(address)).toBe(true);
    // A second stop() is harmless, as afterAll relies on.
    await local.stop();
  }, 60_000);
});
