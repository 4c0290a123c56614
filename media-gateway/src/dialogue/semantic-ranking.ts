import { sentencesOf } from './answer-passage.js';
import { primary } from './knowledge-terms.js';
import type { KnowledgeDocument, KnowledgeResult, KnowledgeSearchOptions } from './knowledge-index.js';

/**
 * Knowledge found by meaning where the caller's words and the article's differ ("somewhere to leave my car" for
 * an article on parking, "¿aceptan tarjeta?" for one on payment written in English). Pure: the vectors come from
 * a sentence encoder at the edge (embeddings/), the ranking and its thresholds are here.
 *
 * The word-based search (knowledge-index.ts) stays first: its matches say which words answer and hold up under
 * negation and numbers. Meaning decides only where words found nothing.
 */

/** A vector of unit length, from the same encoder for documents and questions. */
export type Vector = Float32Array;

/**
 * What an encoder is asked for a document: its title alone, and each sentence with the title before it (a
 * sentence alone often does not say what it is about: "It is free after 6pm.").
 */
export const textsToEncode = (
  doc: KnowledgeDocument,
): { title: string; passages: { sentence: string; text: string }[] } => ({
  title: doc.title,
  passages: sentencesOf(doc.text).map((sentence) => ({ sentence, text: `${doc.title}. ${sentence}` })),
});

export interface EncodedDocument {
  readonly doc: KnowledgeDocument;
  readonly title: Vector;
  /** The document's sentences, each with its vector. */
  readonly passages: readonly { readonly sentence: string; readonly vector: Vector }[];
}

export interface SemanticMatch {
  readonly doc: KnowledgeDocument;
  /** The cosine of the question with the title or the closest sentence. */
  readonly similarity: number;
  /** The sentence that answers, as the caller should hear it. */
  readonly passage: string;
}

/**
 * Below this cosine nothing is an answer. Measured on the conversation benchmark's dev split: off-topic questions
 * ("what's the weather on Mars", "who won the match") reach ~0.25 with the closest article, paraphrases of a
 * question an article answers mostly 0.35 and above.
 */
export const MIN_SIMILARITY = 0.35;

/** The best must stand this far above the next document, or the question is between two and neither is said. */
export const MIN_MARGIN = 0.03;

const dot = (a: Vector, b: Vector): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
};

/** The documents by how close they are to the question, closest first, within the call's department. */
export const semanticMatches = (
  question: Vector,
  docs: readonly EncodedDocument[],
  options: Pick<KnowledgeSearchOptions, 'departmentId'> = {},
): SemanticMatch[] =>
  docs
    .filter(
      ({ doc }) =>
        doc.departmentId === undefined ||
        options.departmentId === undefined ||
        doc.departmentId === options.departmentId,
    )
    .map(({ doc, title, passages }) => {
      let best = { similarity: dot(question, title), passage: passages[0]?.sentence ?? doc.text };
      for (const { sentence, vector } of passages) {
        const similarity = dot(question, vector);
        if (similarity > best.similarity) best = { similarity, passage: sentence };
      }
      return { doc, ...best };
    })
    .sort((a, b) => b.similarity - a.similarity);

/** A meaning match is said with a hedge unless it is this close (knowledge-answers' SURE_SCORE is 0.45). */
const SURE_SIMILARITY = 0.55;

/**
 * The word-based results when they found something; otherwise the closest document by meaning, when it is close
 * enough and clearly the closest. Its score stays under the "sure" line unless the match is close, so the caller
 * hears that it may not be exactly what was asked.
 */
export const blendRankings = (
  lexical: readonly KnowledgeResult[],
  semantic: readonly SemanticMatch[],
  options: Pick<KnowledgeSearchOptions, 'language'> = {},
): KnowledgeResult[] => {
  if (lexical.length > 0) return [...lexical];
  const [first] = semantic;
  if (first === undefined || first.similarity < MIN_SIMILARITY) return [];
  // A translation of the best is no rival: the next document in the same language is.
  const rival = semantic.find((m) => m !== first && m.doc.language === first.doc.language);
  if (rival !== undefined && first.similarity - rival.similarity < MIN_MARGIN) return [];
  // Of two documents that say the same in two languages, the caller's.
  const language = primary(options.language);
  const own = semantic.find(
    (m) => primary(m.doc.language) === language && first.similarity - m.similarity < MIN_MARGIN,
  );
  const best = own ?? first;
  const score = best.similarity >= SURE_SIMILARITY ? 0.5 : 0.4;
  return [{ ...best.doc, score, passage: best.passage }];
};
