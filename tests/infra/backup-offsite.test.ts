import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '@ccp/command-service';
import {
  directoryOffsite,
  parseOffsiteUrl,
  restoreBackup,
  s3Offsite,
  startFakeS3,
  takeBackup,
  type FakeS3,
  type OffsiteStore,
} from '@ccp/infra';

/*
 * The offsite backup store's contract, run against every adapter: another directory, and S3 through the AWS SDK
 * against GoFakeS3 (a stand-in S3 server on loopback: no S3 service runs here). With BACKUP_S3_TEST_URL
 * (s3://bucket/prefix, credentials from the AWS_* variables, BACKUP_S3_TEST_ENDPOINT for a non-AWS service) the
 * same suite runs against a real one.
 */

const root = mkdtempSync(join(tmpdir(), 'ccp-offsite-'));
let fakeS3: FakeS3 | undefined;
const backups: string[] = [];

beforeAll(async () => {
  const live = join(root, 'live');
  mkdirSync(live);
  const store = createSqliteEventStore({ path: join(live, 'events.db') });
  for (const n of [1, 2, 3]) {
    await store.append(
      `call-acme.CA-${String(n)}`,
      [{ id: randomUUID(), type: 'CallStarted', data: {}, metadata: { tenantId: 'acme' } }],
      'no_stream',
    );
  }
  await store.close();
  writeFileSync(join(live, 'credentials.json'), '{"superAdminPassword":"x"}');
  // Three backups, a millisecond apart at least (their names are their instants).
  for (let i = 0; i < 3; i += 1) {
    backups.push((await takeBackup({ dataDir: live, to: join(root, 'local') })).path);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  fakeS3 = await startFakeS3();
}, 300_000);

afterAll(async () => {
  await fakeS3?.stop();
  rmSync(root, { recursive: true, force: true });
});

const realS3 = process.env['BACKUP_S3_TEST_URL'];
const adapters: [string, () => OffsiteStore][] = [
  ['a directory', () => directoryOffsite(join(root, `offsite-${randomUUID()}`))],
  [
    'S3 (GoFakeS3 stand-in)',
    () =>
      s3Offsite({
        bucket: fakeS3?.bucket ?? '',
        prefix: `run-${randomUUID()}/backups`,
        endpoint: fakeS3?.endpoint ?? '',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test-secret' },
      }),
  ],
];
if (realS3 !== undefined) {
  const parsed = parseOffsiteUrl(realS3);
  if (parsed.kind !== 's3') throw new Error('BACKUP_S3_TEST_URL must be s3://bucket/prefix');
  const endpoint = process.env['BACKUP_S3_TEST_ENDPOINT'];
  adapters.push([
    `S3 at ${realS3}`,
    () =>
      s3Offsite({
        bucket: parsed.bucket,
        prefix: `${parsed.prefix}/${randomUUID()}`,
        ...(endpoint !== undefined && { endpoint }),
      }),
  ]);
}

const nameOf = (path: string): string => path.split('/').pop() ?? path;

describe.each(adapters)('the offsite store: %s', (_, make) => {
  it('lists what was copied, oldest first, and gives back the same files', async () => {
    const store = make();
    expect(await store.list()).toEqual([]);
    for (const path of [backups[1], backups[0]]) await store.upload(path ?? '');
    expect(await store.list()).toEqual([nameOf(backups[0] ?? ''), nameOf(backups[1] ?? '')]);
    const into = mkdtempSync(join(root, 'down-'));
    const fetched = await store.download(nameOf(backups[1] ?? ''), into);
    expect(readdirSync(fetched).sort()).toEqual(readdirSync(backups[1] ?? '').sort());
    for (const file of readdirSync(fetched)) {
      expect(readFileSync(join(fetched, file))).toEqual(readFileSync(join(backups[1] ?? '', file)));
    }
    // What came back restores like the original.
    const report = await restoreBackup({ from: fetched, dataDir: join(into, 'data') });
    expect(report.manifest.eventStore).toEqual({ lastPosition: 3, events: 3 });
  });

  it('copies again over a copy, and removes one backup only', async () => {
    const store = make();
    for (const path of backups) await store.upload(path);
    await store.upload(backups[2] ?? '');
    await store.remove(nameOf(backups[0] ?? ''));
    expect(await store.list()).toEqual(backups.slice(1).map(nameOf));
    await store.remove(nameOf(backups[0] ?? ''));
    expect(await store.list()).toEqual(backups.slice(1).map(nameOf));
  });

  it('refuses a name that is not a backup, and one it does not hold, changing nothing', async () => {
    const store = make();
    await store.upload(backups[0] ?? '');
    const into = mkdtempSync(join(root, 'down-'));
    await expect(store.download('../../etc', into)).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
    await expect(store.download(nameOf(backups[2] ?? ''), into)).rejects.toMatchObject({
      code: 'BACKUP_NOT_FOUND',
    });
    await expect(store.remove('manifest.json')).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
    expect(existsSync(join(into, nameOf(backups[2] ?? '')))).toBe(false);
    expect(await store.list()).toEqual([nameOf(backups[0] ?? '')]);
  });
});

describe('offsite URLs', () => {
  it('name a bucket and prefix, or a directory, and nothing else', () => {
    expect(parseOffsiteUrl('s3://ccp-backups/prod/eu')).toEqual({
      kind: 's3',
      bucket: 'ccp-backups',
      prefix: 'prod/eu',
    });
    expect(parseOffsiteUrl('file:///mnt/backups')).toEqual({ kind: 'directory', dir: '/mnt/backups' });
    expect(parseOffsiteUrl('/mnt/backups')).toEqual({ kind: 'directory', dir: '/mnt/backups' });
    expect(() => parseOffsiteUrl('s3://Bad_Bucket/x')).toThrow(/not an S3 bucket name/);
    expect(() => parseOffsiteUrl('https://example.com/backups')).toThrow(/s3:\/\/ or file:\/\//);
  });
});
