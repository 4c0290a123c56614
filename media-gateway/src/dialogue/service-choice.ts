import { normaliseWords } from '../booking/services-named.js';

/**
 * Which of the tenant's services (the names find_free_slots listed) a caller means when their words are not a
 * name's own words: "the jammed locks" for "Lock repair", "whitened" for "Teeth whitening", "el diagnóstico" for
 * "Diagnostic check", "the second one". Words match when one is the other's stem or they differ by a letter or
 * two (a cognate); a name's generic words ("session", "service") count for less than its own.
 */

/** Words of a name that say little about which service it is. */
const GENERIC = new Set(
  'appointment appointments visit session sesion service servicio consultation consulta cita'.split(' '),
);
/** Words that name nothing at all. */
const FUNCTION_WORDS = new Set('the and for with con para del las los una uno'.split(' '));

const ORDINALS: readonly RegExp[] = [
  /\b(?:first|1st|primer[oa]?)\b/i,
  /\b(?:second|2nd|segund[oa])\b/i,
  /\b(?:third|3rd|tercer[oa]?)\b/i,
  /\b(?:fourth|4th|cuart[oa])\b/i,
];
const LAST = /\b(?:last|[uú]ltim[oa])\b/i;

const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
};

/** "leak"/"leaky", "color"/"colored", "diagnostico"/"diagnostic", "sesion"/"session". */
export const sameWord = (a: string, b: string): boolean => {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  // An ending ("leaky", "colored", "inspection"), not another word joined on ("hair" + "cut").
  const ending = long.length - short.length;
  if (short.length >= 4 && long.startsWith(short) && (ending <= 2 || (ending <= 3 && short.length >= 5)))
    return true;
  return short.length >= 5 && distance(a, b) <= Math.floor(long.length / 6);
};

const wordsOf = (text: string): string[] =>
  normaliseWords(text)
    .split(' ')
    .filter((w) => w.length >= 3 && !FUNCTION_WORDS.has(w));

const score = (said: readonly string[], name: string): number =>
  wordsOf(name).reduce(
    (sum, word) => sum + (said.some((w) => sameWord(w, word)) ? (GENERIC.has(word) ? 0.25 : 1) : 0),
    0,
  );

/**
 * The one service the words mean, or undefined when they mean none or several equally. `answering`: the words
 * answer the list just said, so "the second one" is its second (elsewhere "my first visit" is no pick).
 */
export const pickService = (
  choices: readonly string[],
  text: string,
  answering: boolean,
): string | undefined => {
  const ordinal = answering ? ORDINALS.findIndex((re) => re.test(text)) : -1;
  if (ordinal >= 0 && choices[ordinal] !== undefined) return choices[ordinal];
  if (answering && LAST.test(text) && choices.length > 1) return choices[choices.length - 1];
  const said = wordsOf(text);
  const scored = choices
    .map((name) => ({ name, score: score(said, name) }))
    .sort((a, b) => b.score - a.score);
  const [best, next] = scored;
  if (!best || best.score === 0 || (next !== undefined && next.score === best.score)) return undefined;
  return best.name;
};
