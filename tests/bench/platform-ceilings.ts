/**
 * The raw ceilings the platform benchmark (platform.ts) compares the pipeline with, measured in the load
 * generator's process on the same machine and in the same run: chdb batched inserts through the project's read
 * store adapter, the project's SQLite event store appending one event at a time and in batches (synchronous=full,
 * as the platform opens it), and kafkajs producing and consuming against the project's local broker.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createSqliteEventStore } from '@ccp/command-service';
import { openChdbReadStore } from '@ccp/projections';

/** Rows shaped like a projection's (utterances): tenant first in the key, a replacing engine, a long text. */
const CHDB_TABLE = `CREATE TABLE IF NOT EXISTS bench_rows (
  tenant_id   LowCardinality(String),
  call_id     String,
  position    UInt64,
  occurred_at DateTime64(3, 'UTC'),
  speaker     LowCardinality(String),
  text        String,
  sentiment   Float32,
  intent      LowCardinality(String)
) ENGINE = ReplacingMergeTree(position) ORDER BY (tenant_id, call_id, position)`;

const seconds = (since: number) => (performance.now() - since) / 1000;

export interface ChdbCeiling {
  readonly batch: number;
  readonly rowsPerSecond: number;
}

export const chdbCeiling = async (dir: string, batches: readonly (readonly [number, number])[]) => {
  const store = await openChdbReadStore({ path: join(dir, 'chdb-ceiling') });
  const results: ChdbCeiling[] = [];
  try {
    await store.command(CHDB_TABLE);
    let position = 0;
    for (const [batch, total] of batches) {
      const started = performance.now();
      for (let written = 0; written < total; written += batch) {
        const rows = Array.from({ length: batch }, () => {
          position += 1;
          return {
            tenant_id: 'bench',
            call_id: `CA-${position % 997}`,
            position,
            occurred_at: new Date(),
            speaker: 'caller',
            text: `I would like to move my appointment to Friday please (${position})`,
            sentiment: 0.25,
            intent: 'reschedule',
          };
        });
        await store.insert('bench_rows', rows);
      }
      results.push({ batch, rowsPerSecond: total / seconds(started) });
    }
  } finally {
    await store.close();
  }
  return results;
};

const storedEvent = (n: number) => ({
  id: randomUUID(),
  type: 'UtteranceRecorded',
  data: { speaker: 'caller', text: `benchmark line ${n} with a few words of text`, confidence: 0.9 },
  metadata: {
    version: 2,
    tenantId: 'bench',
    occurredAt: new Date().toISOString(),
    causationId: null,
    correlationId: 'c',
    actor: { kind: 'system', id: 'bench' },
  },
});

/** Events/s appended to the platform's SQLite event store (synchronous=full, its default), over 100 streams. */
export const sqliteCeiling = async (dir: string, batch: number, total: number): Promise<number> => {
  const store = createSqliteEventStore({ path: join(dir, `sqlite-ceiling-${batch}.db`) });
  const streams = 100;
  const revisions = new Array<number>(streams).fill(-1);
  try {
    const started = performance.now();
    for (let written = 0; written < total; written += batch) {
      const s = (written / batch) % streams;
      const events = Array.from({ length: batch }, (_, i) => storedEvent(written + i));
      const expected = revisions[s] === -1 ? 'no_stream' : (revisions[s] ?? 0);
      revisions[s] = (await store.append(`call-bench.s${s}`, events, expected)).nextRevision;
    }
    return total / seconds(started);
  } finally {
    await store.close();
  }
};

export interface KafkaCeiling {
  readonly producePerSecond: number;
  readonly consumePerSecond: number;
}

/**
 * kafkajs against the given broker: `total` ~300-byte messages produced in sends of 1,000 (acks from all
 * replicas, the client's default, as the relay sends), then consumed by a fresh group from the beginning.
 */
export const kafkaCeiling = async (
  brokers: readonly string[],
  total: number,
  timeoutMs: number,
): Promise<KafkaCeiling> => {
  const kafka = new Kafka({ clientId: 'ccp-bench', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const topic = `bench-ceiling-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}` });
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
    await producer.connect();
    const value = Buffer.alloc(300, 'x');
    const producing = performance.now();
    for (let sent = 0; sent < total; sent += 1000) {
      const messages = Array.from({ length: Math.min(1000, total - sent) }, (_, i) => ({
        key: `call-bench.${(sent + i) % 500}`,
        value,
      }));
      await producer.send({ topic, messages });
    }
    const producePerSecond = total / seconds(producing);

    await consumer.connect();
    let first: number | undefined;
    // Timed from the moment the group is joined: joining (a rebalance of seconds) is not consuming.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      first = performance.now();
    });
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let received = 0;
    let last = 0;
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`kafka ceiling: ${received} of ${total} consumed in ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachBatch: async ({ batch }) => {
          received += batch.messages.length;
          last = performance.now();
          if (received >= total) {
            clearTimeout(timer);
            resolve();
          }
          await Promise.resolve();
        },
      });
    });
    await done;
    const consumePerSecond = total / ((last - (first ?? last)) / 1000 || Number.NaN);
    return { producePerSecond, consumePerSecond };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
};
