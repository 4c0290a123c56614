import { z } from 'zod';
import { assertTableName, type ReadStore } from '@ccp/projections';

/**
 * ClickHouse writes DateTime64(3, 'UTC') as 'YYYY-MM-DD hh:mm:ss.sss'; processors keep instants as ISO strings
 * (what events carry and what inserts accept), so a row loaded and written back is byte for byte the same.
 */
export const ClickHouseInstant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$/, 'a DateTime64 as ClickHouse writes it')
  .transform((value) => new Date(`${value.replace(' ', 'T')}Z`).toISOString());

/** UInt64 columns come back as decimal strings (exact past 2^53); counts and positions here stay far below. */
export const ClickHouseCount = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);

/** Float64 aggregates: a number, or null for an empty group (the *OrNull combinators). */
export const ClickHouseFloat = z.number().nullable();

/**
 * The current rows (FINAL) of a table keyed by (tenant_id, call_id, ...) for the given calls, one query per
 * tenant, validated against `schema`: what a processor's state is rebuilt from when a call is not in memory.
 */
export const loadCallRows = async <T>(
  readStore: ReadStore,
  table: string,
  callIdsByTenant: ReadonlyMap<string, readonly string[]>,
  schema: z.ZodType<T>,
): Promise<T[]> => {
  const rows: T[] = [];
  for (const [tenantId, callIds] of callIdsByTenant) {
    if (callIds.length === 0) continue;
    const found = await readStore.query<unknown>(
      `SELECT * FROM ${assertTableName(table)} FINAL WHERE tenant_id = {tenant:String} AND call_id IN {calls:Array(String)}`,
      { tenant: tenantId, calls: callIds },
    );
    for (const row of found) {
      const parsed = schema.safeParse(row);
      if (!parsed.success) {
        throw new Error(`${table} row of tenant ${tenantId} is not as expected: ${parsed.error.message}`);
      }
      rows.push(parsed.data);
    }
  }
  return rows;
};

/** A time range [from, to) for query functions. */
export interface TimeRange {
  readonly from: Date;
  readonly to: Date;
}

export const checkRange = (range: TimeRange): TimeRange => {
  if (Number.isNaN(range.from.getTime()) || Number.isNaN(range.to.getTime())) {
    throw new RangeError('a time range needs valid from and to dates');
  }
  if (range.from.getTime() > range.to.getTime())
    throw new RangeError('a time range must not end before it starts');
  return range;
};
