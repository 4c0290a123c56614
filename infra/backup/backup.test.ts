import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSqliteCheckpointStore,
  createSqliteEventStore,
  createSqliteSubjectKeys,
  masterKeyFrom,
  subjectOf,
  type EventStore,
  type SubjectKeys,
} from '@ccp/command-service';
import { MANIFEST_FILE } from './manifest.js';
import { restoreBackup } from './restore.js';
import { listBackups, pruneBackups } from './scheduled-backups.js';
import { takeBackup } from './take-backup.js';

/*
 * Backups of a data directory written by the platform's own stores (real SQLite files, no platform process):
 * what a backup holds, and what a restore refuses. tests/e2e/backup-restore.test.ts restores a running platform.
 */

const TENANT = 'acme';
const KEPT = `connection-${TENANT}.kept`;
const REMOVED = `connection-${TENANT}.removed`;

let root: string;
let live: string;
let store: EventStore;
let keys: SubjectKeys;

const event = (type: string) => ({
  id: randomUUID(),
  type,
  data: {},
  metadata: { tenantId: TENANT },
});

const keyIn = (dataDir: string, subject: string): boolean => {
  const db = new Database(join(dataDir, 'keys.db'), { readonly: true });
  try {
    return db.prepare('SELECT 1 FROM subject_keys WHERE subject = ?').get(subject) !== undefined;
  } finally {
    db.close();
  }
};

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'ccp-backup-'));
  live = join(root, 'live');
  mkdirSync(live);
  store = createSqliteEventStore({ path: join(live, 'events.db') });
  keys = createSqliteSubjectKeys(join(live, 'keys.db'), masterKeyFrom(undefined, join(live, 'master.key')));
  const checkpoints = createSqliteCheckpointStore(join(live, 'checkpoints.db'));
  await store.append(KEPT, [event('ConnectionAdded')], 'no_stream');
  await store.append(REMOVED, [event('ConnectionAdded')], 'no_stream');
  keys.keyFor(subjectOf(TENANT, KEPT));
  keys.keyFor(subjectOf(TENANT, REMOVED));
  await checkpoints.save('reactions', 2);
  await checkpoints.save('bus:calls#0', 2);
  await checkpoints.close();
  mkdirSync(join(live, 'read-store'));
  writeFileSync(join(live, 'credentials.json'), '{"superAdminPassword":"x"}');
});

afterEach(async () => {
  await store.close();
  keys.close();
  rmSync(root, { recursive: true, force: true });
});

describe('a backup', () => {
  it('holds every database and file of the data directory with their checksums, and no read store', async () => {
    const taken = await takeBackup({ dataDir: live, to: join(root, 'backups') });
    expect(taken.manifest.files.map((f) => [f.name, f.kind])).toEqual([
      ['checkpoints.db', 'sqlite'],
      ['events.db', 'sqlite'],
      ['keys.db', 'sqlite'],
      ['credentials.json', 'file'],
      ['master.key', 'file'],
    ]);
    expect(taken.manifest.eventStore).toEqual({ lastPosition: 2, events: 2 });
    expect(taken.manifest.excluded.map((e) => e.name)).toEqual(['read-store']);
    expect(readdirSync(join(root, 'backups'))).toEqual([taken.path.split('/').pop()]);
    expect(JSON.parse(readFileSync(join(taken.path, MANIFEST_FILE), 'utf8'))).toEqual(taken.manifest);
    // Nothing beside them (no -wal or -shm of a copy), and nothing another user may read: master.key is here.
    expect(readdirSync(taken.path).sort()).toEqual(
      [...taken.manifest.files.map((f) => f.name), MANIFEST_FILE].sort(),
    );
    for (const name of readdirSync(taken.path))
      expect(statSync(join(taken.path, name)).mode & 0o777).toBe(0o600);
  });

  it('keeps the newest N', async () => {
    const to = join(root, 'backups');
    for (const day of [1, 2, 3]) {
      await takeBackup({ dataDir: live, to, now: () => new Date(`2026-01-0${day}T00:00:00Z`) });
    }
    expect(pruneBackups(to, 2)).toEqual(['ccp-backup-2026-01-01T00-00-00-000Z']);
    expect(listBackups(to)).toEqual([
      'ccp-backup-2026-01-02T00-00-00-000Z',
      'ccp-backup-2026-01-03T00-00-00-000Z',
    ]);
  });

  it('refuses a directory that is not an embedded data directory, leaving nothing behind', async () => {
    await expect(takeBackup({ dataDir: join(root, 'nowhere'), to: join(root, 'b') })).rejects.toThrow(
      /cannot read the data directory/,
    );
    mkdirSync(join(root, 'empty'));
    await expect(takeBackup({ dataDir: join(root, 'empty'), to: join(root, 'b') })).rejects.toThrow(
      /no events.db/,
    );
    expect(existsSync(join(root, 'b'))).toBe(false);
  });
});

describe('a restore', () => {
  it('keeps a subject erased after the backup erased (its key is not resurrected), and resets the read side', async () => {
    const { path } = await takeBackup({ dataDir: live, to: join(root, 'backups') });
    // After the backup: the connection is removed and its key erased, as the integrations planner does.
    await store.append(REMOVED, [event('ConnectionRemoved')], 0);
    keys.erase(subjectOf(TENANT, REMOVED));

    const without = await restoreBackup({ from: path, dataDir: join(root, 'old-ledger') });
    expect(keyIn(without.dataDir, subjectOf(TENANT, REMOVED))).toBe(true);

    const report = await restoreBackup({ from: path, dataDir: join(root, 'restored'), erasures: live });
    expect(report).toMatchObject({ erasedSubjects: 1, erasedKeys: 1, readSideCheckpoints: 1 });
    expect(keyIn(report.dataDir, subjectOf(TENANT, REMOVED))).toBe(false);
    expect(keyIn(report.dataDir, subjectOf(TENANT, KEPT))).toBe(true);
    // Erased for good in the restored store too: a late write there gets no fresh key.
    const restoredKeys = createSqliteSubjectKeys(
      join(report.dataDir, 'keys.db'),
      masterKeyFrom(undefined, join(report.dataDir, 'master.key')),
    );
    expect(restoredKeys.keyUnlessErased(subjectOf(TENANT, REMOVED))).toBeUndefined();
    expect(restoredKeys.keyUnlessErased(subjectOf(TENANT, KEPT))).toBeDefined();
    restoredKeys.close();
    const checkpoints = new Database(join(report.dataDir, 'checkpoints.db'), { readonly: true });
    expect(checkpoints.prepare('SELECT name, position FROM checkpoints').all()).toEqual([
      { name: 'reactions', position: 2 },
    ]);
    checkpoints.close();
    const restored = createSqliteEventStore({ path: join(report.dataDir, 'events.db') });
    expect((await restored.readAll()).map((e) => [e.position, e.streamId, e.type])).toEqual([
      [1, KEPT, 'ConnectionAdded'],
      [2, REMOVED, 'ConnectionAdded'],
    ]);
    await restored.close();
  });

  it('takes the ledger as a JSON list of subjects too, prefixes included', async () => {
    const { path } = await takeBackup({ dataDir: live, to: join(root, 'backups') });
    writeFileSync(join(root, 'erased.json'), JSON.stringify([`${TENANT}:`]));
    const report = await restoreBackup({
      from: path,
      dataDir: join(root, 'r'),
      erasures: join(root, 'erased.json'),
    });
    expect(report.erasedKeys).toBe(2);
    const restoredKeys = createSqliteSubjectKeys(
      join(report.dataDir, 'keys.db'),
      masterKeyFrom(undefined, join(report.dataDir, 'master.key')),
    );
    expect(restoredKeys.keyUnlessErased(subjectOf(TENANT, 'connection-acme.new'))).toBeUndefined();
    restoredKeys.close();
  });

  it('refuses a corrupt backup with nothing written', async () => {
    const { path } = await takeBackup({ dataDir: live, to: join(root, 'backups') });
    const target = join(root, 'restored');
    const file = join(path, 'events.db');
    const bytes = readFileSync(file);
    // One bit of the last page flipped: the file still opens as a database, only its checksum tells.
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x01, bytes.length - 1);
    writeFileSync(file, bytes);
    await expect(restoreBackup({ from: path, dataDir: target })).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
      message: expect.stringMatching(/events.db .* does not match its manifest/) as string,
    });
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(root).sort()).toEqual(['backups', 'live']);
  });

  it('refuses a manifest version it does not know, and a target that is not empty', async () => {
    const { path } = await takeBackup({ dataDir: live, to: join(root, 'backups') });
    await expect(restoreBackup({ from: path, dataDir: live })).rejects.toMatchObject({
      code: 'BACKUP_TARGET_NOT_EMPTY',
    });
    const manifest = JSON.parse(readFileSync(join(path, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(path, MANIFEST_FILE), JSON.stringify({ ...manifest, formatVersion: 2 }));
    await expect(restoreBackup({ from: path, dataDir: join(root, 'r') })).rejects.toMatchObject({
      code: 'BACKUP_VERSION_UNKNOWN',
    });
    expect(existsSync(join(root, 'r'))).toBe(false);
  });
});
