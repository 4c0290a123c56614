import type { Interval } from '../api/types';

const pad = (n: number): string => String(n).padStart(2, '0');

/** 'YYYY-MM-DD' of an instant in the browser's time zone (what a date input shows). */
export const dateInputOf = (iso: string | undefined): string => {
  if (iso === undefined) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
};

/** The instant a date input's day starts at, or the next day's start (a range's exclusive end). */
export const instantOfDate = (value: string, nextDay = false): string | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const d = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + (nextDay ? 1 : 0));
  return d.toISOString();
};

/** The last day a range with an exclusive end covers, as a date input shows it. */
export const lastDayInputOf = (iso: string | undefined): string =>
  iso === undefined ? '' : dateInputOf(new Date(Date.parse(iso) - 1).toISOString());

/** 'YYYY-MM-DDTHH:mm' for a datetime-local input. */
export const dateTimeInputOf = (iso: string | undefined): string => {
  if (iso === undefined) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${dateInputOf(iso)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

export const instantOfDateTime = (value: string): string | undefined => {
  if (value === '') return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
};

/** How far a wall clock in `timeZone` is from UTC at an instant, in milliseconds. */
const offsetAt = (instant: number, timeZone: string): number => {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
};

/**
 * The instant a wall-clock time ('YYYY-MM-DD hh:mm:ss', as report buckets are labelled) names in a time zone.
 * Two passes settle the offset across a daylight-saving change.
 */
export const instantOfWallClock = (wall: string, timeZone: string): Date => {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/.exec(wall);
  if (!m) return new Date(Number.NaN);
  const asUtc = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  );
  let instant = asUtc - offsetAt(asUtc, timeZone);
  instant = asUtc - offsetAt(instant, timeZone);
  return new Date(instant);
};

/** The start of the bucket after `wall` (same wall-clock time an hour, a day or a week later). */
export const nextBucket = (wall: string, interval: Interval): string => {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?/.exec(wall);
  if (!m) return wall;
  const d = new Date(
    Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)),
  );
  if (interval === 'hour') d.setUTCHours(d.getUTCHours() + 1);
  else d.setUTCDate(d.getUTCDate() + (interval === 'week' ? 7 : 1));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}`;
};

/** A bucket label for an axis: the date, and the hour when buckets are hours. */
export const bucketLabel = (wall: string, interval: Interval): string =>
  interval === 'hour' ? wall.slice(5, 16) : wall.slice(0, 10);
