/**
 * Wall-clock arithmetic in a time zone with nothing but Intl: what the local date and minute of an instant are,
 * and which instant a local date and time is. Quiet hours are a rule about the recipient's clock, so they are
 * judged there, across midnight and on the days the clock jumps.
 */

export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** Minutes since local midnight. */
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
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

const partsAt = (instant: number, timeZone: string) => {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
};

export const localDateTimeAt = (instant: number, timeZone: string): LocalDateTime => {
  const p = partsAt(instant, timeZone);
  return { year: p.year, month: p.month, day: p.day, minute: p.hour * 60 + p.minute };
};

/** How far the zone's clock is ahead of UTC at an instant, in milliseconds. */
const offsetAt = (instant: number, timeZone: string): number => {
  const p = partsAt(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (instant - (((instant % 1000) + 1000) % 1000));
};

/**
 * The instant a local date and minute stands for. A time skipped when the clock springs forward is read with
 * the offset before the jump (02:30 becomes 03:30); a time repeated when it falls back is its first occurrence.
 */
export const instantOfLocal = (local: LocalDateTime, timeZone: string): number => {
  const wall = Date.UTC(local.year, local.month - 1, local.day, 0, local.minute);
  const before = offsetAt(wall - 86_400_000 / 2, timeZone);
  const after = offsetAt(wall + 86_400_000 / 2, timeZone);
  // Both candidates are tried; the earliest that reads back as the wall time wins.
  for (const offset of [Math.max(before, after), Math.min(before, after)]) {
    const candidate = wall - offset;
    if (offsetAt(candidate, timeZone) === offset) return candidate;
  }
  return wall - before;
};

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
