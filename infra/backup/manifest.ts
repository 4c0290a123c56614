import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';

/** The manifest formats this release writes and reads; a restore refuses any other. */
export const MANIFEST_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
/** A backup directory's name: its creation instant, so names sort by age. */
export const BACKUP_NAME = /^ccp-backup-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/;

/** A file of the data directory's top level, by name only: a manifest can never point outside the backup. */
const FileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'a plain file name')
  .refine((name) => name !== MANIFEST_FILE, 'the manifest itself');

export const BackupFile = z.strictObject({
  name: FileName,
  /** How it was taken: SQLite's online backup API, or a plain copy (small files the platform writes once). */
  kind: z.enum(['sqlite', 'file']),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BackupFile = z.infer<typeof BackupFile>;

export const Manifest = z.strictObject({
  formatVersion: z.number().int(),
  createdAt: z.iso.datetime(),
  platform: z.strictObject({ version: z.string(), commit: z.string().optional() }),
  eventStore: z.strictObject({
    /** The global position of the newest event in the backup; 0 for an empty log. */
    lastPosition: z.number().int().nonnegative(),
    events: z.number().int().nonnegative(),
  }),
  files: z.array(BackupFile),
  /** What the data directory held that is not in the backup, and why. */
  excluded: z.array(z.strictObject({ name: z.string(), reason: z.string() })),
});
export type Manifest = z.infer<typeof Manifest>;

/** Reads a manifest's JSON: a version this release does not know is refused before its fields are judged. */
export const parseManifest = (text: string): Manifest => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BackupError('BACKUP_MANIFEST_INVALID', `${MANIFEST_FILE} is not JSON`);
  }
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== MANIFEST_VERSION) {
    throw new BackupError(
      'BACKUP_VERSION_UNKNOWN',
      `backup format version ${JSON.stringify(version)} is not one this release reads (${MANIFEST_VERSION})`,
    );
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BackupError(
      'BACKUP_MANIFEST_INVALID',
      `${MANIFEST_FILE}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
};

export type BackupErrorCode =
  | 'BACKUP_MANIFEST_INVALID'
  | 'BACKUP_VERSION_UNKNOWN'
  | 'BACKUP_CORRUPT'
  | 'BACKUP_TARGET_NOT_EMPTY'
  | 'BACKUP_SOURCE_INVALID'
  /** No backup of that name where it was looked for. */
  | 'BACKUP_NOT_FOUND'
  /** BACKUP_OFFSITE_URL (or a --to / --from URL) names no place backups can go. */
  | 'BACKUP_OFFSITE_INVALID'
  /** The offsite store refused or failed a request (S3's own error code in the message). */
  | 'BACKUP_OFFSITE_FAILED';

export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

/** A file's size and SHA-256, streamed (an event store can be larger than memory). */
export const digestOf = async (path: string): Promise<{ size: number; sha256: string }> => {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    hash.update(bytes);
  }
  return { size, sha256: hash.digest('hex') };
};
