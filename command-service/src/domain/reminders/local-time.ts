import { wallClockAt, wallClockToInstant } from '@ccp/schemas';

/**
 * A recipient's local date and minute of day. Quiet hours are a rule about the recipient's clock, so they are
 * judged there, across midnight and on the days the clock jumps; the zone arithmetic itself is the schemas' one.
 */
export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** Minutes since local midnight. */
  readonly minute: number;
}

export const localDateTimeAt = (instant: number, timeZone: string): LocalDateTime => {
  const w = wallClockAt(new Date(instant), timeZone);
  return { year: w.year, month: w.month, day: w.day, minute: w.hour * 60 + w.minute };
};

/**
 * The instant a local date and minute stands for. A time skipped when the clock springs forward lands an hour
 * later (02:30 becomes 03:30); a time repeated when it falls back is its first occurrence.
 */
export const instantOfLocal = (local: LocalDateTime, timeZone: string): number =>
  wallClockToInstant(
    {
      year: local.year,
      month: local.month,
      day: local.day,
      hour: Math.floor(local.minute / 60),
      minute: local.minute % 60,
    },
    timeZone,
  ).getTime();

/** The local calendar date after the given one. */
export const nextLocalDate = (local: LocalDateTime): LocalDateTime => {
  const next = new Date(Date.UTC(local.year, local.month - 1, local.day + 1));
  return {
    year: next.getUTCFullYear(),
    month: next.getUTCMonth() + 1,
    day: next.getUTCDate(),
    minute: local.minute,
  };
};
