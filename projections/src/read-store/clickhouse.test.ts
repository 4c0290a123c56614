import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChdbConnection } from 'chdb/connection';
import { afterAll, describe, it } from 'vitest';
import { openClickHouseReadStore, type ClickHouseReadStoreOptions } from './clickhouse.js';
import { readStoreContract } from './contract.js';

// No ClickHouse server can run on the development machines (Debian's package is years too old, no Docker), so
// the contract runs against a real one only when its URL is given, e.g.
// CLICKHOUSE_URL=http://localhost:8123 CLICKHOUSE_USER=default CLICKHOUSE_PASSWORD=… npx vitest run projections
const url = process.env.CLICKHOUSE_URL;

if (url) {
  readStoreContract('clickhouse server', () =>
    openClickHouseReadStore({
      url,
      username: process.env.CLICKHOUSE_USER,
      password: process.env.CLICKHOUSE_PASSWORD,
    }),
  );
} else {
  describe.skip('read store contract: clickhouse server (set CLICKHOUSE_URL to run)', () => {
    it('needs a server', () => undefined);
  });
}

// Meanwhile the adapter's own code (client calls, parameters, JSON rows, error mapping) runs through
// @clickhouse/client over chdb's in-process connection: everything but the HTTP transport and a real server.
const dir = mkdtempSync(join(tmpdir(), 'ccp-ch-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

readStoreContract('@clickhouse/client over the chdb connection', () =>
  openClickHouseReadStore({
    url: 'http://in-process',
    // chdb types its connection against its own copy of @clickhouse/client-common (1.23.0, the client bundles
    // 1.23.1): the same shape, declared twice, so TypeScript needs telling.
    connection: createChdbConnection({ path: dir }) as unknown as ClickHouseReadStoreOptions['connection'],
  }),
);
