import {
  decodeEvent,
  deliveryEvents,
  type ConnectionKind,
  type DeliveryAction,
  type DeliverySource,
  type EventEnvelope,
} from '@ccp/schemas';
import { deliveryDecider, type DeliveryState, type EventStore } from '@ccp/command-service';

/*
 * What the dispatcher knows of one delivery, from its stream, and when to try it again.
 */

/** The longest pause between two attempts, whatever the backoff or the target's Retry-After says. */
export const MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * Full-jitter exponential backoff for failure `n` (from 1): a random pause between half and all of
 * base·2^(n-1), capped at an hour, so deliveries that failed together do not all come back together.
 */
export const backoffDelayMs = (baseMs: number, n: number, random: () => number = Math.random): number => {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, n - 1));
  return Math.round(ceiling * (0.5 + 0.5 * random()));
};

/** When to try again: the later of the target's Retry-After and the backoff. */
export const retryDelayMs = (
  baseMs: number,
  n: number,
  retryAfterMs: number | undefined,
  random?: () => number,
): number => Math.min(MAX_RETRY_DELAY_MS, Math.max(retryAfterMs ?? 0, backoffDelayMs(baseMs, n, random)));

/** A delivery as its stream says it is now: the source of truth before every attempt. */
export interface DeliveryFacts {
  readonly status: 'pending' | 'delivered' | 'dead_letter' | 'cancelled';
  readonly connectionId: string;
  readonly kind: ConnectionKind;
  readonly action: DeliveryAction;
  readonly source: DeliverySource;
  readonly attempts: number;
  readonly sinceReplay: number;
  /** When it is next due (ms): scheduled, retry or replay time. */
  readonly due: number;
}

type DeliveryEvent = Parameters<typeof deliveryDecider.evolve>[1];
const DELIVERY_EVENTS: ReadonlySet<string> = new Set(deliveryEvents.map((e) => e.type));

/** The delivery decider's own evolve, plus when it is due: the one thing only the dispatcher needs. */
export const foldDelivery = (events: readonly EventEnvelope[]): DeliveryFacts | undefined => {
  let state: DeliveryState = deliveryDecider.initialState();
  let due = Number.NaN;
  for (const event of events) {
    if (!DELIVERY_EVENTS.has(event.type)) continue;
    // decodeEvent checked the data against the event's schema.
    state = deliveryDecider.evolve(state, event as unknown as DeliveryEvent);
    const data = event.data as Record<string, unknown>;
    if (event.type === 'DeliveryScheduled') due = Date.parse(String(data['dueAt']));
    else if (event.type === 'DeliveryAttemptFailed' && typeof data['retryAt'] === 'string')
      due = Date.parse(data['retryAt']);
    else if (event.type === 'DeliveryReplayRequested') due = Date.parse(event.occurredAt);
  }
  if (state.status === 'none') return undefined;
  return {
    status: state.status,
    connectionId: state.connectionId,
    kind: state.kind,
    action: state.action,
    source: state.source,
    attempts: state.attempts,
    sinceReplay: state.attemptsSinceReplay,
    due,
  };
};

export const readDelivery = async (store: EventStore, streamId: string): Promise<DeliveryFacts | undefined> =>
  foldDelivery(
    (await store.readStream(streamId)).flatMap((recorded) => {
      const decoded = decodeEvent(recorded);
      return decoded.ok ? [decoded.value] : [];
    }),
  );
