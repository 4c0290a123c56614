import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createSqliteEventStore, type PlatformContext, type RunningModule } from '@ccp/command-service';
import { backupModule, backupSettingsFromEnv, listBackups } from './scheduled-backups.js';

/*
 * The platform's backup schedule on a clock the test moves (fake timers, a real data directory and real
 * backups). The module reads only the data directory and the log line from its context: the rest of this
 * context is a stand-in, never called (no request is made here).
 */

const HOUR = 3_600_000;
let root: string;
let clock: number;
let running: RunningModule | undefined;
const lines: string[] = [];

const contextFor = (dataDir: string): PlatformContext =>
  ({
    config: { dataDir, eventStore: { kind: 'sqlite', dataDir } },
    log: (line: string) => lines.push(line),
  }) as unknown as PlatformContext;

/** Lets the timers due by now run, and waits (real time) for what they started (file I/O) to show. */
const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 5000 && !check(); i++) {
    await vi.advanceTimersByTimeAsync(0);
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(check()).toBe(true);
};
const advance = async (ms: number): Promise<void> => {
  clock += ms;
  await vi.advanceTimersByTimeAsync(ms);
};

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  root = mkdtempSync(join(tmpdir(), 'ccp-schedule-'));
  clock = Date.parse('2026-03-01T00:00:00Z');
  lines.length = 0;
  mkdirSync(join(root, 'data'));
  const store = createSqliteEventStore({ path: join(root, 'data', 'events.db') });
  await store.close();
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  vi.useRealTimers();
  rmSync(root, { recursive: true, force: true });
});

it('takes one at start, then one per period, keeping the newest N', async () => {
  const dir = join(root, 'backups');
  running = await backupModule({ dir, everyHours: 2, keep: 2 }, () => new Date(clock)).start(
    contextFor(join(root, 'data')),
  );
  await until(() => listBackups(dir).length === 1);
  expect(listBackups(dir)).toEqual(['ccp-backup-2026-03-01T00-00-00-000Z']);
  await advance(2 * HOUR - 1000);
  expect(listBackups(dir)).toHaveLength(1);
  await advance(1000);
  await until(() => listBackups(dir).at(-1) === 'ccp-backup-2026-03-01T02-00-00-000Z');
  await advance(2 * HOUR);
  await until(() => listBackups(dir).length === 2 && lines.length === 3);
  expect(listBackups(dir)).toEqual([
    'ccp-backup-2026-03-01T02-00-00-000Z',
    'ccp-backup-2026-03-01T04-00-00-000Z',
  ]);
});

it('counts from the newest backup across a restart, and retries a failed one after a while, not at once', async () => {
  const dir = join(root, 'backups');
  mkdirSync(join(dir, 'ccp-backup-2026-02-28T23-00-00-000Z'), { recursive: true });
  writeFileSync(join(dir, 'ccp-backup-2026-02-28T23-00-00-000Z', 'manifest.json'), '{}');
  // The data directory loses its event store: every backup fails.
  rmSync(join(root, 'data', 'events.db'));
  running = await backupModule({ dir, everyHours: 2, keep: 5 }, () => new Date(clock)).start(
    contextFor(join(root, 'data')),
  );
  await advance(HOUR - 1000);
  expect(lines).toEqual([]);
  await advance(1000);
  await until(() => lines.length === 1);
  expect(lines).toEqual([expect.stringMatching(/^backups: scheduled backup failed: .*no events.db/)]);
  // A tenth of the period: 12 minutes.
  await advance(12 * 60_000 - 1000);
  expect(lines).toHaveLength(1);
  await advance(1000);
  await until(() => lines.length === 2);
});

it('reads its settings from the environment', () => {
  expect(backupSettingsFromEnv({})).toEqual({ everyHours: 0, keep: 7 });
  expect(backupSettingsFromEnv({ BACKUP_DIR: 'b', BACKUP_EVERY_HOURS: '6', BACKUP_KEEP: '3' })).toEqual({
    dir: join(process.cwd(), 'b'),
    everyHours: 6,
    keep: 3,
  });
  expect(() => backupSettingsFromEnv({ BACKUP_EVERY_HOURS: '6' })).toThrow(/needs BACKUP_DIR/);
  expect(() => backupSettingsFromEnv({ BACKUP_KEEP: '0' })).toThrow(/invalid setting BACKUP_KEEP/);
  const offsite = backupSettingsFromEnv({ BACKUP_DIR: 'b', BACKUP_OFFSITE_URL: 's3://ccp-backups/prod' });
  expect(offsite.offsite?.location).toBe('s3://ccp-backups/prod');
  expect(() => backupSettingsFromEnv({ BACKUP_OFFSITE_URL: 's3://ccp-backups/prod' })).toThrow(
    /BACKUP_OFFSITE_URL needs BACKUP_DIR/,
  );
  expect(() => backupSettingsFromEnv({ BACKUP_DIR: 'b', BACKUP_OFFSITE_URL: 'ftp://x/y' })).toThrow(
    /s3:\/\/ or file:\/\//,
  );
  expect(() =>
    backupSettingsFromEnv({ BACKUP_DIR: 'b', BACKUP_OFFSITE_URL: 's3://b/p', BACKUP_S3_ENDPOINT: 'nope' }),
  ).toThrow(/invalid setting BACKUP_S3_ENDPOINT/);
});
