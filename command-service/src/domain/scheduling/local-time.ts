import { offsetMinutes } from '@ccp/schemas';
import { MINUTE } from './intervals.js';
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

const shows = (timeZone: string, t: number, local: number): boolean => localAt(timeZone, t) === local;

/**
 * The instant at which the wall clock shows `local` (a UTC-based millisecond count), or undefined when that
 * wall time does not exist (skipped by a DST change). A wall time that occurs twice is its first occurrence.
 */
export const instantOf = (timeZone: string, local: number): number | undefined => {
  const first = local - offsetAt(timeZone, local) * MINUTE;
  const second = local - offsetAt(timeZone, first) * MINUTE;
  const a = Math.min(first, second);
  const b = Math.max(first, second);
  if (shows(timeZone, a, local)) return a;
  if (shows(timeZone, b, local)) return b;
  return undefined;
};

/**
 * Like instantOf, but a wall time skipped by a DST change is the instant the clock jumped over it (a day's
 * hours opening at 02:30 on the spring-forward night open at 03:00): used for the ends of working hours.
 */
export const boundaryInstant = (timeZone: string, local: number): number => {
  const exact = instantOf(timeZone, local);
  if (exact !== undefined) return exact;
  // The jump lies between the two guesses: the first minute whose wall clock is past `local`.
  let low = local - offsetAt(timeZone, local) * MINUTE - 3 * HOUR;
  let high = low + 6 * HOUR;
  while (high - low > MINUTE) {
    const mid = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
    if (localAt(timeZone, mid) > local) high = mid;
    else low = mid;
  }
  return high;
};

const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The weekday of a local midnight (a UTC-based millisecond count). */
export const weekdayOf = (localDay: number): Weekday => WEEKDAYS[new Date(localDay).getUTCDay()]!;

/** Minutes since midnight of an HH:MM time of day. */
export const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
