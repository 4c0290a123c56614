import { z } from 'zod';
import { CommandRejected } from '@ccp/command-service';

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
