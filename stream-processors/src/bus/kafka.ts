import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type KafkaMessage,
  type LogEntry,
} from 'kafkajs';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Parsed } from '@ccp/schemas';
import type { CheckpointStore, EventStore, Tracing } from '@ccp/command-service';
import {
  errorNamed,
  fromWire,
  HEADER_POSITION,
  HEADER_TRACEPARENT,
  HEADER_TRACESTATE,
  HEADER_TYPE,
  knownCategories,
  readStored,
  registryClientOptions,
  type Decrypt,
} from './kafka-codec.js';
import { startRelay, type RunningRelay } from './kafka-relay.js';
import { logHead } from './log-head.js';
import {
  topicOf,
  type Bus,
  type BusEvent,
  type BusOptions,
  type ConsumerOptions,
  type Rejection,
  type RunningConsumer,
} from './port.js';

export interface KafkaBusOptions extends BusOptions {
  /**
   * The log to relay. Give it the event store as stored (personal fields sealed) together with `decrypt`, so
   * topics never hold personal data in clear; a decrypting store without `decrypt` relays clear text.
   */
  readonly store: EventStore;
  readonly brokers: readonly string[];
  /** Base URL of the Confluent-compatible registry API. */
  readonly registryUrl: string;
  /** Where the relay keeps its checkpoint; owned by the caller, not closed by the bus. */
  readonly checkpoints: CheckpointStore;
  /** Opens sealed personal fields after reading (personalDataDecryptor); identity when omitted. */
  readonly decrypt?: Decrypt;
  readonly clientId?: string;
  /** Checkpoint name of the relay. Default `kafka-relay`. */
  readonly relayName?: string;
  /** Partitions of each topic created here: the most members of one group that can share the work. Default 3. */
  readonly partitions?: number;
  readonly replicationFactor?: number;
  /** Consumer group liveness; small values make rebalances take seconds. Defaults 10 s, 10 s, 1 s. */
  readonly sessionTimeoutMs?: number;
  readonly rebalanceTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Longest a fetch waits for new messages: the delivery latency of a quiet topic. Default 250 ms. */
  readonly maxWaitTimeMs?: number;
  /** Where the bus and kafkajs tell of trouble (warnings and errors). Default console.warn. */
  readonly log?: (message: string) => void;
  /** The relay's publishing spans, whose context each message carries in its headers; absent: untraced. */
  readonly tracing?: Tracing;
}

/**
 * kafkajs advises unlimited retries for an idempotent producer; the relay instead retries a failed batch itself
 * (same producer, same sequence numbers, so the broker still drops duplicates) so that stopping is never stuck
 * behind a send to a broker that is down. Its warning about that is dropped.
 */
const LIMITED_RETRIES_WARNING = 'Limiting retries for the idempotent producer';

const logCreator =
  (log: (message: string) => void) =>
  () =>
  ({ namespace, label, log: entry }: LogEntry): void => {
    const message = String(entry.message);
    if (!message.startsWith(LIMITED_RETRIES_WARNING)) log(`kafkajs ${label} [${namespace}] ${message}`);
  };

/**
 * One relay per event store, broker list and checkpoint per process: every bus opened over the same log shares
 * it (a restarted consumer, a second group member in the same process), instead of each publishing it again.
 */
interface SharedRelay {
  readonly started: Promise<RunningRelay>;
  /** The buses using the relay, each with its onRejected; the relay stops when the last one lets go. */
  readonly reporters: Map<symbol, (rejection: Rejection) => void>;
  readonly close: () => Promise<void>;
}
const relays = new WeakMap<EventStore, Map<string, SharedRelay>>();

/** Creates topics once, with enough partitions for a group to share the work, before anything uses them. */
const topicKeeper = (admin: () => Promise<Admin>, partitions: number, replicationFactor: number) => {
  const ensured = new Map<string, Promise<void>>();
  return async (topics: readonly string[]): Promise<void> => {
    const missing = topics.filter((topic) => !ensured.has(topic));
    if (missing.length > 0) {
      const creating = (async () => {
        const client = await admin();
        // Asking first keeps kafkajs from logging every already existing topic as an error.
        const existing = new Set(await client.listTopics());
        const toCreate = missing.filter((topic) => !existing.has(topic));
        if (toCreate.length === 0) return;
        await client.createTopics({
          waitForLeaders: true,
          topics: toCreate.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
        });
      })();
      for (const topic of missing) ensured.set(topic, creating);
      creating.catch(() => {
        for (const topic of missing) if (ensured.get(topic) === creating) ensured.delete(topic);
      });
    }
    await Promise.all(topics.map((topic) => ensured.get(topic)));
  };
};

const header = (message: KafkaMessage, name: string): string | undefined => {
  const value = message.headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
};

/** What makes a message unreadable for good (rather than the registry being unreachable for a moment). */
const isUnreadable = (error: unknown): boolean =>
  error instanceof SyntaxError ||
  error instanceof RangeError ||
  errorNamed(error, 'ConfluentSchemaRegistryArgumentError') ||
  errorNamed(error, 'ConfluentSchemaRegistryValidationError') ||
  (errorNamed(error, 'ResponseError') && (error as { status?: unknown }).status === 404);

/**
 * The Kafka adapter of the bus port: a relay publishes the event store's log to one topic per category
 * (ccp.<category>.v1), keyed by stream id, encoded with the schema registry; processors read it as consumer
 * groups. Delivery is at least once on both legs: the relay checkpoints after the broker acknowledged, and a
 * consumer commits offsets only after its handler resolved.
 */
export const createKafkaBus = (options: KafkaBusOptions): Bus => {
  const clientId = options.clientId ?? 'ccp-bus';
  const log = options.log ?? ((message: string) => console.warn(message));
  const decrypt: Decrypt = options.decrypt ?? ((event) => event);
  const partitions = options.partitions ?? 3;
  const replicationFactor = options.replicationFactor ?? 1;
  const relayName = options.relayName ?? 'kafka-relay';
  const kafka = new Kafka({
    clientId,
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    logCreator: logCreator(log),
    retry: { initialRetryTime: 100, retries: 8 },
  });
  const registry = new SchemaRegistry({ host: options.registryUrl, clientId }, registryClientOptions);

  let adminClient: Promise<Admin> | undefined;
  const admin = (): Promise<Admin> => {
    adminClient ??= (async () => {
      const client = kafka.admin();
      await client.connect();
      return client;
    })();
    adminClient.catch(() => (adminClient = undefined));
    return adminClient;
  };
  const ensureTopics = topicKeeper(admin, partitions, replicationFactor);
  const consumers = new Set<Consumer>();
  /** The topics of each group this bus consumes as, for its lag. */
  const groupTopics = new Map<Consumer, { readonly group: string; readonly topics: readonly string[] }>();
  const head = logHead(options.store);
  let relay: SharedRelay | undefined;
  const relayUser = Symbol(clientId);
  let closed = false;

  const relayKey = `${options.brokers.join(',')}|${relayName}`;
  const acquireRelay = (): SharedRelay => {
    const byKey = relays.get(options.store) ?? new Map<string, SharedRelay>();
    relays.set(options.store, byKey);
    const existing = byKey.get(relayKey);
    if (existing) return existing;
    // The relay has its own clients: it outlives the bus that started it while another bus still uses it.
    const relayKafka = new Kafka({
      clientId: `${clientId}-relay`,
      brokers: [...options.brokers],
      logLevel: logLevel.WARN,
      logCreator: logCreator(log),
      retry: { initialRetryTime: 100, retries: 8 },
    });
    const producer = relayKafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const relayAdmin = relayKafka.admin();
    const reporters = new Map<symbol, (rejection: Rejection) => void>();
    const started = (async () => {
      await Promise.all([producer.connect(), relayAdmin.connect()]);
      const ensureRelayTopics = topicKeeper(async () => relayAdmin, partitions, replicationFactor);
      await ensureRelayTopics(knownCategories().map((category) => topicOf(category)));
      return startRelay({
        store: options.store,
        checkpoints: options.checkpoints,
        name: relayName,
        producer,
        registry: new SchemaRegistry(
          { host: options.registryUrl, clientId: `${clientId}-relay` },
          registryClientOptions,
        ),
        ensureTopics: ensureRelayTopics,
        // One report per rejected event, to the longest-standing bus over this log.
        onRejected: (rejection) => reporters.values().next().value?.(rejection),
        log,
        ...(options.tracing !== undefined && { tracing: options.tracing }),
      });
    })();
    const shared: SharedRelay = {
      started,
      reporters,
      close: async () => {
        byKey.delete(relayKey);
        await started.then((running) => running.stop()).catch(() => undefined);
        await Promise.allSettled([producer.disconnect(), relayAdmin.disconnect()]);
      },
    };
    byKey.set(relayKey, shared);
    return shared;
  };

  const releaseRelay = async (): Promise<void> => {
    const shared = relay;
    relay = undefined;
    if (!shared) return;
    shared.reporters.delete(relayUser);
    if (shared.reporters.size === 0) await shared.close();
  };

  const decodeMessage = async (message: KafkaMessage): Promise<Parsed<BusEvent>> => {
    const key = message.key?.toString() ?? '';
    const rejectedWith = (code: string, reason: string): Parsed<never> => ({
      ok: false,
      error: { code, message: reason, field: 'value' },
    });
    const position = Number(header(message, HEADER_POSITION));
    if (!Number.isSafeInteger(position) || position <= 0)
      return rejectedWith('NO_POSITION', `no valid ${HEADER_POSITION} header`);
    if (!message.value) return rejectedWith('EMPTY', 'no value');
    let wire: unknown;
    try {
      wire = await registry.decode(message.value);
    } catch (error) {
      if (!isUnreadable(error)) throw error;
      return rejectedWith('UNREADABLE', error instanceof Error ? error.message : String(error));
    }
    const stored = fromWire(wire);
    if (!stored.ok) return stored;
    const envelope = await readStored(stored.value, decrypt);
    if (!envelope.ok) return envelope;
    if (key !== envelope.value.streamId)
      return rejectedWith('WRONG_KEY', `key ${key} is not the event's stream`);
    const traceparent = header(message, HEADER_TRACEPARENT);
    const tracestate = header(message, HEADER_TRACESTATE);
    // Bounded: a header is the producer's to write, and a span context is short.
    const trace =
      traceparent !== undefined && traceparent.length <= 128
        ? { traceparent, ...(tracestate !== undefined && tracestate.length <= 512 && { tracestate }) }
        : undefined;
    return { ok: true, value: { envelope: envelope.value, position, key, ...(trace && { trace }) } };
  };

  const consume = async (consumerOptions: ConsumerOptions): Promise<RunningConsumer> => {
    if (closed) throw new Error('the bus is closed');
    const { group, handle } = consumerOptions;
    const maxBatchSize = Math.max(1, consumerOptions.maxBatchSize ?? 100);
    const topics = (consumerOptions.categories ?? knownCategories()).map((category) => topicOf(category));
    await ensureTopics(topics);
    const consumer = kafka.consumer({
      groupId: group,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      rebalanceTimeout: options.rebalanceTimeoutMs ?? 10_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 1_000,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 250,
      allowAutoTopicCreation: false,
    });
    consumers.add(consumer);
    groupTopics.set(consumer, { group, topics });
    const { onAssigned } = consumerOptions;
    if (onAssigned)
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
        onAssigned(
          Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
            partitions.map((p) => `${topic}/${p}`),
          ),
        ),
      );
    try {
      await consumer.connect();
      // A new group reads from the start of the log, as a new named reader of the event store would.
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        eachBatchAutoResolve: false,
        eachBatch: async ({
          batch,
          resolveOffset,
          commitOffsetsIfNecessary,
          heartbeat,
          isRunning,
          isStale,
        }) => {
          for (let start = 0; start < batch.messages.length; start += maxBatchSize) {
            if (!isRunning() || isStale()) return;
            const chunk = batch.messages.slice(start, start + maxBatchSize);
            const events: BusEvent[] = [];
            for (const message of chunk) {
              const decoded = await decodeMessage(message);
              if (decoded.ok) {
                events.push(decoded.value);
                continue;
              }
              const position = Number(header(message, HEADER_POSITION));
              options.onRejected({
                key: message.key?.toString() ?? '',
                ...(Number.isSafeInteger(position) ? { position } : {}),
                ...(header(message, HEADER_TYPE) ? { type: header(message, HEADER_TYPE) } : {}),
                reason: `${batch.topic}/${batch.partition}@${message.offset}: ${decoded.error.field}: ${decoded.error.message}`,
              });
            }
            if (events.length > 0) await handle(events);
            // Acknowledged only now: a crash or a throw before this delivers the chunk again.
            const last = chunk[chunk.length - 1];
            if (last) resolveOffset(last.offset);
            await commitOffsetsIfNecessary();
            await heartbeat();
          }
        },
      });
    } catch (error) {
      consumers.delete(consumer);
      groupTopics.delete(consumer);
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    return {
      stop: async () => {
        groupTopics.delete(consumer);
        if (!consumers.delete(consumer)) return;
        await consumer.disconnect();
      },
    };
  };

  return {
    start: async () => {
      if (closed) throw new Error('the bus is closed');
      if (relay) return;
      relay = acquireRelay();
      relay.reporters.set(relayUser, options.onRejected);
      try {
        await relay.started;
      } catch (error) {
        await releaseRelay();
        throw error;
      }
    },
    consume,
    lag: async () => {
      const client = await admin();
      // Each topic's partition ends asked once, whichever groups read it.
      const ends = new Map<string, Promise<Awaited<ReturnType<Admin['fetchTopicOffsets']>>>>();
      const endsOf = (topic: string) => {
        const known = ends.get(topic) ?? client.fetchTopicOffsets(topic);
        ends.set(topic, known);
        return known;
      };
      const groups: Record<string, number> = {};
      for (const { group, topics } of new Map([...groupTopics.values()].map((g) => [g.group, g])).values()) {
        let behind = 0;
        for (const { topic, partitions } of await client.fetchOffsets({
          groupId: group,
          topics: [...topics],
        })) {
          for (const end of await endsOf(topic)) {
            const committed = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
            // Nothing committed yet: the group reads from the partition's start (fromBeginning).
            const from = committed >= 0 ? committed : Number(end.low);
            behind += Math.max(0, Number(end.high) - from);
          }
        }
        groups[group] = behind;
      }
      const relaying = relay === undefined ? undefined : await relay.started.catch(() => undefined);
      return {
        groups,
        ...(relaying !== undefined && {
          relay: Math.max(0, (await head(relaying.acknowledged())) - relaying.acknowledged()),
        }),
      };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await releaseRelay();
      await Promise.allSettled([...consumers].map((consumer) => consumer.disconnect()));
      consumers.clear();
      groupTopics.clear();
      const client = adminClient;
      adminClient = undefined;
      if (client) await client.then((c) => c.disconnect()).catch(() => undefined);
    },
  };
};
