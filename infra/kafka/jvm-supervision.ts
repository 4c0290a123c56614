import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, Socket } from 'node:net';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Process supervision for the local Kafka (local-kafka.ts): short-lived commands (Maven, the storage tool),
 * the long-running JVMs under supervise.sh in their own process group, their readiness, their logs when they
 * fail, and stopping them.
 */

const supervisor = fileURLToPath(new URL('supervise.sh', import.meta.url));

const STOP_GRACE_MS = 20_000;

export interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a short-lived command, keeping its combined output for error messages. */
export const run = async (
  command: string,
  args: readonly string[],
  opts: {
    cwd?: string;
    timeoutMs: number;
    /** More environment variables for the command. */
    env?: Readonly<Record<string, string>>;
    /** What to say when the command is not installed. */
    missing?: string;
  },
): Promise<RunResult> => {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Keeps Maven's own JVM small on a shared 2-core machine unless the caller chose otherwise.
    env: { ...process.env, MAVEN_OPTS: process.env.MAVEN_OPTS ?? '-Xmx512m', ...opts.env },
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
        opts.missing ??
          `\`${command}\` is not installed or not on PATH; the local Kafka needs a JDK 17+ (java) and Maven (mvn).`,
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
};

export const isErrno = (error: unknown): error is NodeJS.ErrnoException =>
  error instanceof Error && 'code' in error;

export const tail = (text: string, lines = 40): string => text.trimEnd().split('\n').slice(-lines).join('\n');

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

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks the kernel for a free loopback port; the tiny window before the JVM binds it is accepted. */
export const freePort = async (): Promise<number> => {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port from the kernel');
  return address.port;
};

export interface Supervised {
  child: ChildProcess;
  exited: Promise<void>;
  hasExited(): boolean;
  log: string;
}

/**
 * Starts a JVM under supervise.sh in its own process group, so stop() can signal the whole tree at
 * once and the JVM dies with this Node process even when stop() is never reached.
 */
export const launch = (dir: string, log: string, command: readonly string[]): Supervised => {
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

export const terminate = async (proc: Supervised): Promise<void> => {
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

/**
 * A temp folder of one supervised process: `launch` starts it there (a later launch, after a port clash, replaces
 * the one to stop), and `stop` terminates it and removes the folder, once however often it is called.
 */
export const supervisedFolder = async (prefix: string) => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  let proc: Supervised | undefined;
  let stopping: Promise<void> | undefined;
  return {
    dir,
    launch: (log: string, command: readonly string[]): Supervised => (proc = launch(dir, log, command)),
    stop: (): Promise<void> =>
      (stopping ??= (async () => {
        if (proc) await terminate(proc);
        await rm(dir, { recursive: true, force: true });
      })()),
  };
};

export const jvmCommonArgs = (dir: string): string[] => [
  '-XX:+UseSerialGC',
  '-XX:+ExitOnOutOfMemoryError',
  // Native libraries (zstd, snappy) and Vert.x caches unpack into java.io.tmpdir; keep them in the
  // folder that stop() removes instead of littering /tmp.
  `-Djava.io.tmpdir=${join(dir, 'jvm-tmp')}`,
];

/** Another process took a port between freePort() and the JVM binding it; worth another try. */
class PortTakenError extends Error {}

const PORT_ATTEMPTS = 3;

export const withPortRetry = async <T>(start: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
};

export const waitFor = async (
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
