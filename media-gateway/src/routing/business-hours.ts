import type { BusinessHours } from '@ccp/schemas';

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
