import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, jvmCommonArgs, launch, waitFor, type Supervised } from './jvm-supervision.js';
import type { LocalKafkaArtifacts } from './maven-artifacts.js';

/**
 * The local schema registry (local-kafka.ts): Apicurio Registry with its Confluent-compatible API, in-memory,
 * started and probed until it answers.
 */

const REGISTRY_API_PATH = '/apis/ccompat/v7';

const registryIsReady = async (url: string): Promise<boolean> => {
  try {
    const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
};

export const startRegistry = async (
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
