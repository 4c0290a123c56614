import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyStreamChain, type PlatformModule, type RecordedEvent } from '@ccp/command-service';
import {
  backupModule,
  configFromEnv,
  DEMO_TENANT,
  enginesOf,
  restoreBackup,
  seedDemo,
  streamProcessing,
} from '@ccp/infra';
import { queryApiModule } from '@ccp/query-api';
import { createProcessors } from '@ccp/stream-processors';
import { recordCall } from '../support/calls.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';
import { DEMO_PASSWORD, demoUser } from '../support/read-side.js';

/*
 * A backup taken over HTTP while the real platform runs (SQLite, chdb, every processor, the query API),
 * restored into a fresh data directory: a platform started on it holds the same events (count, last position,
 * hash chains), rebuilds the same projections from the log, and signs its users in.
 */

const CALLS = ['CA-backup-1', 'CA-backup-2'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const dirs: string[] = [];
const running: TestPlatform[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

const readSide = async (
  dataDir: string | undefined,
  extra: readonly PlatformModule[],
): Promise<TestPlatform> => {
  const processing = streamProcessing(createProcessors());
  const test = await startTestPlatform(dataDir, {
    processing,
    modules: () => [
      queryApiModule(() => processing.readStore(), verifyStreamChain, {
        engines: enginesOf(configFromEnv({})),
      }),
      ...extra,
    ],
  });
  running.push(test);
  return test;
};

interface CallList {
  readonly total: number;
  readonly items: readonly { readonly callId: string; readonly endedAt: string | null }[];
}

/** The demo tenant's calls as the query API lists them, once every call of CALLS is projected to its end. */
const projectedCalls = async (test: TestPlatform): Promise<CallList> => {
  const admin = await demoUser(test, 'tenant_admin');
  for (let i = 0; i < 300; i++) {
    const { body } = await admin.request<CallList>('GET', '/api/calls?limit=100');
    if (CALLS.every((id) => body.items.some((call) => call.callId === id && call.endedAt !== null)))
      return body;
    await sleep(100);
  }
  throw new Error('the calls were never projected');
};

const upTo = (events: readonly RecordedEvent[], position: number) =>
  events
    .filter((e) => e.position <= position)
    .map(({ recordedAt, ...rest }) => ({ ...rest, at: +recordedAt }));

afterAll(async () => {
  for (const test of running) await test.stop().catch(() => undefined);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('backup and restore', () => {
  it('restores a running platform into a fresh data directory: same events, same projections, same sign-in', async () => {
    const backups = tempDir('ccp-backups-');
    const original = await readSide(undefined, [backupModule({ dir: backups, everyHours: 1, keep: 2 })]);
    await seedDemo(original.platform, DEMO_PASSWORD);
    const root = apiClient(original.url, await login(original.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
    for (const callId of CALLS) await recordCall(root, DEMO_TENANT, callId);
    const calls = await projectedCalls(original);
    const admin = await demoUser(original, 'tenant_admin');
    const transcript = (await admin.request('GET', `/api/calls/${CALLS[0]}`)).body;
    expect(JSON.stringify(transcript)).toContain('book a cleaning next Tuesday');

    // The schedule's first backup is taken at start, with no backup in the directory yet.
    let scheduled = await root.request<{ backups: { name: string }[] }>('GET', '/api/admin/backups');
    for (let i = 0; i < 50 && scheduled.body.backups.length === 0; i++) {
      await sleep(100);
      scheduled = await root.request<{ backups: { name: string }[] }>('GET', '/api/admin/backups');
    }
    expect(scheduled.body.backups).toHaveLength(1);
    // Only a super admin takes one.
    expect((await admin.request('POST', '/api/admin/backups')).status).toBe(403);
    const taken = await root.request<{ name: string; lastPosition: number; events: number }>(
      'POST',
      '/api/admin/backups',
    );
    expect(taken.status).toBe(201);
    const listed = await root.request<{ backups: { name: string }[] }>('GET', '/api/admin/backups');
    // Newest first, both kept (BACKUP_KEEP 2).
    expect(listed.body.backups.map((b) => b.name)).toEqual([
      taken.body.name,
      scheduled.body.backups[0]?.name,
    ]);
    const before = upTo(await original.platform.rawStore.readAll(), taken.body.lastPosition);
    expect(before).toHaveLength(taken.body.events);
    expect(before.at(-1)?.position).toBe(taken.body.lastPosition);
    await original.stop();

    const dataDir = join(tempDir('ccp-restored-'), 'data');
    const report = await restoreBackup({ from: join(backups, taken.body.name), dataDir });
    expect(report.manifest.eventStore).toEqual({
      lastPosition: taken.body.lastPosition,
      events: taken.body.events,
    });
    // The processors' checkpoints are dropped: the read side is rebuilt from position 0.
    expect(report.readSideCheckpoints).toBeGreaterThan(0);

    const restored = await readSide(dataDir, []);
    expect(upTo(await restored.platform.rawStore.readAll(), taken.body.lastPosition)).toEqual(before);
    for (const callId of CALLS) {
      expect(
        await verifyStreamChain(restored.platform.rawStore, `call-${DEMO_TENANT}.${callId}`),
      ).toMatchObject({
        valid: true,
        unchained: 0,
      });
    }
    // The read store was rebuilt from the log, and the transcript is opened with the restored keys.
    expect(await projectedCalls(restored)).toEqual(calls);
    const restoredAdmin = await demoUser(restored, 'tenant_admin');
    expect((await restoredAdmin.request('GET', `/api/calls/${CALLS[0]}`)).body).toEqual(transcript);
    expect(await login(restored.url, SUPER_ADMIN.email, SUPER_ADMIN.password)).toEqual(expect.any(String));
  }, 60_000);
});
