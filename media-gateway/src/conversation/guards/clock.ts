import { EN_HOUR_WORDS, ES_HOUR_WORDS } from './number-words.js';
import { type Span, matchesOf, spanOf, takenIn } from './text.js';

/**
 * Times of day in what is said or written, in the usual spoken forms: 3 PM, 3:00 p.m., 15:00, noon,
 * "3 de la tarde", "a las 3 y media", and in looser contexts "at 3", "a las 9", "9 to 5". A time's value is
 * its minutes after midnight; a time said without AM/PM or a period of the day has two readings (3:00 is
 * 3:00 or 15:00) and matches either.
 */
export interface TimeMention extends Span {
  readonly text: string;
  readonly minutes: readonly number[];
  /** Said without "at"/"a las"/a range around a bare hour: "3 PM", "15:00", "3 de la tarde", "noon". */
  readonly explicit: boolean;
}

const AMPM = '([ap])\\.?\\s?m\\.?(?![a-záéíóúñ])';
const PERIOD = 'de la (mañana|manana|tarde|noche|madrugada)|del (mediodía|mediodia)';
const HALF = '(?:\\s+y\\s+(media|cuarto)|\\s+menos\\s+(cuarto))?';

/** Words that may follow a bare hour ("at 3 and 4", "a las 9 de la…"); any other word makes it a count. */
const FOLLOWS =
  '(?:and|or|to|on|the|this|tomorrow|today|tonight|until|till|if|is|then|please|for|in|sharp|y|o|a|el|de|del|hasta|hoy|mañana|manana|por|en|para|entonces)';

const inDay = (minutes: number): number => ((minutes % 1440) + 1440) % 1440;

const withAmPm = (hour: number, minute: number, ap: string): number =>
  (hour % 12) * 60 + minute + (ap === 'p' ? 720 : 0);

const withPeriod = (hour: number, minute: number, period: string): number => {
  if (period.startsWith('medi')) return (hour === 12 ? 12 : hour + 12) * 60 + minute;
  if (period === 'tarde' || period === 'noche') return inDay(((hour % 12) + 12) * 60 + minute);
  return (hour % 12) * 60 + minute; // mañana, madrugada
};

/** Both readings of an hour said without AM/PM (24-hour forms above 12 have one). */
const readings = (hour: number, minute: number): number[] =>
  hour > 12 || hour === 0
    ? [inDay(hour * 60 + minute)]
    : [(hour % 12) * 60 + minute, ((hour % 12) + 12) * 60 + minute];

const halfMinutes = (half: string | undefined, quarterTo: string | undefined): number =>
  half === 'media' ? 30 : half === 'cuarto' ? 15 : quarterTo ? -15 : 0;

interface Form {
  readonly pattern: RegExp;
  readonly explicit: boolean;
  readonly value: (m: RegExpExecArray) => number[] | undefined;
}

const hourOk = (h: number): boolean => h >= 0 && h <= 24;

const FORMS: readonly Form[] = [
  {
    // 3:30 PM, 3 p.m., 3:30 de la tarde, 3 y media de la tarde, 12 del mediodía
    pattern: new RegExp(`\\b(\\d{1,2})(?:[:.](\\d{2}))?${HALF}\\s*(?:${AMPM}|(?:${PERIOD}))`),
    explicit: true,
    value: (m) => {
      const hour = Number(m[1]);
      if (!hourOk(hour)) return undefined;
      const minute = Number(m[2] ?? 0) + halfMinutes(m[3], m[4]);
      const ap = m[5];
      const period = m[6] ?? m[7] ?? '';
      return [inDay(ap ? withAmPm(hour, minute, ap) : withPeriod(hour, minute, period))];
    },
  },
  {
    // 15:00, 3:00 (two readings)
    pattern: /\b(\d{1,2}):(\d{2})(?![\d:])/,
    explicit: true,
    value: (m) => {
      const hour = Number(m[1]);
      const minute = Number(m[2]);
      return hourOk(hour) && minute < 60 ? readings(hour, minute) : undefined;
    },
  },
  { pattern: /\b(?:noon|midday|mediodía|mediodia)\b/, explicit: true, value: () => [720] },
  { pattern: /\b(?:midnight|medianoche)\b/, explicit: true, value: () => [0] },
  {
    // "a las 3", "a la 1 y media", "hasta las 8", "at 3", "at 3 o'clock", "from 9", "until 6"
    pattern: new RegExp(
      `(?:\\b(?:a|hasta|desde|de|entre|y)\\s+las?\\s+|\\b(?:at|from|until|till|til|to|by|between|and|opens?|closes?)\\s+)(\\d{1,2})${HALF}(?:\\s+o'?clock)?(?![\\d:.,]*\\d)(?!\\s*(?:%|(?!${FOLLOWS}\\b)[a-záéíóúñ]))`,
    ),
    explicit: false,
    value: (m) => {
      const hour = Number(m[1]);
      return hour >= 1 && hour <= 24 ? readings(hour % 24, halfMinutes(m[2], m[3])) : undefined;
    },
  },
  {
    // "9 to 5", "9-5", "de 9 a 17", "9 until 6": the first hour of a range (not "el día 8 a las 3")
    pattern:
      /(?<!\b(?:día|dia|el|the|on)\s+)\b(\d{1,2})(?=\s*(?:-|–|to|until|till|a|hasta)\s*(?:las?\s+)?\d{1,2}\b)/,
    explicit: false,
    value: (m) => {
      const hour = Number(m[1]);
      return hour >= 1 && hour <= 24 ? readings(hour % 24, 0) : undefined;
    },
  },
  {
    // the second hour of a range: "9-5", "de 9 a 17"
    pattern: /(?<=\b\d{1,2}\s*(?:[-–]|to|a|until|till|hasta)\s*(?:las?\s+)?)(\d{1,2})\b(?![\d:])/,
    explicit: false,
    value: (m) => {
      const hour = Number(m[1]);
      return hour >= 1 && hour <= 24 ? readings(hour % 24, 0) : undefined;
    },
  },
];

/**
 * Times in lower-cased text, in order. Spans in `skip` (dates, phone numbers) are not read as times. `loose`
 * also reads bare hours after "at"/"a las" and in ranges.
 */
export const timeMentions = (text: string, loose: boolean, skip: readonly Span[] = []): TimeMention[] => {
  const taken = takenIn(text, skip);
  const found: TimeMention[] = [];
  for (const form of FORMS) {
    if (!form.explicit && !loose) continue;
    for (const m of matchesOf(form.pattern, text)) {
      const lead = /^\D*/.exec(m[0])?.[0].length ?? 0;
      const span = { start: m.index + (form.explicit ? 0 : lead), end: spanOf(m).end };
      if (taken.overlaps(span)) continue;
      const minutes = form.value(m);
      if (!minutes) continue;
      taken.take(span);
      found.push({ ...span, text: text.slice(span.start, span.end), minutes, explicit: form.explicit });
    }
  }
  return found.sort((a, b) => a.start - b.start);
};

/** ISO date-times ("2026-12-08T15:00:00-05:00", "…T20:00:00.000Z"): the instant, and its time as written. */
export const isoInstants = (text: string): { readonly at: Date; readonly written: number }[] =>
  matchesOf(
    /\b\d{4}-\d{2}-\d{2}[t ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(z|[+-]\d{2}:?\d{2})?/i,
    text,
  ).flatMap((m) => {
    const at = new Date(m[0].toUpperCase().replace(' ', 'T'));
    const written = Number(m[1]) * 60 + Number(m[2]);
    return Number.isNaN(at.getTime()) ? [] : [{ at, written }];
  });

const EN_MINUTES: Readonly<Record<string, string>> = {
  fifteen: '15',
  thirty: '30',
  'forty five': '45',
  'forty-five': '45',
};

/**
 * Hours a model wrote out in words, as digits: "three thirty PM" → "3:30 PM", "three in the afternoon" →
 * "3 PM", "a las tres de la tarde" → "a las 3 de la tarde". For reading a slot back, where positions do not
 * matter; a fact's span is reported as written, so facts are not rewritten.
 */
export const hoursInDigits = (text: string): string =>
  text
    .replace(
      new RegExp(
        `\\b(${EN_HOUR_WORDS.join('|')})(?:\\s+(fifteen|thirty|forty[- ]five))?(?=\\s*(?:[ap]\\.?\\s?m\\b|o'clock|in the (?:morning|afternoon|evening)|at night))`,
        'g',
      ),
      (_all, hour: string, minutes: string | undefined) =>
        `${EN_HOUR_WORDS.indexOf(hour) + 1}${minutes ? `:${EN_MINUTES[minutes] ?? '00'}` : ''}`,
    )
    .replace(/(\d)\s*(?:o'clock\s+)?in the morning\b/g, '$1 am')
    .replace(/(\d)\s*(?:o'clock\s+)?(?:in the (?:afternoon|evening)|at night)\b/g, '$1 pm')
    .replace(
      new RegExp(
        `\\b(at|a las|a la|de las|hasta las|desde las)\\s+(${[...EN_HOUR_WORDS, ...ES_HOUR_WORDS].join('|')})\\b`,
        'g',
      ),
      (_all, before: string, hour: string) =>
        `${before} ${(EN_HOUR_WORDS.includes(hour) ? EN_HOUR_WORDS.indexOf(hour) : ES_HOUR_WORDS.indexOf(hour)) + 1}`,
    );
