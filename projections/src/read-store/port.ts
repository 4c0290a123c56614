/**
 * The read store port: the ClickHouse SQL that projection writers and the query API speak. Two adapters implement
 * it (chdb in-process, a ClickHouse server through @clickhouse/client) and one contract suite (contract.ts) runs
 * against both, so everything above this port is written once in ClickHouse SQL.
 *
 * Values never enter SQL text: a query names them as ClickHouse parameters `{name:Type}` and the engine binds
 * them server-side. Identifiers cannot be parameters in every position, so table names given to `insert` are
 * checked against a strict pattern instead.
 *
 * What comes back is JSON as ClickHouse writes it: 64-bit integers as decimal strings (so counts above 2^53 stay
 * exact), DateTime64 as 'YYYY-MM-DD hh:mm:ss.sss' in the column's time zone, Nullable as null.
 */

/** A value a query parameter can carry; a Date binds as an instant (time-zone independent). */
export type QueryParam = string | number | bigint | boolean | null | Date | readonly QueryParam[];

export type QueryParams = Readonly<Record<string, QueryParam>>;

/** A row to insert: values as JSON would carry them, plus bigint (exact 64-bit) and Date (an instant). */
export type InsertRow = Readonly<Record<string, unknown>>;

export interface ReadStore {
  /** One statement that returns no rows: DDL, INSERT … SELECT, ALTER, OPTIMIZE. */
  command(sql: string, params?: QueryParams): Promise<void>;
  /** Rows into a table, with JSONEachRow semantics: omitted columns take their defaults, unknown ones fail. */
  insert(table: string, rows: readonly InsertRow[]): Promise<void>;
  /**
   * One SELECT; its rows as objects. `T` is what the caller knows the statement returns: the store does not
   * check it.
   */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  close(): Promise<void>;
}

export type ReadStoreErrorCode =
  /** The engine refused the statement: bad SQL, an unknown table, a type it could not parse. */
  | 'READ_STORE_QUERY'
  /** The engine could not be reached or opened. */
  | 'READ_STORE_UNAVAILABLE'
  /** The store was used after close(). */
  | 'READ_STORE_CLOSED'
  /** A table name given to insert() is not a plain identifier. */
  | 'READ_STORE_BAD_IDENTIFIER';

/**
 * Every failure of a read store, whatever the adapter. `serverCode` and `serverType` are ClickHouse's own
 * (e.g. 60, 'UNKNOWN_TABLE') so a caller can tell "no such table" from "syntax error" without parsing text;
 * the message is the engine's. Parameter values are deliberately left out: they may be personal data.
 */
export class ReadStoreError extends Error {
  constructor(
    readonly code: ReadStoreErrorCode,
    message: string,
    readonly details: {
      readonly serverCode?: number | undefined;
      readonly serverType?: string | undefined;
      /** The statement (its first 500 characters), never its parameters. */
      readonly statement?: string | undefined;
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ReadStoreError';
  }

  get serverCode(): number | undefined {
    return this.details.serverCode;
  }

  get serverType(): string | undefined {
    return this.details.serverType;
  }
}

/** `db.table` or `table`, letters, digits and underscores: what insert() will splice into SQL. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

export const assertTableName = (table: string): string => {
  if (!IDENTIFIER.test(table)) {
    throw new ReadStoreError(
      'READ_STORE_BAD_IDENTIFIER',
      `table name ${JSON.stringify(table)} is not an identifier like events or ccp.events`,
    );
  }
  return table;
};

/** The first 500 characters of a statement, for error messages. */
export const excerpt = (sql: string): string => (sql.length > 500 ? `${sql.slice(0, 500)}…` : sql);

/**
 * One row as a JSONEachRow line. bigint goes as a quoted decimal (ClickHouse reads integer columns from JSON
 * strings, and a JSON number would lose digits past 2^53); a Date as its ISO instant, which the adapters read
 * with date_time_input_format = 'best_effort' so the 'Z' is honoured.
 */
export const toJsonEachRowLine = (row: InsertRow): string =>
  JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));

/**
 * A Date as ClickHouse reads a time parameter without a time zone to misapply: Unix seconds with milliseconds,
 * the form @clickhouse/client sends too, so both adapters bind the same instant.
 */
export const dateParam = (date: Date): string => {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new TypeError('an invalid Date cannot be a query parameter');
  const seconds = Math.floor(ms / 1000);
  const millis = ms - seconds * 1000;
  return millis === 0 ? String(seconds) : `${seconds}.${String(millis).padStart(3, '0')}`;
};

/** Settings both adapters run with, so results and parsing do not depend on server defaults. */
export const READ_STORE_SETTINGS = {
  /** 64-bit integers as strings: JSON numbers past 2^53 would silently lose digits. */
  output_format_json_quote_64bit_integers: 1,
  /** ISO 8601 with offsets ('…T…Z') as well as ClickHouse's own 'YYYY-MM-DD hh:mm:ss'. */
  date_time_input_format: 'best_effort',
  /** A misspelt column fails the insert instead of being dropped silently (newer servers skip by default). */
  input_format_skip_unknown_fields: 0,
  /**
   * FINAL collapses a row's versions within each partition only, in parallel: every table is partitioned by a
   * value a row never changes (see the migrations), so its versions always share a partition. 3-5x faster
   * dashboards than FINAL merging across partitions (tests/bench/query-api.ts).
   */
  do_not_merge_across_partitions_select_final: 1,
} as const;
