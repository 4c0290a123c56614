import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv, streamProcessing } from '@ccp/infra';
import { openReadStore } from '@ccp/projections';
import { createIntentProcessor } from '@ccp/stream-processors';
import { recordCall } from '../support/calls.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN } from '../support/platform.js';

/**
 * A release that derives something new from the same events raises its processor's version; a start finds the
 * tables an older version wrote and rebuilds them from position 0, so calls from before the upgrade get the new
 * facts too. Here the older version is played by emptying call_intents (what a release without that table left).
 */
const dir = mkdtempSync(join(tmpdir(), 'ccp-upgrade-'));
const config = configFromEnv({ DATA_DIR: dir });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const UP_TO_DATE = 'stream processing: projection versions up to date';

const withReadStore = async <T>(work: (store: Awaited<ReturnType<typeof openReadStore>>) => Promise<T>) => {
  const store = await openReadStore(config.readStore);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
};
const rollupRows = () =>
  withReadStore(async (store) => {
    const [row] = await store.query<{ n: string }>(`SELECT count() AS n FROM call_intents FINAL`);
    return Number(row?.n ?? 0);
  });
const recordedVersion = () =>
  withReadStore(async (store) => {
    const [row] = await store.query<{ version: number }>(
      `SELECT version FROM projection_versions FINAL WHERE name = 'intent'`,
    );
    return row?.version;
  });

const run = async (version: number, work: (url: string, log: readonly string[]) => Promise<void>) => {
  const processing = streamProcessing([{ ...createIntentProcessor(), version }]);
  const log: string[] = [];
  const test = await startTestPlatform(dir, { processing, log: (line) => log.push(line) });
  try {
    await work(test.url, log);
  } finally {
    await test.stop({ keepData: true });
  }
};

describe('projection versions', () => {
  it(
    'records the version of a first start, rebuilds tables an older version wrote, and only those',
    { timeout: 120_000 },
    async () => {
      await run(1, async (url) => {
        const root = apiClient(url, await login(url, SUPER_ADMIN.email, SUPER_ADMIN.password));
        expect((await root.command('CreateTenant', { tenantId: 'acme', name: 'Acme' })).status).toBe(200);
        await recordCall(root, 'acme', 'CA-u-1', ['I need to cancel my appointment']);
        const last = await recordCall(root, 'acme', 'CA-u-2', ['Can I book a cleaning next week']);
        for (let i = 0; i < 200 && (await handledUpTo(root)) < last; i++) await sleep(100);
      });
      expect(await recordedVersion()).toBe(1);
      expect(await rollupRows()).toBe(2);

      // What version 1 of a processor without the rollup would have left behind.
      await withReadStore((store) => store.command('TRUNCATE TABLE call_intents'));
      await run(2, async () => {
        for (let i = 0; i < 200 && (await recordedVersion()) !== 2; i++) await sleep(100);
      });
      expect(await recordedVersion()).toBe(2);
      expect(await rollupRows()).toBe(2);

      // The same version again: nothing to rebuild (an emptied table stays empty).
      await withReadStore((store) => store.command('TRUNCATE TABLE call_intents'));
      // Not a fixed wait: the platform says when its start-up version check is over, after any rebuild it did.
      await run(2, async (_url, log) => {
        for (let i = 0; i < 200 && !log.includes(UP_TO_DATE); i++) await sleep(100);
        expect(log).toContain(UP_TO_DATE);
        expect(log.filter((line) => line.includes('rebuilding intent'))).toEqual([]);
      });
      expect(await rollupRows()).toBe(0);

      // Stopped at once, while the upgrade rebuild runs: it is abandoned before the stores close under it (no
      // unhandled error), and the next start does it again.
      await run(3, async () => undefined);
      expect([2, 3]).toContain(await recordedVersion());
      await run(3, async () => {
        for (let i = 0; i < 200 && (await recordedVersion()) !== 3; i++) await sleep(100);
      });
      expect(await recordedVersion()).toBe(3);
      expect(await rollupRows()).toBe(2);
    },
  );
});

/** The position the intent processor has handled up to, as the platform reports its lag. */
const handledUpTo = async (root: ReturnType<typeof apiClient>): Promise<number> => {
  const lag = await root.request<{ processors: Record<string, { lastPosition?: number }> }>(
    'GET',
    '/api/admin/processors',
  );
  return lag.body.processors['intent']?.lastPosition ?? 0;
};
