import { decodeEvent, type DomainEvent } from '@ccp/schemas';
import type { Decider } from '../domain/decider.js';
import type { EventStore } from '../event-store/port.js';

export interface LoadedState<S> {
  readonly state: S;
  /** Revision of the last event folded in; undefined when the stream does not exist. */
  readonly revision: number | undefined;
}

/**
 * Aggregate states kept in memory between commands, so that a long call stream is not read and folded again
 * for every utterance: only the events after the cached revision are read. Safe with several writers, because
 * every append still names the revision it was decided on, and a stale entry costs only a read.
 */
export const createStateCache = (store: EventStore, capacity = 10_000) => {
  const entries = new Map<string, { decider: unknown; state: unknown; revision: number }>();

  const remember = (streamId: string, decider: unknown, state: unknown, revision: number) => {
    entries.delete(streamId);
    entries.set(streamId, { decider, state, revision });
    if (entries.size > capacity) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
  };

  return {
    load: async <C, E extends DomainEvent, S>(
      streamId: string,
      decider: Decider<C, E, S>,
    ): Promise<LoadedState<S>> => {
      const cached = entries.get(streamId);
      const usable = cached && cached.decider === decider ? cached : undefined;
      let state = usable ? (usable.state as S) : decider.initialState();
      let revision = usable?.revision;
      const recorded = await store.readStream(streamId, {
        fromRevision: revision === undefined ? 0 : revision + 1,
      });
      for (const event of recorded) {
        const decoded = decodeEvent(event);
        if (!decoded.ok) {
          throw new Error(`stored event ${event.id} in ${streamId} is unreadable: ${decoded.error.message}`);
        }
        state = decider.evolve(state, decoded.value as unknown as E);
        revision = event.revision;
      }
      if (revision !== undefined) remember(streamId, decider, state, revision);
      return { state, revision };
    },
    forget: (streamId: string): void => {
      entries.delete(streamId);
    },
    /** Folds in what this process has just appended, at the revision the store confirmed. */
    appended: <C, E extends DomainEvent, S>(
      streamId: string,
      decider: Decider<C, E, S>,
      before: S,
      events: readonly E[],
      revision: number,
    ): void => {
      remember(streamId, decider, events.reduce(decider.evolve, before), revision);
    },
  };
};
