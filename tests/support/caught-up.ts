import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kafka, logLevel } from 'kafkajs';
import { createSqliteEventStore } from '@ccp/command-service';
import { partitionOf, topicOf, createProcessors } from '@ccp/stream-processors';

/** The embedded bus's virtual partitions (createEmbeddedBus's default, which the platform uses). */
const EMBEDDED_PARTITIONS = 8;
const RELAY = 'kafka-relay';

/** The platform's durable checkpoints, read beside the running process (SQLite in WAL lets both read). */
const checkpointsOf = (dataDir: string): Map<string, number> => {
  const db = new Database(join(dataDir, 'checkpoints.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT name, position FROM checkpoints').all() as {
      name: string;
      position: number;
    }[];
    return new Map(rows.map((row) => [row.name, row.position]));
  } finally {
    db.close();
  }
};

/** The newest position of every stream in the event log, as the platform stored it. */
const headsOf = async (dataDir: string): Promise<{ streamId: string; position: number }[]> => {
  const store = createSqliteEventStore({ path: join(dataDir, 'events.db') });
  try {
    const heads = new Map<string, number>();
    for (let after = 0; ;) {
      const page = await store.readAll({ after, maxCount: 5_000 });
      if (page.length === 0) break;
      for (const event of page) heads.set(event.streamId, event.position);
      after = page[page.length - 1]?.position ?? after;
    }
    return [...heads].map(([streamId, position]) => ({ streamId, position }));
  } finally {
    await store.close();
  }
};

/**
 * What the platform's processors have not durably handled yet, read from where the bus keeps its progress:
 * empty once every processor's checkpoint covers the whole event log. Not a guess from quiet tables: on the
 * embedded bus each group's partition checkpoints against the newest event of that partition; on Kafka the
 * relay's checkpoint against the log's end, and each group's committed offsets against the topics' ends.
 */
export const notYetHandled = async (
  dataDir: string,
  bus: 'embedded' | 'kafka',
  brokers?: readonly string[],
): Promise<string[]> => {
  const processors = createProcessors();
  const heads = await headsOf(dataDir);
  const checkpoints = checkpointsOf(dataDir);
  const behind: string[] = [];
  if (bus === 'embedded') {
    const newest = new Map<number, number>();
    for (const { streamId, position } of heads) {
      const partition = partitionOf(streamId, EMBEDDED_PARTITIONS);
      newest.set(partition, Math.max(newest.get(partition) ?? 0, position));
    }
    for (const { name } of processors)
      for (const [partition, position] of newest) {
        const at = checkpoints.get(`bus:${name}#${partition}`) ?? 0;
        if (at < position) behind.push(`${name}#${partition} at ${at} of ${position}`);
      }
    return behind;
  }
  const end = Math.max(0, ...heads.map((h) => h.position));
  const relayed = checkpoints.get(RELAY) ?? 0;
  if (relayed < end) return [`${RELAY} at ${relayed} of ${end}`];
  const admin = new Kafka({
    clientId: 'caught-up',
    brokers: [...(brokers ?? [])],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    for (const { name, categories } of processors) {
      const topics = categories.map((category) => topicOf(category));
      const committed = await admin.fetchOffsets({ groupId: name, topics });
      for (const topic of topics) {
        const ends = await admin.fetchTopicOffsets(topic);
        const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
        for (const { partition, high } of ends) {
          const offset = Number(mine.find((p) => p.partition === partition)?.offset ?? '-1');
          // -1: nothing committed, which is caught up only for a partition that never held a message.
          if (Math.max(offset, 0) < Number(high))
            behind.push(`${name} ${topic}/${partition} at ${offset} of ${high}`);
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
  return behind;
};
