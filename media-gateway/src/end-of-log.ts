import type { EventStore } from '@ccp/command-service';

/** The position of the last event in the global log now (0 when empty): where a follower of new events starts. */
export const endOfLog = async (store: Pick<EventStore, 'readAll'>): Promise<number> => {
  let position = 0;
  for (;;) {
    const last = (await store.readAll({ after: position, maxCount: 5000 })).at(-1);
    if (!last) return position;
    position = last.position;
  }
};
