import { describe, expect, it } from 'vitest';
import type { EventStore, RecordedEvent } from '@ccp/command-service';
import { logHead } from './log-head.js';

/** A log of `size` events, counting what each read asked for. */
const logOf = (size: number) => {
  const reads: { after: number; maxCount: number }[] = [];
  let length = size;
  const store: Pick<EventStore, 'readAll'> = {
    readAll: async (options = {}) => {
      const after = options.after ?? 0;
      const maxCount = options.maxCount ?? Infinity;
      reads.push({ after, maxCount });
      const positions = [];
      for (let p = after + 1; p <= Math.min(length, after + maxCount); p += 1) positions.push(p);
      return positions.map((position) => ({ position }) as RecordedEvent);
    },
  };
  return { store, reads, grow: (by: number) => (length += by) };
};

describe("the log's head", () => {
  it('reads the log once, then only what was appended since', async () => {
    const log = logOf(12_000);
    const head = logHead(log.store);
    expect(await head()).toBe(12_000);
    expect(log.reads.map((r) => r.after)).toEqual([0, 5000, 10_000]);
    log.grow(3);
    expect(await head()).toBe(12_003);
    expect(log.reads.at(-1)?.after).toBe(12_000);
  });

  it('starts from a position a reader already reached, never the start of the log', async () => {
    const log = logOf(1_000_000);
    const head = logHead(log.store);
    expect(await head(999_990)).toBe(1_000_000);
    expect(log.reads.map((r) => r.after)).toEqual([999_990]);
  });
});
