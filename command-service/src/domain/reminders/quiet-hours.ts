import { instantOfLocal, localDateTimeAt, nextLocalDate } from './local-time.js';

export interface QuietHours {
  /** HH:MM local: quiet from here… */
  readonly from: string;
  /** …until here (the next day when it is earlier than `from`). */
  readonly until: string;
}

const minuteOf = (hhmm: string): number => {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/** Whether a local minute of the day is inside quiet hours; equal bounds mean there are none. */
export const insideQuietHours = (quiet: QuietHours, minute: number): boolean => {
  const from = minuteOf(quiet.from);
  const until = minuteOf(quiet.until);
  if (from === until) return false;
  return from < until ? minute >= from && minute < until : minute >= from || minute < until;
};

/**
 * The first instant at or after `at` outside the recipient's quiet hours: `at` itself, or the end of the quiet
 * hours it falls in (that same local morning when it is already past midnight, else the next one).
 */
export const outsideQuietHours = (at: number, quiet: QuietHours, timeZone: string): number => {
  const local = localDateTimeAt(at, timeZone);
  if (!insideQuietHours(quiet, local.minute)) return at;
  const until = minuteOf(quiet.until);
  const day = local.minute < until ? local : nextLocalDate(local);
  const end = instantOfLocal({ ...day, minute: until }, timeZone);
  // In an hour the clock repeats (it falls back), the end named by the wall clock may be the first occurrence,
  // already behind us: the second one is as many minutes ahead as the clock says.
  return end > at ? end : at + (until - local.minute) * 60_000;
};
