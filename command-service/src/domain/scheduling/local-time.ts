import { offsetMinutes } from '@ccp/schemas';
import { MINUTE, type Interval } from './intervals.js';
import type { Weekday } from './views.js';

const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * Offsets by zone and UTC hour. Every zone in use changes its offset on a quarter hour at most once an hour,
 * so an hour whose first and last minute share an offset has it throughout; availability asks for thousands of
 * local times per query, and Intl costs microseconds each. Bounded so a long-running process does not grow.
 */
const offsets = new Map<string, Map<number, number>>();
const MAX_HOURS_PER_ZONE = 100_000;

/** Minutes east of UTC in `timeZone` at epoch millisecond `t`. */
export const offsetAt = (timeZone: string, t: number): number => {
  let zone = offsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsets.set(timeZone, zone);
  }
  const hour = Math.floor(t / HOUR);
  let offset = zone.get(hour);
  if (offset === undefined) {
    const first = offsetMinutes(timeZone, new Date(hour * HOUR));
    const last = offsetMinutes(timeZone, new Date(hour * HOUR + HOUR - MINUTE));
    offset = first === last ? first : NaN;
    if (zone.size >= MAX_HOURS_PER_ZONE) zone.clear();
    zone.set(hour, offset);
  }
  return Number.isNaN(offset) ? offsetMinutes(timeZone, new Date(t)) : offset;
};

/** The local wall clock at `t` as a UTC-based millisecond count (its UTC fields are the local fields). */
export const localAt = (timeZone: string, t: number): number => t + offsetAt(timeZone, t) * MINUTE;

/** Local midnight of the local day holding `t`, as a UTC-based millisecond count. */
export const localDayOf = (timeZone: string, t: number): number => {
  const local = localAt(timeZone, t);
  return local - (((local % DAY) + DAY) % DAY);
};

/** The first minute in [from, until) whose offset `is` (or is not) `offset`, the range's offset changing once. */
const firstMinute = (timeZone: string, from: number, until: number, offset: number, is: boolean): number => {
  let low = from;
  let high = until;
  while (high - low > MINUTE) {
    const mid = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
    if ((offsetAt(timeZone, mid) === offset) === is) high = mid;
    else low = mid;
  }
  return (offsetAt(timeZone, low) === offset) === is ? low : high;
};

/**
 * The instants at which the wall clock reads from `localFrom` up to `localUntil` (UTC-based millisecond
 * counts): one interval on most days, two when a DST change repeats part of the range (both occurrences
 * count), and the part after the jump when it skips part of it (hours opening at 02:30 on the spring-forward
 * night open at 03:00). The offsets a day either side bracket any change near the range: zones change at most
 * twice a year, so each offset covers one stretch of the range.
 */
export const instantsShowing = (timeZone: string, localFrom: number, localUntil: number): Interval[] => {
  const offsets = new Set(
    [localFrom - DAY, localFrom, localUntil, localUntil + DAY].map((t) => offsetAt(timeZone, t)),
  );
  const pieces: Interval[] = [];
  for (const offset of offsets) {
    const from = localFrom - offset * MINUTE;
    const until = localUntil - offset * MINUTE;
    if (until <= from) continue;
    const startsIn = offsetAt(timeZone, from) === offset;
    const endsIn = offsetAt(timeZone, until - MINUTE) === offset;
    if (startsIn && endsIn) pieces.push({ from, until });
    else if (startsIn) pieces.push({ from, until: firstMinute(timeZone, from, until, offset, false) });
    else if (endsIn) pieces.push({ from: firstMinute(timeZone, from, until, offset, true), until });
  }
  return pieces.sort((a, b) => a.from - b.from);
};

const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The weekday of a local midnight (a UTC-based millisecond count). */
export const weekdayOf = (localDay: number): Weekday => WEEKDAYS[new Date(localDay).getUTCDay()]!;

/** Minutes since midnight of an HH:MM time of day. */
export const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
