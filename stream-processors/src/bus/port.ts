import type { EventEnvelope } from '@ccp/schemas';

/**
 * The bus port: how stream processors receive the event log. Two adapters implement it (the embedded one reads
 * the event store's global log with durable checkpoints; the Kafka one relays the log to one topic per category
 * and reads it with consumer groups) and one contract suite (contract.ts) runs against both.
 *
 * Delivery is at least once and ordered per key (the stream id). Handlers must make their effects idempotent,
 * using `position` (unique and increasing per event) as the version of what they write.
 */
export interface BusEvent {
  /** The event decoded, upcast to its latest version and with personal data decrypted. */
  readonly envelope: EventEnvelope;
  /** The event's global log position: the version for idempotent writes. */
  readonly position: number;
  /** The ordering key: the stream id. */
  readonly key: string;
  /**
   * The W3C trace context the event travelled with (Kafka: the `traceparent` and `tracestate` headers the relay
   * set from its publishing span); absent on the embedded bus and for messages published untraced.
   */
  readonly trace?: { readonly traceparent: string; readonly tracestate?: string };
}

/** A message that could not be read as a valid event: reported, skipped, and nothing behind it is held up. */
export interface Rejection {
  readonly key: string;
  readonly position?: number;
  readonly type?: string;
  readonly reason: string;
}

export interface ConsumerOptions {
  /** The consumer group: members of one group share the work, each group gets every event. */
  readonly group: string;
  /** Event categories to receive (`call`, `tenant`, ...); all when omitted. */
  readonly categories?: readonly string[];
  /**
   * Handles a batch in log order per key. A batch is acknowledged only when this resolves; if it throws, or the
   * process dies first, the batch is delivered again.
   */
  readonly handle: (batch: readonly BusEvent[]) => Promise<void>;
  /** Largest batch handed to `handle`. */
  readonly maxBatchSize?: number;
  /**
   * Told the partitions this member holds (`topic/partition` labels) each time its group settles: when it joins,
   * and when another member joins or leaves. The event that proves a rebalance is over, so nobody has to wait a
   * fixed time for one.
   */
  readonly onAssigned?: (partitions: readonly string[]) => void;
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

export interface BusOptions {
  /**
   * Told of every event that cannot be carried or read as a valid event (the relay cannot encode it, or a
   * consumer cannot decode it). The event is skipped, never retried forever, and what follows it flows on.
   */
  readonly onRejected: (rejection: Rejection) => void;
}

/** How far behind the log's head what reads it is, in events. */
export interface BusLag {
  /**
   * Each consumer group this bus runs: the events it has yet to read. Embedded: log events (of any category)
   * between its read position and the head. Kafka: messages of its topics between its committed offsets and
   * the partitions' ends.
   */
  readonly groups: Readonly<Record<string, number>>;
  /** Kafka: log events the relay has not yet had acknowledged by the broker; absent on the embedded bus. */
  readonly relay?: number;
}

export interface Bus {
  /** Starts what carries the event log onto the bus (the Kafka relay); the embedded bus needs nothing. */
  start(): Promise<void>;
  consume(options: ConsumerOptions): Promise<RunningConsumer>;
  /** The consumers' and the relay's lag now (asked at each metrics scrape). */
  lag(): Promise<BusLag>;
  close(): Promise<void>;
}

/** Kafka topic of a category: `ccp.<category>.v<major>`. */
export const topicOf = (category: string, major = 1): string => `ccp.${category}.v${major}`;
