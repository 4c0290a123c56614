import { wallClockAt, wallClockToInstant, type BusinessHours } from '@ccp/schemas';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** The weekday and HH:MM of an instant in an IANA time zone. */
export const localTime = (at: Date, timeZone: string): { day: string; time: string } => {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const day = part('weekday').toLowerCase().slice(0, 3);
  return { day: WEEKDAYS.find((d) => d === day) ?? day, time: `${part('hour')}:${part('minute')}` };
};

/** Whether the hours are open at an instant; the hours' own time zone wins over the owner's. */
export const isOpen = (hours: BusinessHours, ownerTimeZone: string, at: Date): boolean => {
  const { day, time } = localTime(at, hours.timeZone ?? ownerTimeZone);
  return hours.weekly.some(
    (interval) => interval.day === day && interval.open <= time && time < interval.close,
  );
};

/**
 * When the hours are open next: `at` itself while open, else the start of the next opening interval within a
 * week (undefined for hours that never open). Each day's opening is converted with that day's offset, so a
 * DST change between now and then lands on the right instant.
 */
export const nextOpening = (hours: BusinessHours, ownerTimeZone: string, at: Date): Date | undefined => {
  if (isOpen(hours, ownerTimeZone, at)) return at;
  const timeZone = hours.timeZone ?? ownerTimeZone;
  const today = wallClockAt(at, timeZone);
  for (let ahead = 0; ahead <= 7; ahead += 1) {
    // Calendar arithmetic on the wall date (UTC fields only), not on instants, so DST does not shift days.
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + ahead));
    const day = WEEKDAYS[date.getUTCDay()];
    const opens = hours.weekly
      .filter((interval) => interval.day === day)
      .map((interval) => interval.open)
      .sort();
    for (const open of opens) {
      const [hour, minute] = open.split(':').map(Number);
      const instant = wallClockToInstant(
        {
          year: date.getUTCFullYear(),
          month: date.getUTCMonth() + 1,
          day: date.getUTCDate(),
          hour: hour ?? 0,
          minute: minute ?? 0,
        },
        timeZone,
      );
      if (instant > at) return instant;
    }
  }
  return undefined;
};
