import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { parseStreamName } from '@ccp/schemas';
import { eraseSubjectsInKeyStore, subjectOf } from '@ccp/command-service';
import { BackupError } from './manifest.js';

/**
 * The erasure ledger: which subjects' keys the platform deleted, read from the event log that recorded why. A
 * restore deletes these keys again, so that a backup taken before an erasure never brings a key back.
 *
 * Each event type that makes the platform delete keys names their subjects here, from its stream and its data
 * (stored as written: only personal fields are sealed, and these events carry none). A subject ending in ':' is
 * a prefix (`acme:` is every subject of tenant acme).
 */
const ERASING_EVENTS: Readonly<Record<string, (streamId: string, data: unknown) => readonly string[]>> = {
  // A removed integration connection: its sealed secrets' key.
  ConnectionRemoved: (streamId) => {
    const parts = parseStreamName(streamId);
    return parts ? [subjectOf(parts.tenantId, streamId)] : [];
  },
  // A GDPR erasure (issue 18): the key of every stream its certificate names, and the erasure's own (whom it
  // was about). Only streams of the erasure's tenant, whatever the data says.
  DataSubjectErased: (streamId, data) => {
    const parts = parseStreamName(streamId);
    const certificate = ErasedData.safeParse(data);
    if (!parts) return [];
    const streams = certificate.success ? certificate.data.certificate.streams : [];
    return [...streams, streamId]
      .filter((stream) => parseStreamName(stream)?.tenantId === parts.tenantId)
      .map((stream) => subjectOf(parts.tenantId, stream));
  },
};

const ErasedData = z.object({ certificate: z.object({ streams: z.array(z.string()) }) });

const parsedData = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** The subjects the event log in `eventsDb` (an embedded platform's events.db) records as erased. */
export const erasedSubjectsInLog = (eventsDb: string): string[] => {
  const db = new Database(eventsDb, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    const types = Object.keys(ERASING_EVENTS);
    const rows = db
      .prepare<string[], { type: string; stream_id: string; data: string }>(
        `SELECT type, stream_id, data FROM events WHERE type IN (${types.map(() => '?').join(', ')}) ORDER BY position`,
      )
      .all(...types);
    const subjects = new Set<string>();
    for (const row of rows) {
      for (const subject of ERASING_EVENTS[row.type]?.(row.stream_id, parsedData(row.data)) ?? [])
        subjects.add(subject);
    }
    return [...subjects];
  } finally {
    db.close();
  }
};

const SubjectList = z.array(z.string().min(1).max(1000));

/**
 * The ledger a restore is given: a data directory or a backup (its events.db: the live platform's, which knows
 * of erasures after the backup), or a JSON file with an array of subject ids.
 */
export const readErasureLedger = (source: string): string[] => {
  if (!existsSync(source)) throw new BackupError('BACKUP_SOURCE_INVALID', `no erasure ledger at ${source}`);
  if (statSync(source).isDirectory()) {
    const events = join(source, 'events.db');
    if (!existsSync(events)) {
      throw new BackupError('BACKUP_SOURCE_INVALID', `${source} holds no events.db to read erasures from`);
    }
    return erasedSubjectsInLog(events);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(source, 'utf8'));
  } catch {
    throw new BackupError('BACKUP_SOURCE_INVALID', `${source} is not JSON (an array of subject ids)`);
  }
  const parsed = SubjectList.safeParse(json);
  if (!parsed.success) {
    throw new BackupError('BACKUP_SOURCE_INVALID', `${source} is not an array of subject ids`);
  }
  return parsed.data;
};

/**
 * Deletes the keys of `subjects` from a keys.db, prefixes included, and leaves their tombstones, so that the
 * restored platform never makes a key for them again (SubjectKeys.erase does the same on a live one). Returns
 * how many keys were deleted. No master key is needed to delete.
 */
export const eraseKeys = (keysDb: string, subjects: readonly string[]): number => {
  if (!existsSync(keysDb)) throw new BackupError('BACKUP_CORRUPT', `${keysDb} is missing`);
  return eraseSubjectsInKeyStore(keysDb, subjects);
};
