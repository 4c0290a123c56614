import {
  matchStrength,
  PREFIX_MATCH,
  primary,
  queryWordsOf,
  termsOf,
  type QueryWord,
} from './knowledge-terms.js';

export interface KnowledgeDocument {
  readonly id: string;
  readonly kind: 'article' | 'objection' | 'script';
  /** For an objection: the objection itself ("too expensive"), which is what callers say. */
  readonly title: string;
  /** What the caller may hear: the article body, or the objection's response. */
  readonly text: string;
  readonly tags: readonly string[];
  /** BCP 47; matched on the primary subtag, so an "es" article answers an "es-MX" caller. */
  readonly language: string;
  /** Absent: the whole tenant's. */
  readonly departmentId?: string;
}

export interface KnowledgeResult extends KnowledgeDocument {
  /**
   * 0-1: how much of the question the document answers (the query's informative words it contains, weighted
   * by rarity), scaled down for documents ranked below the best. 1 = every word of the question matched.
   */
  readonly score: number;
  /** The sentence that answers, when the match was by meaning (semantic-ranking.ts) rather than by words. */
  readonly passage?: string;
  /** The passage's language when it was translated into the caller's (knowledge.ts). */
  readonly passageLanguage?: string;
}

export interface KnowledgeSearchOptions {
  readonly language?: string | undefined;
  /** The call's department: its documents and tenant-wide ones match. Absent: every document. */
  readonly departmentId?: string | undefined;
  readonly limit?: number;
}

export interface KnowledgeIndex {
  search(query: string, options?: KnowledgeSearchOptions): KnowledgeResult[];
  /** Adding an id that is already indexed replaces it. */
  add(doc: KnowledgeDocument): void;
  replace(doc: KnowledgeDocument): void;
  remove(id: string): void;
  readonly size: number;
}

/**
 * Below this share of the question's weight no document is an answer. A question shares at least one rare word
 * with a relevant FAQ's title or text in most of its phrasings; "what's the weather on Mars" shares none.
 */
export const MIN_SCORE = 0.35;

/**
 * A word no document has weighs this share of the rarest word. In the clause that asks, such a word is most
 * often what is asked ("do you offer teeth whitening"), and an article without it is not the answer; in the
 * context before it ("our dog hurt a paw on the hike, ...") such words are the caller's story and should not
 * drown the two words that ask.
 */
const UNKNOWN_ASKED = 0.7;
const UNKNOWN_CONTEXT = 0.3;
/** However long a caller's story, its unknown words weigh as at most this many words of a short question. */
const UNKNOWN_WORDS_COUNTED = 2;
/** The emphasis of a word of the asking clause (knowledge-terms.ts). */
const QUESTION_WEIGHT = 2;

/** By this much an article in another language must answer better than the best in the caller's own. */
const OTHER_LANGUAGE_MARGIN = 0.2;

/** Of the ranking, the share given to words found in a document's title or tags, which say what it is about. */
const HEADING_SHARE = 0.15;

interface Indexed {
  readonly doc: KnowledgeDocument;
  readonly terms: ReadonlySet<string>;
  readonly heading: ReadonlySet<string>;
}

const indexed = (doc: KnowledgeDocument): Indexed => {
  const language = primary(doc.language);
  const heading = new Set([...termsOf(doc.title, language), ...termsOf(doc.tags.join(' '), language)]);
  return { doc, heading, terms: new Set([...heading, ...termsOf(doc.text, language)]) };
};

/**
 * A ranked search over a tenant's articles and objection answers. The score is the share of the question's
 * informative words (weighted by rarity across the tenant's knowledge, the words of the clause that asks
 * weighing more) that the document contains as themselves, as another form, or as a related word; that share
 * has a meaningful threshold. A question finds documents in its own language first, and in the others when its
 * own has no answer (the caller hears the other language's answer rather than nothing).
 */
export const createKnowledgeIndex = (docs: readonly KnowledgeDocument[] = []): KnowledgeIndex => {
  const byId = new Map<string, Indexed>();

  const remove = (id: string): void => {
    byId.delete(id);
  };

  const add = (doc: KnowledgeDocument): void => {
    byId.set(doc.id, indexed(doc));
  };

  /** How strongly each document has each word of the query (matchStrength), worked out once a search. */
  type Strengths = ReadonlyMap<Indexed, readonly number[]>;

  const weights = (query: readonly QueryWord[], strengths: Strengths): number[] => {
    const rows = [...strengths.values()];
    const rarest = Math.log(1 + (rows.length + 1));
    const weighed = query.map((word, i) => {
      // Rarity by what the documents say in the caller's words; a related word only when nothing says it.
      const direct = rows.filter((row) => (row[i] ?? 0) >= PREFIX_MATCH).length;
      const frequency = direct > 0 ? direct : rows.filter((row) => (row[i] ?? 0) > 0).length;
      const rarity =
        frequency === 0
          ? (word.pointed ? UNKNOWN_ASKED : UNKNOWN_CONTEXT) * rarest
          : Math.log(1 + (rows.length + 1) / (1 + frequency));
      return { weight: rarity * word.emphasis, unknown: frequency === 0 };
    });
    // However long the caller's story, its unknown words count as at most a few: past that, more of them say
    // nothing more about whether an article answers.
    const unknown = weighed.filter((w) => w.unknown).reduce((sum, w) => sum + w.weight, 0);
    const cap = UNKNOWN_WORDS_COUNTED * UNKNOWN_ASKED * rarest * QUESTION_WEIGHT;
    const scale = unknown > cap ? cap / unknown : 1;
    return weighed.map((w) => (w.unknown ? w.weight * scale : w.weight));
  };

  const share = (weight: readonly number[], strength: (i: number) => number): number => {
    const total = weight.reduce((sum, w) => sum + w, 0);
    const matched = weight.reduce((sum, w, i) => sum + w * strength(i), 0);
    return total > 0 ? Math.min(1, matched / total) : 0;
  };

  const rank = (
    query: readonly QueryWord[],
    weight: readonly number[],
    strengths: Strengths,
    candidates: readonly Indexed[],
  ): KnowledgeResult[] => {
    const scored = candidates.flatMap((c) => {
      const row = strengths.get(c) ?? [];
      const coverage = share(weight, (i) => row[i] ?? 0);
      if (coverage < MIN_SCORE) return [];
      const heading = share(weight, (i) => (query[i] ? matchStrength(query[i], c.heading) : 0));
      return [{ doc: c.doc, coverage, rank: (1 - HEADING_SHARE) * coverage + HEADING_SHARE * heading }];
    });
    const top = Math.max(0, ...scored.map((s) => s.rank));
    return scored
      .map(({ doc, coverage, rank: r }) => ({
        ...doc,
        score: Math.round(coverage * (0.6 + 0.4 * (top > 0 ? r / top : 0)) * 1000) / 1000,
      }))
      .sort((a, b) => b.score - a.score);
  };

  const search = (query: string, options: KnowledgeSearchOptions = {}): KnowledgeResult[] => {
    const limit = options.limit ?? 5;
    const words = queryWordsOf(query, options.language);
    if (words.length === 0 || byId.size === 0) return [];
    const strengths: Strengths = new Map(
      [...byId.values()].map((d) => [d, words.map((word) => matchStrength(word, d.terms))]),
    );
    const weight = weights(words, strengths);
    const { departmentId } = options;
    const inDepartment = [...byId.values()].filter(
      ({ doc }) =>
        doc.departmentId === undefined || departmentId === undefined || doc.departmentId === departmentId,
    );
    const language = primary(options.language);
    const own = inDepartment.filter((d) => language === '' || primary(d.doc.language) === language);
    const found = rank(words, weight, strengths, own);
    if (language === '') return found.slice(0, limit);
    const others = rank(
      words,
      weight,
      strengths,
      inDepartment.filter((d) => primary(d.doc.language) !== language),
    );
    // Articles are often written in one language and only some translated: the caller's language first,
    // unless only another's says what was asked.
    const ownBest = found[0]?.score ?? 0;
    const otherBest = others[0]?.score ?? 0;
    return (otherBest > ownBest + OTHER_LANGUAGE_MARGIN ? others : found.length > 0 ? found : others).slice(
      0,
      limit,
    );
  };

  for (const doc of docs) add(doc);

  return {
    search,
    add,
    replace: add,
    remove,
    get size() {
      return byId.size;
    },
  };
};
