import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult as ClientAppendResult,
  type JSONType,
  type Position,
  type ReadPosition,
  type StreamingRead,
} from '@eventstore/db-client';
import {
  checkMaxCount,
  fromClientCurrentRevision,
  isAtOrBefore,
  isSystemRecord,
  toClientExpectedRevision,
  toClientPosition,
  toClientRevision,
  toRecordedEvent,
  toSafeNumber,
} from './eventstoredb-mapping.js';
import {
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from './port.js';

export interface EventStoreDbEventStoreOptions {
  /**
   * e.g. `esdb://admin:changeit@localhost:2113?tls=false`. Reading and subscribing to $all needs a user the
   * $all ACL admits (admins and ops by default) unless the server runs insecure.
   */
  readonly connectionString: string;
}

/**
 * Records of $all per round trip in readAll. System records are filtered out on our side (the client's
 * readAll takes no filter), so one page may yield fewer application events than it read.
 */
const READ_ALL_PAGE = 512;
const READ_ALL_MIN_PAGE = 64;

/** Subscription events buffered ahead of a slow consumer before the gRPC stream is paused. */
const SUBSCRIPTION_HIGH_WATER = 256;

/**
 * Global positions are EventStoreDB *commit* positions. Since server 20 every appended event is its own
 * implicitly committed record whose commit and prepare positions are both its log position, so the commit
 * position is unique per event, increases along $all and is what readAll and subscriptions report per event
 * (`event.position.commit`). An append answers with the commit position of its last event, which is exactly
 * the port's AppendResult.position. (Explicit multi-record transactions, where events share one commit
 * position, only exist in logs written by pre-20 TCP clients; this adapter does not support such logs.)
 */
export const createEventStoreDbEventStore = (options: EventStoreDbEventStoreOptions): EventStore => {
  const client = EventStoreDBClient.connectionString(options.connectionString);
  const openSubscriptions = new Set<Subscription>();

  /**
   * Reads a finite client read to the end before anything is mapped, so a mapping error can never leave a
   * half-consumed gRPC stream open behind an abandoned iterator.
   */
  const drain = async <T>(read: StreamingRead<T>): Promise<T[]> => {
    const items: T[] = [];
    for await (const item of read) items.push(item);
    return items;
  };

  /** Falls back to reading the event back when the server does not report where an append landed. */
  const positionOfRevision = async (streamId: string, revision: number): Promise<number> => {
    const [resolved] = await drain(
      client.readStream(streamId, { fromRevision: toClientRevision(revision), maxCount: 1 }),
    );
    if (!resolved?.event) {
      throw new Error(`EventStoreDB reported ${streamId}@${revision} as appended but cannot read it back`);
    }
    return toRecordedEvent(resolved.event, resolved.commitPosition).position;
  };

  const append = async (
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> => {
    // Same answer as the embedded adapter: an empty append has no last event whose position it could report.
    if (events.length === 0) throw new Error('nothing to append');
    const proposed = events.map((event) =>
      jsonEvent({
        id: event.id,
        type: event.type,
        // The client only JSON.stringify-s the data; JSONType merely narrows what TypeScript lets through.
        data: event.data as JSONType,
        // Matches the embedded adapter, which stores absent metadata as {}.
        metadata: event.metadata ?? {},
      }),
    );
    let result: ClientAppendResult;
    try {
      result = await client.appendToStream(streamId, proposed, {
        expectedRevision: toClientExpectedRevision(expected),
      });
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedRevisionError(
          streamId,
          expected,
          fromClientCurrentRevision(error.actualVersion),
        );
      }
      throw error;
    }
    const nextRevision = toSafeNumber(result.nextExpectedRevision, 'revision');
    // Older servers leave the position out when they answer a retried append from the idempotency check;
    // the events are stored, so ask where the last one is.
    const position = result.position
      ? toSafeNumber(result.position.commit, 'position')
      : await positionOfRevision(streamId, nextRevision);
    return { nextRevision, position };
  };

  const readStream = async (
    streamId: string,
    readOptions: ReadStreamOptions = {},
  ): Promise<RecordedEvent[]> => {
    const maxCount = checkMaxCount(readOptions.maxCount);
    if (maxCount === 0) return [];
    const backwards = readOptions.direction === 'backwards';
    const fromRevision =
      readOptions.fromRevision === undefined
        ? backwards
          ? END
          : START
        : toClientRevision(readOptions.fromRevision);
    try {
      const resolved = await drain(
        client.readStream(streamId, {
          direction: backwards ? BACKWARDS : FORWARDS,
          fromRevision,
          ...(maxCount === undefined ? {} : { maxCount }),
        }),
      );
      return resolved.flatMap((item) =>
        item.event ? [toRecordedEvent(item.event, item.commitPosition)] : [],
      );
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  };

  const readAll = async (readOptions: ReadAllOptions = {}): Promise<RecordedEvent[]> => {
    const limit = checkMaxCount(readOptions.maxCount) ?? Number.POSITIVE_INFINITY;
    const events: RecordedEvent[] = [];
    // The client's fromPosition is inclusive; everything at or before `bound` was already seen.
    let bound: Position | undefined =
      readOptions.after === undefined ? undefined : toClientPosition(readOptions.after);
    while (events.length < limit) {
      // One more than still wanted, for the inclusive start record a continuation page begins with; never
      // tiny, since system records in between would otherwise cost a round trip each.
      const pageSize = Math.min(READ_ALL_PAGE, Math.max(READ_ALL_MIN_PAGE, limit - events.length + 1));
      const page = await drain(
        client.readAll({ direction: FORWARDS, fromPosition: bound ?? START, maxCount: pageSize }),
      );
      for (const { event } of page) {
        if (!event || (bound && isAtOrBefore(event.position, bound)) || isSystemRecord(event)) continue;
        if (events.length < limit) events.push(toRecordedEvent(event));
      }
      const last = page.at(-1)?.event;
      if (page.length < pageSize || !last) break;
      bound = last.position;
    }
    return events;
  };

  const subscribe = (subscribeOptions: SubscribeOptions = {}): Subscription => {
    const bound = subscribeOptions.after === undefined ? undefined : toClientPosition(subscribeOptions.after);
    const fromPosition: ReadPosition = bound ?? START;
    const source: AllStreamSubscription = client.subscribeToAll({
      fromPosition,
      filter: excludeSystemEvents(),
    });

    /*
     * The client's subscription is a Readable, but its own async iterator cannot serve here: it emits 'error'
     * by hand, which crashes the process when nobody iterates yet and is lost to an iterator started later,
     * and after unsubscribe() it neither ends nor errors, so an iterator would wait forever. Listening from
     * the start and queueing keeps every outcome until the consumer asks for it.
     */
    const queue: AllStreamResolvedEvent[] = [];
    let failure: { readonly error: unknown } | undefined;
    let ended = false;
    let closing: Promise<void> | undefined;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      const resolve = wake;
      wake = undefined;
      resolve?.();
    };
    source.on('data', (resolved: AllStreamResolvedEvent) => {
      queue.push(resolved);
      if (queue.length >= SUBSCRIPTION_HIGH_WATER) source.pause();
      notify();
    });
    source.on('error', (error: Error) => {
      failure ??= { error };
      notify();
    });
    const onEnd = (): void => {
      ended = true;
      notify();
    };
    source.on('end', onEnd);
    source.on('close', onEnd);

    const close = (): Promise<void> =>
      (closing ??= (async () => {
        openSubscriptions.delete(subscription);
        notify();
        try {
          await source.unsubscribe();
        } catch {
          // A subscription that never connected has nothing to cancel; its error is already recorded.
        } finally {
          source.destroy();
        }
      })());

    async function* feed(): AsyncGenerator<RecordedEvent> {
      try {
        for (;;) {
          if (closing) return;
          const resolved = queue.shift();
          if (resolved) {
            if (queue.length < SUBSCRIPTION_HIGH_WATER / 2 && source.isPaused()) source.resume();
            const event = resolved.event;
            // The server may resume at the checkpoint itself, and its filter only looks at event types.
            if (!event || (bound && isAtOrBefore(event.position, bound)) || isSystemRecord(event)) continue;
            yield toRecordedEvent(event);
            continue;
          }
          if (failure) throw failure.error;
          // A live subscription never ends by itself: tell the consumer rather than look like a quiet log.
          if (ended) throw new Error('EventStoreDB ended the $all subscription');
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      } finally {
        await close();
      }
    }

    const iterator = feed();
    const subscription: Subscription = {
      [Symbol.asyncIterator]: () => iterator,
      close,
    };
    openSubscriptions.add(subscription);
    return subscription;
  };

  return {
    append,
    readStream,
    readAll,
    subscribe,
    close: async () => {
      await Promise.all([...openSubscriptions].map((subscription) => subscription.close()));
      await client.dispose();
    },
  };
};
