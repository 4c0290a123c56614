/**
 * Pure translations between the event store port and @eventstore/db-client, kept apart from the adapter so
 * they can be tested without an EventStoreDB server.
 */
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  type AppendExpectedRevision,
  type CurrentRevision,
  type Position,
} from '@eventstore/db-client';
import type { ExpectedRevision, RecordedEvent } from './port.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/**
 * The client speaks uint64 as bigint; the port speaks numbers. A log position past 2^53 would silently round
 * to a neighbouring event's position and corrupt every checkpoint built on it, so refuse instead.
 */
export const toSafeNumber = (value: bigint, what: string): number => {
  if (value > MAX_SAFE || value < MIN_SAFE) {
    throw new RangeError(
      `${what} ${value.toString()} does not fit a JavaScript number without losing precision`,
    );
  }
  return Number(value);
};

const assertNonNegativeSafeInteger = (value: number, what: string): void => {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${String(value)}`);
  }
};

/** A revision given by a caller, as the client wants it. */
export const toClientRevision = (revision: number): bigint => {
  assertNonNegativeSafeInteger(revision, 'revision');
  return BigInt(revision);
};

export const toClientExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      // A negative number would reach the server as a huge uint64 and fail obscurely; 'no_stream' says it.
      assertNonNegativeSafeInteger(expected, 'expected revision');
      return BigInt(expected);
  }
};

/** The stream's actual revision as reported by the client's WrongExpectedVersionError. */
export const fromClientCurrentRevision = (current: CurrentRevision): number | 'no_stream' =>
  current === NO_STREAM ? 'no_stream' : toSafeNumber(current, 'revision');

/**
 * The client position to resume from for a port position. Since EventStoreDB 20 every event is its own
 * implicitly committed record, so an event's commit and prepare positions are both its own log position: the
 * commit position alone names it, and the pair is rebuilt by repeating it.
 */
export const toClientPosition = (position: number): Position => {
  assertNonNegativeSafeInteger(position, 'position');
  return { commit: BigInt(position), prepare: BigInt(position) };
};

/** Orders positions as the server does: by commit, then by prepare. */
export const isAtOrBefore = (position: Position, bound: Position): boolean =>
  position.commit < bound.commit || (position.commit === bound.commit && position.prepare <= bound.prepare);

/**
 * Events the server writes for itself ($metadata, $>, $statsCollected, ...) or keeps in system streams never
 * belong to the application's log.
 */
export const isSystemRecord = (record: { readonly streamId: string; readonly type: string }): boolean =>
  record.streamId.startsWith('$') || record.type.startsWith('$');

/** The client sends the count as a uint64 string: a negative or fractional one would fail on the server. */
export const checkMaxCount = (maxCount: number | undefined): number | undefined => {
  if (maxCount !== undefined) assertNonNegativeSafeInteger(maxCount, 'maxCount');
  return maxCount;
};

/** The part of the client's recorded event (JSON or binary) the port needs. */
export interface ClientRecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly created: Date;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: Position | undefined;
}

/**
 * `commitPosition` is the resolved event's own field: servers older than 22.6 omit `event.position` on
 * stream reads but may still send it there.
 */
export const toRecordedEvent = (record: ClientRecordedEvent, commitPosition?: bigint): RecordedEvent => {
  const commit = record.position?.commit ?? commitPosition;
  if (commit === undefined) {
    throw new Error(
      `EventStoreDB sent event ${record.id} of ${record.streamId} without its log position` +
        ' (server older than 22.6?)',
    );
  }
  return {
    id: record.id,
    type: record.type,
    streamId: record.streamId,
    revision: toSafeNumber(record.revision, 'revision'),
    position: toSafeNumber(commit, 'position'),
    data: record.data,
    // The client leaves metadata undefined when the event was written with none; the port always has some.
    metadata: record.metadata ?? {},
    recordedAt: record.created,
  };
};
