import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import {
  BackupError,
  MANIFEST_FILE,
  MANIFEST_VERSION,
  digestOf,
  type BackupFile,
  type Manifest,
} from './manifest.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * SQLite files in the order they are taken. Derived state first, the log after it, the keys last: a checkpoint
 * or a projection's position in the backup is never ahead of its log (a restored reactor would otherwise skip
 * the events appended after it), and every event in the backup finds its subject's key (a key erased after the
 * log was copied is gone from the backup too, which is what erasure asks).
 */
const ORDER = ['checkpoints.db', 'identity.db', 'events.db', 'keys.db'];
const rank = (name: string): number => {
  const known = ORDER.indexOf(name);
  // Other databases (none today) are treated as derived state: before the log.
  return known === -1 ? ORDER.indexOf('events.db') - 0.5 : known;
};

/** What of the data directory is never copied, and why (the manifest says so). */
const EXCLUDED: Readonly<Record<string, string>> = {
  'read-store':
    'the read store (chdb) is bound to the platform process; projections are rebuilt from the event log on restore',
};
/** SQLite's companions: their content is in the online backup of their database. */
const COMPANION = /-(wal|shm|journal)$/;

/** By its header: a zero-length file (a database opened but never written) is copied like any other file. */
const isSqlite = (path: string): boolean => {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    return readSync(fd, header, 0, header.length, 0) === header.length && header.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
};

/** The commit this release was built from, when it runs from a git checkout. */
const currentCommit = (): Promise<string | undefined> =>
  new Promise((done) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, timeout: 5000 }, (error, stdout) => {
      done(error ? undefined : stdout.trim() || undefined);
    });
  });

const platformVersion = (): string => {
  const json = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof json.version === 'string' ? json.version : 'unknown';
};

const logHead = (path: string): Manifest['eventStore'] => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare<[], { last: number | null; events: number }>(
        'SELECT max(position) AS last, count(*) AS events FROM events',
      )
      .get();
    return { lastPosition: row?.last ?? 0, events: row?.events ?? 0 };
  } finally {
    db.close();
  }
};

const backupName = (at: Date): string => `ccp-backup-${at.toISOString().replace(/[:.]/g, '-')}`;

export interface TakenBackup {
  readonly path: string;
  readonly manifest: Manifest;
}

/**
 * An online backup of an embedded platform's data directory into a new directory under `to`, while the platform
 * runs: SQLite databases through SQLite's backup API (a consistent copy of each, whatever is written meanwhile),
 * other files copied. Everything is written into a hidden `.partial-…` directory, the manifest last, and renamed
 * into place: a backup that crashed half way never has a backup's name.
 */
export const takeBackup = async (options: {
  readonly dataDir: string;
  readonly to: string;
  readonly now?: () => Date;
}): Promise<TakenBackup> => {
  const dataDir = resolve(options.dataDir);
  const names = (() => {
    try {
      return readdirSync(dataDir, { withFileTypes: true });
    } catch (error) {
      throw new BackupError(
        'BACKUP_SOURCE_INVALID',
        `cannot read the data directory ${dataDir}: ${String(error)}`,
      );
    }
  })();
  if (!names.some((entry) => entry.name === 'events.db' && entry.isFile())) {
    throw new BackupError(
      'BACKUP_SOURCE_INVALID',
      `${dataDir} has no events.db: not an embedded platform's data directory (EVENT_STORE=sqlite)`,
    );
  }
  const createdAt = (options.now ?? (() => new Date()))();
  const to = resolve(options.to);
  await mkdir(to, { recursive: true, mode: 0o700 });
  const final = join(to, backupName(createdAt));
  const partial = join(to, `.partial-${backupName(createdAt)}-${randomBytes(4).toString('hex')}`);
  await mkdir(partial, { mode: 0o700 });
  try {
    const excluded: Manifest['excluded'] = [];
    const databases: string[] = [];
    const plain: string[] = [];
    for (const entry of names) {
      if (COMPANION.test(entry.name)) continue;
      const reason = EXCLUDED[entry.name];
      if (reason !== undefined) excluded.push({ name: entry.name, reason });
      else if (!entry.isFile()) excluded.push({ name: entry.name, reason: 'not a regular file' });
      else if (isSqlite(join(dataDir, entry.name))) databases.push(entry.name);
      else plain.push(entry.name);
    }
    databases.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const files: BackupFile[] = [];
    for (const name of databases) {
      const source = new Database(join(dataDir, name), { readonly: true, fileMustExist: true });
      // Written through to the source's WAL by other connections meanwhile: SQLite restarts the copy, so what
      // lands is one committed state of the database.
      source.pragma('busy_timeout = 10000');
      // Made private before SQLite opens it: SQLite keeps an existing file's mode and gives it to its journal.
      closeSync(openSync(join(partial, name), 'wx', 0o600));
      try {
        await source.backup(join(partial, name));
      } finally {
        source.close();
      }
      // A copy of a WAL database is one too: back to a rollback journal, so that reading it (its log head here,
      // a checksum later) leaves no -wal and -shm files beside it. The platform turns WAL on when it opens it.
      const copy = new Database(join(partial, name), { fileMustExist: true });
      try {
        copy.pragma('journal_mode = DELETE');
      } finally {
        copy.close();
      }
      files.push({ name, kind: 'sqlite', ...(await digestOf(join(partial, name))) });
    }
    for (const name of plain.sort()) {
      await copyFile(join(dataDir, name), join(partial, name));
      await chmod(join(partial, name), 0o600);
      files.push({ name, kind: 'file', ...(await digestOf(join(partial, name))) });
    }
    const commit = await currentCommit();
    const manifest: Manifest = {
      formatVersion: MANIFEST_VERSION,
      createdAt: createdAt.toISOString(),
      platform: { version: platformVersion(), ...(commit && { commit }) },
      eventStore: logHead(join(partial, 'events.db')),
      files,
      excluded,
    };
    await writeFile(join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    for (const name of [...files.map((f) => f.name), MANIFEST_FILE]) syncFile(join(partial, name));
    renameSync(partial, final);
    syncFile(to);
    return { path: final, manifest };
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
};

/** On disk before the rename makes the backup look complete. */
const syncFile = (path: string): void => {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};
