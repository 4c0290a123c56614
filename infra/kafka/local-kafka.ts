/**
 * A real Apache Kafka broker (KRaft, combined broker+controller) and a Confluent-compatible schema
 * registry (Apicurio Registry's ccompat API), run as local JVM processes on 127.0.0.1 for tests and
 * the local scale profile. There is no Docker here, so both come from Maven Central (see pom.xml)
 * and are cached outside git; nothing is left running after stop(), nor if the Node process dies.
 *
 * This file starts both and stops them; fetching them is in maven-artifacts.ts, running JVMs in
 * jvm-supervision.ts, and each server's own settings and readiness in kafka-broker.ts and schema-registry.ts.
 */
import { rm } from 'node:fs/promises';
import { startBroker } from './kafka-broker.js';
import { terminate, withPortRetry, type Supervised } from './jvm-supervision.js';
import { fetchLocalKafka } from './maven-artifacts.js';
import { startRegistry } from './schema-registry.js';

export { cacheRoot, fetchLocalKafka, type LocalKafkaArtifacts } from './maven-artifacts.js';

export interface LocalKafkaOptions {
  /** Also start the schema registry (Confluent REST API). Default false. */
  withRegistry?: boolean;
  /** Extra or overriding broker settings, written into server.properties. */
  brokerConfig?: Readonly<Record<string, string>>;
  /** How long the broker and the registry each get to become ready. Default 120 s. */
  startTimeoutMs?: number;
}

export interface LocalKafka {
  /** Bootstrap addresses, e.g. `127.0.0.1:39092`. */
  brokers: string[];
  /** Base URL of the Confluent-compatible API, for `new SchemaRegistry({ host: registryUrl })`. */
  registryUrl?: string;
  /** Stops every process this start launched and removes their temp folders. Safe to call twice. */
  stop(): Promise<void>;
}

export const startLocalKafka = async (options: LocalKafkaOptions = {}): Promise<LocalKafka> => {
  const withRegistry = options.withRegistry ?? false;
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const artifacts = await fetchLocalKafka({ withRegistry });

  const started: Supervised[] = [];
  const dirs: string[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const proc of [...started].reverse()) await terminate(proc);
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    })();
    return stopping;
  };

  try {
    // The registry keeps its schemas in memory and does not need the broker, so both JVMs boot
    // side by side; on 2 cores that still saves a few seconds of the registry's Quarkus start.
    const [brokerResult, registryResult] = await Promise.allSettled([
      withPortRetry(() => startBroker(artifacts, options, timeoutMs, started, dirs)),
      withRegistry ? withPortRetry(() => startRegistry(artifacts, timeoutMs, started, dirs)) : undefined,
    ]);
    // Wait for both before cleaning up, or the slower one could launch a JVM after stop() ran.
    if (brokerResult.status === 'rejected') throw brokerResult.reason;
    if (registryResult.status === 'rejected') throw registryResult.reason;
    const broker = brokerResult.value;
    const registryUrl = registryResult.value;
    return { brokers: [broker], ...(registryUrl ? { registryUrl } : {}), stop };
  } catch (error) {
    await stop();
    throw error;
  }
};
