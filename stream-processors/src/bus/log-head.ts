import type { EventStore } from '@ccp/command-service';

/** Events read per request while looking for the head. */
const PAGE = 5000;

/**
 * The global position of the newest event in the log, found by reading on from where the last look stopped, or
 * from `known` (a position some reader already reached: a consumer's, the relay's) when that is further on: so
 * a look reads only what was appended since, never the whole log again. Looks run one at a time.
 */
export const logHead = (store: Pick<EventStore, 'readAll'>) => {
  let head = 0;
  let looking: Promise<number> | undefined;
  const look = async (): Promise<number> => {
    for (;;) {
      const page = await store.readAll({ after: head, maxCount: PAGE });
      const last = page.at(-1);
      if (last === undefined) return head;
      head = last.position;
      if (page.length < PAGE) return head;
    }
  };
  return (known = 0): Promise<number> => {
    if (looking === undefined) {
      head = Math.max(head, known);
      looking = look().finally(() => (looking = undefined));
    }
    return looking;
  };
};
