import { splitSentences } from '../llm/sentences.js';
import { matchStrength, queryWordsOf, termsOf, words, isStopWord, LANGUAGES } from './knowledge-terms.js';

/**
 * The part of an article that answers the question: nobody on the phone listens to a paragraph, and the first
 * sentences of an article are often not the ones asked about ("do you do acrylics?" of an article on nails whose
 * last sentence says that it does not).
 */

/** Longer than this, a passage is cut at a word (a phone answer is a sentence or two). */
const MAX_CHARS = 220;

/** Sentences, without splitting "$6.95", "P.O. boxes" or "Dr. Park" (the splitter that cuts a model's replies). */
export const sentencesOf = (text: string): string[] => splitSentences(text.replace(/\s+/g, ' ').trim());

/** The language a text is written in, by its function words ("the", "de"): articles carry theirs, mostly. */
export const languageOfText = (text: string): string | undefined => {
  let best: string | undefined;
  let bestCount = 0;
  const all = words(text);
  for (const language of LANGUAGES) {
    const count = all.filter(
      (w) =>
        isStopWord(w, [language]) &&
        !isStopWord(
          w,
          LANGUAGES.filter((l) => l !== language),
        ),
    ).length;
    if (count > bestCount) {
      best = language;
      bestCount = count;
    }
  }
  return best;
};

const clip = (text: string): string =>
  text.length <= MAX_CHARS ? text : `${text.slice(0, MAX_CHARS).replace(/\s+\S*$/, '')}…`;

/**
 * The sentence of `text` that shares most with the question (its words, other forms of them, related words),
 * with the next one when that one says more about it too; the opening sentences when none does.
 */
export const answerPassage = (query: string, text: string): string => {
  const sentences = sentencesOf(text);
  if (sentences.length <= 1) return clip(text.trim());
  const language = languageOfText(text) ?? '';
  const asked = queryWordsOf(query, undefined);
  const termsBySentence = sentences.map((sentence) => termsOf(sentence, language));
  // A word every sentence has does not tell them apart; one only this sentence has does.
  const spread = asked.map(
    (word) => termsBySentence.filter((terms) => matchStrength(word, terms) > 0).length,
  );
  const scores = termsBySentence.map((terms) =>
    asked.reduce(
      (sum, word, i) => sum + (word.emphasis * matchStrength(word, terms)) / Math.max(1, spread[i] ?? 1),
      0,
    ),
  );
  const top = Math.max(...scores);
  const best = top > 0 ? scores.indexOf(top) : 0;
  // The neighbour that says more about it too ("open 9 to 5" beside "closed on Sundays"), or, when nothing
  // matched, the sentence after the first.
  const neighbours = [best - 1, best + 1].filter((i) => i >= 0 && i < sentences.length);
  const neighbour =
    top === 0
      ? best + 1
      : neighbours
          .filter((i) => (scores[i] ?? 0) >= 0.5 * top)
          .sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0))[0];
  const picked = [best];
  if (neighbour !== undefined && neighbour < sentences.length) {
    const pair = [Math.min(best, neighbour), Math.max(best, neighbour)];
    if (pair.map((i) => sentences[i] ?? '').join(' ').length <= MAX_CHARS) picked.splice(0, 1, ...pair);
  }
  return clip(picked.map((i) => sentences[i]).join(' '));
};
