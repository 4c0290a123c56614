// Deep import on purpose: natural's root index loads storage back ends that call dotenv.config() on import.
import stemmers from 'natural/lib/natural/stemmers/index.js';
import { RELATED_WORDS, type RelatedWords } from './knowledge-lexicon.js';

/**
 * How the knowledge search and the answer reading see a text: words reduced to index terms (stop words out,
 * stemmed, accents folded), each query word with the words related to it in either language.
 */

const STOP_WORDS: Readonly<Record<string, ReadonlySet<string>>> = {
  en: new Set(
    (
      'a about all also am an and any are as at be been but by can could did do does doing for from get got ' +
      'had has have having he her here him his how i if in into is it its just know like me might more much ' +
      'my need no not now of on or our out please same she should so some tell than that the their them then ' +
      'there these they this those to too up us very want was we were what whats when where which who why ' +
      'will with would you your yours hi hello hey ok okay well um uh yes thanks thank could id ill im ive dont ' +
      'wondering question ask honestly actually really way kind sort bit little pretty quite maybe probably ' +
      'think guess mean basically literally just something anything ' +
      'guys youre theyre thats theres isnt arent cant wont doesnt didnt gonna gotta wanna yeah yep hmm oh ' +
      'ha good great fine sure right so just again ever even still already while take takes taking ' +
      'somewhere someone somebody anyone anybody everything thing things stuff lot lots enough fair nice cool ' +
      'awesome gonna lets let go going guess hiya roughly approximately around exactly finally brand whole ' +
      'get gets getting put give gave make made try trying find see say said look looking hear heard come ' +
      'coming came goes went tell told anyway though once before after since until ago havent hasnt ' +
      'wasnt werent wouldnt couldnt shouldnt youve weve theyve youll theyll whats hows wheres lot'
    ).split(' '),
  ),
  es: new Set(
    (
      'a al algo alguna alguno ante como con cual cuales cuando cuanto cuanta cuantos cuantas de del donde el ' +
      'ella ellos en entre era es esa ese eso esta estan estas este esto estos fue ha hay la las le les lo los ' +
      'me mi mis mucho muy nada ni no nos nosotros o para pero poco por porque puedo puede pueden que quien ' +
      'se ser si sin sobre son su sus tambien te tengo tiene tienen tu tus un una uno unos unas usted ustedes ' +
      'y ya yo hola bueno favor gracias quiero quisiera saber pregunta decir dime digame oiga ' +
      'verdad realmente sinceramente bastante algo pues mire buenas buenos dias tardes noches oye vale ' +
      'entonces otra otro vez mas hacer hacen hace algun alguien cosa cosas dar esos esas aquel aquella aquellos desde ahora aqui alli tan tanto'
    ).split(' '),
  ),
};

export const LANGUAGES = ['en', 'es'] as const;

export const fold = (text: string): string => text.normalize('NFD').replace(/\p{M}+/gu, '');

export const primary = (language: string | undefined): string => language?.split('-')[0]?.toLowerCase() ?? '';

type Stem = (word: string) => string;
const STEMMERS: Readonly<Record<string, Stem>> = {
  en: (w) => stemmers.PorterStemmer.stem(w),
  es: (w) => stemmers.PorterStemmerEs.stem(w),
};

export const words = (text: string): string[] =>
  text
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);

export const isStopWord = (word: string, languages: readonly string[]): boolean =>
  languages.some((l) => STOP_WORDS[l]?.has(fold(word)));

/** Index languages a text in `language` is read as: its own, or every stemmed one when unknown. */
export const readingsOf = (language: string | undefined): string[] => {
  const lang = primary(language);
  return lang !== '' ? [lang] : Object.keys(STEMMERS);
};

/**
 * The index terms of one word. Spanish is stemmed before folding (the stemmer knows "-ción"), and the folded
 * spelling is stemmed too, because speech-to-text sometimes drops accents. A language without a stemmer keeps
 * the word, folded.
 */
export const wordTerms = (word: string, languages: readonly string[]): string[] => {
  const folded = fold(word);
  // The word itself too: a name or a word both languages share ("gas", "Medicaid") stems differently in each.
  const group = new Set<string>([folded]);
  for (const language of languages) {
    const stem = STEMMERS[language];
    if (!stem) group.add(folded);
    else {
      group.add(fold(stem(word)));
      group.add(fold(stem(folded)));
    }
  }
  return [...group];
};

/** One group per informative word, so that a word's several spellings count as one word when scoring. */
export const termGroups = (text: string, languages: readonly string[]): string[][] =>
  words(text)
    .filter((w) => !isStopWord(w, languages))
    .map((w) => wordTerms(w, languages));

/** An amount of money in a text ("$35", "90 dólares") answers what something costs, whatever the words. */
const MONEY = /[$€£]\s?\d|\d\s?(?:dollars?|d[oó]lares|euros?|pesos|usd)\b/i;
const PRICE_TERMS = [...wordTerms('price', ['en']), ...wordTerms('precio', ['es'])];

export const termsOf = (text: string, language: string): Set<string> => {
  const terms = new Set(termGroups(text, readingsOf(language)).flat());
  if (MONEY.test(text)) for (const t of PRICE_TERMS) terms.add(t);
  return terms;
};

/** A word of the query: its own terms, and the terms of related words (any language). */
export interface QueryWord {
  readonly terms: readonly string[];
  readonly related: readonly string[];
  /** How much this word says about what is asked, before rarity: words of the question itself weigh more. */
  readonly emphasis: number;
  /**
   * A word of a short asking clause ("do you do veneers?"): if no article has it, it is most likely what is asked
   * about, where in a long sentence it is more likely the caller's story.
   */
  readonly pointed: boolean;
}

interface Concept {
  readonly terms: ReadonlySet<string>;
  /** Multi-word cues, folded and lower-case, matched on the query's text. */
  readonly phrases: readonly string[];
}

const conceptOf = (entry: RelatedWords): Concept => {
  const terms = new Set<string>();
  const phrases: string[] = [];
  for (const language of LANGUAGES) {
    for (const item of entry[language]) {
      const parts = words(item);
      if (parts.length === 1) for (const t of wordTerms(item, [language])) terms.add(t);
      else phrases.push(fold(parts.join(' ')));
    }
  }
  return { terms, phrases };
};

const CONCEPTS: readonly Concept[] = RELATED_WORDS.map(conceptOf);

const relatedTerms = (terms: readonly string[]): string[] => {
  const related = new Set<string>();
  for (const concept of CONCEPTS)
    if (terms.some((t) => concept.terms.has(t))) for (const r of concept.terms) related.add(r);
  for (const t of terms) related.delete(t);
  return [...related];
};

/** Weight of the words of the clause that asks (the last clause of a question) over the context before it. */
const QUESTION_EMPHASIS = 2;

/** Up to this many informative words, an asking clause is short: each of its words is what is asked. */
const POINTED_WORDS = 3;

/**
 * The clauses of a caller's line with their emphasis: in "we're moving flat in May, does a survey cost
 * extra?" the last clause of the question says what is asked, the rest is context that may or may not matter.
 */
const clausesOf = (text: string, languages: readonly string[]): { text: string; emphasis: number }[] => {
  const sentences = text.match(/[^.?!¿¡]+[.?!]*/g) ?? [text];
  const asks = sentences.some((s) => s.trim().endsWith('?'));
  const informative = (clause: string): boolean => termGroups(clause, languages).length > 0;
  return sentences.flatMap((sentence, i) => {
    const clauses = sentence.split(/[,;:]/);
    const question = asks ? sentence.trim().endsWith('?') : i === sentences.length - 1;
    // "We need X for the wedding, can you do that?": the asking clause has no word of its own.
    let asking = clauses.length - 1;
    while (asking > 0 && !informative(clauses[asking] ?? '')) asking--;
    return clauses.map((clause, j) => ({
      text: clause,
      emphasis: question && j === asking ? QUESTION_EMPHASIS : 1,
    }));
  });
};

/** A query as words to look for: each informative word, and each multi-word cue ("how much") as one more. */
export const queryWordsOf = (query: string, language: string | undefined): QueryWord[] => {
  const languages = readingsOf(language);
  const out: QueryWord[] = [];
  for (const clause of clausesOf(query, languages)) {
    const groups = termGroups(clause.text, languages);
    const pointed = clause.emphasis > 1 && groups.length <= POINTED_WORDS;
    for (const terms of groups)
      out.push({ terms, related: relatedTerms(terms), emphasis: clause.emphasis, pointed });
    const folded = ` ${fold(words(clause.text).join(' '))} `;
    for (const concept of CONCEPTS)
      if (concept.phrases.some((p) => folded.includes(` ${p} `)))
        out.push({ terms: [], related: [...concept.terms], emphasis: clause.emphasis, pointed: false });
  }
  return out;
};

/**
 * A word's spelling with what English and Spanish spell differently evened out, so that cognates compare
 * ("chiropractic" / "quiropráctico", "adjust" / "ajuste", "physio" / "fisio").
 */
const skeletons = new Map<string, string>();
const skeleton = (term: string): string => {
  let out = skeletons.get(term);
  if (out === undefined) {
    out = term
      .replace(/ph/g, 'f')
      .replace(/th/g, 't')
      .replace(/ch|qu|k/g, 'c')
      .replace(/dj/g, 'j')
      .replace(/y/g, 'i')
      .replace(/h/g, '')
      .replace(/(.)\1/g, '$1');
    if (skeletons.size < 50_000) skeletons.set(term, out);
  }
  return out;
};

const commonPrefix = (a: string, b: string): number => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

/** The strength of a match on another form of the word ("clean" in "cleaning"), or a cognate. */
export const PREFIX_MATCH = 0.7;

/** A word matches as itself (1), a longer or shorter form or a cognate (0.7), or a related word (0.6). */
export const matchStrength = (word: QueryWord, terms: ReadonlySet<string>): number => {
  if (word.terms.some((t) => terms.has(t))) return 1;
  for (const t of word.terms) {
    if (t.length < 4) continue;
    for (const u of terms) {
      if (u.length < 4) continue;
      const shared = Math.max(commonPrefix(t, u), commonPrefix(skeleton(t), skeleton(u)));
      if (shared >= Math.max(4, Math.ceil(0.75 * Math.min(t.length, u.length)))) return PREFIX_MATCH;
    }
  }
  if (word.related.some((t) => terms.has(t))) return 0.6;
  return 0;
};
