import { splitSentences } from '../../llm/index.js';
import { plain } from './text.js';

/**
 * Instructions are not answers. A small model asked something its knowledge does not hold reads its own prompt
 * back ("The business is in the America/Chicago time zone; say times in it.", a tool's description as the
 * cancellation policy) or says the greeting again mid-call. Both are caught by words copied in order: eight
 * words in a row from the platform's own instructions (the tenant's words removed: those may be said), or a
 * long sentence of an earlier reply said again word for word.
 */

const RUN = 8;
/** Shorter lines ("How can I help you today?") are said again for good reasons. */
const LONG_LINE = 7;

const wordsOf = (text: string): string[] => plain(text).match(/[\p{L}\p{N}]+/gu) ?? [];

const runsOf = (words: readonly string[]): string[] =>
  words.slice(0, Math.max(0, words.length - RUN + 1)).map((_, i) => words.slice(i, i + RUN).join(' '));

export interface Instructions {
  readonly runs: ReadonlySet<string>;
}

/** The runs of words in `text` (line by line) outside the spans the tenant wrote (`sayable`). */
export const indexInstructions = (text: string, sayable: readonly string[]): Instructions => {
  let own = text;
  // Longest first: a greeting inside a longer prompt line is removed with that line.
  for (const s of [...sayable].filter((s) => s.trim() !== '').sort((a, b) => b.length - a.length)) {
    own = own.split(s).join('\n');
  }
  return { runs: new Set(own.split('\n').flatMap((line) => runsOf(wordsOf(line)))) };
};

export const echoesInstructions = (sentence: string, instructions: Instructions): boolean =>
  runsOf(wordsOf(sentence)).some((run) => instructions.runs.has(run));

/** A sentence of at least seven words that an earlier reply of the call already said, word for word. */
export const repeatsLongLine = (sentence: string, earlier: readonly string[]): boolean => {
  const words = wordsOf(sentence);
  if (words.length < LONG_LINE) return false;
  const key = words.join(' ');
  return earlier.some((reply) => splitSentences(reply).some((s) => wordsOf(s).join(' ') === key));
};
