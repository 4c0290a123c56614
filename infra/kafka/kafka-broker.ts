import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, jvmCommonArgs, launch, run, tail, waitFor, type Supervised } from './jvm-supervision.js';
import type { LocalKafkaOptions } from './local-kafka.js';
import type { LocalKafkaArtifacts } from './maven-artifacts.js';

/**
 * The local Kafka broker (local-kafka.ts): one KRaft node, broker and controller in one JVM, its settings, its
 * storage formatted with a fresh cluster id, started and probed until it answers.
 */

const log4jConfig = fileURLToPath(new URL('log4j2.properties', import.meta.url));

// kafka-storage.sh's entry point, which kafka_2.13 4.3 still ships as Scala; tools have been moving
// to Java packages across releases, so check this when moving kafka.version.
const storageToolClass = 'kafka.tools.StorageTool';

/** Kafka's Uuid format: 16 random bytes, URL-safe base64, no padding, not starting with '-'. */
const clusterId = (): string => {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
};

const brokerIsReady = async (broker: string): Promise<boolean> => {
  const kafka = new Kafka({
    clientId: 'ccp-local-kafka-probe',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
};

const brokerProperties = (
  port: number,
  controllerPort: number,
  dataDir: string,
  extra: Readonly<Record<string, string>>,
): string => {
  const settings: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': '3',
    // One broker: every internal topic must accept a single replica, and the defaults of 50
    // partitions for the internal topics make the first consumer group or transaction slow on 2 cores.
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '3',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '3',
    'share.coordinator.state.topic.replication.factor': '1',
    'share.coordinator.state.topic.min.isr': '1',
    'group.initial.rebalance.delay.ms': '0',
    'num.network.threads': '2',
    'num.io.threads': '2',
    'background.threads': '2',
    'log.cleaner.threads': '1',
    // Records from a producer whose clock runs ahead of the broker's (another machine, or `npm run test:at`, which
    // moves the Node processes' clocks) are kept, as before Kafka 4.0: the platform reads an event's time from its
    // envelope, never from the record.
    'log.message.timestamp.after.max.ms': '9223372036854775807',
    ...extra,
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')
    .concat('\n');
};

export const startBroker = async (
  artifacts: LocalKafkaArtifacts,
  options: LocalKafkaOptions,
  timeoutMs: number,
  started: Supervised[],
  dirs: string[],
): Promise<string> => {
  const classpath = join(artifacts.kafkaLibs, '*');
  const kafkaDir = await mkdtemp(join(tmpdir(), 'ccp-kafka-'));
  dirs.push(kafkaDir);
  await mkdir(join(kafkaDir, 'jvm-tmp'));
  const port = await freePort();
  const controllerPort = await freePort();
  const properties = join(kafkaDir, 'server.properties');
  await writeFile(
    properties,
    brokerProperties(port, controllerPort, join(kafkaDir, 'data'), options.brokerConfig ?? {}),
  );
  const log4j = `-Dlog4j2.configurationFile=${log4jConfig}`;

  const format = await run(
    'java',
    [
      '-Xmx256m',
      ...jvmCommonArgs(kafkaDir),
      log4j,
      '-cp',
      classpath,
      storageToolClass,
      'format',
      '--cluster-id',
      clusterId(),
      '--config',
      properties,
    ],
    { cwd: kafkaDir, timeoutMs: 60_000 },
  );
  if (format.code !== 0) {
    throw new Error(
      `formatting the Kafka ${artifacts.kafkaVersion} storage failed (exit ${String(format.code)}):\n${tail(format.output)}`,
    );
  }

  const broker = `127.0.0.1:${port}`;
  const proc = launch(kafkaDir, join(kafkaDir, 'broker.log'), [
    'java',
    '-Xms64m',
    '-Xmx512m',
    ...jvmCommonArgs(kafkaDir),
    log4j,
    '-cp',
    classpath,
    'kafka.Kafka',
    properties,
  ]);
  started.push(proc);
  await waitFor(proc, `Kafka ${artifacts.kafkaVersion} broker on ${broker}`, timeoutMs, () =>
    brokerIsReady(broker),
  );
  return broker;
};
