import { mkdirSync } from 'node:fs';
import { Session, drainPending } from 'chdb';
import {
  READ_STORE_SETTINGS,
  ReadStoreError,
  assertTableName,
  dateParam,
  excerpt,
  toJsonEachRowLine,
  type InsertRow,
  type QueryParam,
  type QueryParams,
  type ReadStore,
} from './port.js';

export interface ChdbReadStoreOptions {
  /** Directory of the data; created when missing and kept across restarts. */
  readonly path: string;
  /** Database that unqualified table names resolve to; created when missing. Defaults to 'default'. */
  readonly database?: string;
}

/** What chdb's typed errors carry (its classes are not all exported from the ESM entry). */
interface ChdbErrorShape {
  readonly code?: unknown;
  readonly clickhouseCode?: unknown;
  readonly message?: unknown;
}

const DATABASE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** ClickHouse ends its messages with the error's name in parentheses, e.g. "… (UNKNOWN_TABLE)". */
const serverTypeOf = (message: string): string | undefined => /\(([A-Z][A-Z0-9_]+)\)\s*$/.exec(message)?.[1];

const toReadStoreError = (error: unknown, sql: string | undefined): ReadStoreError => {
  if (error instanceof ReadStoreError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as ChdbErrorShape;
  const message = typeof shape.message === 'string' ? shape.message : String(error);
  const code = shape.code === 'CHDB_CONNECTION' ? 'READ_STORE_UNAVAILABLE' : 'READ_STORE_QUERY';
  return new ReadStoreError(code, message.trim(), {
    serverCode: typeof shape.clickhouseCode === 'number' ? shape.clickhouseCode : undefined,
    serverType: serverTypeOf(message),
    statement: sql === undefined ? undefined : excerpt(sql),
    cause: error,
  });
};

/**
 * chdb formats a Date parameter to whole seconds, so instants are handed over already formatted (with their
 * milliseconds), inside arrays too.
 */
const bindable = (value: QueryParam): unknown => {
  if (value instanceof Date) return dateParam(value);
  if (Array.isArray(value)) return (value as readonly QueryParam[]).map(bindable);
  return value;
};

const parseJsonEachRow = <T>(text: string): T[] => {
  const rows: T[] = [];
  for (const line of text.split('\n')) {
    if (line.length > 0) rows.push(JSON.parse(line) as T);
  }
  return rows;
};

/**
 * The embedded read store: the ClickHouse engine in this process (chdb), its data in a directory.
 *
 * Every call goes through chdb's async entry points, which run on the libuv pool: the synchronous ones would
 * freeze the event loop for the length of a query. Two limits come from chdb itself: a process binds one data
 * directory at a time (stores on the same path coexist, another path waits until the first is closed), and
 * chdb runs parameterised queries one at a time process-wide, because the engine's parameter state is shared.
 */
export const openChdbReadStore = async (options: ChdbReadStoreOptions): Promise<ReadStore> => {
  const database = options.database ?? 'default';
  if (!DATABASE.test(database)) {
    throw new ReadStoreError(
      'READ_STORE_BAD_IDENTIFIER',
      `database name ${JSON.stringify(database)} is not an identifier like ccp`,
    );
  }
  // The engine's own files inside follow the process umask (see infra/platform/private-data-dir.ts).
  mkdirSync(options.path, { recursive: true, mode: 0o700 });
  let session: Session;
  try {
    session = new Session(options.path);
  } catch (error) {
    throw toReadStoreError(error, undefined);
  }

  const live = (): Session => {
    if (!session.open) throw new ReadStoreError('READ_STORE_CLOSED', 'the read store is closed');
    return session;
  };

  const run = async (sql: string, params: QueryParams | undefined): Promise<string> => {
    const open = live();
    try {
      const result =
        params === undefined || Object.keys(params).length === 0
          ? await open.queryAsync(sql, { format: 'JSONEachRow' })
          : await open.queryBindAsync(
              sql,
              Object.fromEntries(Object.entries(params).map(([name, value]) => [name, bindable(value)])),
              { format: 'JSONEachRow' },
            );
      return result.text();
    } catch (error) {
      throw toReadStoreError(error, sql);
    }
  };

  // A session keeps its settings and current database across statements, so they are set once here.
  try {
    for (const [name, value] of Object.entries(READ_STORE_SETTINGS)) {
      await run(`SET ${name} = ${typeof value === 'string' ? `'${value}'` : String(value)}`, undefined);
    }
    if (database !== 'default') {
      await run(`CREATE DATABASE IF NOT EXISTS ${database}`, undefined);
      await run(`USE ${database}`, undefined);
    }
  } catch (error) {
    session.close();
    await drainPending();
    throw error;
  }

  return {
    async command(sql, params) {
      await run(sql, params);
    },

    async insert(table, rows: readonly InsertRow[]) {
      assertTableName(table);
      if (rows.length === 0) return;
      // One buffer of JSON lines parsed by the engine's own parser: no VALUES text is built here and no
      // value is ever spliced into SQL.
      const payload = Buffer.from(`${rows.map(toJsonEachRowLine).join('\n')}\n`, 'utf8');
      try {
        await live().insert({ table, values: payload, format: 'JSONEachRow' });
      } catch (error) {
        throw toReadStoreError(error, `INSERT INTO ${table} FORMAT JSONEachRow`);
      }
    },

    async query<T>(sql: string, params?: QueryParams): Promise<T[]> {
      return parseJsonEachRow<T>(await run(sql, params));
    },

    async close() {
      session.close();
      // close() defers tearing the connection down behind running operations; waiting for it lets the
      // process open a store on another directory straight after.
      await drainPending();
    },
  };
};
