import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * Closes a tree an older version left open: directories 0700, files without group or other bits (0644 becomes
 * 0600). Symbolic links (the read store has some) carry no data; what they point to inside the tree is visited.
 */
const tighten = (path: string): void => {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  const mode = stat.mode & 0o777;
  if (stat.isDirectory()) {
    if (mode !== 0o700) chmodSync(path, 0o700);
    for (const name of readdirSync(path)) tighten(join(path, name));
  } else if ((mode & 0o077) !== 0) {
    chmodSync(path, mode & 0o700);
  }
};

/**
 * Makes the data directory private to the platform's user: created 0700, and whatever is already in it closed
 * to others. The process umask becomes 0o077, because not every file there is made by our code (the read
 * store's engine writes its own parts and logs); files made with an explicit mode keep it.
 */
export const privateDataDir = (dataDir: string): void => {
  // process.umask cannot be set from a worker thread; there only the files made with a mode are private.
  if (isMainThread) process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  tighten(dataDir);
};
