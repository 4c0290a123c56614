/**
 * One step of the read side's schema. ClickHouse DDL is not transactional, so a migration that fails half-way
 * leaves its earlier statements applied: every statement must be safe to run again (CREATE … IF NOT EXISTS,
 * ADD COLUMN IF NOT EXISTS, …), and the runner records the version only once all of them succeeded.
 */
export interface Migration {
  /** Positive, unique, applied in increasing order; never renumbered once released. */
  readonly version: number;
  /** snake_case, for the record and for error messages. */
  readonly name: string;
  /** One statement each: the HTTP interface of a ClickHouse server takes no multi-statement queries. */
  readonly up: readonly string[];
}
