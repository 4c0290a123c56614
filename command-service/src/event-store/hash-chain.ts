import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import {
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from './port.js';

/** Where an event keeps its link: metadata.chain = { prev, hash }. */
export const CHAIN_KEY = 'chain';

export interface ChainLink {
  /** The hash of the stream's previous event; null for its first. */
  readonly prev: string | null;
  /** SHA-256 (hex) over prev and the event as stored, without this link. */
  readonly hash: string;
}

export interface ChainVerification {
  readonly streamId: string;
  readonly events: number;
  readonly valid: boolean;
  /** Leading events written before chains existed: allowed, counted, not verified. */
  readonly unchained: number;
  readonly brokenAt?: {
    readonly revision: number;
    readonly eventId: string;
    readonly reason: 'hash_mismatch' | 'prev_mismatch' | 'chain_missing';
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const withoutLink = (metadata: unknown): unknown => {
  if (!isObject(metadata) || !(CHAIN_KEY in metadata)) return metadata;
  const { [CHAIN_KEY]: _link, ...rest } = metadata;
  return rest;
};

const linkOf = (metadata: unknown): ChainLink | undefined => {
  const link = isObject(metadata) ? metadata[CHAIN_KEY] : undefined;
  if (!isObject(link) || typeof link['hash'] !== 'string') return undefined;
  const prev = link['prev'];
  return { prev: typeof prev === 'string' ? prev : null, hash: link['hash'] };
};

/**
 * The hash of an event in its stream: RFC 8785 canonical JSON of everything the store keeps of it that a
 * writer chose (not its global position or record time, which the store assigns), chained to the previous.
 */
export const linkHash = (
  prev: string | null,
  streamId: string,
  revision: number,
  event: Pick<NewEvent, 'id' | 'type' | 'data' | 'metadata'>,
): string =>
  createHash('sha256')
    .update(
      canonicalize({
        prev,
        streamId,
        revision,
        id: event.id,
        type: event.type,
        data: event.data ?? null,
        metadata: withoutLink(event.metadata) ?? null,
      }) ?? '',
    )
    .digest('hex');

const chained = (
  streamId: string,
  first: number,
  prev: string | null,
  events: readonly NewEvent[],
): NewEvent[] => {
  let previous = prev;
  return events.map((event, n) => {
    const hash = linkHash(previous, streamId, first + n, event);
    const link: ChainLink = { prev: previous, hash };
    previous = hash;
    return { ...event, metadata: { ...(isObject(event.metadata) ? event.metadata : {}), [CHAIN_KEY]: link } };
  });
};

/**
 * An event store whose streams are hash chains: each event's metadata carries the hash of its predecessor and
 * its own, so changing, removing or reordering a stored event breaks the chain at that point. Wrap the store
 * that holds the stored form (personal fields already encrypted), so erasing a subject's key leaves the chain
 * whole.
 *
 * An append must know the revision it writes at; 'any' and 'stream_exists' read the stream's head and append
 * at it, retrying when another writer got there first, so concurrent writers never fork a chain.
 */
export const withHashChain = (store: EventStore, options: { readonly retries?: number } = {}): EventStore => {
  const head = async (streamId: string): Promise<RecordedEvent | undefined> =>
    (await store.readStream(streamId, { direction: 'backwards', maxCount: 1 }))[0];

  const appendAt = async (
    streamId: string,
    events: readonly NewEvent[],
    expected: number | 'no_stream',
  ): Promise<AppendResult> => {
    if (expected === 'no_stream')
      return store.append(streamId, chained(streamId, 0, null, events), 'no_stream');
    const [previous] = await store.readStream(streamId, { fromRevision: expected, maxCount: 1 });
    // A stale expectation is the store's to refuse; the links are computed from what is there.
    const prev =
      previous && previous.revision === expected ? (linkOf(previous.metadata)?.hash ?? null) : null;
    return store.append(streamId, chained(streamId, expected + 1, prev, events), expected);
  };

  // Writers of one stream in this process take turns; other processes are met by the retries below.
  const turns = new Map<string, Promise<unknown>>();
  const inTurn = <T>(streamId: string, work: () => Promise<T>): Promise<T> => {
    const mine = (turns.get(streamId) ?? Promise.resolve()).then(work, work);
    const settled = mine.catch(() => undefined);
    turns.set(streamId, settled);
    void settled.then(() => {
      if (turns.get(streamId) === settled) turns.delete(streamId);
    });
    return mine;
  };

  const appendAtHead = async (
    streamId: string,
    events: readonly NewEvent[],
    expected: 'any' | 'stream_exists',
  ): Promise<AppendResult> => {
    for (let attempt = 0; ; attempt += 1) {
      const last = await head(streamId);
      if (!last && expected === 'stream_exists') {
        throw new WrongExpectedRevisionError(streamId, expected, 'no_stream');
      }
      try {
        return await appendAt(streamId, events, last ? last.revision : 'no_stream');
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || attempt >= (options.retries ?? 20)) throw error;
      }
    }
  };

  return {
    ...store,
    append: (streamId, events, expected: ExpectedRevision) =>
      inTurn(streamId, () =>
        typeof expected === 'number' || expected === 'no_stream'
          ? appendAt(streamId, events, expected)
          : appendAtHead(streamId, events, expected),
      ),
    readStream: (streamId, readOptions) => store.readStream(streamId, readOptions),
    readAll: (readOptions) => store.readAll(readOptions),
    subscribe: (subscribeOptions) => store.subscribe(subscribeOptions),
    close: () => store.close(),
  };
};

/** Recomputes a stream's chain from its stored events and says where it breaks, if it does. */
export const verifyStreamChain = async (store: EventStore, streamId: string): Promise<ChainVerification> => {
  const events = await store.readStream(streamId);
  let unchained = 0;
  let prev: string | null | undefined;
  for (const event of events) {
    const link = linkOf(event.metadata);
    const broken = (reason: NonNullable<ChainVerification['brokenAt']>['reason']): ChainVerification => ({
      streamId,
      events: events.length,
      valid: false,
      unchained,
      brokenAt: { revision: event.revision, eventId: event.id, reason },
    });
    if (!link) {
      if (prev !== undefined) return broken('chain_missing');
      unchained += 1;
      continue;
    }
    if (link.prev !== (prev ?? null)) return broken('prev_mismatch');
    if (linkHash(link.prev, streamId, event.revision, event) !== link.hash) return broken('hash_mismatch');
    prev = link.hash;
  }
  return { streamId, events: events.length, valid: true, unchained };
};
