/**
 * A reply cut into the sentences a caller hears, so that speech can start on the first one while a model is
 * still writing. A cut is decided only by what comes before it and one whitespace after it, never by what follows,
 * so cutting a streamed prefix gives the same leading sentences as cutting the whole reply.
 */

/** Ends a sentence: . ! ? … (and runs of them, "?!", "..."), with closing quotes or brackets after. */
const END = /[.!?…]+["'”’»)\]]*(?=\s)/g;

/** Words whose period does not end the sentence (EN and ES titles, times of day, Latin abbreviations). */
const ABBREVIATIONS = new Set([
  'dr.',
  'dra.',
  'mr.',
  'mrs.',
  'ms.',
  'st.',
  'sr.',
  'sra.',
  'srta.',
  'jr.',
  'prof.',
  'ud.',
  'uds.',
  'vs.',
  'a.m.',
  'p.m.',
  'e.g.',
  'i.e.',
  'etc.',
  'p.o.',
  'apt.',
  'ave.',
  'approx.',
]);

/** Whether the terminator at `end` (exclusive) belongs to an abbreviation rather than ending a sentence. */
const isAbbreviation = (text: string, start: number, end: number): boolean => {
  const mark = text.slice(start, end);
  if (!/^\.["'”’»)\]]*$/.test(mark)) return false;
  const before = text.slice(0, start + 1);
  const word = /[\p{L}.]+$/u.exec(before)?.[0]?.toLowerCase() ?? '';
  return ABBREVIATIONS.has(word);
};

/** The complete sentences of a streamed prefix, and the unfinished rest. */
export const completeSentences = (partial: string): { sentences: string[]; rest: string } => {
  const sentences: string[] = [];
  let from = 0;
  for (const match of partial.matchAll(END)) {
    const start = match.index;
    const end = start + match[0].length;
    if (isAbbreviation(partial, start, end)) continue;
    const sentence = partial.slice(from, end).trim();
    if (sentence !== '') sentences.push(sentence);
    from = end;
  }
  return { sentences, rest: partial.slice(from) };
};

/** A reply cut into sentences as a caller hears them; splitSentences(prefix + more) starts with completeSentences(prefix). */
export const splitSentences = (text: string): string[] => {
  const { sentences, rest } = completeSentences(text);
  const last = rest.trim();
  return last === '' ? sentences : [...sentences, last];
};
