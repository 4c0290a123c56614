import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { eventStoreContract } from './contract.js';
import { createSqliteEventStore } from './sqlite.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'ccp-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

eventStoreContract('sqlite', async () => createSqliteEventStore({ path: join(dir, 'contract.db') }));

describe('sqlite event store across processes', () => {
  it(
    'two OS processes appending to one store lose nothing and never interleave revisions',
    { timeout: 120_000 },
    async () => {
      const path = join(mkdtempSync(join(dir, 'shared-')), 'shared.db');
      const writer = join(import.meta.dirname, 'testing', 'concurrent-writer.ts');
      const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
      const count = 300;
      const writerCount = '2';
      // The store exists before the writers start, as the platform's does.
      await createSqliteEventStore({ path }).close();
      const outputs = await Promise.all(
        ['a', 'b'].map((name) =>
          run(tsx, [writer, path, 'test-shared.s1', name, String(count), writerCount]),
        ),
      );
      const reports = outputs.map((o) => JSON.parse(o.stdout) as { writer: string; conflicts: number });
      expect(reports.map((r) => r.writer).sort()).toEqual(['a', 'b']);

      const store = createSqliteEventStore({ path });
      const shared = await store.readStream('test-shared.s1');
      expect(shared).toHaveLength(2 * count);
      expect(shared.map((e) => e.revision)).toEqual(Array.from({ length: 2 * count }, (_, n) => n));
      const writers = shared.map((e) => (e.data as { writer: string }).writer);
      const switches = writers.filter((w, n) => n > 0 && w !== writers[n - 1]).length;
      // The writers overlapped in time rather than one finishing before the other began (the writers keep
      // within a few appends of each other, so this holds however the OS schedules them).
      expect(switches).toBeGreaterThan(2);
      for (const name of ['a', 'b']) {
        const mine = shared
          .map((e) => e.data as { writer: string; n: number })
          .filter((d) => d.writer === name);
        expect(mine.map((d) => d.n)).toEqual(Array.from({ length: count }, (_, n) => n));
        expect(await store.readStream(`test-shared.s1-${name}`)).toHaveLength(count);
      }
      const log = await store.readAll();
      expect(log).toHaveLength(4 * count);
      expect(new Set(log.map((e) => e.id)).size).toBe(4 * count);
      await store.close();
    },
  );

  it('keeps its data across a reopen', async () => {
    const path = join(dir, 'reopen.db');
    const first = createSqliteEventStore({ path });
    await first.append(
      'test-reopen.1',
      [{ id: 'e1', type: 'Happened', data: { n: 1 }, metadata: {} }],
      'no_stream',
    );
    await first.close();
    const second = createSqliteEventStore({ path });
    expect(await second.readStream('test-reopen.1')).toMatchObject([{ id: 'e1', data: { n: 1 } }]);
    await second.close();
  });
});
