import { wallClockAt } from '@ccp/schemas';
import { hoursInDigits, timeMentions } from './clock.js';
import { type Day, type DayMention, dayMentions } from './days.js';
import { languageOf, plain } from './text.js';

const partsOf = (at: Date, timeZone: string, locale: string): Record<string, string> => {
  const parts = new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    hourCycle: locale === 'es' ? 'h23' : 'h12',
  }).formatToParts(at);
  return Object.fromEntries(parts.map((p) => [p.type, p.value]));
};

/** The slot as the gateway reads it back: "Tuesday, December 8 at 3:00 PM" / "el martes 8 de diciembre a las 15:00". */
export const slotReadBack = (startsAt: string, timeZone: string, language: string): string => {
  const at = new Date(startsAt);
  if (languageOf(language) === 'es') {
    const p = partsOf(at, timeZone, 'es');
    const article = p.hour === '01' || p.hour === '1' ? 'a la' : 'a las';
    return `el ${p.weekday} ${p.day} de ${p.month} ${article} ${p.hour}:${p.minute}`;
  }
  const p = partsOf(at, timeZone, 'en-US');
  return `${p.weekday}, ${p.month} ${p.day} at ${p.hour}:${p.minute} ${(p.dayPeriod ?? '').toUpperCase()}`;
};

interface Group {
  /** Introduced by "from"/"de"/"desde": the time a reschedule moves away from, not the one asked about. */
  readonly from: boolean;
  readonly days: DayMention[];
  readonly times: (readonly number[])[];
}

/** Mentions in order; a day after a group that already has a day and a time starts the next group. */
const groupsOf = (
  text: string,
  days: readonly DayMention[],
  times: readonly { start: number; minutes: readonly number[] }[],
): Group[] => {
  const mentions = [
    ...days.map((d) => ({ start: d.start, day: d, minutes: undefined })),
    ...times.map((t) => ({ start: t.start, day: undefined, minutes: t.minutes })),
  ].sort((a, b) => a.start - b.start);
  const groups: Group[] = [];
  let current: Group | undefined;
  for (const mention of mentions) {
    if (mention.day) {
      if (!current || (current.days.length > 0 && current.times.length > 0)) {
        const before = text.slice(0, mention.start);
        current = { from: /\b(?:from|desde|de)\s+(?:(?:on|the|el)\s+)?$/.test(before), days: [], times: [] };
        groups.push(current);
      }
      current.days.push(mention.day);
    } else if (mention.minutes) {
      if (!current) {
        current = { from: false, days: [], times: [] };
        groups.push(current);
      }
      current.times.push(mention.minutes);
    }
  }
  return groups;
};

const dayOf = (at: Date, timeZone: string): Day => {
  const w = wallClockAt(at, timeZone);
  return { year: w.year, month: w.month, day: w.day, weekday: w.weekday };
};

/**
 * Whether text read this exact slot back: one group of day and time names the slot's day (weekday, date,
 * today/tomorrow in the zone) and only its time, and no other group names another time (a reschedule's
 * "from …" is the old time and does not count). Saying two times leaves a "yes" ambiguous, so it is no read-back.
 */
export const readsBackSlot = (text: string, startsAt: string, timeZone: string, now: Date): boolean => {
  const at = new Date(startsAt);
  if (Number.isNaN(at.getTime())) return false;
  const w = wallClockAt(at, timeZone);
  const slotMinutes = w.hour * 60 + w.minute;
  const slotDay = dayOf(at, timeZone);
  const lower = hoursInDigits(plain(text));
  const times = timeMentions(lower, true);
  const days = dayMentions(lower, dayOf(now, timeZone), times);
  const groups = groupsOf(lower, days, times).filter((g) => !g.from);
  const timeFits = (minutes: readonly number[]): boolean => minutes.includes(slotMinutes);
  const fits = (g: Group): boolean =>
    g.days.length > 0 &&
    g.days.every((d) => d.matches(slotDay)) &&
    g.times.length > 0 &&
    g.times.every(timeFits);
  return groups.some(fits) && groups.every((g) => g.times.length === 0 || fits(g));
};

/**
 * Whether text names a time of day at all ('none'), and if so whether it is this slot ('fits': read back with its
 * day, or only its time when no day is said, "booked for 3 PM") or another ('other').
 */
export const namesSlot = (
  text: string,
  startsAt: string,
  timeZone: string,
  now: Date,
): 'none' | 'fits' | 'other' => {
  const lower = hoursInDigits(plain(text));
  const times = timeMentions(lower, true);
  if (times.length === 0) return 'none';
  if (readsBackSlot(text, startsAt, timeZone, now)) return 'fits';
  const at = new Date(startsAt);
  if (Number.isNaN(at.getTime())) return 'other';
  const w = wallClockAt(at, timeZone);
  const slotMinutes = w.hour * 60 + w.minute;
  const days = dayMentions(lower, dayOf(now, timeZone), times);
  return days.length === 0 && times.every((t) => t.minutes.includes(slotMinutes)) ? 'fits' : 'other';
};
