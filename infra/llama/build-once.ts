import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { delay, isErrno } from '../kafka/jvm-supervision.js';

/**
 * One file in the repository's cache, made at most once at a time across processes. `npm test` prepares the
 * llama.cpp server and its model in the background while the type check runs, and the llama test file asks
 * for the same files: whoever comes second waits for the first instead of building twice.
 *
 * - The file is written as `<target>.partial-<pid>` and renamed into place, which is atomic, so nobody ever
 *   opens a half-written binary or model.
 * - `<target>.lock` (created exclusively) holds the builder's pid; a lock whose process is gone is stale (a
 *   killed test run) and is taken over.
 * - A failed build leaves `<target>.failed` (when and why), so a waiter can report the builder's failure
 *   instead of starting the same failing build again.
 */

export interface BuildOnceOptions {
  /** The file to make. */
  readonly target: string;
  /** What it is, for messages ("llama-server 0.3.36"). */
  readonly what: string;
  /** Writes the file at `partial`; it is renamed to the target once this resolves. */
  readonly build: (partial: string) => Promise<void>;
  /**
   * A failure recorded at or after this time is reported as is instead of building again: a test started by
   * `npm test` passes the time the background preparation began, whose failure it must show, not repeat.
   */
  readonly failedSince?: Date;
  /** How long to wait for another process's build. */
  readonly waitMs?: number;
}

const DEFAULT_WAIT_MS = 45 * 60_000;
const POLL_MS = 1000;

interface Failure {
  readonly at: string;
  readonly message: string;
}

const lockPath = (target: string): string => `${target}.lock`;
export const failurePath = (target: string): string => `${target}.failed`;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return isErrno(error) && error.code === 'EPERM';
  }
};

const readFailure = async (target: string): Promise<Failure | undefined> => {
  try {
    const parsed: unknown = JSON.parse(await readFile(failurePath(target), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { at, message } = parsed as Record<string, unknown>;
    return typeof at === 'string' && typeof message === 'string' ? { at, message } : undefined;
  } catch {
    return undefined;
  }
};

const failedAfter = async (target: string, since: Date | undefined): Promise<Failure | undefined> => {
  if (since === undefined) return undefined;
  const failure = await readFailure(target);
  return failure !== undefined && Date.parse(failure.at) >= since.getTime() ? failure : undefined;
};

/** The lock's pid, or undefined when there is no lock (or it is still being written). */
const lockHolder = async (target: string): Promise<number | undefined> => {
  const text = await readFile(lockPath(target), 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
};

const tryLock = async (target: string): Promise<boolean> => {
  try {
    const handle = await open(lockPath(target), 'wx');
    try {
      await handle.writeFile(String(process.pid));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if (isErrno(error) && error.code === 'EEXIST') return false;
    throw error;
  }
};

/** A lock still without a pid after this long was left by a process that died while creating it. */
const unwrittenFor = async (target: string, ms: number): Promise<boolean> => {
  const info = await stat(lockPath(target)).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > ms;
};

/** Removes a lock whose builder died, unless a new builder took it meanwhile. */
const clearStaleLock = async (target: string, pid: number | undefined): Promise<void> => {
  if ((await lockHolder(target)) === pid) await rm(lockPath(target), { force: true });
};

const earlier = (a: Date | undefined, b: Date | undefined): Date | undefined =>
  a === undefined || b === undefined ? (a ?? b) : new Date(Math.min(a.getTime(), b.getTime()));

const holdAndBuild = async (options: BuildOnceOptions): Promise<void> => {
  const { target, build } = options;
  const partial = `${target}.partial-${process.pid}`;
  try {
    await rm(failurePath(target), { force: true });
    await build(partial);
    await rename(partial, target);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const failure: Failure = { at: new Date().toISOString(), message };
    await writeFile(failurePath(target), JSON.stringify(failure));
    throw error;
  } finally {
    await rm(partial, { force: true });
    await rm(lockPath(target), { force: true });
  }
};

export const buildOnce = async (options: BuildOnceOptions): Promise<string> => {
  const { target, what } = options;
  await mkdir(dirname(target), { recursive: true });
  const deadline = Date.now() + (options.waitMs ?? DEFAULT_WAIT_MS);
  let waitingSince: Date | undefined;
  for (;;) {
    if (existsSync(target)) return target;
    const reported = await failedAfter(target, earlier(options.failedSince, waitingSince));
    if (reported !== undefined) {
      throw new Error(`${what}: the preparation running at the same time failed.\n${reported.message}`);
    }
    if (await tryLock(target)) {
      await holdAndBuild(options);
      return target;
    }
    const pid = await lockHolder(target);
    if (pid === undefined ? await unwrittenFor(target, 10_000) : !alive(pid)) {
      await clearStaleLock(target, pid);
      continue;
    }
    // Another process is building (or has just created its lock): its failure from now on is ours too.
    waitingSince ??= new Date(Date.now() - POLL_MS);
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: still being prepared by process ${String(pid)} after ` +
          `${Math.round((options.waitMs ?? DEFAULT_WAIT_MS) / 60_000)} min (lock ${lockPath(target)}).`,
      );
    }
    await delay(POLL_MS);
  }
};

/** The sha256 of a file, streamed (models are hundreds of megabytes). */
export const sha256File = async (file: string): Promise<string> => {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
};

/** Fails unless the file has exactly the pinned size and sha256. */
export const verifyFile = async (
  file: string,
  expected: { readonly sha256: string; readonly bytes: number },
  what: string,
): Promise<void> => {
  const { size } = await stat(file);
  const sha256 = size === expected.bytes ? await sha256File(file) : '(not computed)';
  if (size !== expected.bytes || sha256 !== expected.sha256) {
    throw new Error(
      `${what} does not match its pin: ${String(size)} bytes, sha256 ${sha256}; ` +
        `expected ${String(expected.bytes)} bytes, sha256 ${expected.sha256}.`,
    );
  }
};

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Both results, like Promise.all, but only once both have ended: a failed download must not leave a compiler
 * running unobserved (or a process exit orphaning it).
 */
export const both = async <A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> => {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'fulfilled' && second.status === 'fulfilled') return [first.value, second.value];
  const failures = [first, second].flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  throw new Error(failures.map(message).join('\n\n'));
};
