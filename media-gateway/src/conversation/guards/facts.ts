import { timeMentions } from './clock.js';
import {
  type Evidence,
  NUMBER,
  QUANTITY,
  bareAddress,
  dateSpans,
  indexEvidence,
  phoneDigits,
  supportsNumber,
  supportsPhone,
  supportsTime,
} from './evidence.js';
import { numbersInDigits } from './number-words.js';
import { serviceAreas } from './places.js';
import { type Span, matchesOf, normalised, plain, spanOf, takenIn } from './text.js';

/**
 * Facts a caller could act on — prices, phone numbers, e-mail and web addresses, percentages, quantities with
 * units, opening hours and times, postcodes and street addresses — each only as good as the evidence it came
 * from. A bare number is no fact ("two options", "I see 3 appointments") unless the sentence is about hours,
 * prices or an address.
 */

interface Found extends Span {
  readonly supported: boolean;
}

type Detector = (text: string, original: string, evidence: Evidence) => Found[];

const N = NUMBER.source;

const CURRENCY_AFTER = '€|dollars?|bucks|euros?|pounds?|usd|eur|gbp|dólares|dolares|pesos|libras';

const HOURS_CONTEXT =
  /\b(?:open|opens|opening|close|closes|closed|closing|hours|until|till|business hours|horario|horarios|abrimos|abre|abren|abierto|abiertos|cerramos|cierra|cierran|cerrado|atendemos|hasta)\b/;
const PRICE_CONTEXT =
  /\b(?:price|prices|pricing|cost|costs|costing|charge|charges|charged|fee|fees|rate|rates|pay|paid|quote|deposit|how much|precio|precios|cuesta|cuestan|costo|coste|cobra|cobramos|cobran|tarifa|tarifas|pagar|depósito|deposito)\b/;
const ADDRESS_CONTEXT =
  /\b(?:address|located|location|street|avenue|road|suite|zip|zips|postcode|postcodes|postal|area|areas|serve|serves|cover|covers|dirección|direccion|calle|avenida|código postal|codigo postal|ubicados|ubicado|ubicada|zona|zonas|estamos en)\b/;

/** The span of a whole match, or of its group `group` (the number after "zip code"). */
const spanIn = (m: RegExpExecArray, group: number): Span => {
  const part = m[group];
  if (group === 0 || part === undefined) return spanOf(m);
  const start = m.index + m[0].lastIndexOf(part);
  return { start, end: start + part.length };
};

const byPattern =
  (pattern: RegExp, supported: (m: RegExpExecArray, evidence: Evidence) => boolean, group = 0): Detector =>
  (text, _original, evidence) =>
    matchesOf(pattern, text).map((m) => ({ ...spanIn(m, group), supported: supported(m, evidence) }));

const includedIn = (needle: string, haystack: string): boolean => needle !== '' && haystack.includes(needle);

const email = byPattern(/[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/, (m, e) =>
  includedIn(m[0], e.text),
);

const web = byPattern(
  /\b(?:https?:\/\/|www\.)[^\s,;]+[^\s,;.!?)]|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|co|es|mx|us|uk|info|biz|app|dev|health|clinic)\b(?:\/[^\s,;]*[^\s,;.!?)])?/,
  (m, e) => includedIn(bareAddress(m[0]), e.addresses),
);

const money = byPattern(
  new RegExp(`(?:us\\$|\\$|€|£)\\s?(${N})|(${N})\\s?(?:${CURRENCY_AFTER})(?![a-z])`),
  (m, e) => supportsNumber(e, m[1] ?? m[2] ?? ''),
);

const percent = byPattern(new RegExp(`(${N})\\s?(?:%|percent\\b|per cent\\b|por ciento\\b)`), (m, e) =>
  supportsNumber(e, m[1] ?? ''),
);

const quantity = byPattern(QUANTITY, (m, e) => supportsNumber(e, m[1] ?? ''));

const phone: Detector = (text, _original, evidence) =>
  phoneDigits(text, dateSpans(text)).map(({ span, digits }) => ({
    ...span,
    supported: supportsPhone(evidence, digits),
  }));

/** A number read out in groups with commas between: "5 5 5, 1 2 3, 4 5 6 7" ("five five five, one two three…"). */
const spokenPhone: Detector = (text, _original, evidence) =>
  matchesOf(/(?<![\d.,])\d{1,4}(?:(?:\s*,\s+|\s+|\s*-\s*)\d{1,4}){2,14}(?![\d.,]*\d)/, text).flatMap((m) => {
    const digits = m[0].replace(/\D/g, '');
    return digits.length >= 7 && digits.length <= 15
      ? [{ ...spanOf(m), supported: supportsPhone(evidence, digits) }]
      : [];
  });

/** Places named as where the business works: supported when the evidence names them. */
const area: Detector = (text, original, evidence) =>
  serviceAreas(text, original).map((span) => ({
    ...span,
    supported: includedIn(original.slice(span.start, span.end).toLowerCase(), evidence.text),
  }));

const times =
  (loose: boolean): Detector =>
  (text, _original, evidence) =>
    timeMentions(text, loose).map((t) => ({ ...t, supported: supportsTime(evidence, t.minutes) }));

const compactIn = (m: RegExpExecArray, e: Evidence, group = 0): boolean =>
  includedIn((m[group] ?? '').replace(/\s+/g, ''), e.compact);

/** UK and Canadian postcodes look like nothing else; numeric ones need a word that says what they are. */
const postcode: Detector = (text, original, evidence) => [
  ...byPattern(/\b[a-z]{1,2}\d[a-z\d]?\s?\d[a-z]{2}\b|\b[a-z]\d[a-z]\s?\d[a-z]\d\b/, (m, e) =>
    compactIn(m, e),
  )(text, original, evidence),
  ...matchesOf(/\b[A-Z]{2}\s(\d{5}(?:-\d{4})?)\b/, original).map((m) => ({
    ...spanIn(m, 1),
    supported: compactIn(m, evidence, 1),
  })),
  ...byPattern(
    /(?:zip(?: codes?)?|post ?codes?|postal codes?|códigos? postal(?:es)?|codigos? postal(?:es)?)\s*(?:is|es|:)?\s*(\d{4,5}(?:-\d{4})?)/,
    (m, e) => compactIn(m, e, 1),
    1,
  )(text, original, evidence),
];

const street = byPattern(
  /\b(\d{1,5})\s+(?:[a-z0-9.'-]+\s+){1,3}(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl|parkway|pkwy|highway|hwy)\b|\b(?:calle|c\/|avenida|avda\.?|paseo|plaza|carrera)\s+[^,\d]{1,40}?,?\s*(?:n[º°o]\.?\s*)?(\d{1,5})\b/,
  (m, e) => new RegExp(`\\b${m[1] ?? m[2]}\\b`).test(e.text),
);

/** Bare numbers in a price or an address sentence; a lone digit before a word is a count ("2 options"). */
const bareNumbers =
  (context: RegExp, long: boolean): Detector =>
  (text, _original, evidence) =>
    context.test(text)
      ? matchesOf(new RegExp(`(?<![\\d.,])${N}(?![\\d.,]*\\d)`), text)
          .filter((m) => !(m[0].length === 1 && /^\s+[a-z]/.test(text.slice(m.index + 1))))
          .filter((m) => !long || m[0].replace(/\D/g, '').length >= 3)
          .map((m) => ({ ...spanOf(m), supported: supportsNumber(evidence, m[0]) }))
      : [];

const inHoursContext =
  (detector: Detector): Detector =>
  (text, original, evidence) =>
    HOURS_CONTEXT.test(text) ? detector(text, original, evidence) : [];

/** Ticket and case references are read back from tool results, and are no business facts. */
const REFERENCE =
  /(?:#\s?|\b(?:ticket|reference|ref|case|confirmation|order|referencia|caso|incidencia)\s*(?:number|no\.?|#|número|numero|de referencia)?\s*(?:is|es|:)?\s*)[a-z]*-?\d[\w-]*/;

/** In priority order: a span found by an earlier detector is not looked at again. */
const DETECTORS: readonly Detector[] = [
  email,
  web,
  money,
  percent,
  phone,
  spokenPhone,
  times(false),
  quantity,
  postcode,
  street,
  area,
  inHoursContext(times(true)),
  bareNumbers(PRICE_CONTEXT, false),
  bareNumbers(ADDRESS_CONTEXT, true),
];

/** Facts in a sentence that no evidence text supports, as written in the sentence. */
export const unsupportedFacts = (sentence: string, evidence: readonly string[]): string[] =>
  unsupportedFactsIn(sentence, indexEvidence(evidence));

/** The same against evidence indexed once (indexEvidence) for many sentences. */
export const unsupportedFactsIn = (sentence: string, index: Evidence): string[] => {
  // Lower-casing keeps positions unless it changed a length; then the sentence is read in lower case only.
  const written = plain(sentence).length === sentence.length ? normalised(sentence) : plain(sentence);
  const digits = numbersInDigits(written);
  const original = digits.text;
  const text = original.toLowerCase();
  const taken = takenIn(text, [...dateSpans(text), ...matchesOf(REFERENCE, text).map(spanOf)]);
  const unsupported: string[] = [];
  for (const detector of DETECTORS) {
    for (const found of detector(text, original, index)) {
      if (taken.overlaps(found)) continue;
      taken.take(found);
      const span = digits.source(found);
      // A sentence's full stop is not part of "8:00 AM" (it is of "8 a.m.").
      if (!found.supported)
        unsupported.push(
          written
            .slice(span.start, span.end)
            .trim()
            .replace(/(?<![ap]\.\s?m)\.$/i, ''),
        );
    }
  }
  return [...new Set(unsupported)];
};
