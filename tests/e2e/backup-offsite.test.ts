import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupModule, s3Offsite, startFakeS3, type FakeS3 } from '@ccp/infra';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';

/*
 * Offsite backups on a running platform: each backup it takes is copied to an S3 bucket (GoFakeS3, a stand-in S3
 * server on loopback) and pruned there to BACKUP_KEEP; a copy that fails while S3 is down leaves the local
 * backup standing and is made by the next backup; `npm run restore -- --from s3://…` restores one from the bucket.
 */

const root = mkdtempSync(join(tmpdir(), 'ccp-backup-offsite-'));
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test-secret' };
const running: { stop(): Promise<void> }[] = [];

afterAll(async () => {
  for (const r of running.reverse()) await r.stop().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

interface Listed {
  readonly backups: { readonly name: string; readonly offsite: boolean | null; readonly events: number }[];
  readonly offsite: { readonly location: string; readonly reachable: boolean };
}

describe('offsite backups', () => {
  it('copies each backup to S3, keeps the newest there too, catches up after an outage, and restores from it', async () => {
    let s3: FakeS3 = await startFakeS3();
    running.push({ stop: () => s3.stop() });
    const port = new URL(s3.endpoint).port;
    const offsite = () =>
      s3Offsite({ bucket: s3.bucket, prefix: 'prod', endpoint: s3.endpoint, credentials: CREDENTIALS });
    const platform: TestPlatform = await startTestPlatform(undefined, {
      modules: () => [backupModule({ dir: join(root, 'local'), everyHours: 0, keep: 2, offsite: offsite() })],
    });
    running.push(platform);
    const admin = apiClient(platform.url, await login(platform.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
    const take = async () => {
      const taken = await admin.request<{ name: string }>('POST', '/api/admin/backups');
      expect(taken.status).toBe(201);
      return taken.body.name;
    };
    const first = await take();
    const second = await take();
    const third = await take();
    expect(await offsite().list()).toEqual([second, third]);
    const listed = await admin.request<Listed>('GET', '/api/admin/backups');
    expect(listed.body.offsite).toEqual({
      location: `s3://${s3.bucket}/prod at ${s3.endpoint}`,
      reachable: true,
    });
    expect(listed.body.backups.map((b) => [b.name, b.offsite])).toEqual([
      [third, true],
      [second, true],
    ]);
    expect(first).not.toBe(second);

    // S3 down: the backup is taken all the same, and the listing says S3 cannot be asked.
    await s3.stop();
    const fourth = await take();
    const during = await admin.request<Listed>('GET', '/api/admin/backups');
    expect(during.body.offsite.reachable).toBe(false);
    expect(during.body.backups.map((b) => [b.name, b.offsite])).toEqual([
      [fourth, null],
      [third, null],
    ]);
    // Back (on the same port, empty, as after losing the bucket): the next backup copies what is missing.
    s3 = await startFakeS3({ port: Number(port) });
    const fifth = await take();
    expect(await offsite().list()).toEqual([fourth, fifth]);
    const events = (await admin.request<Listed>('GET', '/api/admin/backups')).body.backups[0]?.events;
    await platform.stop();

    // The restore command line, as an operator runs it, from the bucket into a new data directory.
    const restore = (name: string, dataDir: string) =>
      spawnSync(
        'npm',
        [
          'run',
          '--silent',
          'restore',
          '--',
          '--from',
          `s3://${s3.bucket}/prod/${name}`,
          '--data-dir',
          dataDir,
        ],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            BACKUP_S3_ENDPOINT: s3.endpoint,
            AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
          },
        },
      );
    const restored = restore(fifth, join(root, 'restored'));
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(`events: ${String(events)}`);
    // A backup the bucket does not hold: a clear error, nothing restored.
    const missing = restore(first, join(root, 'other'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`BACKUP_NOT_FOUND: no backup ${first}`);
  }, 120_000);
});
