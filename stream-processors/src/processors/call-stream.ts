import { callEventsLatest, parseStreamName, type CallEvent, type EventEnvelope } from '@ccp/schemas';
import type { BusEvent } from '../bus/port.js';

export type { CallEvent };

const CALL_EVENT_TYPES: ReadonlySet<string> = new Set(callEventsLatest.map((definition) => definition.type));

export interface CallEventAt {
  readonly tenantId: string;
  readonly callId: string;
  readonly event: CallEvent;
  readonly envelope: EventEnvelope;
  readonly position: number;
  /** occurredAt as a UTC ISO instant, whatever offset the envelope was written with. */
  readonly occurredAt: string;
}

/**
 * The bus has validated and upcast every event it delivers, so the data is typed here by its `type` alone.
 * It is deliberately not parsed again: a personal field whose subject was erased reads as '[erased]' whatever
 * its schema, and decodeEvent accepts exactly that, which a second parse would refuse.
 */
export const callEventOf = (busEvent: BusEvent): CallEventAt | undefined => {
  const { envelope, position } = busEvent;
  const stream = parseStreamName(envelope.streamId);
  if (stream?.category !== 'call' || !CALL_EVENT_TYPES.has(envelope.type)) return undefined;
  return {
    tenantId: envelope.tenantId,
    callId: stream.id,
    event: { type: envelope.type, data: envelope.data } as CallEvent,
    envelope,
    position,
    occurredAt: utcInstant(envelope.occurredAt),
  };
};

/** The call events of a batch, in the batch's order; events of other categories are left out. */
export const callEventsOf = (batch: readonly BusEvent[]): CallEventAt[] =>
  batch.flatMap((busEvent) => {
    const callEvent = callEventOf(busEvent);
    return callEvent === undefined ? [] : [callEvent];
  });

/**
 * The id of an utterance's row: the utterance id, or for utterances stored before the media gateway sent ids
 * (upcast from v1) the event's own id, which is just as stable across redeliveries and rebuilds.
 */
export const utteranceIdOf = (at: CallEventAt, utteranceId: string | undefined): string =>
  utteranceId ?? at.envelope.id;

export const utcInstant = (iso: string): string => new Date(iso).toISOString();

/** The call ids of each tenant touched by a list of call events. */
export const callIdsByTenant = (events: readonly CallEventAt[]): Map<string, string[]> => {
  const byTenant = new Map<string, Set<string>>();
  for (const { tenantId, callId } of events) {
    const ids = byTenant.get(tenantId) ?? new Set<string>();
    ids.add(callId);
    byTenant.set(tenantId, ids);
  }
  return new Map([...byTenant].map(([tenantId, ids]) => [tenantId, [...ids]]));
};

export const callKey = (tenantId: string, callId: string): string => `${tenantId}\u0000${callId}`;
