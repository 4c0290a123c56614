import { decodeEvent, parseStreamName } from '@ccp/schemas';
import type { CheckpointStore, EventStore, RecordedEvent } from '@ccp/command-service';
import { logHead } from './log-head.js';
import type { Bus, BusEvent, BusOptions, ConsumerOptions, RunningConsumer } from './port.js';
import { partitionOf } from './partitions.js';

export interface EmbeddedBusOptions extends BusOptions {
  /** The event store whose global log is the bus; give it the decrypting store so consumers see plain data. */
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  /** Virtual partitions: members of a group share them, and each keeps its own checkpoint. */
  readonly partitions?: number;
  /** How long an idle member waits before it reads the log again. */
  readonly pollIntervalMs?: number;
  readonly log?: (message: string) => void;
}

interface Member {
  assigned: ReadonlySet<number>;
  epoch: number;
  /** The log position it has read up to (its slowest partition's checkpoint until it reads); -1: not known yet. */
  cursor: number;
  wake?: () => void;
  readonly onAssigned?: (partitions: readonly string[]) => void;
}

const sleep = (ms: number, member?: Member) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      if (member) member.wake = undefined;
      resolve();
    }
    if (member) member.wake = done;
  });

/**
 * The embedded bus: consumers read the event store's global log themselves. A group's members in this process
 * split the stream ids between them by hash (like Kafka partitions), each partition with a durable checkpoint
 * that moves only after the batch was handled, so delivery is at least once and ordered per stream.
 */
export const createEmbeddedBus = (options: EmbeddedBusOptions): Bus => {
  const { store, checkpoints, onRejected } = options;
  const partitions = options.partitions ?? 8;
  const pollIntervalMs = options.pollIntervalMs ?? 25;
  const log = options.log ?? (() => undefined);
  const groups = new Map<string, Member[]>();
  const running = new Set<RunningConsumer>();
  const head = logHead(store);

  const rebalance = (group: string) => {
    const members = groups.get(group) ?? [];
    members.forEach((member, index) => {
      const assigned = new Set<number>();
      for (let p = 0; p < partitions; p += 1) if (p % members.length === index) assigned.add(p);
      member.assigned = assigned;
      member.epoch += 1;
      member.wake?.();
      member.onAssigned?.([...assigned].map((p) => `${group}/${p}`));
    });
  };

  const checkpointName = (group: string, partition: number) => `bus:${group}#${partition}`;

  const consume = async (consumer: ConsumerOptions): Promise<RunningConsumer> => {
    const { group, handle } = consumer;
    const categories = consumer.categories ? new Set(consumer.categories) : undefined;
    const maxBatchSize = consumer.maxBatchSize ?? 500;
    const member: Member = { assigned: new Set(), epoch: 0, cursor: -1, onAssigned: consumer.onAssigned };
    groups.set(group, [...(groups.get(group) ?? []), member]);
    rebalance(group);
    let stopped = false;

    const toBusEvent = (recorded: RecordedEvent): BusEvent | undefined => {
      const decoded = decodeEvent(recorded);
      if (decoded.ok) return { envelope: decoded.value, position: recorded.position, key: recorded.streamId };
      onRejected({
        key: recorded.streamId,
        position: recorded.position,
        type: recorded.type,
        reason: decoded.error.message,
      });
      return undefined;
    };

    const loop = async () => {
      while (!stopped) {
        const epoch = member.epoch;
        const assigned = member.assigned;
        if (assigned.size === 0) {
          await sleep(pollIntervalMs * 10, member);
          continue;
        }
        const positions = new Map<number, number>();
        for (const p of assigned) positions.set(p, (await checkpoints.load(checkpointName(group, p))) ?? 0);
        let cursor = Math.min(...positions.values());
        member.cursor = cursor;
        while (!stopped && member.epoch === epoch) {
          const page = await store.readAll({ after: cursor, maxCount: maxBatchSize * 4 });
          if (page.length === 0) {
            await sleep(pollIntervalMs, member);
            continue;
          }
          const batch: BusEvent[] = [];
          const advanced = new Map<number, number>();
          for (const recorded of page) {
            const partition = partitionOf(recorded.streamId, partitions);
            if (!assigned.has(partition) || recorded.position <= (positions.get(partition) ?? 0)) continue;
            advanced.set(partition, recorded.position);
            const category = parseStreamName(recorded.streamId)?.category;
            if (categories && (!category || !categories.has(category))) continue;
            const event = toBusEvent(recorded);
            if (event) batch.push(event);
            if (batch.length >= maxBatchSize) break;
          }
          const last =
            batch.length >= maxBatchSize
              ? batch[batch.length - 1]?.position
              : page[page.length - 1]?.position;
          for (let attempt = 1; batch.length > 0 && !stopped; attempt += 1) {
            try {
              await handle(batch);
              break;
            } catch (error) {
              // Not acknowledged: the same batch again after a pause, never skipped.
              log(`bus: ${group} failed on a batch (attempt ${attempt}): ${String(error)}`);
              await sleep(Math.min(10_000, 100 * 2 ** attempt));
            }
          }
          if (stopped) return;
          for (const [partition, position] of advanced) {
            if (last !== undefined && position > last) continue;
            positions.set(partition, position);
            await checkpoints.save(checkpointName(group, partition), position);
          }
          cursor = last ?? cursor;
          member.cursor = cursor;
        }
      }
    };
    // A consumer whose store or checkpoints fail under it (closed while stopping) ends with a log line, never an
    // unhandled rejection that would take the process down.
    const done = loop().catch((error: unknown) => {
      if (!stopped) log(`bus: ${group} stopped: ${error instanceof Error ? error.message : String(error)}`);
    });

    const runningConsumer: RunningConsumer = {
      stop: async () => {
        if (stopped) return;
        stopped = true;
        member.wake?.();
        await done;
        groups.set(
          group,
          (groups.get(group) ?? []).filter((m) => m !== member),
        );
        rebalance(group);
        running.delete(runningConsumer);
      },
    };
    running.add(runningConsumer);
    return runningConsumer;
  };

  return {
    start: async () => undefined,
    consume,
    lag: async () => {
      const cursors = [...groups.values()].flat().map((m) => m.cursor);
      const newest = await head(Math.max(0, ...cursors));
      const groupsLag: Record<string, number> = {};
      for (const [group, members] of groups) {
        const reading = members.filter((m) => m.assigned.size > 0 && m.cursor >= 0).map((m) => m.cursor);
        if (reading.length > 0) groupsLag[group] = Math.max(0, newest - Math.min(...reading));
      }
      return { groups: groupsLag };
    },
    close: async () => {
      for (const consumer of [...running]) await consumer.stop();
    },
  };
};
