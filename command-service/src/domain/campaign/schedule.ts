import { wallClockAt, wallClockToInstant, type CallingWindow, type CampaignSettings } from '@ccp/schemas';
import { DEFAULT_LEGAL_FLOOR, legalFloorOf, type LegalFloor } from './legal-floor.js';

/** What the calling rules read of a campaign's settings. */
export type ScheduleSettings = Pick<CampaignSettings, 'windows' | 'holidays' | 'timeZone'>;

const DAY_INDEX: Readonly<Record<CallingWindow['days'][number], number>> = {
  sun: 0,
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
};
const DAY_MINUTES = 1440;
const LOOKAHEAD_DAYS = 14;

const opensOn = (window: CallingWindow, weekday: number): boolean =>
  window.days.some((d) => DAY_INDEX[d] === weekday);

/**
 * Whether a local weekday (0 = Sunday) and minute of the day fall inside one of the windows. A window whose end
 * is before its start crosses midnight: its early-morning part belongs to the day before, the day it opened.
 */
export const insideWindows = (windows: readonly CallingWindow[], weekday: number, minute: number): boolean =>
  windows.some((w) => {
    if (w.end > w.start) return opensOn(w, weekday) && minute >= w.start && minute < w.end;
    return (opensOn(w, weekday) && minute >= w.start) || (opensOn(w, (weekday + 6) % 7) && minute < w.end);
  });

/** A window's minutes split per weekday: [weekday, from, to) pieces, the part after midnight on the next day. */
const pieces = (window: CallingWindow): [number, number, number][] =>
  window.days.flatMap((day): [number, number, number][] => {
    const weekday = DAY_INDEX[day];
    if (window.end > window.start) return [[weekday, window.start, window.end]];
    return [
      [weekday, window.start, DAY_MINUTES],
      [(weekday + 1) % 7, 0, window.end],
    ];
  });

/** Whether every minute of `window` lies inside the floor (the floor's own windows may touch end to start). */
export const windowInsideFloor = (window: CallingWindow, floor: LegalFloor): boolean => {
  const floorPieces = floor.flatMap(pieces);
  return pieces(window).every(([weekday, from, to]) => {
    const covering = floorPieces
      .filter(([d]) => d === weekday)
      .map(([, a, b]) => [a, b] as const)
      .sort((x, y) => x[0] - y[0]);
    let reached = from;
    for (const [a, b] of covering) {
      if (a > reached) break;
      reached = Math.max(reached, b);
      if (reached >= to) return true;
    }
    return reached >= to;
  });
};

/** The index of the first window not inside the floor (the default one unless given), or -1 when all are. */
export const windowOutsideFloor = (
  windows: readonly CallingWindow[],
  floor: LegalFloor = DEFAULT_LEGAL_FLOOR,
): number => windows.findIndex((w) => !windowInsideFloor(w, floor));

const pad = (n: number): string => String(n).padStart(2, '0');

/** The calendar date (YYYY-MM-DD) in `timeZone` at `instant`. */
export const localDateAt = (instant: Date, timeZone: string): string => {
  const w = wallClockAt(instant, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
};

const allowedInZone = (
  settings: ScheduleSettings,
  timeZone: string,
  floor: LegalFloor,
  instant: Date,
): boolean => {
  const w = wallClockAt(instant, timeZone);
  const minute = w.hour * 60 + w.minute;
  if (!insideWindows(settings.windows, w.weekday, minute)) return false;
  if (!insideWindows(floor, w.weekday, minute)) return false;
  return !settings.holidays.includes(`${w.year}-${pad(w.month)}-${pad(w.day)}`);
};

/**
 * Whether a campaign may call someone at `instant`: in EVERY zone they may be in (the campaign's own when none
 * is known) the local time is inside one of the campaign's windows and inside the legal floor of their country,
 * and the local date is not one of the campaign's holidays. A person whose zone is uncertain is called only
 * when the call is proper wherever they are.
 */
export const callingAllowedAt = (
  settings: ScheduleSettings,
  zones: readonly string[],
  country: string | undefined,
  instant: Date,
  floor: LegalFloor = legalFloorOf(country),
): boolean => {
  const effective = zones.length > 0 ? zones : [settings.timeZone];
  return effective.every((zone) => allowedInZone(settings, zone, floor, instant));
};

/**
 * The first instant from `from` on (itself when calling is allowed then) at which `callingAllowedAt` holds,
 * looking at most 14 days ahead; undefined when there is none. Calling opens only where some window or floor
 * opens, or a day (a holiday) begins, in one of the zones, so only those local times are tried, each turned
 * into an instant with the offset in force that day (DST changes included).
 */
export const nextCallingWindowOpening = (
  settings: ScheduleSettings,
  zones: readonly string[],
  country: string | undefined,
  from: Date,
  floor: LegalFloor = legalFloorOf(country),
): Date | undefined => {
  if (callingAllowedAt(settings, zones, country, from, floor)) return from;
  const effective = zones.length > 0 ? zones : [settings.timeZone];
  const openings = [...new Set([0, ...settings.windows.map((w) => w.start), ...floor.map((w) => w.start)])];
  const horizon = from.getTime() + LOOKAHEAD_DAYS * 86_400_000;
  const candidates = new Set<number>();
  for (const zone of effective) {
    const today = wallClockAt(from, zone);
    for (let offset = -1; offset <= LOOKAHEAD_DAYS + 1; offset += 1) {
      const day = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
      for (const minute of openings) {
        const instant = wallClockToInstant(
          {
            year: day.getUTCFullYear(),
            month: day.getUTCMonth() + 1,
            day: day.getUTCDate(),
            hour: Math.floor(minute / 60),
            minute: minute % 60,
          },
          zone,
        ).getTime();
        if (instant > from.getTime() && instant <= horizon) candidates.add(instant);
      }
    }
  }
  const found = [...candidates]
    .sort((a, b) => a - b)
    .find((t) => callingAllowedAt(settings, zones, country, new Date(t), floor));
  return found === undefined ? undefined : new Date(found);
};
