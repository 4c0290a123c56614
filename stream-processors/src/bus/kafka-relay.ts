import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Message, Producer } from 'kafkajs';
import { COMPATIBILITY, SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { eventDefinitions } from '@ccp/schemas';
import {
  traceHeadersOf,
  type CheckpointStore,
  type EventStore,
  type RecordedEvent,
  type Subscription,
  type Tracing,
} from '@ccp/command-service';
import {
  categoryOf,
  errorNamed,
  HEADER_POSITION,
  HEADER_TYPE,
  HEADER_VERSION,
  registrySchemaOf,
  subjectOf,
  toWire,
} from './kafka-codec.js';
import { topicOf, type Rejection } from './port.js';

export interface RelayOptions {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  /** Checkpoint name: how far the log has been acknowledged by the broker. */
  readonly name: string;
  /** Only sendBatch: the caller connects and disconnects the producer. */
  readonly producer: Pick<Producer, 'sendBatch'>;
  readonly registry: Pick<SchemaRegistry, 'register' | 'encode'>;
  readonly ensureTopics: (topics: readonly string[]) => Promise<void>;
  readonly onRejected: (rejection: Rejection) => void;
  readonly log: (message: string) => void;
  /** Most events sent in one produce request. */
  readonly maxBatchSize?: number;
  /** A `send` span per batch published, its context in each message's `traceparent` header; absent: none. */
  readonly tracing?: Tracing;
}

export interface RunningRelay {
  /** The last position the broker acknowledged (and the checkpoint holds). */
  acknowledged(): number;
  stop(): Promise<void>;
}

const REGISTRATION_CONCURRENCY = 8;

/**
 * Registers every event version's schema under its subject with BACKWARD compatibility. A schema changed
 * incompatibly since it was last registered makes this throw: the relay refuses to start rather than publish
 * what existing readers cannot read.
 */
export const registerEventSchemas = async (
  registry: Pick<SchemaRegistry, 'register'>,
): Promise<Map<string, number>> => {
  const ids = new Map<string, number>();
  const queue = [...eventDefinitions];
  const worker = async (): Promise<void> => {
    for (let definition = queue.shift(); definition; definition = queue.shift()) {
      const subject = subjectOf(definition);
      try {
        const { id } = await registry.register(
          { type: SchemaType.JSON, schema: JSON.stringify(registrySchemaOf(definition)) },
          { subject, compatibility: COMPATIBILITY.BACKWARD },
        );
        ids.set(subject, id);
      } catch (error) {
        throw new Error(
          `schema registry refused ${subject}: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
          },
        );
      }
    }
  };
  await Promise.all(Array.from({ length: REGISTRATION_CONCURRENCY }, worker));
  return ids;
};

const IMMEDIATE = Symbol('immediate');

/**
 * Groups what a subscription has ready into batches: waits for one event, then takes whatever else is already
 * available (up to `max`) without waiting, so a backlog goes out in large produce requests and a quiet log
 * goes out one event at a time, without a linger delay.
 */
const batchesOf = (subscription: Subscription) => {
  const iterator = subscription[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<RecordedEvent>> | undefined;
  return async (max: number): Promise<RecordedEvent[] | undefined> => {
    const first = await (pending ?? iterator.next());
    pending = undefined;
    if (first.done) return undefined;
    const batch = [first.value];
    while (batch.length < max) {
      pending = iterator.next();
      const next = await Promise.race([
        pending,
        new Promise<typeof IMMEDIATE>((resolve) => setImmediate(() => resolve(IMMEDIATE))),
      ]);
      if (next === IMMEDIATE) break;
      pending = undefined;
      if (next.done) break;
      batch.push(next.value);
    }
    return batch;
  };
};

/**
 * Publishes the event store's global log to Kafka, one topic per category, keyed by stream id, from a durable
 * checkpoint that moves only after the broker acknowledged a batch: a crash publishes the unacknowledged tail
 * again (at least once; consumers are idempotent by position). An event that is not valid for its schema is
 * reported, skipped and checkpointed past, so it never holds up what follows.
 */
export const startRelay = async (options: RelayOptions): Promise<RunningRelay> => {
  const { store, checkpoints, name, producer, registry, onRejected, log } = options;
  const maxBatchSize = options.maxBatchSize ?? 500;
  const ids = await registerEventSchemas(registry);
  let acknowledged = (await checkpoints.load(name)) ?? 0;
  const subscription = store.subscribe({ after: acknowledged });
  const nextBatch = batchesOf(subscription);
  let stopped = false;
  const stopping = new AbortController();
  /** Waits before the next attempt, longer each time; stop() cuts the wait short. */
  const backOff = (attempt: number): Promise<void> =>
    sleep(Math.min(10_000, 200 * 2 ** attempt), undefined, { signal: stopping.signal }).catch(
      () => undefined,
    );

  const encode = async (
    event: RecordedEvent,
    traceHeaders: Readonly<Record<string, string>>,
  ): Promise<{ topic: string; message: Message } | Rejection> => {
    const wire = toWire(event);
    const base = { key: event.streamId, position: event.position, type: event.type };
    if (!wire.ok) return { ...base, reason: `${wire.error.field}: ${wire.error.message}` };
    const { definition, envelope } = wire.value;
    const id = ids.get(subjectOf(definition));
    if (id === undefined) return { ...base, reason: `no registered schema for ${subjectOf(definition)}` };
    let value: Buffer;
    try {
      value = await registry.encode(id, envelope);
    } catch (error) {
      // Anything but a payload the schema refuses (the registry unreachable...) is retried with the batch.
      if (!errorNamed(error, 'ConfluentSchemaRegistryValidationError')) throw error;
      const paths = (error as { paths?: unknown }).paths;
      return { ...base, reason: `does not match ${subjectOf(definition)} at ${JSON.stringify(paths)}` };
    }
    return {
      topic: topicOf(categoryOf(event.streamId, definition) ?? definition.category),
      message: {
        key: event.streamId,
        value,
        headers: {
          [HEADER_POSITION]: String(event.position),
          [HEADER_TYPE]: event.type,
          [HEADER_VERSION]: String(definition.version),
          ...traceHeaders,
        },
      },
    };
  };

  /** Sends until the broker acknowledges or the relay stops; false when stopped first. */
  const send = async (byTopic: Map<string, Message[]>): Promise<boolean> => {
    for (let attempt = 1; !stopped; attempt += 1) {
      try {
        await options.ensureTopics([...byTopic.keys()]);
        await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
        return true;
      } catch (error) {
        log(`${name}: publishing failed (attempt ${attempt}), retrying: ${String(error)}`);
        await backOff(attempt);
      }
    }
    return false;
  };

  const relayBatch = async (
    batch: readonly RecordedEvent[],
    traceHeaders: Readonly<Record<string, string>>,
  ): Promise<boolean> => {
    const byTopic = new Map<string, Message[]>();
    for (const event of batch) {
      let encoded: Awaited<ReturnType<typeof encode>> | undefined;
      for (let attempt = 1; !encoded && !stopped; attempt += 1) {
        try {
          encoded = await encode(event, traceHeaders);
        } catch (error) {
          log(`${name}: encoding ${event.id} failed (attempt ${attempt}), retrying: ${String(error)}`);
          await backOff(attempt);
        }
      }
      if (!encoded) return false;
      if ('reason' in encoded) {
        onRejected(encoded);
        continue;
      }
      const messages = byTopic.get(encoded.topic) ?? [];
      messages.push(encoded.message);
      byTopic.set(encoded.topic, messages);
    }
    return byTopic.size === 0 || (await send(byTopic));
  };

  /**
   * A batch in its `send` span (a trace of its own: the appends it publishes were answered long ago), whose
   * context every message carries to the consumers' batch spans.
   */
  const tracedBatch = async (batch: readonly RecordedEvent[]): Promise<boolean> => {
    const tracer = options.tracing?.tracer;
    if (tracer === undefined) return relayBatch(batch, {});
    const span = tracer.startSpan(
      'send',
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'send',
          'messaging.batch.message_count': batch.length,
          ...(batch.length > 0 && {
            'ccp.log.first_position': batch[0]?.position ?? 0,
            'ccp.log.last_position': batch[batch.length - 1]?.position ?? 0,
          }),
        },
      },
      ROOT_CONTEXT,
    );
    try {
      const sent = await relayBatch(batch, traceHeadersOf(span.spanContext()));
      if (!sent)
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'stopped before the broker acknowledged' });
      return sent;
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  };

  const loop = (async () => {
    for (
      let batch = await nextBatch(maxBatchSize);
      batch && !stopped;
      batch = await nextBatch(maxBatchSize)
    ) {
      if (!(await tracedBatch(batch))) return;
      const last = batch[batch.length - 1];
      if (!last) continue;
      for (let attempt = 1; ; attempt += 1) {
        try {
          await checkpoints.save(name, last.position);
          break;
        } catch (error) {
          // Stopping without the checkpoint is safe (the batch goes out again); giving up while running is not.
          if (stopped) return;
          log(`${name}: saving the checkpoint failed (attempt ${attempt}), retrying: ${String(error)}`);
          await backOff(attempt);
        }
      }
      acknowledged = last.position;
    }
  })();
  loop.catch((error: unknown) => log(`${name}: relay stopped on ${String(error)}`));

  return {
    acknowledged: () => acknowledged,
    stop: async () => {
      stopped = true;
      stopping.abort();
      await subscription.close();
      await loop.catch(() => undefined);
    },
  };
};
