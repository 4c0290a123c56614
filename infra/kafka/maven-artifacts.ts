import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { delay, isErrno, run, tail } from './jvm-supervision.js';

/**
 * Resolving the local Kafka's artifacts (local-kafka.ts): the broker's jars and the registry's runner, at the
 * versions pom.xml names, fetched from Maven Central once into a cache outside the work tree.
 */

export interface LocalKafkaArtifacts {
  kafkaVersion: string;
  apicurioVersion: string;
  /** Directory holding the broker's jars (used as `<dir>/*` on the class path). */
  kafkaLibs: string;
  apicurioRunner: string;
}

const pomPath = fileURLToPath(new URL('pom.xml', import.meta.url));

const FETCH_TIMEOUT_MS = 15 * 60_000;

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
