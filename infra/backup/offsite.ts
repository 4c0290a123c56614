import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKUP_NAME, BackupError, MANIFEST_FILE, parseManifest } from './manifest.js';

/**
 * Where backups are kept besides BACKUP_DIR, so that losing the machine does not lose them: an S3-compatible
 * bucket (s3-offsite.ts) or another directory (a mounted volume). One contract suite runs against both
 * (tests/infra/backup-offsite.test.ts).
 *
 * A backup is its directory's files under the backup's name; the manifest is written last and read first, so
 * a copy interrupted half way is never listed, and a download fetches exactly the files its manifest names.
 */
export interface OffsiteStore {
  /** Where, for logs and the console (never a secret). */
  readonly location: string;
  /** The complete backups, oldest first (a name is its creation instant). */
  list(): Promise<string[]>;
  /** Copies the backup directory `from` (whose last path element is its name); again replaces it. */
  upload(from: string): Promise<void>;
  /** Copies a backup into `${into}/${name}`, which must not exist; returns that path. */
  download(name: string, into: string): Promise<string>;
  remove(name: string): Promise<void>;
}

export const checkedName = (name: string): string => {
  if (!BACKUP_NAME.test(name)) {
    throw new BackupError('BACKUP_NOT_FOUND', `"${name}" is not a backup's name (ccp-backup-<instant>)`);
  }
  return name;
};

/** The files a backup directory holds, the manifest last: what an upload copies, in that order. */
export const filesToCopy = async (from: string): Promise<string[]> => {
  const manifest = parseManifest(await readFile(join(from, MANIFEST_FILE), 'utf8'));
  return [...manifest.files.map((file) => file.name), MANIFEST_FILE];
};

/** Another directory: copied file by file into a hidden folder, renamed into place once complete. */
export const directoryOffsite = (dir: string): OffsiteStore => {
  const root = resolve(dir);
  const list = async (): Promise<string[]> =>
    existsSync(root)
      ? (await readdir(root))
          .filter((name) => BACKUP_NAME.test(name) && existsSync(join(root, name, MANIFEST_FILE)))
          .sort()
      : [];
  return {
    location: root,
    list,
    async upload(from) {
      const name = checkedName(from.split('/').filter(Boolean).pop() ?? '');
      const partial = join(root, `.partial-${name}`);
      await rm(partial, { recursive: true, force: true });
      await mkdir(partial, { recursive: true, mode: 0o700 });
      for (const file of await filesToCopy(from)) await copyFile(join(from, file), join(partial, file));
      await rm(join(root, name), { recursive: true, force: true });
      await rename(partial, join(root, name));
    },
    async download(name, into) {
      const source = join(root, checkedName(name));
      if (!(await list()).includes(name)) {
        throw new BackupError('BACKUP_NOT_FOUND', `no backup ${name} in ${root}`);
      }
      const target = join(into, name);
      await mkdir(target, { mode: 0o700 });
      for (const file of await filesToCopy(source)) await copyFile(join(source, file), join(target, file));
      return target;
    },
    async remove(name) {
      await rm(join(root, checkedName(name)), { recursive: true, force: true });
    },
  };
};

/** s3://bucket/prefix or file:///path (a plain path is a directory too). */
export const parseOffsiteUrl = (
  url: string,
): { kind: 's3'; bucket: string; prefix: string } | { kind: 'directory'; dir: string } => {
  if (url.startsWith('s3://')) {
    const [bucket = '', ...rest] = url.slice('s3://'.length).split('/');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new BackupError('BACKUP_OFFSITE_INVALID', `"${bucket}" is not an S3 bucket name (in ${url})`);
    }
    return { kind: 's3', bucket, prefix: rest.filter(Boolean).join('/') };
  }
  if (url.startsWith('file://')) return { kind: 'directory', dir: fileURLToPath(url) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new BackupError('BACKUP_OFFSITE_INVALID', `offsite backups go to s3:// or file:// (not ${url})`);
  }
  return { kind: 'directory', dir: url };
};
