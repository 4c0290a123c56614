import { decodeEvent } from '@ccp/schemas';
import type { EventStore } from '../../../command-service/src/event-store/port.js';
import { Directory } from './directory.js';

const CATEGORIES = /^(tenant|department|agent|number|article|script|call|appointment|ticket)-/;

export interface LiveDirectory {
  readonly directory: Directory;
  /** Reads what was appended since the last catch-up. */
  catchUp(): Promise<void>;
}

/**
 * The directory kept current from the (decrypting) event store: a call is routed on what the log says at the
 * moment it rings, so a number assigned a second ago already answers.
 */
export const createLiveDirectory = (store: EventStore): LiveDirectory => {
  const directory = new Directory();
  let position = 0;
  // Reads run one after another, and each caller's read starts after its call: it sees what it appended.
  let chain: Promise<void> = Promise.resolve();

  const readAll = async (): Promise<void> => {
    for (;;) {
      const batch = await store.readAll({ after: position, maxCount: 2000 });
      for (const recorded of batch) {
        if (!CATEGORIES.test(recorded.streamId)) continue;
        const decoded = decodeEvent(recorded);
        if (decoded.ok) directory.apply(decoded.value);
      }
      const last = batch[batch.length - 1];
      if (!last) return;
      position = last.position;
    }
  };

  return {
    directory,
    catchUp: () => {
      chain = chain.then(readAll, readAll);
      return chain;
    },
  };
};
