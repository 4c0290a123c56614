import { setTimeout as sleep } from 'node:timers/promises';
import { decodeEvent, type EventEnvelope } from '@ccp/schemas';
import type { CheckpointStore, EventStore, RecordedEvent, Subscription } from '@ccp/command-service';
import { endOfLog } from '../end-of-log.js';

/** The longest wait between two tries of a reaction, or two subscriptions, that keep failing. */
export const MAX_BACKOFF_MS = 30_000;

/** The pause before try `attempt` (from 1): `firstMs`, doubled at each try, up to MAX_BACKOFF_MS. */
export const backoffMs = (firstMs: number, attempt: number): number =>
  Math.min(MAX_BACKOFF_MS, firstMs * 2 ** (attempt - 1));

/** Failures are logged at tries 1, 2, 4, 8, ...: a long outage does not flood the log. */
export const worthLogging = (attempt: number): boolean => (attempt & (attempt - 1)) === 0;

/** Hands every event of the log up to `position` (included) to `each`, in order, in batches. */
export const readLogUpTo = async (
  store: Pick<EventStore, 'readAll'>,
  position: number,
  each: (recorded: RecordedEvent) => void,
): Promise<void> => {
  for (let read = 0; read < position;) {
    const batch = await store.readAll({ after: read, maxCount: 5000 });
    if (batch.length === 0) return;
    for (const recorded of batch) {
      if (recorded.position > position) return;
      each(recorded);
      read = recorded.position;
    }
  }
};

export interface FollowLogOptions {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly checkpointName: string;
  /**
   * Where a first start (no checkpoint) begins: the log's start, or its end now (what happened before the
   * follower existed is folded, not acted on; that end is saved at once so a crash does not move it).
   */
  readonly firstStart: 'log-start' | 'log-end';
  /** The prefix of its log lines ("reminders", "billing"). */
  readonly name: string;
  /** The streams whose events are decoded and folded; events of others are only counted past. */
  readonly folds: (streamId: string) => boolean;
  /** Folds an event into the view, once each, before its reaction. */
  readonly apply: (event: EventEnvelope) => void;
  /** Whether an event is acted on (default: every event folded). */
  readonly reactsTo?: (event: EventEnvelope) => boolean;
  /** Acts on an event past the checkpoint; throwing means "not done": it is tried again after a pause. */
  readonly react: (event: EventEnvelope) => Promise<void>;
  /** Told of each failed try of a reaction (the billing worker counts the provider's outages). */
  readonly onReactionFailure?: (error: unknown) => void;
  /**
   * Called once the view holds the log up to the checkpoint, before any later event is handled: timers rebuilt
   * from the view are armed here.
   */
  readonly ready?: () => void;
  readonly log: (message: string) => void;
  /** The first wait before a failed reaction or subscription is tried again, doubled at each try (200 ms). */
  readonly retryMs?: number;
  /** Events passed without a reaction before the checkpoint is saved anyway (default 500). */
  readonly saveEvery?: number;
}

export interface LogFollower {
  /** The last event handled (folded, and acted on when it reacts to it). */
  readonly position: () => number;
  /**
   * Resolves with true once every event up to `position` is handled; without one, up to the log's end, those
   * appended while catching up included. False when the follower stopped first.
   */
  readonly caughtUp: (position?: number) => Promise<boolean>;
  /** Stops following (a reaction still failing is left undone) and saves the checkpoint of what was handled. */
  stop(): Promise<void>;
}

/**
 * A checkpointed log follower, the loop of a process manager: the view is folded from the whole log up to the
 * checkpoint, then every later event is folded and acted on in log order.
 *
 * A reaction is tried until it is done or the follower stops: skipping it would lose what it does for good (a
 * reminder, a customer). Stopped while it still fails, the checkpoint stays before its event, which is handled at
 * the next start. The checkpoint is saved after each event acted on, else every `saveEvery` events (those in
 * between are only folded again). A failed subscription or checkpoint save does not end the following (the
 * manager would stop unseen): it is logged and the log subscribed to again after a growing pause, from the last
 * event handled; an event whose checkpoint was not saved is handled again (folded once; reactions are
 * idempotent).
 */
export const followLog = async (options: FollowLogOptions): Promise<LogFollower> => {
  const { store, checkpoints, checkpointName, name, log } = options;
  const retryMs = options.retryMs ?? 200;
  const saveEvery = options.saveEvery ?? 500;
  const reactsTo = options.reactsTo ?? (() => true);

  const decoded = (recorded: RecordedEvent): EventEnvelope | undefined => {
    if (!options.folds(recorded.streamId)) return undefined;
    const result = decodeEvent(recorded);
    return result.ok ? result.value : undefined;
  };

  const loaded = await checkpoints.load(checkpointName);
  const checkpoint = loaded ?? (options.firstStart === 'log-end' ? await endOfLog(store) : 0);
  if (loaded === undefined && options.firstStart === 'log-end')
    await checkpoints.save(checkpointName, checkpoint);
  await readLogUpTo(store, checkpoint, (recorded) => {
    const event = decoded(recorded);
    if (event) options.apply(event);
  });
  options.ready?.();

  let handled = checkpoint;
  /** The last event folded into the view: one delivered again after a resubscription is not folded twice. */
  let folded = checkpoint;
  let saved = checkpoint;
  let stopped = false;
  const stopping = new AbortController();
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);
  let waiting: { position: number; resolve: (reached: boolean) => void }[] = [];

  /** Tries a reaction until it is done (true) or the follower stops (false). */
  const reactUntilDone = async (event: EventEnvelope, position: number): Promise<boolean> => {
    for (let attempt = 1; !stopped; attempt += 1) {
      try {
        await options.react(event);
        return true;
      } catch (error) {
        options.onReactionFailure?.(error);
        if (worthLogging(attempt)) {
          log(`${name}: ${event.type} at ${position} failed (attempt ${attempt}): ${String(error)}`);
        }
        await pause(backoffMs(retryMs, attempt));
      }
    }
    return false;
  };

  /** Folds and acts on one event; false when stopped before its reaction was done. */
  const handle = async (recorded: RecordedEvent): Promise<boolean> => {
    const event = decoded(recorded);
    let acted = false;
    if (event) {
      if (recorded.position > folded) {
        options.apply(event);
        folded = recorded.position;
      }
      if (reactsTo(event)) {
        if (!(await reactUntilDone(event, recorded.position))) return false;
        acted = true;
      }
    }
    if (acted || recorded.position - saved >= saveEvery) {
      await checkpoints.save(checkpointName, recorded.position);
      saved = recorded.position;
    }
    handled = recorded.position;
    const ready = waiting.filter((w) => w.position <= handled);
    waiting = waiting.filter((w) => w.position > handled);
    for (const waiter of ready) waiter.resolve(true);
    return true;
  };

  let subscription: Subscription | undefined;
  const following = (async () => {
    for (let failures = 0; !stopped;) {
      try {
        subscription = store.subscribe({ after: handled });
        for await (const recorded of subscription) {
          if (!(await handle(recorded))) return;
          failures = 0;
        }
        if (stopped) return;
        throw new Error('the subscription ended');
      } catch (error) {
        if (stopped) return;
        failures += 1;
        if (worthLogging(failures)) {
          log(
            `${name}: following the log failed (${failures} in a row), subscribing again after ${handled}: ${String(error)}`,
          );
        }
        await subscription?.close().catch(() => undefined);
        await pause(backoffMs(retryMs, failures));
      }
    }
  })();

  const reached = (position: number): Promise<boolean> =>
    handled >= position
      ? Promise.resolve(true)
      : stopped
        ? Promise.resolve(false)
        : new Promise((resolve) => waiting.push({ position, resolve }));

  return {
    position: () => handled,
    caughtUp: async (position) => {
      if (position !== undefined) return reached(position);
      for (;;) {
        const target = await endOfLog(store);
        if (stopped) return false;
        if (handled >= target) return true;
        if (!(await reached(target))) return false;
      }
    },
    stop: async () => {
      stopped = true;
      stopping.abort();
      await subscription?.close();
      await following.catch((error: unknown) => log(`${name}: stopped on ${String(error)}`));
      for (const waiter of waiting) waiter.resolve(false);
      waiting = [];
      await checkpoints
        .save(checkpointName, handled)
        .catch((error: unknown) => log(`${name}: checkpoint not saved at stop: ${String(error)}`));
    },
  };
};
