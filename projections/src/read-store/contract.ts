import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadStoreError, type ReadStore } from './port.js';

/**
 * The one contract every read store adapter must honour. The suite works in a database of its own, and each
 * test in tables of its own, so it also runs against a shared server that already holds data.
 *
 * `open` is called again after a close to check that data outlives the store object.
 */
export const readStoreContract = (adapter: string, open: () => Promise<ReadStore>): void => {
  describe(`read store contract: ${adapter}`, () => {
    let store: ReadStore;
    const db = `ccp_contract_${randomBytes(6).toString('hex')}`;
    let tables = 0;
    const table = (name: string) => `${db}.${name}_${(tables += 1)}`;

    beforeAll(async () => {
      store = await open();
      await store.command(`CREATE DATABASE IF NOT EXISTS ${db}`);
    });
    afterAll(async () => {
      await store.command(`DROP DATABASE IF EXISTS ${db}`);
      await store.close();
    });

    const failure = async (promise: Promise<unknown>): Promise<ReadStoreError> => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ReadStoreError);
      return error as ReadStoreError;
    };

    describe('typed columns', () => {
      it('reads back what it stored, type by type', async () => {
        const t = table('typed');
        await store.command(`
          CREATE TABLE ${t} (
            tenant_id   LowCardinality(String),
            id          String,
            big         UInt64,
            score       Float64,
            at          DateTime64(3, 'UTC'),
            tags        Array(String),
            sentiment   Nullable(Float64),
            note        Nullable(String),
            flag        UInt8 DEFAULT 0
          ) ENGINE = MergeTree ORDER BY (tenant_id, id)`);
        await store.insert(t, [
          {
            tenant_id: 'acme',
            id: 'a',
            big: 18_446_744_073_709_551_615n,
            score: 0.1 + 0.2,
            at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
            tags: ['billing', 'it\'s "quoted"', 'ünïcødé ☎'],
            sentiment: -0.75,
            note: 'line one\nline two\ttabbed \\ backslash',
            flag: 1,
          },
          // ISO strings with an offset are instants too; nulls and omitted columns take NULL and defaults.
          { tenant_id: 'acme', id: 'b', big: 7, score: -1e-9, at: '2024-01-02T05:04:05.001+02:00', tags: [] },
          { tenant_id: 'globex', id: 'c', big: '9007199254740993', score: 3, at: 0, tags: [], note: null },
        ]);
        const rows = await store.query(`SELECT * FROM ${t} ORDER BY id`);
        expect(rows).toEqual([
          {
            tenant_id: 'acme',
            id: 'a',
            big: '18446744073709551615',
            score: 0.30000000000000004,
            at: '2024-01-02 03:04:05.678',
            tags: ['billing', 'it\'s "quoted"', 'ünïcødé ☎'],
            sentiment: -0.75,
            note: 'line one\nline two\ttabbed \\ backslash',
            flag: 1,
          },
          {
            tenant_id: 'acme',
            id: 'b',
            big: '7',
            score: -1e-9,
            at: '2024-01-02 03:04:05.001',
            tags: [],
            sentiment: null,
            note: null,
            flag: 0,
          },
          {
            tenant_id: 'globex',
            id: 'c',
            big: '9007199254740993',
            score: 3,
            at: '1970-01-01 00:00:00.000',
            tags: [],
            sentiment: null,
            note: null,
            flag: 0,
          },
        ]);
        const [types] = await store.query<{ big: string; at: string; tags: string; tenant: string }>(
          `SELECT toTypeName(big) AS big, toTypeName(at) AS at, toTypeName(tags) AS tags,
                  toTypeName(tenant_id) AS tenant FROM ${t} LIMIT 1`,
        );
        expect(types).toEqual({
          big: 'UInt64',
          at: "DateTime64(3, 'UTC')",
          tags: 'Array(String)',
          tenant: 'LowCardinality(String)',
        });
      });

      it('an empty insert is a no-op', async () => {
        const t = table('empty');
        await store.command(`CREATE TABLE ${t} (id String) ENGINE = MergeTree ORDER BY id`);
        await store.insert(t, []);
        expect(await store.query(`SELECT count() AS n FROM ${t}`)).toEqual([{ n: '0' }]);
      });
    });

    describe('query parameters', () => {
      const hostile = [
        "x' OR '1'='1",
        "'; DROP TABLE users; --",
        "back\\slash \\' quote",
        'tab\tnew\nline',
        '{name:String}',
        '\u0000nul',
      ];

      it('binds every type server-side and treats hostile strings as data', async () => {
        const t = table('params');
        await store.command(
          `CREATE TABLE ${t} (tenant_id String, name String, n UInt64, at DateTime64(3, 'UTC'), score Nullable(Float64))
           ENGINE = MergeTree ORDER BY (tenant_id, name)`,
        );
        await store.insert(
          t,
          hostile.map((name, n) => ({
            tenant_id: 'acme',
            name,
            n: BigInt(n) + 10_000_000_000_000_000n,
            at: new Date(Date.UTC(2024, 5, 1, 12, 0, n, 250)),
            score: n % 2 === 0 ? n / 10 : null,
          })),
        );
        await store.insert(t, [{ tenant_id: 'other', name: 'plain', n: 1, at: new Date(0), score: 1 }]);

        for (const [n, name] of hostile.entries()) {
          const rows = await store.query<{ name: string; n: string }>(
            `SELECT name, n FROM ${t} WHERE tenant_id = {tenant:String} AND name = {name:String}`,
            { tenant: 'acme', name },
          );
          expect(rows).toEqual([{ name, n: String(10_000_000_000_000_000n + BigInt(n)) }]);
        }
        // The injection attempts found only themselves and the table is still there.
        expect(
          await store.query(`SELECT count() AS n FROM ${t} WHERE name = {name:String}`, {
            name: "x' OR '1'='1",
          }),
        ).toEqual([{ n: '1' }]);
        expect(await store.query(`SELECT count() AS n FROM ${t}`)).toEqual([
          { n: String(hostile.length + 1) },
        ]);

        const typed = await store.query<{ name: string }>(
          `SELECT name FROM ${t}
           WHERE tenant_id IN {tenants:Array(String)}
             AND n >= {min:UInt64}
             AND at >= {from:DateTime64(3, 'UTC')} AND at < {to:DateTime64(3, 'UTC')}
             AND isNotNull(score) AND score >= {score:Float64}
           ORDER BY name`,
          {
            tenants: ['acme', "x'y"],
            min: 10_000_000_000_000_001n,
            from: new Date(Date.UTC(2024, 5, 1, 12, 0, 1, 250)),
            to: new Date(Date.UTC(2024, 5, 1, 12, 0, 5, 250)),
            score: 0.15,
          },
        );
        // Rows 2 and 4 have scores 0.2 and 0.4; row 5 (at 12:00:05.250) falls on the exclusive bound.
        expect(typed.map((r) => r.name)).toEqual([hostile[4], hostile[2]].sort());

        expect(
          await store.query(`SELECT {a:Nullable(String)} AS a, {b:Bool} AS b, {c:Int64} AS c`, {
            a: null,
            b: true,
            c: -9_223_372_036_854_775_808n,
          }),
        ).toEqual([{ a: null, b: true, c: '-9223372036854775808' }]);
      });

      it('binds parameters in commands too', async () => {
        const t = table('param_command');
        await store.command(
          `CREATE TABLE ${t} (tenant_id String, n UInt32) ENGINE = MergeTree ORDER BY tenant_id`,
        );
        await store.command(`INSERT INTO ${t} SELECT {tenant:String}, number FROM numbers({count:UInt32})`, {
          tenant: "o'brien",
          count: 5,
        });
        expect(await store.query(`SELECT tenant_id, count() AS n FROM ${t} GROUP BY tenant_id`)).toEqual([
          { tenant_id: "o'brien", n: '5' },
        ]);
      });

      it('refuses a parameter it cannot bind, with the server message', async () => {
        const missing = await failure(store.query('SELECT {absent:String} AS v'));
        expect(missing.code).toBe('READ_STORE_QUERY');
        expect(missing.serverType).toBe('UNKNOWN_QUERY_PARAMETER');
        const unparsable = await failure(store.query('SELECT {n:UInt8} AS v', { n: 'twelve' }));
        expect(unparsable.code).toBe('READ_STORE_QUERY');
        expect(unparsable.serverType).toBe('BAD_QUERY_PARAMETER');
        expect(unparsable.message).toMatch(/twelve/);
      });
    });

    describe('ReplacingMergeTree: idempotent projections', () => {
      it('counts a row inserted twice with the same version once, and keeps the highest version', async () => {
        const t = table('replacing');
        await store.command(`
          CREATE TABLE ${t} (tenant_id String, call_id String, status String, version UInt64)
          ENGINE = ReplacingMergeTree(version) ORDER BY (tenant_id, call_id)`);
        const started = { tenant_id: 'acme', call_id: 'CA1', status: 'started', version: 1 };
        const ended = { tenant_id: 'acme', call_id: 'CA1', status: 'ended', version: 5 };
        // A redelivered batch, a late replay of an older event, a row of another tenant: separate inserts, so
        // separate parts that only FINAL reconciles.
        await store.insert(t, [started]);
        await store.insert(t, [started]);
        await store.insert(t, [ended]);
        await store.insert(t, [ended]);
        await store.insert(t, [started]);
        await store.insert(t, [{ ...started, tenant_id: 'globex' }]);

        expect(
          await store.query(`SELECT tenant_id, call_id, status, version FROM ${t} FINAL ORDER BY tenant_id`),
        ).toEqual([
          { tenant_id: 'acme', call_id: 'CA1', status: 'ended', version: '5' },
          { tenant_id: 'globex', call_id: 'CA1', status: 'started', version: '1' },
        ]);
        expect(
          await store.query(`SELECT count() AS n FROM ${t} FINAL WHERE tenant_id = {tenant:String}`, {
            tenant: 'acme',
          }),
        ).toEqual([{ n: '1' }]);
        // Merging only makes it physical: the answer with FINAL does not change.
        await store.command(`OPTIMIZE TABLE ${t} FINAL`);
        expect(await store.query(`SELECT count() AS n FROM ${t}`)).toEqual([{ n: '2' }]);
        expect(await store.query(`SELECT status FROM ${t} FINAL WHERE tenant_id = 'acme'`)).toEqual([
          { status: 'ended' },
        ]);
      });
    });

    describe('volume', () => {
      it('aggregates 100,000 rows inserted in batches', async () => {
        const t = table('volume');
        await store.command(`
          CREATE TABLE ${t} (
            tenant_id LowCardinality(String), call_id String, occurred_at DateTime64(3, 'UTC'),
            duration_seconds UInt32, sentiment Float64, escalated UInt8
          ) ENGINE = MergeTree PARTITION BY toYYYYMM(occurred_at) ORDER BY (tenant_id, occurred_at, call_id)`);
        const tenants = ['acme', 'globex', 'initech', 'umbrella'];
        const total = 100_000;
        const batch = 10_000;
        const start = Date.UTC(2024, 0, 1);
        const expected = new Map(tenants.map((tenant) => [tenant, { n: 0, duration: 0, escalated: 0 }]));
        for (let offset = 0; offset < total; offset += batch) {
          const rows = Array.from({ length: batch }, (_, i) => {
            const n = offset + i;
            const tenant = tenants[n % tenants.length] as string;
            const row = {
              tenant_id: tenant,
              call_id: `CA${n}`,
              // Spread over three months, so the rows land in three partitions.
              occurred_at: new Date(start + n * 77_760),
              duration_seconds: n % 600,
              sentiment: ((n % 200) - 100) / 100,
              escalated: n % 7 === 0 ? 1 : 0,
            };
            const sums = expected.get(tenant);
            if (sums) {
              sums.n += 1;
              sums.duration += row.duration_seconds;
              sums.escalated += row.escalated;
            }
            return row;
          });
          await store.insert(t, rows);
        }
        const byTenant = await store.query<{
          tenant_id: string;
          n: string;
          duration: string;
          escalated: string;
        }>(
          `SELECT tenant_id, count() AS n, sum(duration_seconds) AS duration, sum(escalated) AS escalated
           FROM ${t} GROUP BY tenant_id ORDER BY tenant_id`,
        );
        expect(byTenant).toEqual(
          tenants.map((tenant) => {
            const sums = expected.get(tenant);
            return {
              tenant_id: tenant,
              n: String(sums?.n),
              duration: String(sums?.duration),
              escalated: String(sums?.escalated),
            };
          }),
        );
        const [overall] = await store.query<{ n: string; calls: string; avg: number; months: string }>(
          `SELECT count() AS n, uniqExact(call_id) AS calls, round(avg(sentiment), 6) AS avg,
                  uniqExact(toStartOfMonth(occurred_at)) AS months FROM ${t}`,
        );
        expect(overall).toEqual({ n: '100000', calls: '100000', avg: -0.005, months: '3' });
        const daily = await store.query<{ day: string; n: string }>(
          `SELECT toDate(occurred_at) AS day, count() AS n FROM ${t}
           WHERE tenant_id = {tenant:String} AND occurred_at < {until:DateTime64(3, 'UTC')}
           GROUP BY day ORDER BY day`,
          { tenant: 'acme', until: new Date(Date.UTC(2024, 0, 3)) },
        );
        const acmeDays = new Map<string, number>();
        for (let n = 0; n < total; n += tenants.length) {
          const at = start + n * 77_760;
          if (at >= Date.UTC(2024, 0, 3)) break;
          const day = new Date(at).toISOString().slice(0, 10);
          acmeDays.set(day, (acmeDays.get(day) ?? 0) + 1);
        }
        expect(daily).toEqual([...acmeDays].map(([day, n]) => ({ day, n: String(n) })));
        expect(daily).toHaveLength(2);
      }, 120_000);

      it('serves concurrent inserts and queries', async () => {
        const t = table('concurrent');
        await store.command(
          `CREATE TABLE ${t} (writer UInt32, n UInt32) ENGINE = MergeTree ORDER BY (writer, n)`,
        );
        await Promise.all(
          Array.from({ length: 8 }, (_, writer) =>
            store.insert(
              t,
              Array.from({ length: 100 }, (_, n) => ({ writer, n })),
            ),
          ),
        );
        const counts = await Promise.all(
          Array.from({ length: 8 }, (_, writer) =>
            store.query<{ n: string }>(`SELECT count() AS n FROM ${t} WHERE writer = {writer:UInt32}`, {
              writer,
            }),
          ),
        );
        expect(counts.map((rows) => rows[0]?.n)).toEqual(Array.from({ length: 8 }, () => '100'));
      });
    });

    describe('persistence', () => {
      it('keeps tables and rows across close and reopen', async () => {
        const t = table('persisted');
        await store.command(
          `CREATE TABLE ${t} (tenant_id String, n UInt32) ENGINE = MergeTree ORDER BY tenant_id`,
        );
        await store.insert(t, [
          { tenant_id: 'acme', n: 1 },
          { tenant_id: 'acme', n: 2 },
        ]);
        await store.close();
        store = await open();
        expect(await store.query(`SELECT tenant_id, sum(n) AS n FROM ${t} GROUP BY tenant_id`)).toEqual([
          { tenant_id: 'acme', n: '3' },
        ]);
      });
    });

    describe('errors', () => {
      it('reports bad SQL with the server message and code', async () => {
        const error = await failure(store.query('SELEC 1'));
        expect(error.code).toBe('READ_STORE_QUERY');
        expect(error.serverCode).toBe(62);
        expect(error.serverType).toBe('SYNTAX_ERROR');
        expect(error.message).toMatch(/Syntax error/);
        expect(error.details.statement).toBe('SELEC 1');
      });

      it('reports an unknown table', async () => {
        const error = await failure(store.query(`SELECT * FROM ${db}.does_not_exist`));
        expect(error.serverCode).toBe(60);
        expect(error.serverType).toBe('UNKNOWN_TABLE');
        const command = await failure(store.command(`DROP TABLE ${db}.does_not_exist`));
        expect(command.serverType).toBe('UNKNOWN_TABLE');
      });

      it('refuses rows that do not fit the table and stores none of them', async () => {
        const t = table('strict');
        await store.command(`CREATE TABLE ${t} (id String, n UInt32) ENGINE = MergeTree ORDER BY id`);
        const unknownColumn = await failure(store.insert(t, [{ id: 'a', n: 1, typo_column: 'x' }]));
        expect(unknownColumn.code).toBe('READ_STORE_QUERY');
        expect(unknownColumn.message).toMatch(/typo_column/);
        const badValue = await failure(store.insert(t, [{ id: 'a', n: 'not a number' }]));
        expect(badValue.code).toBe('READ_STORE_QUERY');
        expect(await store.query(`SELECT count() AS n FROM ${t}`)).toEqual([{ n: '0' }]);
      });

      it('refuses a table name that is not an identifier, before reaching the engine', async () => {
        for (const name of ['t; DROP TABLE x', 'a b', '', 'db.t.x', '`t`']) {
          const error = await failure(store.insert(name, [{ id: 'a' }]));
          expect(error.code).toBe('READ_STORE_BAD_IDENTIFIER');
        }
      });

      it('refuses to work once closed', async () => {
        const other = await open();
        await other.close();
        expect((await failure(other.query('SELECT 1'))).code).toBe('READ_STORE_CLOSED');
        expect((await failure(other.insert(`${db}.x`, [{ a: 1 }]))).code).toBe('READ_STORE_CLOSED');
      });
    });
  });
};
