import { z } from 'zod';
import { CommandRejected } from '@ccp/command-service';

/**
 * Paging for the appointments, contacts and messages lists: `limit` (default 100, at most 500) and an opaque
 * `cursor` naming the last item of the previous page by its sort value and id (keyset paging), so a page does
 * not shift when rows are added before it.
 */
export const ListPage = {
  limit: z.coerce.number().int().min(1).max(500).default(100).describe('Items per page (1-500, default 100)'),
  cursor: z.string().max(400).optional().describe('nextCursor of the previous page'),
};

const CursorBody = z.tuple([z.string(), z.string()]);

/** The sort value and id after which the page starts, or undefined for the first page. */
export const decodeKeyset = (cursor: string | undefined): readonly [string, string] | undefined => {
  if (cursor === undefined) return undefined;
  try {
    return CursorBody.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
  } catch {
    throw new CommandRejected(400, 'INVALID_CURSOR', 'the cursor is not one this API gave out', 'cursor');
  }
};

export const encodeKeyset = (sortValue: string, id: string): string =>
  Buffer.from(JSON.stringify([sortValue, id])).toString('base64url');

/**
 * One more row than the page holds is read: when it is there, the page's last row is where the next starts.
 * `keyOf` gives a row's sort value (as the SQL compares it) and id.
 */
export const pageOfRows = <R>(
  rows: readonly R[],
  limit: number,
  keyOf: (row: R) => readonly [string, string],
): { rows: R[]; nextCursor?: string } => {
  if (rows.length <= limit) return { rows: [...rows] };
  const page = rows.slice(0, limit);
  const [sortValue, id] = keyOf(page[page.length - 1] as R);
  return { rows: page, nextCursor: encodeKeyset(sortValue, id) };
};

/** ClickHouse's DateTime64 text ('YYYY-MM-DD hh:mm:ss.sss', UTC) as an ISO instant. */
export const isoFromClickHouse = (value: unknown): string =>
  typeof value === 'string' && value !== '' ? `${value.replace(' ', 'T')}Z` : '';

/** An optional text column: absent when empty. */
export const optional = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The query's instant as a Date (validated upstream as an ISO date-time). */
export const IsoInstant = z.iso
  .datetime({ offset: true })
  .transform((at) => new Date(at))
  .describe('An ISO 8601 date-time');

/** A cursor of a list sorted by an instant: the instant and id after which the page starts. */
export const decodeInstantKeyset = (cursor: string | undefined): readonly [Date, string] | undefined => {
  const after = decodeKeyset(cursor);
  if (after === undefined) return undefined;
  const at = new Date(after[0]);
  if (Number.isNaN(at.getTime()))
    throw new CommandRejected(400, 'INVALID_CURSOR', 'the cursor is not one this API gave out', 'cursor');
  return [at, after[1]];
};
