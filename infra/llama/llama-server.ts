import { llamaCacheDir } from './cache-dir.js';
import { chmod, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, supervisedFolder, tail, waitFor } from '../kafka/jvm-supervision.js';
import { both, buildOnce, verifyFile } from './build-once.js';
import { ensureLlamaModel, LLAMA_MODEL } from './model.js';

/**
 * llama.cpp's `llama-server`, the real OpenAI-compatible server the LLM tests talk to and a user can run
 * locally: built from the llama.cpp that the llama-cpp-python source package on PyPI vendors, at a pinned
 * version and checksum (PyPI is reachable where GitHub may not be), once, into a cache inside the repository
 * (gitignored); run on loopback under the same supervisor as the local Kafka, so it cannot outlive the Node
 * process that started it.
 */

/** The pinned source: llama-cpp-python's sdist (its sha256 as PyPI lists it), vendoring llama.cpp. */
export const LLAMA_CPP_PYTHON = {
  version: '0.3.36',
  sdist: 'llama_cpp_python-0.3.36.tar.gz',
  sha256: '832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e',
  bytes: 76_589_250,
} as const;

export const llamaServerPath = (version: string = LLAMA_CPP_PYTHON.version): string =>
  join(llamaCacheDir(), version, 'llama-server');

const PIP_TIMEOUT_MS = 10 * 60_000;
const MAX_REPLY_TOKENS = 256;
const killOnTerm = fileURLToPath(new URL('kill-on-term.sh', import.meta.url));
const BUILD_TIMEOUT_MS = 60 * 60_000;
const COMPILER_MISSING =
  /No CMAKE_(C|CXX)_COMPILER could be found|CMAKE_(C|CXX)_COMPILER.*(not a full path|not able to compile)/;
const NEED_TOOLS =
  'llama-server is built from source with cmake and a C++ compiler: `apt-get install cmake g++` (or `npm test`, which does it) and try again.';

const cpus = (): number => availableParallelism();

const pipDownload = async (dir: string, log: (line: string) => void): Promise<string> => {
  const { version, sdist } = LLAMA_CPP_PYTHON;
  log(`downloading ${sdist} from PyPI`);
  const result = await run(
    'python3',
    ['-m', 'pip', 'download', `llama-cpp-python==${version}`, '--no-deps', '--no-binary', ':all:', '-d', dir],
    {
      timeoutMs: PIP_TIMEOUT_MS,
      missing:
        '`python3` is not installed or not on PATH: the llama.cpp source is fetched with pip (`apt-get install python3-pip`).',
    },
  );
  if (result.code !== 0) {
    const noPip = /No module named pip/.test(result.output);
    throw new Error(
      noPip
        ? 'pip is not installed: the llama.cpp source is fetched with `pip download` (`apt-get install python3-pip`).'
        : `pip download llama-cpp-python==${version} exited ${String(result.code)}.\n${tail(result.output)}`,
    );
  }
  const file = join(dir, sdist);
  await verifyFile(file, LLAMA_CPP_PYTHON, sdist);
  return file;
};

const step = async (
  what: string,
  command: string,
  args: readonly string[],
  opts: { readonly cwd: string; readonly timeoutMs: number },
): Promise<void> => {
  const result = await run(command, args, {
    ...opts,
    missing: `\`${command}\` is not installed. ${NEED_TOOLS}`,
  });
  if (result.code === 0) return;
  if (COMPILER_MISSING.test(result.output)) throw new Error(`No working C/C++ compiler. ${NEED_TOOLS}`);
  throw new Error(`${what} exited ${String(result.code)}. Its last lines:\n${tail(result.output, 60)}`);
};

/** Downloads, verifies and builds; the binary is copied to `out`. The sources live in a temp folder. */
const buildLlamaServer = async (out: string, log: (line: string) => void): Promise<void> => {
  // Outside the repository: llama.cpp's sources hold .js/.ts files that the linter must never see.
  const work = await mkdtemp(join(tmpdir(), 'ccp-llama-build-'));
  try {
    const sdist = await pipDownload(join(work, 'download'), log);
    const source = `llama_cpp_python-${LLAMA_CPP_PYTHON.version}/vendor/llama.cpp`;
    await step('tar', 'tar', ['xzf', sdist, '-C', work, source], { cwd: work, timeoutMs: 5 * 60_000 });
    const cwd = join(work, source);
    log(`configuring llama.cpp (cmake, ${String(cpus())} jobs)`);
    await step(
      'cmake (configure)',
      'cmake',
      [
        '-S',
        '.',
        '-B',
        'build',
        '-DCMAKE_BUILD_TYPE=Release',
        '-DLLAMA_USE_PREBUILT_UI=OFF',
        '-DLLAMA_CURL=OFF',
        // Loopback only: no TLS, so the binary does not depend on the machine's libssl either.
        '-DLLAMA_OPENSSL=OFF',
        '-DLLAMA_BUILD_TESTS=OFF',
        '-DLLAMA_BUILD_EXAMPLES=OFF',
        '-DBUILD_SHARED_LIBS=OFF',
      ],
      { cwd, timeoutMs: 10 * 60_000 },
    );
    log('building llama-server (several minutes on 2 cores)');
    await step(
      'cmake --build',
      'cmake',
      ['--build', 'build', '--target', 'llama-server', '-j', String(cpus())],
      { cwd, timeoutMs: BUILD_TIMEOUT_MS },
    );
    await copyFile(join(cwd, 'build', 'bin', 'llama-server'), out);
    await chmod(out, 0o755);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
};

export interface LlamaEnsureOptions {
  /** A failure of a concurrent preparation that began at or after this time is reported, not retried. */
  readonly failedSince?: Date;
  /** Progress lines ("building llama-server"); silent by default. */
  readonly log?: (line: string) => void;
}

/**
 * The path of the pinned llama-server, building it first when the cache does not have it, or waiting for a
 * build another process is running (`npm test` starts one in the background).
 */
export const ensureLlamaServer = (options: LlamaEnsureOptions = {}): Promise<string> =>
  buildOnce({
    target: llamaServerPath(),
    what: `llama-server (llama-cpp-python ${LLAMA_CPP_PYTHON.version})`,
    failedSince: options.failedSince,
    build: (partial) => buildLlamaServer(partial, options.log ?? (() => undefined)),
  });

export interface LlamaServer {
  /** The OpenAI-compatible API, e.g. `http://127.0.0.1:41233/v1`: LLM_BASE_URL. */
  readonly baseURL: string;
  /** The name the server answers to and reports as `model`: LLM_MODEL. */
  readonly model: string;
  /** Stops the server and removes its temp folder. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartLlamaServerOptions extends LlamaEnsureOptions {
  readonly binary?: string;
  /** A GGUF file; the pinned model by default. */
  readonly model?: string;
  /** The name to serve the model under; the pinned model's name by default. */
  readonly alias?: string;
  /** 0 (the default) lets the server choose a free port and say which. */
  readonly port?: number;
  readonly threads?: number;
  readonly contextSize?: number;
  readonly startTimeoutMs?: number;
}

/** The server logs where it listens once the model is loaded. */
const listeningUrl = (log: string): string | undefined =>
  /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1];

/** 200 once the model is loaded; 503 while it loads. */
const healthy = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = request(`${url}/health`, { timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    probe.on('timeout', () => probe.destroy());
    probe.on('error', () => resolve(false));
    probe.end();
  });

export const llamaServerArgs = (options: {
  readonly model: string;
  readonly alias: string;
  readonly port: number;
  readonly threads: number;
  readonly contextSize: number;
}): string[] =>
  [
    ['-m', options.model],
    ['--host', '127.0.0.1', '--port', String(options.port)],
    // The model's own chat template, which is what turns tool calls into `tool_calls` on the wire.
    ['--jinja'],
    ['-c', String(options.contextSize), '-t', String(options.threads)],
    ['--alias', options.alias],
    // One caller at a time, and a prompt whose prefix did not change is not evaluated again.
    ['-np', '1', '--cache-reuse', '256'],
    // A spoken reply or a tool call is tens of tokens: a small model that rambles is cut off rather than
    // holding the only slot for minutes.
    ['-n', String(MAX_REPLY_TOKENS)],
  ].flat();

export const startLlamaServer = async (options: StartLlamaServerOptions = {}): Promise<LlamaServer> => {
  const [binary, model] = await both(
    options.binary === undefined ? ensureLlamaServer(options) : Promise.resolve(options.binary),
    options.model === undefined ? ensureLlamaModel(options) : Promise.resolve(options.model),
  );
  const alias = options.alias ?? LLAMA_MODEL.name;
  const { dir, launch, stop } = await supervisedFolder('ccp-llama-server-');
  const log = join(dir, 'llama-server.log');
  const args = llamaServerArgs({
    model,
    alias,
    port: options.port ?? 0,
    threads: options.threads ?? cpus(),
    contextSize: options.contextSize ?? 4096,
  });
  try {
    const proc = launch(log, ['sh', killOnTerm, binary, ...args]);
    let url: string | undefined;
    await waitFor(proc, `llama-server (${binary})`, options.startTimeoutMs ?? 120_000, async () => {
      url ??= listeningUrl(await readFile(log, 'utf8').catch(() => ''));
      return url !== undefined && (await healthy(url));
    });
    if (url === undefined) throw new Error('llama-server was ready without saying where');
    return { baseURL: `${url}/v1`, model: alias, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};
