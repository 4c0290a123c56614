import { type Span, EN_DAYS, EN_MONTHS, ES_DAYS, ES_MONTHS, matchesOf } from './text.js';

/**
 * Where a business says it works — "we serve Brooklyn and Queens", "atendemos Madrid y Toledo" — is a fact a
 * caller acts on, as a price is. A place is known by its capital letter after words that introduce an area.
 */

/** Words that introduce an area, in lower case, with an article or "de" after them left out of the name. */
const AREA_WORDS = new RegExp(
  '(?:' +
    [
      '\\b(?:serve|serves|serving|cover|covers|covering|go\\s+to|goes\\s+to|deliver\\s+to|delivers\\s+to|work\\s+in|works\\s+in|operate\\s+in|operates\\s+in)',
      '\\bservice\\s+areas?(?:\\s+(?:is|are|includes?|covers?))?',
      '\\b(?:atendemos|cubrimos|trabajamos|llegamos|vamos)(?:\\s+(?:en|a|hasta))?',
      '\\b(?:zona|zonas|área|áreas|area)(?:\\s+de\\s+servicio)?(?:\\s+(?:es|son|incluye|incluyen))?',
    ].join('|') +
    ')' +
    '(?::)?\\s+(?:(?:all\\s+of|the\\s+whole\\s+of|the\\s+whole|the\\s+entire|all|the|toda|todo|la|el|los|las)\\s+)?(?:(?:zona|área|area)\\s+)?(?:(?:de|del|of)\\s+)?',
);

const WORD = "[A-ZÁÉÍÓÚÑ][\\p{L}'’.-]*";
/** "Alcalá de Henares", "Stratford upon Avon": lower-case joining words inside one name. */
const NAME = new RegExp(`${WORD}(?:\\s+(?:(?:de|del|de\\s+la|of|upon|on)\\s+)?${WORD})*`, 'uy');
const LIST_JOIN = /(?:\s*,\s*(?:and\s+|y\s+|&\s+)?|\s+(?:and|y|e|&)\s+)(?:the\s+)?/y;

/** Capitalised words that are no place: days, months, pronouns, languages. */
const NOT_PLACES = new Set([
  ...EN_DAYS,
  ...EN_MONTHS,
  ...ES_DAYS,
  ...ES_MONTHS,
  'i',
  'you',
  'we',
  'our',
  'us',
  'it',
  'usted',
  'ustedes',
  // "we work in English and Spanish"
  'english',
  'spanish',
  'french',
  'german',
  'portuguese',
  'chinese',
  'inglés',
  'ingles',
  'español',
  'espanol',
  'francés',
]);

/** The spans of the place names that follow an area word, each name on its own. */
export const serviceAreas = (text: string, original: string): Span[] =>
  matchesOf(AREA_WORDS, text).flatMap((m) => {
    const found: Span[] = [];
    let at = m.index + m[0].length;
    for (;;) {
      NAME.lastIndex = at;
      const name = NAME.exec(original);
      if (!name) break;
      const first =
        name[0]
          .split(/\s+/)[0]
          ?.replace(/[.’']+$/, '')
          .toLowerCase() ?? '';
      if (NOT_PLACES.has(first)) break;
      const trimmed = name[0].replace(/[.’']+$/, '');
      found.push({ start: name.index, end: name.index + trimmed.length });
      LIST_JOIN.lastIndex = name.index + name[0].length;
      const join = LIST_JOIN.exec(original);
      if (!join) break;
      at = join.index + join[0].length;
    }
    return found;
  });
