import { instantOfWallClock } from '../../utils/dates';

/**
 * Calendar arithmetic on the tenant's wall clock. Days are 'YYYY-MM-DD' strings in the tenant's zone and a time
 * of day is minutes from that day's midnight, so a week view shows the clinic's hours whatever zone the browser
 * is in, and a daylight-saving change moves nothing on screen.
 */
export type CalendarMode = 'day' | 'week' | 'month';

const pad = (n: number): string => String(n).padStart(2, '0');

export interface WallTime {
  /** 'YYYY-MM-DD' */
  date: string;
  /** Minutes from midnight. */
  minutes: number;
}

export const wallOf = (iso: string, timeZone: string): WallTime => {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(iso));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
};

/** The instant of a wall-clock time in the zone, as an ISO UTC string. */
export const instantOf = (date: string, minutes: number, timeZone: string): string =>
  instantOfWallClock(`${date} ${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`, timeZone).toISOString();

const utcOf = (date: string): Date => new Date(`${date}T00:00:00Z`);
const dateOf = (d: Date): string =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

export const addDays = (date: string, days: number): string => {
  const d = utcOf(date);
  d.setUTCDate(d.getUTCDate() + days);
  return dateOf(d);
};

/** Monday of the date's week (the API's weekdays start on Monday). */
export const mondayOf = (date: string): string => addDays(date, -((utcOf(date).getUTCDay() + 6) % 7));

export const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const weekdayOf = (date: string): (typeof WEEKDAY_KEYS)[number] =>
  WEEKDAY_KEYS[(utcOf(date).getUTCDay() + 6) % 7] ?? 'mon';

/** The days a view shows: one, a week from Monday, or the whole weeks that cover the month. */
export const daysOf = (mode: CalendarMode, anchor: string): string[] => {
  if (mode === 'day') return [anchor];
  if (mode === 'week') return Array.from({ length: 7 }, (_, i) => addDays(mondayOf(anchor), i));
  const first = `${anchor.slice(0, 8)}01`;
  const start = mondayOf(first);
  const next = utcOf(first);
  next.setUTCMonth(next.getUTCMonth() + 1);
  const days: string[] = [];
  for (let day = start; day < dateOf(next) || days.length % 7 !== 0; day = addDays(day, 1)) days.push(day);
  return days;
};

/** The anchor a step back or on lands on. */
export const stepOf = (mode: CalendarMode, anchor: string, direction: 1 | -1): string => {
  if (mode === 'day') return addDays(anchor, direction);
  if (mode === 'week') return addDays(anchor, 7 * direction);
  const d = utcOf(`${anchor.slice(0, 8)}01`);
  d.setUTCMonth(d.getUTCMonth() + direction);
  return dateOf(d);
};

/** The range [from, until) the view covers, as instants for GET /api/appointments. */
export const rangeOf = (days: readonly string[], timeZone: string): { from: string; until: string } => ({
  from: instantOf(days[0] ?? '1970-01-01', 0, timeZone),
  until: instantOf(addDays(days.at(-1) ?? '1970-01-01', 1), 0, timeZone),
});

export const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Rounds to the grid's step (15 minutes), down. */
export const snap = (minutes: number, step = 15): number => Math.floor(minutes / step) * step;
