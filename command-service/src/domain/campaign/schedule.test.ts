import { describe, expect, it } from 'vitest';
import type { CallingWindow } from '@ccp/schemas';
import { DEFAULT_LEGAL_FLOOR, legalFloorOf } from './legal-floor.js';
import {
  callingAllowedAt,
  insideWindows,
  nextCallingWindowOpening,
  windowInsideFloor,
  windowOutsideFloor,
} from './schedule.js';

const EVERY_DAY: CallingWindow['days'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const at = (iso: string) => new Date(iso);
const settings = (windows: CallingWindow[], holidays: string[] = [], timeZone = 'America/New_York') => ({
  windows,
  holidays,
  timeZone,
});

describe('calling windows', () => {
  // Fri 22:00 to Sat 02:00: the hours after midnight belong to Friday, the day it opened.
  const lateFriday: CallingWindow = { days: ['fri'], start: 22 * 60, end: 2 * 60 };
  const FRI = 5;
  const SAT = 6;

  it('a window crossing midnight belongs to the day it opens', () => {
    expect(insideWindows([lateFriday], FRI, 23 * 60)).toBe(true);
    expect(insideWindows([lateFriday], SAT, 60)).toBe(true);
    expect(insideWindows([lateFriday], SAT, 2 * 60)).toBe(false);
    expect(insideWindows([lateFriday], FRI, 60)).toBe(false);
    expect(insideWindows([lateFriday], SAT, 23 * 60)).toBe(false);
  });

  it('a window crossing midnight passes only a floor that allows those hours', () => {
    const nightFloor: CallingWindow[] = [{ days: EVERY_DAY, start: 20 * 60, end: 3 * 60 }];
    expect(windowInsideFloor(lateFriday, nightFloor)).toBe(true);
    expect(windowInsideFloor({ ...lateFriday, end: 4 * 60 }, nightFloor)).toBe(false);
    // Friday's window spills into Saturday: a floor open Friday night but not Saturday morning refuses it.
    const fridayNightOnly: CallingWindow[] = [{ days: ['fri'], start: 20 * 60, end: 1440 }];
    expect(windowInsideFloor(lateFriday, fridayNightOnly)).toBe(false);
    expect(windowInsideFloor(lateFriday, DEFAULT_LEGAL_FLOOR)).toBe(false);
  });

  it('windows are checked against the default floor, 08:00–21:00 every day', () => {
    const ok: CallingWindow = { days: EVERY_DAY, start: 8 * 60, end: 21 * 60 };
    expect(windowOutsideFloor([ok])).toBe(-1);
    expect(windowOutsideFloor([ok, { days: ['mon'], start: 7 * 60 + 59, end: 9 * 60 }])).toBe(1);
    expect(windowOutsideFloor([{ days: ['sat'], start: 20 * 60, end: 21 * 60 + 1 }])).toBe(0);
  });

  it('a window may span touching floor windows but not a gap between them', () => {
    const touching: CallingWindow[] = [
      { days: ['mon'], start: 9 * 60, end: 12 * 60 },
      { days: ['mon'], start: 12 * 60, end: 18 * 60 },
    ];
    expect(windowInsideFloor({ days: ['mon'], start: 10 * 60, end: 17 * 60 }, touching)).toBe(true);
    const france = legalFloorOf('FR');
    expect(windowInsideFloor({ days: ['mon'], start: 10 * 60, end: 13 * 60 }, france)).toBe(true);
    expect(windowInsideFloor({ days: ['mon'], start: 12 * 60, end: 15 * 60 }, france)).toBe(false);
    expect(windowInsideFloor({ days: ['sat'], start: 10 * 60, end: 12 * 60 }, france)).toBe(false);
  });
});

describe('callingAllowedAt', () => {
  const sundayMorning = settings([{ days: ['sun'], start: 8 * 60, end: 9 * 60 }]);

  it('follows the DST change in America/New_York (2026-03-08: 02:00 EST becomes 03:00 EDT)', () => {
    // The Sunday before: 08:30 EST is 13:30Z.
    expect(callingAllowedAt(sundayMorning, [], undefined, at('2026-03-01T13:30:00Z'))).toBe(true);
    expect(callingAllowedAt(sundayMorning, [], undefined, at('2026-03-01T12:30:00Z'))).toBe(false);
    // The change day: 08:30 EDT is 12:30Z, and 13:30Z is already 09:30.
    expect(callingAllowedAt(sundayMorning, [], undefined, at('2026-03-08T12:30:00Z'))).toBe(true);
    expect(callingAllowedAt(sundayMorning, [], undefined, at('2026-03-08T13:30:00Z'))).toBe(false);
  });

  it('the next opening on the DST change day is 08:00 EDT', () => {
    const from = at('2026-03-08T05:00:00Z'); // midnight EST
    expect(nextCallingWindowOpening(sundayMorning, [], undefined, from)?.toISOString()).toBe(
      '2026-03-08T12:00:00.000Z',
    );
    // During a window the opening is now.
    const during = at('2026-03-08T12:15:00Z');
    expect(nextCallingWindowOpening(sundayMorning, [], undefined, during)).toEqual(during);
    // After it, the next Sunday's (EDT still).
    expect(
      nextCallingWindowOpening(sundayMorning, [], undefined, at('2026-03-08T13:00:00Z'))?.toISOString(),
    ).toBe('2026-03-15T12:00:00.000Z');
  });

  it('no call on a holiday in the called person’s local date', () => {
    const weekdays = settings([{ days: EVERY_DAY, start: 9 * 60, end: 17 * 60 }], ['2026-03-04']);
    // 2026-03-04 12:00 in New York: a holiday there.
    expect(callingAllowedAt(weekdays, [], undefined, at('2026-03-04T17:00:00Z'))).toBe(false);
    expect(callingAllowedAt(weekdays, [], undefined, at('2026-03-05T17:00:00Z'))).toBe(true);
    // 2026-03-05 09:30 in Tokyo is 2026-03-05 00:30Z: the 4th is over there.
    expect(callingAllowedAt(weekdays, ['Asia/Tokyo'], undefined, at('2026-03-05T00:30:00Z'))).toBe(true);
    expect(callingAllowedAt(weekdays, ['Asia/Tokyo'], undefined, at('2026-03-04T00:30:00Z'))).toBe(false);
  });

  it('holds every zone of a lead to the windows: New York and Los Angeles', () => {
    const nineToFive = settings([{ days: EVERY_DAY, start: 9 * 60, end: 17 * 60 }]);
    const both = ['America/New_York', 'America/Los_Angeles'];
    expect(callingAllowedAt(nineToFive, both, 'US', at('2026-03-04T14:00:00Z'))).toBe(false); // 09:00 / 06:00
    expect(callingAllowedAt(nineToFive, both, 'US', at('2026-03-04T17:00:00Z'))).toBe(true); // 12:00 / 09:00
    expect(callingAllowedAt(nineToFive, both, 'US', at('2026-03-04T22:30:00Z'))).toBe(false); // 17:30 / 14:30
    expect(nextCallingWindowOpening(nineToFive, both, 'US', at('2026-03-04T14:00:00Z'))?.toISOString()).toBe(
      '2026-03-04T17:00:00.000Z',
    );
  });

  it('applies the country floor inside the campaign windows', () => {
    const wide = settings([{ days: EVERY_DAY, start: 8 * 60, end: 21 * 60 }], [], 'Europe/Paris');
    const paris = ['Europe/Paris'];
    // Monday 2026-03-02, Paris is UTC+1.
    expect(callingAllowedAt(wide, paris, 'FR', at('2026-03-02T11:30:00Z'))).toBe(true); // 12:30
    expect(callingAllowedAt(wide, paris, 'FR', at('2026-03-02T12:30:00Z'))).toBe(false); // 13:30, lunch
    expect(callingAllowedAt(wide, paris, 'FR', at('2026-03-02T08:30:00Z'))).toBe(false); // 09:30
    expect(callingAllowedAt(wide, paris, undefined, at('2026-03-02T08:30:00Z'))).toBe(true); // default floor
    expect(callingAllowedAt(wide, paris, 'FR', at('2026-03-07T11:30:00Z'))).toBe(false); // Saturday
    const berlin = ['Europe/Berlin'];
    expect(callingAllowedAt(wide, berlin, 'DE', at('2026-03-02T19:30:00Z'))).toBe(false); // 20:30
    expect(callingAllowedAt(wide, berlin, 'DE', at('2026-03-02T18:30:00Z'))).toBe(true); // 19:30
    expect(nextCallingWindowOpening(wide, paris, 'FR', at('2026-03-02T12:30:00Z'))?.toISOString()).toBe(
      '2026-03-02T13:00:00.000Z',
    );
  });

  it('a floor given as a parameter replaces the country’s', () => {
    const night = settings([{ days: EVERY_DAY, start: 22 * 60, end: 2 * 60 }], [], 'UTC');
    const nightFloor: CallingWindow[] = [{ days: EVERY_DAY, start: 20 * 60, end: 3 * 60 }];
    expect(callingAllowedAt(night, [], undefined, at('2026-03-02T23:00:00Z'))).toBe(false);
    expect(callingAllowedAt(night, [], undefined, at('2026-03-02T23:00:00Z'), nightFloor)).toBe(true);
    expect(callingAllowedAt(night, [], undefined, at('2026-03-03T01:30:00Z'), nightFloor)).toBe(true);
  });

  it('finds no opening within 14 days when every opening day is a holiday', () => {
    const mondays = settings([{ days: ['mon'], start: 9 * 60, end: 10 * 60 }], ['2026-03-09', '2026-03-16']);
    expect(nextCallingWindowOpening(mondays, [], undefined, at('2026-03-03T00:00:00Z'))).toBeUndefined();
    expect(nextCallingWindowOpening(mondays, [], undefined, at('2026-03-01T00:00:00Z'))?.toISOString()).toBe(
      '2026-03-02T14:00:00.000Z',
    );
  });
});
