import { describe, expect, it } from 'vitest';
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
  type ClientRecordedEvent,
} from './eventstoredb-mapping.js';

const MAX = Number.MAX_SAFE_INTEGER;

describe('expected revision mapping', () => {
  it('maps the named expectations to the client constants', () => {
    expect(toClientExpectedRevision('any')).toBe('any');
    expect(toClientExpectedRevision('no_stream')).toBe('no_stream');
    expect(toClientExpectedRevision('stream_exists')).toBe('stream_exists');
  });

  it('maps a revision to a bigint, up to the largest safe integer', () => {
    expect(toClientExpectedRevision(0)).toBe(0n);
    expect(toClientExpectedRevision(41)).toBe(41n);
    expect(toClientExpectedRevision(MAX)).toBe(BigInt(MAX));
  });

  it('refuses revisions the server would misread', () => {
    expect(() => toClientExpectedRevision(-1)).toThrow(RangeError);
    expect(() => toClientExpectedRevision(1.5)).toThrow(RangeError);
    expect(() => toClientExpectedRevision(MAX + 1)).toThrow(RangeError);
    expect(() => toClientExpectedRevision(Number.NaN)).toThrow(RangeError);
  });

  it('maps the actual revision of a conflict back', () => {
    expect(fromClientCurrentRevision('no_stream')).toBe('no_stream');
    expect(fromClientCurrentRevision(7n)).toBe(7);
    expect(() => fromClientCurrentRevision(BigInt(MAX) + 1n)).toThrow(RangeError);
  });

  it('maps read revisions and refuses negative ones', () => {
    expect(toClientRevision(3)).toBe(3n);
    expect(() => toClientRevision(-1)).toThrow(RangeError);
  });
});

describe('position conversion', () => {
  it('converts bigints that fit a number exactly', () => {
    expect(toSafeNumber(0n, 'position')).toBe(0);
    expect(toSafeNumber(123_456_789n, 'position')).toBe(123_456_789);
    expect(toSafeNumber(BigInt(MAX), 'position')).toBe(MAX);
    expect(toSafeNumber(-1n, 'revision')).toBe(-1);
  });

  it('throws rather than round a position past 2^53', () => {
    expect(() => toSafeNumber(BigInt(MAX) + 1n, 'position')).toThrow(RangeError);
    expect(() => toSafeNumber(2n ** 64n - 1n, 'position')).toThrow(/position 18446744073709551615/);
    expect(() => toSafeNumber(BigInt(Number.MIN_SAFE_INTEGER) - 1n, 'revision')).toThrow(RangeError);
  });

  it('builds the resume position with equal commit and prepare parts', () => {
    expect(toClientPosition(0)).toEqual({ commit: 0n, prepare: 0n });
    expect(toClientPosition(4096)).toEqual({ commit: 4096n, prepare: 4096n });
    expect(() => toClientPosition(-5)).toThrow(RangeError);
    expect(() => toClientPosition(MAX + 2)).toThrow(RangeError);
  });

  it('orders positions by commit, then prepare', () => {
    const bound = { commit: 100n, prepare: 100n };
    expect(isAtOrBefore({ commit: 100n, prepare: 100n }, bound)).toBe(true);
    expect(isAtOrBefore({ commit: 99n, prepare: 99n }, bound)).toBe(true);
    expect(isAtOrBefore({ commit: 100n, prepare: 90n }, bound)).toBe(true);
    expect(isAtOrBefore({ commit: 100n, prepare: 101n }, bound)).toBe(false);
    expect(isAtOrBefore({ commit: 101n, prepare: 50n }, bound)).toBe(false);
  });
});

describe('recorded event mapping', () => {
  const record: ClientRecordedEvent = {
    id: '5c0b7a3e-8a0e-4c47-9d3b-6a2f0c1e9b11',
    type: 'CallStarted',
    streamId: 'call-acme.CA123',
    revision: 2n,
    created: new Date('2024-05-01T10:00:00.000Z'),
    data: { callId: 'CA123' },
    metadata: { correlationId: 'CA123' },
    position: { commit: 9000n, prepare: 9000n },
  };

  it('maps every field, with the commit position as the position', () => {
    expect(toRecordedEvent(record)).toEqual({
      id: record.id,
      type: 'CallStarted',
      streamId: 'call-acme.CA123',
      revision: 2,
      position: 9000,
      data: { callId: 'CA123' },
      metadata: { correlationId: 'CA123' },
      recordedAt: new Date('2024-05-01T10:00:00.000Z'),
    });
  });

  it('gives absent metadata as {}', () => {
    expect(toRecordedEvent({ ...record, metadata: undefined }).metadata).toEqual({});
  });

  it('falls back to the resolved commit position, and fails loudly without any', () => {
    expect(toRecordedEvent({ ...record, position: undefined }, 77n).position).toBe(77);
    expect(() => toRecordedEvent({ ...record, position: undefined })).toThrow(/without its log position/);
  });

  it('refuses an unsafe position', () => {
    expect(() => toRecordedEvent({ ...record, position: { commit: 2n ** 60n, prepare: 2n ** 60n } })).toThrow(
      RangeError,
    );
  });
});

describe('system records and counts', () => {
  it('treats $-types and $-streams as system records', () => {
    expect(isSystemRecord({ streamId: '$$call-acme.CA1', type: '$metadata' })).toBe(true);
    expect(isSystemRecord({ streamId: '$stats-0.0.0.0:2113', type: 'StatsCollected' })).toBe(true);
    expect(isSystemRecord({ streamId: 'call-acme.CA1', type: '$>' })).toBe(true);
    expect(isSystemRecord({ streamId: 'call-acme.CA1', type: 'CallStarted' })).toBe(false);
  });

  it('accepts absent or non-negative integer counts only', () => {
    expect(checkMaxCount(undefined)).toBeUndefined();
    expect(checkMaxCount(0)).toBe(0);
    expect(checkMaxCount(10)).toBe(10);
    expect(() => checkMaxCount(-1)).toThrow(RangeError);
    expect(() => checkMaxCount(2.5)).toThrow(RangeError);
  });
});
