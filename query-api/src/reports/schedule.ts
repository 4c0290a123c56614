import type { z } from 'zod';
import { wallClockAt, wallClockToInstant, type ReportSchedule, type WallClock } from '@ccp/schemas';

type Schedule = z.infer<typeof ReportSchedule>;

export interface Slot {
  /** The slot's local time in the tenant's zone, 'YYYY-MM-DDTHH:MM': one delivery per slot. */
  readonly slot: string;
  readonly dueAt: Date;
  /** The period the slot reports on: the local day, week (Monday to Monday) or month just ended. */
  readonly range: { readonly from: Date; readonly to: Date };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Calendar arithmetic on local dates, through UTC so months and years roll over by themselves. */
const addDays = (d: { year: number; month: number; day: number }, days: number) => {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
};
const addMonths = (d: { year: number; month: number }, months: number) => {
  const t = new Date(Date.UTC(d.year, d.month - 1 + months, 1));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: 1 };
};
const weekdayOf = (d: { year: number; month: number; day: number }): number => {
  const sunday0 = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
  return sunday0 === 0 ? 7 : sunday0;
};
const midnight = (d: { year: number; month: number; day: number }): WallClock => ({
  ...d,
  hour: 0,
  minute: 0,
});

/**
 * The latest slot of a schedule at or before `now`, in the tenant's time zone, and the period it covers: a
 * daily report at 08:00 on the 24th covers the 23rd; a weekly one covers the seven days before its day; a
 * monthly one the previous calendar month. Local midnights are instants of their own day, DST included.
 */
export const latestSlot = (schedule: Schedule, timeZone: string, now: Date): Slot => {
  const [hour = 0, minute = 0] = schedule.at.split(':').map(Number);
  const today = wallClockAt(now, timeZone);
  const at = (d: { year: number; month: number; day: number }) =>
    wallClockToInstant({ ...d, hour, minute }, timeZone);

  let day: { year: number; month: number; day: number };
  if (schedule.every === 'day') {
    day = { year: today.year, month: today.month, day: today.day };
    if (at(day).getTime() > now.getTime()) day = addDays(day, -1);
  } else if (schedule.every === 'week') {
    const target = schedule.weekday ?? 1;
    const base = { year: today.year, month: today.month, day: today.day };
    day = addDays(base, -((weekdayOf(base) - target + 7) % 7));
    if (at(day).getTime() > now.getTime()) day = addDays(day, -7);
  } else {
    const dom = schedule.dayOfMonth ?? 1;
    day = { year: today.year, month: today.month, day: dom };
    if (at(day).getTime() > now.getTime()) day = { ...addMonths(day, -1), day: dom };
  }

  const to =
    schedule.every === 'month'
      ? wallClockToInstant(midnight({ ...day, day: 1 }), timeZone)
      : wallClockToInstant(midnight(day), timeZone);
  const from =
    schedule.every === 'day'
      ? wallClockToInstant(midnight(addDays(day, -1)), timeZone)
      : schedule.every === 'week'
        ? wallClockToInstant(midnight(addDays(day, -7)), timeZone)
        : wallClockToInstant(midnight(addMonths(day, -1)), timeZone);
  return {
    slot: `${day.year}-${pad(day.month)}-${pad(day.day)}T${pad(hour)}:${pad(minute)}`,
    dueAt: at(day),
    range: { from, to },
  };
};
