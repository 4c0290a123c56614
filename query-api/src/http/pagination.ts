import { z } from 'zod';
import { CommandRejected } from '@ccp/command-service';
import type { QueryParams, ReadStore } from '@ccp/projections';

/** Every list takes `limit` and an opaque `cursor` and answers `{ items, nextCursor, total }`. */
export const Page = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Items per page (1-500)'),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable(), total: z.number().int() });

const CursorBody = z.object({ offset: z.number().int().min(0) });

export const decodeCursor = (cursor: string | undefined): number => {
  if (cursor === undefined) return 0;
  try {
    return CursorBody.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString())).offset;
  } catch {
    throw new CommandRejected(400, 'INVALID_CURSOR', 'the cursor is not one this API gave out', 'cursor');
  }
};

export const nextCursor = (offset: number, returned: number, total: number): string | null =>
  offset + returned < total
    ? Buffer.from(JSON.stringify({ offset: offset + returned })).toString('base64url')
    : null;

/**
 * One page of rows and how many rows match in all, read by one statement. Counting in a second statement lets
 * a projection write in between: a page could then hold more items than its total, and a client trusting the
 * total would stop paging early. Only a page past the end needs a count of its own.
 */
export const readPage = async (
  store: ReadStore,
  statement: {
    readonly columns: string;
    readonly from: string;
    readonly where: string;
    readonly orderBy: string;
    readonly params: QueryParams;
  },
  page: { readonly offset: number; readonly limit: number },
): Promise<{ rows: Record<string, unknown>[]; total: number }> => {
  const { columns, from, where, orderBy, params } = statement;
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${columns}, count() OVER () AS page_total FROM ${from} WHERE ${where}
      ORDER BY ${orderBy} LIMIT {limit:UInt32} OFFSET {offset:UInt64}`,
    { ...params, limit: page.limit, offset: page.offset },
  );
  const first = rows[0];
  if (first !== undefined) return { rows, total: Number(first['page_total']) };
  if (page.offset === 0) return { rows, total: 0 };
  const [count] = await store.query<{ total: string }>(
    `SELECT count() AS total FROM ${from} WHERE ${where}`,
    params,
  );
  return { rows, total: Number(count?.total ?? 0) };
};
