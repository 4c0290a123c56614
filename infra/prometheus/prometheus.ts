import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolCacheDir } from '../cache-dir.js';
import { z } from 'zod';
import { buildOnce } from '../llama/build-once.js';
import {
  freePort,
  isErrno,
  supervisedFolder,
  tail,
  waitFor,
  withPortRetry,
} from '../kafka/jvm-supervision.js';

/**
 * A real Prometheus server and its promtool, for the tests that scrape the platform and check the alerting
 * rules: built from source once, at a pinned module version, from the Go module proxy into a cache outside the
 * repository, and run on loopback under the same supervisor as the local Kafka, so it cannot outlive the Node
 * process that started it. `go install` refuses Prometheus (its go.mod has exclude directives), so the build
 * goes through a scratch module: `go mod init x`, `go get …/cmd/prometheus@<version>`, `go build`.
 */

/** Prometheus 3.x's Go module version (its module is versioned v0.3xx for the 3.x releases). */
export const PROMETHEUS_MODULE_VERSION = 'v0.316.0';
const MODULE = 'github.com/prometheus/prometheus';

/** `$CCP_PROMETHEUS_CACHE`, else `$XDG_CACHE_HOME/ccp-prometheus`, else `~/.cache/ccp-prometheus`. */
export const prometheusCacheDir = (): string => toolCacheDir('ccp-prometheus', 'CCP_PROMETHEUS_CACHE');

export interface PrometheusBinaries {
  readonly prometheus: string;
  readonly promtool: string;
}

/** Per version, so bumping the pin builds the new one next to the old. */
export const prometheusBinaries = (version: string = PROMETHEUS_MODULE_VERSION): PrometheusBinaries => {
  const dir = join(prometheusCacheDir(), version);
  return { prometheus: join(dir, 'prometheus'), promtool: join(dir, 'promtool') };
};

/** Where the build writes everything Go says. */
export const prometheusBuildLog = (version: string = PROMETHEUS_MODULE_VERSION): string =>
  join(prometheusCacheDir(), version, 'build.log');

/** The cached binaries, or undefined when they were never built here (promtool is put in place first). */
export const cachedPrometheus = (
  version: string = PROMETHEUS_MODULE_VERSION,
): PrometheusBinaries | undefined => {
  const binaries = prometheusBinaries(version);
  return existsSync(binaries.prometheus) && existsSync(binaries.promtool) ? binaries : undefined;
};

const STEP_TIMEOUT_MS = 30 * 60_000;

/** One go command, its output appended to the build log; a failure quotes the log's last lines. */
const go = async (args: readonly string[], cwd: string, logFile: string): Promise<void> => {
  const fd = openSync(logFile, 'a');
  let child;
  try {
    child = spawn('go', args, {
      cwd,
      stdio: ['ignore', fd, fd],
      // The pinned Go toolchain of the machine, never one downloaded behind our back.
      env: { ...process.env, GOTOOLCHAIN: process.env['GOTOOLCHAIN'] ?? 'local', GOFLAGS: '-buildvcs=false' },
    });
  } finally {
    closeSync(fd);
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), STEP_TIMEOUT_MS);
  try {
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(
        `go ${args.join(' ')} exited ${String(code)}. Last lines of ${logFile}:\n${tail(log, 30)}`,
      );
    }
  } catch (error) {
    if (isErrno(error) && error.code === 'ENOENT') {
      throw new Error(
        '`go` is not installed or not on PATH: Prometheus is built from source with Go ' +
          '(`apt-get install golang-go`, or `npm test`, which does it).',
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
};

const buildPrometheus = async (
  partial: string,
  version: string,
  log: (line: string) => void,
): Promise<void> => {
  const { promtool } = prometheusBinaries(version);
  const logFile = prometheusBuildLog(version);
  await writeFile(logFile, `build of ${MODULE} ${version}, ${new Date().toISOString()}\n`);
  // Outside the repository: a Go module's sources must never be seen by the linter or the formatter.
  const work = await mkdtemp(join(tmpdir(), 'ccp-prometheus-build-'));
  try {
    log(`building Prometheus ${version} from the Go module proxy (several minutes; log: ${logFile})`);
    await go(['mod', 'init', 'x'], work, logFile);
    log(`go get ${MODULE}/cmd/prometheus@${version} ${MODULE}/cmd/promtool@${version}`);
    // Both commands: promtool needs modules of its own (its rule unit tests' diff library).
    await go(
      ['get', `${MODULE}/cmd/prometheus@${version}`, `${MODULE}/cmd/promtool@${version}`],
      work,
      logFile,
    );
    log('go build promtool');
    await go(['build', '-o', `${promtool}.partial-${process.pid}`, `${MODULE}/cmd/promtool`], work, logFile);
    await rename(`${promtool}.partial-${process.pid}`, promtool);
    log('go build prometheus');
    await go(['build', '-o', partial, `${MODULE}/cmd/prometheus`], work, logFile);
    await chmod(partial, 0o755);
  } finally {
    await rm(`${promtool}.partial-${process.pid}`, { force: true });
    await rm(work, { recursive: true, force: true });
  }
};

/**
 * The pinned binaries, building them first when the cache lacks them, or waiting for a build another process
 * is running (`npm test` builds after its main pass while a test file may ask too).
 */
export const ensurePrometheus = async (
  options: { readonly log?: (line: string) => void; readonly version?: string } = {},
): Promise<PrometheusBinaries> => {
  const version = options.version ?? PROMETHEUS_MODULE_VERSION;
  const binaries = prometheusBinaries(version);
  await buildOnce({
    target: binaries.prometheus,
    what: `Prometheus ${version}`,
    build: (partial) => buildPrometheus(partial, version, options.log ?? (() => undefined)),
  });
  return binaries;
};

export interface PrometheusServer {
  /** e.g. `http://127.0.0.1:41233`: its HTTP API is under /api/v1. */
  readonly url: string;
  /** Stops the server and removes its temp folder (configuration, token, TSDB). Safe to call twice. */
  stop(): Promise<void>;
}

/** 200 once the server has loaded its configuration and its storage. */
const ready = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = request(`${url}/-/ready`, { timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    probe.on('timeout', () => probe.destroy());
    probe.on('error', () => resolve(false));
    probe.end();
  });

export interface StartPrometheusOptions {
  readonly binary?: string;
  /**
   * The configuration file's text; `{{TOKEN_FILE}}` in it is replaced by the path of a file (mode 600) holding
   * `token`, for an `authorization.credentials_file`.
   */
  readonly config: string;
  readonly token?: string;
  /** Alerting and recording rule files, by name, written beside the configuration. */
  readonly rules?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}

/** Prometheus on a free loopback port with its own temp folder, ready to answer queries. */
export const startPrometheus = async (options: StartPrometheusOptions): Promise<PrometheusServer> => {
  const binary = options.binary ?? (await ensurePrometheus()).prometheus;
  const { dir, launch, stop } = await supervisedFolder('ccp-prometheus-');
  try {
    const tokenFile = join(dir, 'scrape-token');
    await writeFile(tokenFile, options.token ?? '', { mode: 0o600 });
    for (const [name, text] of Object.entries(options.rules ?? {})) await writeFile(join(dir, name), text);
    const configFile = join(dir, 'prometheus.yml');
    await writeFile(configFile, options.config.replaceAll('{{TOKEN_FILE}}', tokenFile));
    const url = await withPortRetry(async () => {
      const port = await freePort();
      const log = join(dir, `prometheus-${String(port)}.log`);
      const proc = launch(log, [
        binary,
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${String(port)}`,
        '--storage.tsdb.retention.time=1h',
      ]);
      const address = `http://127.0.0.1:${String(port)}`;
      await waitFor(proc, `prometheus (${binary})`, options.startTimeoutMs ?? 60_000, () => ready(address));
      return address;
    });
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};

const Value = z.tuple([z.number(), z.string()]);
const InstantAnswer = z.object({
  status: z.literal('success'),
  data: z.discriminatedUnion('resultType', [
    z.object({
      resultType: z.literal('vector'),
      result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: Value })),
    }),
    z.object({ resultType: z.literal('scalar'), result: Value }),
  ]),
});

export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/** An instant PromQL query over the HTTP API (`/api/v1/query`); an error answer throws with Prometheus's words. */
export const queryPrometheus = async (url: string, promql: string): Promise<VectorSample[]> => {
  const body = await new Promise<string>((resolve, reject) => {
    const ask = request(
      `${url}/api/v1/query?query=${encodeURIComponent(promql)}`,
      { timeout: 10_000 },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve(text));
        response.on('error', reject);
      },
    );
    ask.on('timeout', () => ask.destroy(new Error(`prometheus query timed out: ${promql}`)));
    ask.on('error', reject);
    ask.end();
  });
  const parsed = InstantAnswer.safeParse(JSON.parse(body));
  if (!parsed.success) throw new Error(`prometheus answered ${body.slice(0, 500)} to ${promql}`);
  const { data } = parsed.data;
  // A scalar is one sample with no labels.
  if (data.resultType === 'scalar') return [{ metric: {}, value: Number(data.result[1]) }];
  return data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
};
