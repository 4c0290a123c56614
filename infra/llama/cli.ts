/**
 * npx tsx infra/llama/cli.ts prepare [--model | --server]
 *     build llama-server and fetch the model into the repository's cache (only one of them when asked)
 * npx tsx infra/llama/cli.ts serve [--port N]     run it on loopback in the foreground until Ctrl-C
 *
 * `serve` prints the LLM_* settings that point the platform at it. Both prepare first when the cache lacks
 * something (minutes of compiling on a small machine). `npm test` fetches the model in the background from the
 * start, and builds the server with every core once the other tests are done.
 */
import { availableParallelism } from 'node:os';
import { both } from './build-once.js';
import { ensureLlamaServer, LLAMA_CPP_PYTHON, startLlamaServer } from './llama-server.js';
import { ensureLlamaModel, LLAMA_MODEL } from './model.js';
import { runCli } from '../cli.js';

const usage =
  'usage: tsx infra/llama/cli.ts prepare [--model | --server] | serve [--port N] [--threads N] [--ctx N]';

const started = Date.now();
const say = (line: string): void => {
  console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
};

const numberFlag = (args: readonly string[], flag: string): number | undefined => {
  const index = args.indexOf(flag);
  if (index < 0) return undefined;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} needs a whole number\n${usage}`);
  return value;
};

/** How long a stopped `prepare` has to let its compiler and pip end and remove their temp folders. */
const STOP_GRACE_MS = 30_000;

const prepare = async (args: readonly string[]): Promise<void> => {
  const modelOnly = args.includes('--model');
  const serverOnly = args.includes('--server');
  const unknown = args.filter((arg) => arg !== '--model' && arg !== '--server');
  if (unknown.length > 0 || (modelOnly && serverOnly)) throw new Error(usage);
  // `npm test` stops a prepare nobody waited for by signalling its process group: the compiler and pip get
  // the signal too, their steps fail, and the failure path removes the temp folders and partial files.
  process.once('SIGTERM', () => {
    say('SIGTERM: stopping');
    setTimeout(() => process.exit(1), STOP_GRACE_MS);
  });
  say(`llama-server from llama-cpp-python ${LLAMA_CPP_PYTHON.version}, model ${LLAMA_MODEL.name}`);
  const server = async (): Promise<void> => {
    if (!modelOnly) say(`llama-server ready: ${await ensureLlamaServer({ log: say })}`);
  };
  const model = async (): Promise<void> => {
    if (!serverOnly) say(`model ready: ${await ensureLlamaModel({ log: say })}`);
  };
  // The build is CPU, the download is network: side by side.
  await both(server(), model());
  say('prepared');
};

const serve = async (args: readonly string[]): Promise<void> => {
  const server = await startLlamaServer({
    port: numberFlag(args, '--port') ?? 8080,
    threads: numberFlag(args, '--threads'),
    contextSize: numberFlag(args, '--ctx'),
    log: say,
  });
  const threads = numberFlag(args, '--threads') ?? availableParallelism();
  console.log(
    [
      '',
      `llama-server is up (${LLAMA_MODEL.identity}, ${String(threads)} threads). Run the platform with:`,
      '',
      'LLM_PROVIDER=openai-compatible',
      `LLM_BASE_URL=${server.baseURL}`,
      `LLM_MODEL=${server.model}`,
      // A small CPU: the whole turn may take seconds, the first token a few of them.
      'LLM_TIMEOUT_MS=60000',
      'LLM_FIRST_TOKEN_MS=20000',
      'LLM_STREAM=true',
      'LLM_FILLER_MS=1500',
      '',
      'Ctrl-C stops it.',
    ].join('\n'),
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(name, resolve);
    // The supervised child is unref'd so a forgotten stop() cannot hang a test run; here we stay up.
    setInterval(() => undefined, 60_000);
  });
  console.log(`${signal}: stopping`);
  await server.stop();
};

const main = async (command: string | undefined, args: readonly string[]): Promise<number> => {
  if (command === 'prepare') {
    await prepare(args);
    return 0;
  }
  if (command === 'serve') {
    await serve(args);
    return 0;
  }
  console.error(usage);
  return 2;
};

runCli(() => main(process.argv[2], process.argv.slice(3)));
