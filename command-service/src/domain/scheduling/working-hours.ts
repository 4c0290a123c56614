import { MINUTE, normalize, subtract, type Interval } from './intervals.js';
import { DAY, instantsShowing, localDayOf, minutesOf, weekdayOf } from './local-time.js';
import type { WeeklyInterval, WorkingWeek } from './views.js';

const expand = (timeZone: string, weekly: readonly WeeklyInterval[], firstDay: number, lastDay: number) => {
  const intervals: Interval[] = [];
  for (let day = firstDay; day <= lastDay; day += DAY) {
    const weekday = weekdayOf(day);
    for (const w of weekly) {
      if (w.day !== weekday) continue;
      intervals.push(
        ...instantsShowing(timeZone, day + minutesOf(w.open) * MINUTE, day + minutesOf(w.close) * MINUTE),
      );
    }
  }
  return normalize(intervals);
};

/**
 * The time a resource works between `from` and `until` (epoch ms), as normalized UTC intervals: its weekly
 * hours minus its breaks: the instants whose local wall clock reads within each day's hours (a repeated hour counts twice),
 * so a 09:00–17:00 day is eight hours on a DST change day too. Intervals that overlap the range are whole (not
 * clipped), so a slot can be checked against the hours around it.
 */
export const workingIntervals = (week: WorkingWeek, from: number, until: number): Interval[] => {
  // A day's hours can reach into the next local day's range only through its own date: one day either side.
  const firstDay = localDayOf(week.timeZone, from) - DAY;
  const lastDay = localDayOf(week.timeZone, until) + DAY;
  const working = expand(week.timeZone, week.workingHours, firstDay, lastDay);
  const breaks = expand(week.timeZone, week.breaks, firstDay, lastDay);
  return subtract(working, breaks).filter((i) => i.until > from && i.from < until);
};
