import type { Directory } from './directory/directory.js';
import type { KnowledgeHit, KnowledgeSearch } from './conversation/tools.js';
import { answerPassage } from './dialogue/answer-passage.js';
import {
  createKnowledgeIndex,
  type KnowledgeDocument,
  type KnowledgeIndex,
  type KnowledgeResult,
} from './dialogue/knowledge-index.js';
import { primary } from './dialogue/knowledge-terms.js';
import type { Translator } from './translation/translator.js';
import {
  blendRankings,
  semanticMatches,
  textsToEncode,
  type EncodedDocument,
} from './dialogue/semantic-ranking.js';
import type { SentenceEncoder } from './embeddings/sentence-encoder.js';
import { BoundedMap } from './bounded-map.js';

/** What callers may hear from a tenant's knowledge: published articles, and the scripts' objection answers. */
export const knowledgeDocuments = (directory: Directory, tenantId: string): KnowledgeDocument[] => [
  ...directory
    .articles(tenantId)
    .filter((a) => a.published && !a.archived)
    .map((a): KnowledgeDocument => ({
      id: `article:${a.articleId}`,
      kind: 'article',
      title: a.title,
      text: a.body,
      tags: [...a.tags],
      language: a.language,
      ...(a.departmentId !== undefined && { departmentId: a.departmentId }),
    })),
  ...directory
    .scripts(tenantId)
    .filter((s) => !s.archived)
    .flatMap((s) =>
      s.objections.map((o, i): KnowledgeDocument => ({
        id: `objection:${s.scriptId}:${i}`,
        kind: 'objection',
        title: o.objection,
        text: o.response,
        tags: [s.name],
        language: s.language,
      })),
    ),
];

/** Sentences' vectors kept across re-indexing: an edited article re-encodes only the sentences that changed. */
const VECTORS_KEPT = 50_000;

const hitOf = (hit: KnowledgeHit): KnowledgeHit => ({
  id: hit.id,
  kind: hit.kind,
  title: hit.title,
  text: hit.text,
  score: hit.score,
  ...(hit.passage !== undefined && { passage: hit.passage }),
  ...(hit.passageLanguage !== undefined && { passageLanguage: hit.passageLanguage }),
});

export interface TenantKnowledgeOptions {
  /** Finds articles by meaning where the caller's words find none. */
  readonly encoder?: SentenceEncoder | undefined;
  /** Says an article written in another language in the caller's. */
  readonly translator?: Translator | undefined;
  readonly log?: (line: string) => void;
}

/**
 * Search over each tenant's knowledge, indexed on first use and indexed again after an article or script of
 * the tenant changed: a tenant's knowledge is small, and a whole rebuild cannot drift from the log. With a
 * sentence encoder, a question whose words find nothing is matched by meaning too (dialogue/semantic-ranking.ts);
 * an encoder that fails leaves the word-based answer, told once in the log.
 */
export const tenantKnowledge = (
  directory: Directory,
  options: TenantKnowledgeOptions = {},
): KnowledgeSearch => {
  const { encoder, translator } = options;
  const log = options.log ?? (() => undefined);
  const indexes = new Map<
    string,
    { docs: KnowledgeDocument[]; words: KnowledgeIndex; meanings?: Promise<EncodedDocument[]> }
  >();
  const vectors = new BoundedMap<string, Promise<Float32Array>>(VECTORS_KEPT);
  let failed = false;
  directory.onKnowledgeChange(({ tenantId }) => indexes.delete(tenantId));

  const encode = (by: SentenceEncoder, text: string): Promise<Float32Array> => {
    const known = vectors.get(text);
    if (known) return known;
    const vector = by.encode(text);
    vectors.set(text, vector);
    vector.catch(() => vectors.delete(text));
    return vector;
  };
  const encodeAll = (by: SentenceEncoder, docs: readonly KnowledgeDocument[]): Promise<EncodedDocument[]> =>
    Promise.all(
      docs.map(async (doc) => {
        const { title, passages } = textsToEncode(doc);
        return {
          doc,
          title: await encode(by, title),
          passages: await Promise.all(
            passages.map(async ({ sentence, text }) => ({ sentence, vector: await encode(by, text) })),
          ),
        };
      }),
    );

  const indexOf = (tenantId: string) => {
    let index = indexes.get(tenantId);
    if (!index) {
      const docs = knowledgeDocuments(directory, tenantId);
      index = { docs, words: createKnowledgeIndex(docs) };
      indexes.set(tenantId, index);
    }
    return index;
  };
  /** The tenant's documents by meaning, encoded the first time words find nothing. */
  const meaningsOf = (index: ReturnType<typeof indexOf>, by: SentenceEncoder): Promise<EncodedDocument[]> => {
    index.meanings ??= encodeAll(by, index.docs);
    return index.meanings;
  };

  const byMeaning = async (
    index: ReturnType<typeof indexOf>,
    query: string,
    found: KnowledgeResult[],
    options: { language: string; departmentId: string | undefined },
  ): Promise<KnowledgeResult[]> => {
    if (found.length > 0 || encoder === undefined || failed) return found;
    try {
      const [docs, question] = await Promise.all([meaningsOf(index, encoder), encode(encoder, query)]);
      return blendRankings(found, semanticMatches(question, docs, options), options);
    } catch (error) {
      failed = true;
      indexes.clear();
      log(`knowledge search: the sentence encoder failed, searching by words only: ${String(error)}`);
      return found;
    }
  };

  /** The best answer in the caller's language when it is written in another and a translator can say it. */
  const inCallersLanguage = async (
    best: KnowledgeResult,
    query: string,
    language: string,
  ): Promise<KnowledgeResult> => {
    if (translator === undefined || primary(best.language) === primary(language)) return best;
    const passage = best.passage ?? answerPassage(query, best.text);
    const translated = await translator.translate(passage, language);
    return translated === undefined
      ? best
      : { ...best, passage: translated, passageLanguage: primary(language) };
  };

  return async (tenantId, query, { language, departmentId }): Promise<KnowledgeHit[]> => {
    const index = indexOf(tenantId);
    const words = index.words.search(query, { language, departmentId, limit: 3 });
    const [best, ...rest] = await byMeaning(index, query, words, { language, departmentId });
    if (best === undefined) return [];
    return [await inCallersLanguage(best, query, language), ...rest].map(hitOf);
  };
};
