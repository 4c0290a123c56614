import { describe, expect, it } from 'vitest';
import { daysOf, instantOf, mondayOf, rangeOf, snap, stepOf, wallOf } from './calendar-time';

describe('calendar arithmetic on the tenant wall clock', () => {
  it('reads an instant as the day and minutes of the zone', () => {
    expect(wallOf('2026-12-07T14:30:00.000Z', 'America/New_York')).toEqual({
      date: '2026-12-07',
      minutes: 570,
    });
    expect(wallOf('2026-12-07T03:15:00.000Z', 'America/New_York')).toEqual({
      date: '2026-12-06',
      minutes: 22 * 60 + 15,
    });
  });

  it('turns a wall-clock time back into its instant, across a daylight-saving change', () => {
    expect(instantOf('2026-12-07', 570, 'America/New_York')).toBe('2026-12-07T14:30:00.000Z');
    expect(instantOf('2026-07-07', 570, 'America/New_York')).toBe('2026-07-07T13:30:00.000Z');
  });

  it('lays out a day, a week from Monday and the whole weeks of a month', () => {
    expect(daysOf('day', '2026-12-09')).toEqual(['2026-12-09']);
    expect(mondayOf('2026-12-06')).toBe('2026-11-30');
    expect(daysOf('week', '2026-12-09')).toEqual([
      '2026-12-07',
      '2026-12-08',
      '2026-12-09',
      '2026-12-10',
      '2026-12-11',
      '2026-12-12',
      '2026-12-13',
    ]);
    const month = daysOf('month', '2026-12-15');
    expect(month.length % 7).toBe(0);
    expect(month[0]).toBe('2026-11-30');
    expect(month.at(-1)).toBe('2027-01-03');
  });

  it('steps by the view and covers the shown days in the zone', () => {
    expect(stepOf('month', '2026-01-31', 1)).toBe('2026-02-01');
    expect(stepOf('week', '2026-12-09', -1)).toBe('2026-12-02');
    expect(rangeOf(['2026-12-07', '2026-12-08'], 'Europe/Madrid')).toEqual({
      from: '2026-12-06T23:00:00.000Z',
      until: '2026-12-08T23:00:00.000Z',
    });
    expect(snap(44)).toBe(30);
  });
});
