import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { eraseKeys, erasedSubjectsInLog, readErasureLedger } from './erasure-ledger.js';
import { BackupError, MANIFEST_FILE, digestOf, parseManifest, type Manifest } from './manifest.js';

export interface RestoreReport {
  readonly dataDir: string;
  readonly manifest: Manifest;
  /** Subjects whose keys the restore deleted again (the backup's own log and the ledger given). */
  readonly erasedSubjects: number;
  readonly erasedKeys: number;
  /** Read-side checkpoints dropped, so that the processors rebuild the read store from position 0. */
  readonly readSideCheckpoints: number;
}

/** Checkpoints of the embedded bus's consumer groups (stream-processors' bus/embedded.ts names them so). */
const READ_SIDE_CHECKPOINTS = "name LIKE 'bus:%'";

const isEmptyDir = (path: string): boolean => statSync(path).isDirectory() && readdirSync(path).length === 0;

const verify = async (from: string, manifest: Manifest): Promise<void> => {
  if (!manifest.files.some((file) => file.name === 'events.db' && file.kind === 'sqlite')) {
    throw new BackupError(
      'BACKUP_MANIFEST_INVALID',
      `the backup at ${from} holds no event store (events.db)`,
    );
  }
  for (const file of manifest.files) {
    const path = join(from, file.name);
    if (!existsSync(path)) throw new BackupError('BACKUP_CORRUPT', `${file.name} is missing from ${from}`);
    const actual = await digestOf(path);
    if (actual.size !== file.size || actual.sha256 !== file.sha256) {
      throw new BackupError(
        'BACKUP_CORRUPT',
        `${file.name} in ${from} does not match its manifest (size ${actual.size}, expected ${file.size}; ` +
          `sha256 ${actual.sha256.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…): the backup is damaged`,
      );
    }
  }
};

/**
 * Restores a backup into a new data directory. Nothing is written until the manifest is known, every file's
 * checksum matches and the erasure ledger was read; the files are then assembled in a hidden sibling directory
 * and renamed into place, so a failed restore leaves no half data directory behind.
 *
 * `erasures` is the erasure ledger (see erasure-ledger.ts): the live data directory, a newer backup or a JSON
 * list of subjects. Every key the ledger or the backup's own log says was erased is deleted from the restored
 * keys.db, so a backup older than an erasure never resurrects a key. The read store is not in a backup: the
 * read side's checkpoints are dropped and the stream processors rebuild every projection from position 0.
 */
export const restoreBackup = async (options: {
  readonly from: string;
  readonly dataDir: string;
  readonly erasures?: string;
}): Promise<RestoreReport> => {
  const from = resolve(options.from);
  const dataDir = resolve(options.dataDir);
  const manifestPath = join(from, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    throw new BackupError(
      'BACKUP_MANIFEST_INVALID',
      `${from} has no ${MANIFEST_FILE}: not a complete backup`,
    );
  }
  const manifest = parseManifest(await readFile(manifestPath, 'utf8'));
  if (existsSync(dataDir) && !isEmptyDir(dataDir)) {
    throw new BackupError(
      'BACKUP_TARGET_NOT_EMPTY',
      `${dataDir} is not empty: a restore goes into a new data directory`,
    );
  }
  await verify(from, manifest);
  const ledger = options.erasures === undefined ? [] : readErasureLedger(options.erasures);

  await mkdir(dirname(dataDir), { recursive: true });
  const staging = join(dirname(dataDir), `.restoring-${basename(dataDir)}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { mode: 0o700 });
  try {
    for (const file of manifest.files) {
      await copyFile(join(from, file.name), join(staging, file.name));
      await chmod(join(staging, file.name), 0o600);
    }
    // The copies checked again: the backup could have changed between the check and the copy.
    await verify(staging, manifest);
    let readSideCheckpoints = 0;
    if (manifest.files.some((file) => file.name === 'checkpoints.db')) {
      const db = new Database(join(staging, 'checkpoints.db'), { fileMustExist: true });
      try {
        readSideCheckpoints = db
          .prepare(`DELETE FROM checkpoints WHERE ${READ_SIDE_CHECKPOINTS}`)
          .run().changes;
      } finally {
        db.close();
      }
    }
    const subjects = [...new Set([...erasedSubjectsInLog(join(staging, 'events.db')), ...ledger])];
    const erasedKeys = manifest.files.some((file) => file.name === 'keys.db')
      ? eraseKeys(join(staging, 'keys.db'), subjects)
      : 0;
    if (existsSync(dataDir)) rmdirSync(dataDir);
    renameSync(staging, dataDir);
    return { dataDir, manifest, erasedSubjects: subjects.length, erasedKeys, readSideCheckpoints };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
};
