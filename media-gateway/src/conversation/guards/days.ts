import { type Span, EN_DAYS, ES_DAYS, MONTH_WORD, matchesOf, monthNumber, spanOf, takenIn } from './text.js';

/** A calendar day in a zone, as the wall clock there shows it. */
export interface Day {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
}

/** A day as text names it: a weekday, a month and day, or a day relative to today. */
export interface DayMention extends Span {
  readonly matches: (day: Day) => boolean;
}

const WEEKDAY_WORDS: readonly (readonly [string, number])[] = [
  ...EN_DAYS.map((d, i) => [d, i] as const),
  ...ES_DAYS.map((d, i) => [d, i] as const),
  ['miercoles', 3],
  ['sabado', 6],
];

/** The day `days` after `day` (calendar arithmetic, no zone involved). */
export const addDays = (day: Day, days: number): Day => {
  const d = new Date(Date.UTC(day.year, day.month - 1, day.day + days));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
  };
};

const sameDay = (a: Day, b: Day): boolean => a.year === b.year && a.month === b.month && a.day === b.day;

const MONTH = `(${MONTH_WORD})`;

interface DayForm {
  readonly pattern: RegExp;
  readonly matcher: (m: RegExpExecArray, today: Day) => ((day: Day) => boolean) | undefined;
}

const monthDay =
  (monthWord: string | undefined, dayText: string | undefined) =>
  (day: Day): boolean =>
    monthNumber(monthWord ?? '') === day.month && Number(dayText) === day.day;

const relative =
  (offset: number) =>
  (_m: RegExpExecArray, today: Day) =>
  (day: Day): boolean =>
    sameDay(addDays(today, offset), day);

const DAY_FORMS: readonly DayForm[] = [
  {
    pattern: /\b(\d{4})-(\d{2})-(\d{2})(?!\d)/,
    matcher: (m) => (day) =>
      Number(m[1]) === day.year && Number(m[2]) === day.month && Number(m[3]) === day.day,
  },
  {
    pattern: new RegExp(`\\b${MONTH}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b`),
    matcher: (m) => monthDay(m[1], m[2]),
  },
  {
    pattern: new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:de\\s+|of\\s+)?${MONTH}\\b`),
    matcher: (m) => monthDay(m[2], m[1]),
  },
  {
    // "the 8th", "el día 8": the day of the month alone
    pattern: /\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b|\bel\s+día\s+(\d{1,2})\b/,
    matcher: (m) => (day) => Number(m[1] ?? m[2]) === day.day,
  },
  { pattern: /\bpasado\s+mañana\b|\bday after tomorrow\b/, matcher: relative(2) },
  { pattern: /\btomorrow\b/, matcher: relative(1) },
  // "mañana" is also "morning": "de la mañana", "por la mañana", "esta mañana" are times of day, not tomorrow.
  { pattern: /(?<!\b(?:la|esta)\s+)\bmañana\b/, matcher: relative(1) },
  {
    pattern:
      /\btoday\b|\btonight\b|\bthis (?:morning|afternoon|evening)\b|\bhoy\b|\besta (?:mañana|tarde|noche)\b/,
    matcher: relative(0),
  },
  {
    pattern: new RegExp(`\\b(${WEEKDAY_WORDS.map(([w]) => w).join('|')})\\b`),
    matcher: (m) => {
      const weekday = WEEKDAY_WORDS.find(([w]) => w === m[1])?.[1];
      return weekday === undefined ? undefined : (day) => day.weekday === weekday;
    },
  },
];

/** Days named in lower-cased text, in order; `today` is today in the zone the text speaks of. */
export const dayMentions = (text: string, today: Day, skip: readonly Span[] = []): DayMention[] => {
  const taken = takenIn(text, skip);
  const found: DayMention[] = [];
  for (const form of DAY_FORMS) {
    for (const m of matchesOf(form.pattern, text)) {
      const span = spanOf(m);
      if (taken.overlaps(span)) continue;
      const matches = form.matcher(m, today);
      if (!matches) continue;
      taken.take(span);
      found.push({ ...span, matches });
    }
  }
  return found.sort((a, b) => a.start - b.start);
};
