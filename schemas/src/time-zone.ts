/** Wall-clock fields of an instant in an IANA time zone; month is 1-12, hour 0-23. */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The wall clock (and weekday, 0 = Sunday) in `timeZone` at `instant`. */
export const wallClockAt = (instant: Date, timeZone: string): WallClock & { readonly weekday: number } => {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const field = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? NaN);
  const weekday = parts.find((p) => p.type === 'weekday')?.value ?? '';
  return {
    year: field('year'),
    month: field('month'),
    day: field('day'),
    hour: field('hour') % 24,
    minute: field('minute'),
    weekday: WEEKDAYS.indexOf(weekday),
  };
};

/** Minutes east of UTC in `timeZone` at `instant` (New York in July: -240), DST included. */
export const offsetMinutes = (timeZone: string, instant: Date): number => {
  const whole = new Date(Math.floor(instant.getTime() / 60_000) * 60_000);
  const w = wallClockAt(whole, timeZone);
  return Math.round((Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - whole.getTime()) / 60_000);
};

/**
 * The instant at which the wall clock in `timeZone` shows `wall`. The offset is looked up at the target time,
 * not now, so "March 10 at 3pm" is EDT even when asked in EST. A wall time skipped by a DST change (2:30 on
 * the spring-forward night) lands an hour later, as clocks do; a repeated one takes the first occurrence.
 */
export const wallClockToInstant = (wall: WallClock, timeZone: string): Date => {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const first = naive - offsetMinutes(timeZone, new Date(naive)) * 60_000;
  const second = naive - offsetMinutes(timeZone, new Date(first)) * 60_000;
  if (first === second) return new Date(first);
  // Near a transition the two guesses differ: keep the one whose wall clock is the one asked for.
  const matches = (t: number): boolean => {
    const w = wallClockAt(new Date(t), timeZone);
    return w.hour === wall.hour && w.minute === wall.minute && w.day === wall.day;
  };
  if (matches(second) && matches(first)) return new Date(Math.min(first, second));
  if (matches(second)) return new Date(second);
  if (matches(first)) return new Date(first);
  return new Date(Math.max(first, second));
};

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

/** ISO 8601 in the zone's local time with its offset: 2025-03-10T15:00:00-04:00 (what tools take). */
export const isoWithOffset = (instant: Date, timeZone: string): string => {
  const offset = offsetMinutes(timeZone, instant);
  const w = wallClockAt(instant, timeZone);
  const sign = offset < 0 ? '-' : '+';
  return (
    `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:00` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
};

/** The same calendar day in the zone. */
export const sameLocalDay = (a: Date, b: Date, timeZone: string): boolean => {
  const x = wallClockAt(a, timeZone);
  const y = wallClockAt(b, timeZone);
  return x.year === y.year && x.month === y.month && x.day === y.day;
};
