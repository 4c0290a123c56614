import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openChdbReadStore } from './chdb.js';
import { readStoreContract } from './contract.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'ccp-chdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

readStoreContract('chdb', () => openChdbReadStore({ path: join(dir, 'contract') }));

describe('chdb read store', () => {
  it('keeps the event loop running during a long query', async () => {
    const store = await openChdbReadStore({ path: join(dir, 'contract') });
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 5);
    const startedAt = Date.now();
    await store.query('SELECT max(sipHash64(number)) AS h FROM numbers(30000000)');
    const elapsed = Date.now() - startedAt;
    clearInterval(timer);
    await store.close();
    // A blocking call would let the timer fire once at most; async lets it fire about every 5 ms.
    expect(ticks).toBeGreaterThan(Math.min(10, elapsed / 20));
  });

  it('resolves unqualified names in its own database', async () => {
    const store = await openChdbReadStore({ path: join(dir, 'contract'), database: 'ccp_own_db' });
    await store.command('CREATE TABLE IF NOT EXISTS notes (id String) ENGINE = MergeTree ORDER BY id');
    await store.insert('notes', [{ id: 'a' }]);
    expect(await store.query('SELECT currentDatabase() AS db, count() AS n FROM notes')).toEqual([
      { db: 'ccp_own_db', n: '1' },
    ]);
    expect(await store.query("SELECT count() AS n FROM system.tables WHERE database = 'ccp_own_db'")).toEqual(
      [{ n: '1' }],
    );
    await store.command('DROP DATABASE ccp_own_db');
    await store.close();
  });

  it('hands its data to another process once closed', async () => {
    const path = join(dir, 'handover');
    const store = await openChdbReadStore({ path });
    await store.command(
      'CREATE TABLE kept (tenant_id String, n UInt32) ENGINE = MergeTree ORDER BY tenant_id',
    );
    await store.insert('kept', [{ tenant_id: 'acme', n: 42 }]);
    await store.close();
    const reader = `
      const { Session } = require('chdb');
      const s = new Session(process.argv[1]);
      process.stdout.write(s.query('SELECT tenant_id, n FROM kept', 'JSONEachRow'));
      s.close();`;
    const { stdout } = await run(process.execPath, ['-e', reader, path], { cwd: process.cwd() });
    expect(JSON.parse(stdout)).toEqual({ tenant_id: 'acme', n: 42 });
  });

  it('refuses a second directory while one is open, with a clear error', async () => {
    const first = await openChdbReadStore({ path: join(dir, 'first') });
    await expect(openChdbReadStore({ path: join(dir, 'second') })).rejects.toMatchObject({
      code: 'READ_STORE_UNAVAILABLE',
    });
    await first.close();
    const second = await openChdbReadStore({ path: join(dir, 'second') });
    expect(await second.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await second.close();
  });
});
