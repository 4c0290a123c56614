// Deep imports on purpose: natural's root index loads its storage back ends, which call dotenv.config() on
// import (printing to stdout and loading any .env into process.env) and pull in mongoose, pg and redis.
import natural from 'natural/lib/natural/sentiment/index.js';
import stemmers from 'natural/lib/natural/stemmers/index.js';
import tokenizers from 'natural/lib/natural/tokenizers/index.js';

export type SentimentLabel = 'negative' | 'neutral' | 'positive';

export interface UtteranceSentiment {
  /** In [-1, 1]; 0 when no word of the utterance carries sentiment. */
  score: number;
  label: SentimentLabel;
}

/**
 * AFINN word weights are integers in [-5, 5], so one weak word (±1, "sure", "stop") scores ±0.25 and one
 * ordinary word (±2, "thanks", "problem") scores ±0.46. At ±0.3 a lone weak word stays neutral, while any
 * ordinary sentiment word, or two weak ones pointing the same way, gives a label. VADER's usual ±0.05
 * suits its real-valued lexicon, but with AFINN it would label every stray ±1 word.
 */
export const SENTIMENT_LABEL_THRESHOLD = 0.3;

/**
 * The summed AFINN weight s becomes s / sqrt(s² + α) (VADER's normalisation). The score stays in (-1, 1),
 * grows with every extra hit, and is not diluted by filler words. natural's own score is the mean weight
 * per token, so "um yeah so basically the guy was rude" would score lower than "rude" alone.
 */
const NORMALISATION_ALPHA = 15;

interface LanguageProfile {
  analyzer: InstanceType<typeof natural.SentimentAnalyzer>;
  tokenize: (text: string) => string[];
  /** Runs before tokenising, for spellings the tokenizer would split badly. */
  normalise: (text: string) => string;
  clauseBreaks: ReadonlySet<string>;
  /**
   * Words that carry sentiment on social media, where AFINN was built, but on a service call name the
   * request itself: "cancel", "pay", "help", "please", "yeah". Found by scoring the request lines of
   * data/intents.jsonl, where they were the most frequent hits. Past forms stay ("helped" is gratitude).
   */
  requestWords: ReadonlySet<string>;
  /** Words that make the next word a formula: "would like" is a request, not a liking. */
  formulaBefore: ReadonlyMap<string, ReadonlySet<string>>;
  /** Words that make the previous word a greeting: "good morning", "buenos días". */
  formulaAfter: ReadonlyMap<string, ReadonlySet<string>>;
}

// Speech-to-text often drops the apostrophe ("dont"). natural's English negations are only
// not/no/never/neither, so each contraction is spelled out for negation to see it.
const ENGLISH_CONTRACTIONS: readonly (readonly [RegExp, string])[] = [
  [/\b(can)['’]?t\b/g, 'can not'],
  [/\b(won)['’]t\b|\bwont\b/g, 'will not'],
  [/\b(do|does|did|is|are|was|were|have|has|had|could|would|should|must|need|ai)n['’]?t\b/g, '$1 not'],
  [/n['’]t\b/g, ' not'],
  [/['’]ll\b/g, ' will'],
  [/['’]re\b/g, ' are'],
  [/['’]ve\b/g, ' have'],
  [/['’]m\b/g, ' am'],
  [/['’]d\b/g, ' would'],
];

const englishWords = new tokenizers.WordTokenizer();
const spanishWords = new tokenizers.AggressiveTokenizerEs();
const portugueseWords = new tokenizers.AggressiveTokenizerPt();

const profiles: Record<'en' | 'es' | 'pt', () => LanguageProfile> = {
  // No stemmer for English: AFINN-165 already lists inflected forms, and with the stemmer natural also
  // stems the vocabulary, which makes false hits on our dataset ("has" → "ha" +2, "use" → "us" +2).
  en: () => ({
    analyzer: new natural.SentimentAnalyzer('English', undefined, 'afinn'),
    tokenize: (text) => englishWords.tokenize(text),
    normalise: (text) =>
      ENGLISH_CONTRACTIONS.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text),
    clauseBreaks: new Set(['but', 'and', 'so', 'because', 'although', 'though', 'however']),
    requestWords: new Set([
      ...['please', 'want', 'wanted', 'help', 'yes', 'yeah', 'ok', 'okay', 'free', 'care', 'support'],
      ...['cancel', 'cancelled', 'canceled', 'cancelling', 'canceling', 'pay', 'paying'],
      ...['charge', 'charged', 'charges', 'leave', 'accept', 'accepted', 'alarm'],
    ]),
    formulaBefore: new Map([['like', new Set(['would', 'd'])]]),
    formulaAfter: new Map([['good', new Set(['morning', 'afternoon', 'evening', 'night', 'day'])]]),
  }),
  // Spanish and Portuguese AFINN lists are short (about 1,650 words) and uninflected, so stemming is what
  // lets "ayudado" match "ayudar".
  es: () => ({
    analyzer: new natural.SentimentAnalyzer('Spanish', stemmers.PorterStemmerEs, 'afinn'),
    tokenize: (text) => spanishWords.tokenize(text),
    normalise: (text) => text,
    clauseBreaks: new Set(['pero', 'y', 'porque', 'aunque', 'sino', 'pues']),
    requestWords: new Set([
      ...['favor', 'gustaría', 'gustaria', 'quería', 'queria', 'quiero', 'quisiera', 'ayuda', 'ayudar'],
      ...['sí', 'si', 'claro', 'vale', 'esperando', 'cancelar', 'cancelado', 'cancelada', 'pagar', 'pago'],
      ...['cargo', 'cargos', 'apoyo', 'alarma'],
    ]),
    formulaBefore: new Map(),
    formulaAfter: new Map([
      ['buenos', new Set(['días', 'dias'])],
      ['buenas', new Set(['tardes', 'noches'])],
    ]),
  }),
  pt: () => ({
    analyzer: new natural.SentimentAnalyzer('Portuguese', stemmers.PorterStemmerPt, 'afinn'),
    tokenize: (text) => portugueseWords.tokenize(text),
    normalise: (text) => text,
    clauseBreaks: new Set(['mas', 'e', 'porque', 'embora', 'porém']),
    requestWords: new Set([
      'favor',
      'gostaria',
      'queria',
      'quero',
      'ajuda',
      'ajudar',
      'sim',
      'cancelar',
      'pagar',
    ]),
    formulaBefore: new Map(),
    formulaAfter: new Map([
      ['bom', new Set(['dia'])],
      ['boa', new Set(['tarde', 'noite'])],
    ]),
  }),
};

const built = new Map<keyof typeof profiles, LanguageProfile>();

/**
 * Languages whose AFINN vocabulary natural ships get their own; anything else (including 'und') is scored
 * as English. natural's Senticon and pattern vocabularies (French, German, Italian, Dutch, Catalan, ...)
 * weigh words on another scale, so the thresholds above would mean something else for them. English is
 * the most likely second language on a call, and names, "ok" and "thank you" still register.
 */
function profileFor(language: string): LanguageProfile {
  const primary = language.trim().toLowerCase().split(/[-_]/)[0];
  const key = primary === 'es' || primary === 'pt' ? primary : 'en';
  let profile = built.get(key);
  if (profile === undefined) {
    profile = profiles[key]();
    built.set(key, profile);
  }
  return profile;
}

// natural carries a negation to the end of the word list, so each clause is scored separately:
// in "nobody fixed it, I'm not happy but thanks" the "not" must not turn "thanks" negative.
function clauses(text: string, profile: LanguageProfile): string[][] {
  const result: string[][] = [];
  for (const piece of profile.normalise(text.toLowerCase()).split(/[.,;:!?¿¡…]+/u)) {
    let clause: string[] = [];
    for (const word of profile.tokenize(piece)) {
      if (profile.clauseBreaks.has(word)) {
        result.push(clause);
        clause = [];
      } else {
        clause.push(word);
      }
    }
    result.push(clause);
  }
  return result.filter((clause) => clause.length > 0);
}

function withoutFormulas(words: readonly string[], profile: LanguageProfile): string[] {
  return words.filter((word, i) => {
    if (profile.requestWords.has(word)) return false;
    const previous = words[i - 1];
    if (previous !== undefined && profile.formulaBefore.get(word)?.has(previous) === true) return false;
    const next = words[i + 1];
    return !(next !== undefined && profile.formulaAfter.get(word)?.has(next) === true);
  });
}

export function labelFor(score: number): SentimentLabel {
  if (score >= SENTIMENT_LABEL_THRESHOLD) return 'positive';
  if (score <= -SENTIMENT_LABEL_THRESHOLD) return 'negative';
  return 'neutral';
}

/** Sentiment of one utterance. `language` is a BCP 47 tag ('en', 'es-MX', 'und'). */
export function scoreSentiment(text: string, language: string): UtteranceSentiment {
  const profile = profileFor(language);
  let sum = 0;
  for (const clause of clauses(text, profile)) {
    const words = withoutFormulas(clause, profile);
    // natural returns the mean weight over the words it was given; the sum is what we normalise.
    if (words.length > 0) sum += profile.analyzer.getSentiment(words) * words.length;
  }
  const score = sum === 0 ? 0 : sum / Math.sqrt(sum * sum + NORMALISATION_ALPHA);
  return { score, label: labelFor(score) };
}
