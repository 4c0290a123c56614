import { wallClockAt } from '@ccp/schemas';
import { isoInstants, timeMentions } from './clock.js';
import { numbersInDigits } from './number-words.js';
import { type Span, DATE_PATTERNS, matchesOf, plain, spanOf } from './text.js';

/**
 * A number as written, to the values it can mean: "1,200" and "1.200" are 1200 (or 1.2 where the comma is the
 * decimal mark), "120.00" is 120, "45,50" is 45.5. Values are compared as canonical strings.
 */
export const numberValues = (written: string): string[] => {
  const text = written.replace(/[.,]$/, '');
  const values = new Set<string>();
  const add = (n: number): void => {
    if (Number.isFinite(n)) values.add(String(n));
  };
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(text)) add(Number(text.replace(/,/g, ''))); // 1,200.50
  if (/^\d{1,3}(?:\.\d{3})+(?:,\d+)?$/.test(text)) add(Number(text.replace(/\./g, '').replace(',', '.'))); // 1.200,50
  if (/^\d+(?:\.\d+)?$/.test(text)) add(Number(text)); // 120.00, 1.5
  if (/^\d+,\d+$/.test(text)) add(Number(text.replace(',', '.'))); // 45,50
  return [...values];
};

export const NUMBER = /\d(?:[\d,.]*\d)?/;

/** Units a number is counted in: with one, a number is an amount ("7 days", "90 minutos"), not a time. */
const UNITS =
  'minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|yrs?|miles?|mi|km|kms|kilomet(?:er|re)s?|met(?:er|re)s?|m|feet|foot|ft|inch(?:es)?|kg|kilos?|lbs?|grams?|g|ml|liters?|litres?|sessions?|visits?|minutos?|horas?|días?|dias?|semanas?|meses|mes|años?|anos?|millas?|kilómetros?|kilometros?|metros?|pies|gramos?|litros?|sesiones|sesión|sesion|visitas?';

/** A number and its unit; the number is group 1. */
export const QUANTITY = new RegExp(`\\b(${NUMBER.source})(?:\\s?-\\s?|\\s)?(?:${UNITS})\\b`);

/** Dates ("December 8", "8 de diciembre", ISO), which are not facts and whose digits are no evidence. */
export const dateSpans = (text: string): Span[] =>
  DATE_PATTERNS.flatMap((p) => matchesOf(p, text).map(spanOf));

/** Digits in groups ("(555) 123-4567", "+44 161 496 0000", "5 5 5 1 2 3 4 5 6 7" read out one by one). */
const PHONE = /(?:\+\s?)?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]\(?\d{1,4}\)?){1,14}|\+?\d{7,15}/;

/** Digit strings of phone-like runs (7 digits or more; a date is not one). */
export const phoneDigits = (text: string, skip: readonly Span[]): { span: Span; digits: string }[] =>
  matchesOf(PHONE, text).flatMap((m) => {
    const span = spanOf(m);
    const digits = m[0].replace(/\D/g, '');
    const inDate = skip.some((s) => span.start < s.end && s.start < span.end);
    return digits.length >= 7 && digits.length <= 15 && !inDate ? [{ span, digits }] : [];
  });

/** IANA zone names the evidence mentions (the system prompt names the business's), that this runtime knows. */
const zonesIn = (text: string): string[] =>
  [...new Set(matchesOf(/\b[A-Z][A-Za-z]+(?:\/[A-Z][A-Za-z_-]+){1,2}\b/, text).map((m) => m[0]))].filter(
    (zone) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    },
  );

/** Web addresses compared without scheme, "www." and a trailing slash. */
export const bareAddress = (text: string): string =>
  text
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/[/.]+$/, '');

/** What the evidence texts say, indexed the way sentences are checked against them. */
export interface Evidence {
  /** All evidence, lower case, joined. */
  readonly text: string;
  /** The same without spaces, for postcodes. */
  readonly compact: string;
  /** The same with web addresses' schemes and "www." dropped. */
  readonly addresses: string;
  readonly numbers: ReadonlySet<string>;
  /** Times of day (minutes after midnight) in any form, ISO instants in every zone the evidence names. */
  readonly minutes: ReadonlySet<number>;
  readonly phones: readonly string[];
}

/**
 * The evidence texts indexed for checking sentences against them (number words read as digits, as sentences
 * are). Costly with a long prompt: a turn builds it once and checks all its sentences against it.
 */
export const indexEvidence = (evidence: readonly string[]): Evidence =>
  indexed(evidence.map((text) => numbersInDigits(text).text));

const indexed = (evidence: readonly string[]): Evidence => {
  const zones = zonesIn(evidence.join('\n'));
  const numbers = new Set<string>();
  const minutes = new Set<number>();
  const phones: string[] = [];
  for (const original of evidence) {
    const text = plain(original);
    const dates = dateSpans(text);
    for (const { at, written } of isoInstants(text)) {
      minutes.add(written);
      for (const zone of zones) {
        const w = wallClockAt(at, zone);
        minutes.add(w.hour * 60 + w.minute);
      }
    }
    phones.push(...phoneDigits(text, dates).map((p) => p.digits));
    const times = timeMentions(text, true, dates);
    for (const t of times) t.minutes.forEach((m) => minutes.add(m));
    // The digits of times and ISO date-times are no amounts: "$15" is not supported by "09:15" or "T15:00".
    const withoutTimes = [...times]
      .reverse()
      .reduce((t, m) => `${t.slice(0, m.start)}${' '.repeat(m.end - m.start)}${t.slice(m.end)}`, text);
    const withoutIso = withoutTimes.replace(
      /\b\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?/g,
      ' ',
    );
    for (const m of matchesOf(NUMBER, withoutIso)) numberValues(m[0]).forEach((v) => numbers.add(v));
    // "de 5 a 7 días" also reads as a time range; the unit says the 7 is an amount.
    for (const m of matchesOf(QUANTITY, text)) numberValues(m[1] ?? '').forEach((v) => numbers.add(v));
  }
  const text = evidence.map(plain).join('\n');
  return {
    text,
    compact: text.replace(/\s+/g, ''),
    addresses: text.replace(/\bhttps?:\/\//g, '').replace(/\bwww\./g, ''),
    numbers,
    minutes,
    phones,
  };
};

export const supportsPhone = (evidence: Evidence, digits: string): boolean =>
  evidence.phones.some((e) => e === digits || (e.length >= 7 && (e.endsWith(digits) || digits.endsWith(e))));

export const supportsNumber = (evidence: Evidence, written: string): boolean =>
  numberValues(written).some((v) => evidence.numbers.has(v));

export const supportsTime = (evidence: Evidence, minutes: readonly number[]): boolean =>
  minutes.some((m) => evidence.minutes.has(m));
