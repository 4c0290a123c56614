import { ClickHouseError, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseClientConfigOptions } from '@clickhouse/client';
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

export interface ClickHouseReadStoreOptions {
  /** e.g. http://localhost:8123 or https://host:8443 */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Database that unqualified table names resolve to; created when missing. Defaults to 'default'. */
  readonly database?: string;
  /** Per-request limit; ClickHouse's own default (30 s in the client) is short for a rebuild's INSERT … SELECT. */
  readonly requestTimeoutMs?: number;
  /**
   * A prebuilt @clickhouse/client connection used instead of HTTP. The tests plug chdb's in-process one in to
   * run this adapter where no server exists; production leaves it out.
   */
  readonly connection?: ClickHouseClientConfigOptions['connection'];
}

const DATABASE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Errors of the network rather than of a statement: the server is down or unreachable. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
]);

/**
 * The server's refusal of a statement. Matched by shape as well as by class: a connection plugged in from
 * another package (chdb's) throws the ClickHouseError of its own copy of the client's common module. Its code is
 * ClickHouse's number as a string, which no network error ('ECONNREFUSED', …) looks like.
 */
const isServerError = (error: unknown): error is ClickHouseError =>
  error instanceof ClickHouseError ||
  (error instanceof Error && /^\d+$/.test(String((error as { code?: unknown }).code)));

const toReadStoreError = (error: unknown, sql: string): ReadStoreError => {
  if (error instanceof ReadStoreError) return error;
  if (isServerError(error)) {
    return new ReadStoreError('READ_STORE_QUERY', error.message.trim(), {
      serverCode: Number(error.code),
      serverType: error.type,
      statement: excerpt(sql),
      cause: error,
    });
  }
  const systemCode = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof systemCode === 'string' && UNREACHABLE.has(systemCode)) {
    return new ReadStoreError('READ_STORE_UNAVAILABLE', `ClickHouse unreachable: ${message}`, {
      cause: error,
    });
  }
  return new ReadStoreError('READ_STORE_QUERY', message, { statement: excerpt(sql), cause: error });
};

/** Instants go in one form for both adapters (see dateParam); everything else is the client's to format. */
const bindable = (value: QueryParam): unknown => {
  if (value instanceof Date) return dateParam(value);
  if (Array.isArray(value)) return (value as readonly QueryParam[]).map(bindable);
  return value;
};

const bound = (params: QueryParams | undefined): Record<string, unknown> | undefined =>
  params === undefined
    ? undefined
    : Object.fromEntries(Object.entries(params).map(([name, value]) => [name, bindable(value)]));

const clientOf = (options: ClickHouseReadStoreOptions, database: string): ClickHouseClient =>
  createClient({
    url: options.url,
    username: options.username ?? 'default',
    password: options.password ?? '',
    database,
    request_timeout: options.requestTimeoutMs ?? 300_000,
    clickhouse_settings: {
      ...READ_STORE_SETTINGS,
      // A long INSERT … SELECT (a rebuild) sends nothing until it ends; progress headers keep load balancers
      // from cutting the idle connection meanwhile.
      send_progress_in_http_headers: 1,
      http_headers_progress_interval_ms: '110000',
    },
    // bigint as a quoted decimal, Date as an ISO instant: the same lines the chdb adapter sends.
    json: { parse: JSON.parse, stringify: (value: unknown) => toJsonEachRowLine(value as InsertRow) },
    ...(options.connection === undefined ? {} : { connection: options.connection }),
  });

/**
 * The read store on a ClickHouse server (or cluster endpoint) over HTTP, through @clickhouse/client. Parameters
 * travel as `param_<name>` and are bound by the server; rows are sent as JSONEachRow.
 */
export const openClickHouseReadStore = async (options: ClickHouseReadStoreOptions): Promise<ReadStore> => {
  const database = options.database ?? 'default';
  if (!DATABASE.test(database)) {
    throw new ReadStoreError(
      'READ_STORE_BAD_IDENTIFIER',
      `database name ${JSON.stringify(database)} is not an identifier like ccp`,
    );
  }

  // A client bound to a database that does not exist fails every request, so it is created first through one
  // bound to 'default', which always exists.
  if (database !== 'default' && options.connection === undefined) {
    const bootstrap = clientOf(options, 'default');
    const sql = `CREATE DATABASE IF NOT EXISTS ${database}`;
    try {
      await bootstrap.command({ query: sql });
    } catch (error) {
      throw toReadStoreError(error, sql);
    } finally {
      await bootstrap.close();
    }
  }

  const client = clientOf(options, database);
  let closed = false;
  const live = (): ClickHouseClient => {
    if (closed) throw new ReadStoreError('READ_STORE_CLOSED', 'the read store is closed');
    return client;
  };

  return {
    async command(sql, params) {
      try {
        await live().command({ query: sql, query_params: bound(params) });
      } catch (error) {
        throw toReadStoreError(error, sql);
      }
    },

    async insert(table, rows: readonly InsertRow[]) {
      assertTableName(table);
      if (rows.length === 0) return;
      try {
        await live().insert({ table, values: rows as InsertRow[], format: 'JSONEachRow' });
      } catch (error) {
        throw toReadStoreError(error, `INSERT INTO ${table} FORMAT JSONEachRow`);
      }
    },

    async query<T>(sql: string, params?: QueryParams): Promise<T[]> {
      try {
        const result = await live().query({ query: sql, query_params: bound(params), format: 'JSONEachRow' });
        return await result.json<T>();
      } catch (error) {
        throw toReadStoreError(error, sql);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
};
