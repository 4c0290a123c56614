/**
 * A real Apache Kafka broker (KRaft, combined broker+controller) and a Confluent-compatible schema
 * registry (Apicurio Registry's ccompat API), run as local JVM processes on 127.0.0.1 for tests and
 * the local scale profile. There is no Docker here, so both come from Maven Central (see pom.xml)
 * and are cached outside git; nothing is left running after stop(), nor if the Node process dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

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

export interface LocalKafkaArtifacts {
  kafkaVersion: string;
  apicurioVersion: string;
  /** Directory holding the broker's jars (used as `<dir>/*` on the class path). */
  kafkaLibs: string;
  apicurioRunner: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const pomPath = join(here, 'pom.xml');
const supervisor = join(here, 'supervise.sh');
const log4jConfig = join(here, 'log4j2.properties');

// kafka-storage.sh's entry point, which kafka_2.13 4.3 still ships as Scala; tools have been moving
// to Java packages across releases, so check this when moving kafka.version.
const storageToolClass = 'kafka.tools.StorageTool';
const REGISTRY_API_PATH = '/apis/ccompat/v7';
const FETCH_TIMEOUT_MS = 15 * 60_000;
const STOP_GRACE_MS = 20_000;

/** Outside the work tree so a fresh clone (as CI uses) reuses the download. */
export const cacheRoot = (): string =>
  process.env.CCP_KAFKA_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ccp-kafka');

const pomProperty = (pom: string, name: string): string => {
  const match = new RegExp(`<${name.replace(/\./g, '\\.')}>([^<]+)</`).exec(pom);
  if (!match?.[1]) throw new Error(`infra/kafka/pom.xml has no <${name}> property`);
  return match[1].trim();
};

const artifactPaths = (): LocalKafkaArtifacts => {
  const pom = readFileSync(pomPath, 'utf8');
  const kafkaVersion = pomProperty(pom, 'kafka.version');
  const apicurioVersion = pomProperty(pom, 'apicurio.version');
  const root = cacheRoot();
  return {
    kafkaVersion,
    apicurioVersion,
    kafkaLibs: join(root, `kafka-${kafkaVersion}`, 'libs'),
    apicurioRunner: join(
      root,
      `apicurio-${apicurioVersion}`,
      `apicurio-registry-app-${apicurioVersion}-runner.jar`,
    ),
  };
};

interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a short-lived command, keeping its combined output for error messages. */
const run = async (
  command: string,
  args: readonly string[],
  opts: { cwd?: string; timeoutMs: number },
): Promise<RunResult> => {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Keeps Maven's own JVM small on a shared 2-core machine unless the caller chose otherwise.
    env: { ...process.env, MAVEN_OPTS: process.env.MAVEN_OPTS ?? '-Xmx512m' },
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
  try {
    // once() rejects with the spawn error (ENOENT when the tool is missing).
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, output };
  } catch (error) {
    if (isErrno(error) && error.code === 'ENOENT') {
      throw new Error(
        `\`${command}\` is not installed or not on PATH; the local Kafka needs a JDK 17+ (java) and Maven (mvn).`,
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
};

const isErrno = (error: unknown): error is NodeJS.ErrnoException => error instanceof Error && 'code' in error;

const tail = (text: string, lines = 40): string => text.trimEnd().split('\n').slice(-lines).join('\n');

/** The log's error lines first (a stack trace pushes them out of any tail), then its last lines. */
const logExcerpt = (file: string): string => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return `(no log at ${file})`;
  }
  const errors = text
    .split('\n')
    .filter((line) => /\b(ERROR|FATAL)\b|^Caused by:|^Error:/.test(line))
    .slice(0, 12);
  const name = basename(file);
  const errorPart = errors.length > 0 ? `Errors in ${name}:\n${errors.join('\n')}\n` : '';
  return `${errorPart}Last lines of ${name}:\n${tail(text, 30)}`;
};

/**
 * Serialises fetches across processes: Vitest runs test files in parallel workers, and two Maven
 * runs writing the same folder would leave a half-copied cache behind.
 */
const withFetchLock = async <T>(work: () => Promise<T>): Promise<T> => {
  const root = cacheRoot();
  await mkdir(root, { recursive: true });
  const lock = join(root, '.fetch.lock');
  const deadline = Date.now() + FETCH_TIMEOUT_MS;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (!isErrno(error) || error.code !== 'EEXIST') throw error;
      if (await lockIsStale(lock)) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the fetch lock ${lock}`);
      await delay(500);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
};

const lockIsStale = async (lock: string): Promise<boolean> => {
  try {
    const pid = Number(await readFile(join(lock, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return (await stat(lock)).mtimeMs < Date.now() - 10_000;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // ESRCH: the holder died. ENOENT: the holder is between mkdir and writing its pid, or is done.
    if (isErrno(error) && error.code === 'ENOENT') {
      try {
        return (await stat(lock)).mtimeMs < Date.now() - 10_000;
      } catch {
        return false;
      }
    }
    return isErrno(error) && error.code === 'ESRCH';
  }
};

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Downloads the broker (with its runtime dependencies) and the registry into the cache, unless a
 * previous fetch completed. Throws with Maven's own output when Maven Central cannot be reached:
 * tests that need Kafka must fail loudly, never skip.
 */
export const fetchLocalKafka = async (
  options: { withRegistry?: boolean } = {},
): Promise<LocalKafkaArtifacts> => {
  const paths = artifactPaths();
  const wanted = [
    { what: 'kafka', done: join(dirname(paths.kafkaLibs), '.complete'), dir: dirname(paths.kafkaLibs) },
    ...(options.withRegistry === false
      ? []
      : [
          {
            what: 'apicurio',
            done: join(dirname(paths.apicurioRunner), '.complete'),
            dir: dirname(paths.apicurioRunner),
          },
        ]),
  ];
  const missing = (): typeof wanted => wanted.filter((w) => !existsSync(w.done));
  if (missing().length === 0) return paths;
  return withFetchLock(async () => {
    for (const item of missing()) {
      // A marker-less folder is a fetch that died half-way; Maven's unpack would trust its own
      // markers and skip it, so start that artifact over.
      await rm(item.dir, { recursive: true, force: true });
      await rm(join(cacheRoot(), 'maven-target'), { recursive: true, force: true });
      const goal =
        item.what === 'kafka' ? 'dependency:copy-dependencies@kafka' : 'dependency:unpack@apicurio';
      const args = ['-B', '-q', '-f', pomPath, `-Dccp.cache=${cacheRoot()}`, goal];
      const result = await run('mvn', args, { timeoutMs: FETCH_TIMEOUT_MS });
      if (result.code !== 0) {
        throw new Error(
          `could not fetch ${item.what} from Maven Central (mvn ${args.join(' ')} exited ${String(result.code)}).\n` +
            `Maven said:\n${tail(result.output) || '(nothing)'}`,
        );
      }
      const probe =
        item.what === 'kafka'
          ? join(paths.kafkaLibs, `kafka_2.13-${paths.kafkaVersion}.jar`)
          : paths.apicurioRunner;
      if (!existsSync(probe)) {
        throw new Error(`Maven finished but ${probe} is missing; is infra/kafka/pom.xml consistent?`);
      }
      await writeFile(item.done, new Date().toISOString());
    }
    return paths;
  });
};

/** Asks the kernel for a free loopback port; the tiny window before the JVM binds it is accepted. */
const freePort = async (): Promise<number> => {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port from the kernel');
  return address.port;
};

/** Kafka's Uuid format: 16 random bytes, URL-safe base64, no padding, not starting with '-'. */
const clusterId = (): string => {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
};

interface Supervised {
  child: ChildProcess;
  exited: Promise<void>;
  hasExited(): boolean;
  log: string;
}

/**
 * Starts a JVM under supervise.sh in its own process group, so stop() can signal the whole tree at
 * once and the JVM dies with this Node process even when stop() is never reached.
 */
const launch = (dir: string, log: string, command: readonly string[]): Supervised => {
  const fd = openSync(log, 'a');
  let gone = false;
  try {
    const child = spawn('sh', [supervisor, dir, ...command], {
      cwd: dir,
      detached: true,
      stdio: ['pipe', fd, fd],
    });
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        gone = true;
        resolve();
      });
      child.once('error', () => {
        gone = true;
        resolve();
      });
    });
    // A forgotten stop() must not keep the test runner alive; the supervisor cleans up on our exit.
    child.unref();
    child.stdin?.on('error', () => undefined);
    if (child.stdin instanceof Socket) child.stdin.unref();
    return { child, exited, hasExited: () => gone, log };
  } finally {
    closeSync(fd);
  }
};

const terminate = async (proc: Supervised): Promise<void> => {
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (proc.child.pid === undefined) return;
    try {
      process.kill(-proc.child.pid, signal);
    } catch (error) {
      if (!isErrno(error) || error.code !== 'ESRCH') throw error;
    }
  };
  if (!proc.hasExited()) {
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), STOP_GRACE_MS);
    await proc.exited;
    clearTimeout(timer);
  }
  // The supervisor may be gone while its watcher is still in the group; leave nothing behind.
  signalGroup('SIGKILL');
};

const jvmCommonArgs = (dir: string): string[] => [
  '-XX:+UseSerialGC',
  '-XX:+ExitOnOutOfMemoryError',
  // Native libraries (zstd, snappy) and Vert.x caches unpack into java.io.tmpdir; keep them in the
  // folder that stop() removes instead of littering /tmp.
  `-Djava.io.tmpdir=${join(dir, 'jvm-tmp')}`,
];

/** Another process took a port between freePort() and the JVM binding it; worth another try. */
class PortTakenError extends Error {}

const PORT_ATTEMPTS = 3;

const withPortRetry = async <T>(start: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
};

const waitFor = async (
  proc: Supervised,
  what: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> => {
  const started = Date.now();
  for (;;) {
    if (proc.hasExited()) {
      const excerpt = logExcerpt(proc.log);
      const message = `${what} exited before it was ready.\n${excerpt}`;
      throw /Address already in use/.test(excerpt) ? new PortTakenError(message) : new Error(message);
    }
    if (await probe()) return;
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `${what} was not ready after ${Math.round(timeoutMs / 1000)} s.\n${logExcerpt(proc.log)}`,
      );
    }
    await delay(250);
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

const registryIsReady = async (url: string): Promise<boolean> => {
  try {
    const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
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
    ...extra,
  };
  return Object.entries(settings)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')
    .concat('\n');
};

const startBroker = async (
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

const startRegistry = async (
  artifacts: LocalKafkaArtifacts,
  timeoutMs: number,
  started: Supervised[],
  dirs: string[],
): Promise<string> => {
  const registryDir = await mkdtemp(join(tmpdir(), 'ccp-registry-'));
  dirs.push(registryDir);
  await mkdir(join(registryDir, 'jvm-tmp'));
  const registryPort = await freePort();
  const proc = launch(registryDir, join(registryDir, 'registry.log'), [
    'java',
    '-Xms32m',
    '-Xmx256m',
    // The registry serves a handful of requests per test; C1 alone roughly halves its boot time.
    '-XX:TieredStopAtLevel=1',
    ...jvmCommonArgs(registryDir),
    '-Dquarkus.http.host=127.0.0.1',
    `-Dquarkus.http.port=${registryPort}`,
    // In-memory storage (this artifact's default): every start begins with no schemas.
    '-jar',
    artifacts.apicurioRunner,
  ]);
  started.push(proc);
  const url = `http://127.0.0.1:${registryPort}${REGISTRY_API_PATH}`;
  await waitFor(proc, `Apicurio Registry ${artifacts.apicurioVersion} on ${url}`, timeoutMs, () =>
    registryIsReady(url),
  );
  return url;
};

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
