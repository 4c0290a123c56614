import { DAY_NAMES, MONTH_NAMES } from '../../calendar-words.js';

/** Small text helpers shared by the guards. */

/** Typographic quotes and the no-break spaces Intl puts before "PM" made plain; positions kept. */
export const normalised = (text: string): string =>
  text.replace(/[\u2018\u2019\u02bc]/g, "'").replace(/[\u00a0\u202f\u2009]/g, ' ');

/** The same in lower case. */
export const plain = (text: string): string => normalised(text).toLowerCase();

/** The primary language tag: en or es (anything else is spoken to in English). */
export const languageOf = (tag: string): 'en' | 'es' =>
  tag.split('-')[0]?.toLowerCase() === 'es' ? 'es' : 'en';

/** A span of text a scanner recognised, [start, end) in the scanned string. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** The parts of a text that a scanner has already read: a later pattern does not read them again. */
export interface Taken {
  readonly overlaps: (span: Span) => boolean;
  readonly take: (span: Span) => void;
}

/** One flag per character: checking a span costs its length, not the number of spans taken before. */
export const takenIn = (text: string, spans: readonly Span[] = []): Taken => {
  const flags = new Uint8Array(text.length + 1);
  const take = (span: Span): void => {
    flags.fill(1, Math.max(0, span.start), Math.min(flags.length, span.end));
  };
  spans.forEach(take);
  return {
    overlaps: (span) => {
      for (let i = Math.max(0, span.start); i < Math.min(flags.length, span.end); i++)
        if (flags[i]) return true;
      return false;
    },
    take,
  };
};

/** Every match of a global pattern, with its position. */
export const matchesOf = (pattern: RegExp, text: string): RegExpExecArray[] => {
  const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
  return [...text.matchAll(new RegExp(pattern.source, flags))];
};

export const spanOf = (m: RegExpExecArray): Span => ({ start: m.index, end: m.index + m[0].length });

const lower = (names: readonly string[]): string[] => names.map((n) => n.toLowerCase());
export const EN_MONTHS = lower(MONTH_NAMES.en);
export const ES_MONTHS = lower(MONTH_NAMES.es);
export const EN_DAYS = lower(DAY_NAMES.en);
export const ES_DAYS = lower(DAY_NAMES.es);

/** Month number (1-12) of an English or Spanish month name or its three-letter abbreviation. */
export const monthNumber = (word: string): number | undefined => {
  const w = word.toLowerCase().replace(/\.$/, '');
  const index = EN_MONTHS.findIndex((m) => m === w || (w.length >= 3 && m.startsWith(w) && w.length <= 4));
  if (index >= 0) return index + 1;
  const es = ES_MONTHS.findIndex((m) => m === w || (w === 'setiembre' && m === 'septiembre'));
  return es >= 0 ? es + 1 : undefined;
};

export const MONTH_WORD =
  'jan(?:uary|\\.)?|feb(?:ruary|\\.)?|mar(?:ch|\\.)?|apr(?:il|\\.)?|may|jun(?:e|\\.)?|jul(?:y|\\.)?|aug(?:ust|\\.)?|sep(?:t(?:ember)?|\\.)?|oct(?:ober|\\.)?|nov(?:ember|\\.)?|dec(?:ember|\\.)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|sep?tiembre|octubre|noviembre|diciembre';

/** "December 8", "Dec 8th", "8 December", "8 de diciembre", and ISO dates: dates, never facts to check. */
export const DATE_PATTERNS: readonly RegExp[] = [
  /\b\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?/,
  new RegExp(`\\b(${MONTH_WORD})\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+\\d{4}\\b)?`),
  new RegExp(
    `\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:de\\s+|of\\s+)?(${MONTH_WORD})\\b(?:,?\\s+(?:de\\s+)?\\d{4}\\b)?`,
  ),
];
