import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console's folder: sources in src/, the build in dist/. */
export const UI_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST_INDEX = join(UI_ROOT, 'dist', 'index.html');
const LOCK = join(UI_ROOT, '.build-lock');
/** A lock older than this is void whoever holds it; builds take seconds. */
const STALE_LOCK_MS = 10 * 60 * 1000;

const newestUnder = (path: string): number => {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestUnder(join(path, entry)));
  return newest;
};

/** What a build is made from: a change to any of these makes ui/dist stale. */
const sources = (): string[] =>
  ['src', 'public', 'index.html', 'vite.config.ts'].map((name) => join(UI_ROOT, name)).filter(existsSync);

/** Whether ui/dist is missing or older than any file it is built from. */
export const uiBuildIsStale = (): boolean => {
  if (!existsSync(DIST_INDEX)) return true;
  const built = statSync(DIST_INDEX).mtimeMs;
  return sources().some((source) => newestUnder(source) > built);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the process that took the lock is gone (killed mid-build): its lock is then void. */
const lockIsStale = (): boolean => {
  try {
    if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) return true;
    const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // ESRCH: no such process. A missing pid file is a lock being taken right now.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
};

/** One build at a time across processes (parallel test files, `npm start` beside `npm test`): a lock folder. */
const withLock = async <T>(work: () => Promise<T>): Promise<T> => {
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockIsStale()) rmSync(LOCK, { recursive: true, force: true });
      else await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
};

/**
 * Builds the console with Vite when ui/dist is missing or older than its sources, and answers whether it built.
 * Another process building at the same time is waited for, and its build is used when it is fresh.
 */
export const ensureUiBuilt = async (
  options: { readonly log?: (message: string) => void; readonly force?: boolean } = {},
): Promise<boolean> => {
  if (!options.force && !uiBuildIsStale()) return false;
  return withLock(async () => {
    if (!options.force && !uiBuildIsStale()) return false;
    options.log?.('Building the web console (ui/)...');
    const started = Date.now();
    const { build } = await import('vite');
    await build({ configFile: join(UI_ROOT, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
    options.log?.(`Web console built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  });
};
