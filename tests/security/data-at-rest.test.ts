import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localCredentials, seedDemo, streamProcessing } from '@ccp/infra';
import { mediaGatewayModule } from '@ccp/media-gateway';
import { createProcessors } from '@ccp/stream-processors';
import { startTestPlatform } from '../support/platform.js';
import { spawnPlatform } from '../support/process.js';

/*
 * Issue 11, item 10: everything the platform keeps in its data directory (event store, identities, keys, master
 * key, checkpoints, generated passwords, the local Twilio account, the read store) is readable by its owner only,
 * and the start output says where the passwords are without printing them.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const scratch = mkdtempSync(join(tmpdir(), 'ccp-at-rest-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Entry {
  readonly path: string;
  readonly kind: 'file' | 'dir';
  readonly mode: number;
}

/** Every file and directory under `root` (the root included); symbolic links carry no data and are skipped. */
const walk = (root: string): Entry[] => {
  const entries: Entry[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    const kind = stat.isDirectory() ? 'dir' : 'file';
    entries.push({ path: relative(root, path) || '.', kind, mode: stat.mode & 0o777 });
    if (kind === 'dir') for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return entries;
};

const octal = (mode: number) => `0${mode.toString(8)}`;

/** What is readable or writable by anyone but the owner, as "path mode" lines (empty when all is private). */
const exposed = (root: string): string[] =>
  walk(root)
    .filter((e) =>
      e.kind === 'dir' ? e.mode !== 0o700 : (e.mode & 0o077) !== 0 || (e.mode & 0o600) !== 0o600,
    )
    .map((e) => `${e.kind} ${e.path} ${octal(e.mode)}`);

const NAMED_FILES = [
  'events.db',
  'events.db-wal',
  'events.db-shm',
  'identity.db',
  'keys.db',
  'checkpoints.db',
  'master.key',
  'credentials.json',
  'twilio-local.json',
];

/** The platform as the tests start it (startPlatform, not main.ts), with the read side and the media gateway. */
const startFull = async (dataDir: string) => {
  const processing = streamProcessing(createProcessors());
  const test = await startTestPlatform(dataDir, {
    processing,
    modules: (config) => [mediaGatewayModule(config.mediaGateway)],
  });
  return { test, processing };
};

const untilReadStoreHasEvents = async (processing: ReturnType<typeof streamProcessing>) => {
  for (let i = 0; i < 100; i++) {
    const [row] = await processing.readStore().query<{ n: string }>('SELECT count() AS n FROM events');
    if (Number(row?.n ?? 0) > 0) return;
    await sleep(100);
  }
  throw new Error('the read store got no events');
};

describe('data at rest', () => {
  it('creates the data directory 0700 and every file in it 0600 (SQLite -wal/-shm, keys, read store)', async () => {
    const dataDir = join(scratch, 'fresh', 'data');
    localCredentials(dataDir);
    const { test, processing } = await startFull(dataDir);
    try {
      await seedDemo(test.platform, 'demo-password-1');
      await untilReadStoreHasEvents(processing);
      const names = new Set(walk(dataDir).map((e) => e.path));
      for (const name of [...NAMED_FILES, 'read-store']) expect(names, name).toContain(name);
      for (const entry of walk(dataDir).filter((e) => NAMED_FILES.includes(e.path))) {
        expect(`${entry.path} ${octal(entry.mode)}`).toBe(`${entry.path} 0600`);
      }
      expect(exposed(dataDir)).toEqual([]);
    } finally {
      await test.stop({ keepData: true });
    }

    // A data directory an older version left open to everyone is closed at the next start.
    for (const entry of walk(dataDir)) {
      chmodSync(join(dataDir, entry.path), entry.kind === 'dir' ? 0o755 : 0o644);
    }
    expect(exposed(dataDir).length).toBeGreaterThan(NAMED_FILES.length);
    const again = await startFull(dataDir);
    try {
      expect(exposed(dataDir)).toEqual([]);
    } finally {
      await again.test.stop();
    }
  });

  it('prints where the passwords are, never the passwords, and the process keeps its files private', async () => {
    const dataDir = join(scratch, 'spawned', 'data');
    const platform = await spawnPlatform({ DATA_DIR: dataDir, STREAM_PROCESSING: 'false' });
    try {
      const credentialsPath = join(dataDir, 'credentials.json');
      const credentials = JSON.parse(readFileSync(credentialsPath, 'utf8')) as {
        demoPassword: string;
        superAdminPassword: string;
      };
      const output = platform.output();
      expect(output).toContain(credentialsPath);
      expect(output).not.toContain(credentials.demoPassword);
      expect(output).not.toContain(credentials.superAdminPassword);
    } finally {
      platform.child.kill('SIGTERM');
      await platform.exited;
    }
    expect(exposed(dataDir)).toEqual([]);
  });
});
