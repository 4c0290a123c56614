import type { EventStore, RecordedEvent } from './port.js';

export interface LogFollower {
  /** Reads what was appended since the last catch-up and hands it to `apply`, in log order. */
  catchUp(): Promise<void>;
}

/**
 * An in-memory read model kept current from the global log on demand: a reader calls `catchUp()` before it
 * reads, so it sees everything appended before its call (its own writes included). Catch-ups run one after
 * another; a failed one is retried by the next.
 */
export const followLog = (
  store: EventStore,
  apply: (event: RecordedEvent) => void,
  options: { readonly batchSize?: number } = {},
): LogFollower => {
  let position = 0;
  let chain: Promise<void> = Promise.resolve();

  const readAll = async (): Promise<void> => {
    for (;;) {
      const batch = await store.readAll({ after: position, maxCount: options.batchSize ?? 2000 });
      for (const recorded of batch) {
        apply(recorded);
        position = recorded.position;
      }
      if (batch.length === 0) return;
    }
  };

  return {
    catchUp: () => {
      chain = chain.then(readAll, readAll);
      return chain;
    },
  };
};
