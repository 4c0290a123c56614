import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { stringify, type Stringifier } from 'csv-stringify';
import type { Context } from 'koa';
import { assertTableName, type QueryParams, type ReadStore } from '@ccp/projections';

/**
 * Options every CSV the platform writes is made with. A cell that starts with =, +, -, @, tab or CR is a
 * formula to a spreadsheet (a caller's name such as =HYPERLINK(...) would run when an analyst opens the
 * export), so such cells get a leading quote and read as text.
 */
export const SPREADSHEET_SAFE = { escape_formulas: true } as const;

export interface CsvColumn<T> {
  readonly header: string;
  readonly value: (row: T) => string | number | boolean | null;
}

/**
 * Waits until the writer drains, or the client went away (it never drains then). The listener that did not
 * fire is removed: a long export waits here many times.
 */
const drainedOrGone = async (writer: Stringifier, body: PassThrough): Promise<void> => {
  const settled = new AbortController();
  const waitFor = (emitter: Stringifier | PassThrough, event: string) =>
    once(emitter, event, { signal: settled.signal }).then(
      () => undefined,
      () => undefined,
    );
  await Promise.race([waitFor(writer, 'drain'), waitFor(body, 'close')]);
  settled.abort();
};

/**
 * Streams rows as CSV: batches are pulled one at a time and written with backpressure, so a million rows never
 * sit in memory together. The response starts before the first batch is read; a failure midway cuts the
 * stream (the client sees a truncated download rather than a silent partial file with a 200 and a clean end).
 */
export const streamCsv = <T>(
  ctx: Context,
  filename: string,
  columns: readonly CsvColumn<T>[],
  batches: AsyncIterable<readonly T[]>,
  log: (message: string) => void,
): void => {
  const csv = stringify({ ...SPREADSHEET_SAFE, header: true, columns: columns.map((c) => c.header) });
  const body = new PassThrough();
  csv.pipe(body);
  ctx.set('Content-Type', 'text/csv; charset=utf-8');
  ctx.set('Content-Disposition', `attachment; filename="${filename}"`);
  ctx.status = 200;
  ctx.body = body;
  void (async () => {
    try {
      for await (const batch of batches) {
        for (const row of batch) {
          if (!csv.write(columns.map((c) => c.value(row)))) await drainedOrGone(csv, body);
          if (body.destroyed) return;
        }
      }
      csv.end();
    } catch (error) {
      log(`CSV export ${filename} failed: ${String(error)}`);
      body.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
};

/**
 * Pages through a query by keyset (the last row's sort key), which stays fast at any depth where OFFSET
 * would rescan everything before it.
 */
export async function* keysetBatches<T, K>(
  fetch: (after: K | undefined, limit: number) => Promise<T[]>,
  keyOf: (row: T) => K,
  batchSize = 10_000,
): AsyncGenerator<T[]> {
  let after: K | undefined;
  for (;;) {
    const rows = await fetch(after, batchSize);
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    const last = rows[rows.length - 1];
    if (last === undefined) return;
    after = keyOf(last);
  }
}

/**
 * A table's rows in the order of one of its key columns, batch by batch: `SELECT columns FROM table FINAL
 * WHERE … AND key > last ORDER BY key LIMIT n`. With the key leading the table's sort order (after the tenant),
 * each batch is a range read.
 */
export const tableBatches = <T>(
  store: ReadStore,
  spec: {
    readonly table: string;
    readonly columns: string;
    readonly where: { readonly sql: string; readonly params: QueryParams };
    readonly key: { readonly column: string; readonly type: 'String' | 'UInt64' };
    readonly map: (row: Record<string, unknown>) => T;
    readonly keyOf: (row: T) => string | number;
  },
): AsyncGenerator<T[]> =>
  keysetBatches(
    async (after: string | number | undefined, limit) =>
      (
        await store.query<Record<string, unknown>>(
          `SELECT ${spec.columns} FROM ${assertTableName(spec.table)} FINAL WHERE ${spec.where.sql}
           ${after !== undefined ? `AND ${spec.key.column} > {after:${spec.key.type}}` : ''}
           ORDER BY ${spec.key.column} LIMIT {limit:UInt32}`,
          { ...spec.where.params, limit, ...(after !== undefined && { after }) },
        )
      ).map(spec.map),
    spec.keyOf,
  );
