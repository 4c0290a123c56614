import { describe, expect, it } from 'vitest';
import { latestSlot } from './schedule.js';

const NY = 'America/New_York';

describe('report schedule slots', () => {
  it('a daily report: today’s slot once its time passed, yesterday’s before; it covers the day before', () => {
    const after = latestSlot({ every: 'day', at: '08:00' }, NY, new Date('2026-11-24T14:00:00Z'));
    expect(after.slot).toBe('2026-11-24T08:00');
    expect(after.dueAt.toISOString()).toBe('2026-11-24T13:00:00.000Z');
    expect(after.range).toEqual({
      from: new Date('2026-11-23T05:00:00Z'),
      to: new Date('2026-11-24T05:00:00Z'),
    });
    const before = latestSlot({ every: 'day', at: '08:00' }, NY, new Date('2026-11-24T12:59:00Z'));
    expect(before.slot).toBe('2026-11-23T08:00');
  });

  it('a weekly report on Mondays covers the seven days before', () => {
    // Tuesday 2026-11-24: the latest Monday 09:30 is the 23rd.
    const slot = latestSlot(
      { every: 'week', at: '09:30', weekday: 1 },
      'UTC',
      new Date('2026-11-24T00:00:00Z'),
    );
    expect(slot.slot).toBe('2026-11-23T09:30');
    expect(slot.range).toEqual({
      from: new Date('2026-11-16T00:00:00Z'),
      to: new Date('2026-11-23T00:00:00Z'),
    });
    // On the Monday itself, before 09:30: the Monday before.
    expect(
      latestSlot({ every: 'week', at: '09:30', weekday: 1 }, 'UTC', new Date('2026-11-23T09:00:00Z')).slot,
    ).toBe('2026-11-16T09:30');
  });

  it('a monthly report covers the previous calendar month, across a year end', () => {
    const slot = latestSlot(
      { every: 'month', at: '07:00', dayOfMonth: 1 },
      'UTC',
      new Date('2027-01-01T08:00:00Z'),
    );
    expect(slot.slot).toBe('2027-01-01T07:00');
    expect(slot.range).toEqual({
      from: new Date('2026-12-01T00:00:00Z'),
      to: new Date('2027-01-01T00:00:00Z'),
    });
    expect(
      latestSlot({ every: 'month', at: '07:00', dayOfMonth: 1 }, 'UTC', new Date('2027-01-01T06:00:00Z'))
        .slot,
    ).toBe('2026-12-01T07:00');
  });

  it('keeps local time across daylight saving changes: the short day is 23 hours, the long one 25', () => {
    // New York springs forward on 2026-03-08 and falls back on 2026-11-01.
    const spring = latestSlot({ every: 'day', at: '08:00' }, NY, new Date('2026-03-09T13:00:00Z'));
    expect(spring.dueAt.toISOString()).toBe('2026-03-09T12:00:00.000Z');
    expect(spring.range.to.getTime() - spring.range.from.getTime()).toBe(23 * 3600_000);
    const fall = latestSlot({ every: 'day', at: '08:00' }, NY, new Date('2026-11-02T14:00:00Z'));
    expect(fall.dueAt.toISOString()).toBe('2026-11-02T13:00:00.000Z');
    expect(fall.range.to.getTime() - fall.range.from.getTime()).toBe(25 * 3600_000);
  });
});
