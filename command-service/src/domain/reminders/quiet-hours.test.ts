import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantOfLocal, localDateTimeAt } from './local-time.js';
import { insideQuietHours, outsideQuietHours } from './quiet-hours.js';

const NIGHT = { from: '21:00', until: '08:00' };
const ZONES = ['America/New_York', 'Europe/Madrid', 'America/Mexico_City', 'Australia/Lord_Howe', 'UTC'];

describe('quiet hours in the recipient’s local time', () => {
  it('moves a message due late in the evening to the next morning, across midnight', () => {
    // 22:30 in New York on 2026-03-02 (EST) is 03:30 UTC on the 3rd.
    const at = Date.parse('2026-03-03T03:30:00Z');
    expect(new Date(outsideQuietHours(at, NIGHT, 'America/New_York')).toISOString()).toBe(
      '2026-03-03T13:00:00.000Z',
    );
  });

  it('moves a message due after midnight to the same morning', () => {
    const at = Date.parse('2026-03-03T06:10:00Z'); // 01:10 in New York
    expect(new Date(outsideQuietHours(at, NIGHT, 'America/New_York')).toISOString()).toBe(
      '2026-03-03T13:00:00.000Z',
    );
  });

  it('leaves a message due in the day alone, and quiet hours with equal bounds are none', () => {
    const at = Date.parse('2026-03-03T15:00:00Z');
    expect(outsideQuietHours(at, NIGHT, 'America/New_York')).toBe(at);
    expect(insideQuietHours({ from: '08:00', until: '08:00' }, 480)).toBe(false);
  });

  it('ends the night at 08:00 local on the days the clock springs forward and falls back', () => {
    // New York springs forward on 2026-03-08 and falls back on 2026-11-01.
    const spring = outsideQuietHours(Date.parse('2026-03-08T04:00:00Z'), NIGHT, 'America/New_York');
    expect(new Date(spring).toISOString()).toBe('2026-03-08T12:00:00.000Z'); // 08:00 EDT
    const fall = outsideQuietHours(Date.parse('2026-11-01T04:30:00Z'), NIGHT, 'America/New_York');
    expect(new Date(fall).toISOString()).toBe('2026-11-01T13:00:00.000Z'); // 08:00 EST
  });

  it('reads a local time the clock skips as the hour after it', () => {
    const at = instantOfLocal({ year: 2026, month: 3, day: 8, minute: 150 }, 'America/New_York');
    expect(new Date(at).toISOString()).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
  });

  it('never moves a message backwards, always out of quiet hours, and by less than a day and an hour', () => {
    const hhmm = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }),
        hhmm,
        hhmm,
        fc.constantFrom(...ZONES),
        (at, from, until, zone) => {
          const quiet = { from, until };
          const moved = outsideQuietHours(at, quiet, zone);
          expect(moved).toBeGreaterThanOrEqual(at);
          expect(moved - at).toBeLessThanOrEqual(25 * 3_600_000);
          const local = localDateTimeAt(moved, zone);
          expect(insideQuietHours(quiet, local.minute)).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
