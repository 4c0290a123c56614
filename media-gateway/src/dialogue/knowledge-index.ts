import MiniSearch from 'minisearch';
// Deep import on purpose: natural's root index loads storage back ends that call dotenv.config() on import.
import stemmers from 'natural/lib/natural/stemmers/index.js';

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
export const MIN_SCORE = 0.4;

const STOP_WORDS: Readonly<Record<string, ReadonlySet<string>>> = {
  en: new Set(
    (
      'a about all also am an and any are as at be been but by can could did do does doing for from get got ' +
      'had has have having he her here him his how i if in into is it its just know like me might more much ' +
      'my need no not now of on or our out please same she should so some tell than that the their them then ' +
      'there these they this those to too up us very want was we were what whats when where which who why ' +
      'will with would you your yours hi hello hey ok okay well um uh yes thanks thank could id ill im ive dont ' +
      'wondering question ask honestly actually really way kind sort bit little pretty quite maybe probably ' +
      'think guess mean basically literally just something anything'
    ).split(' '),
  ),
  es: new Set(
    (
      'a al algo alguna alguno ante como con cual cuales cuando cuanto cuanta cuantos cuantas de del donde el ' +
      'ella ellos en entre era es esa ese eso esta estan estas este esto estos fue ha hay la las le les lo los ' +
      'me mi mis mucho muy nada ni no nos nosotros o para pero poco por porque puedo puede pueden que quien ' +
      'se ser si sin sobre son su sus tambien te tengo tiene tienen tu tus un una uno unos unas usted ustedes ' +
      'y ya yo hola bueno favor gracias quiero quisiera saber pregunta decir dime digame oiga ' +
      'verdad realmente sinceramente bastante algo pues mire'
    ).split(' '),
  ),
};

const fold = (text: string): string => text.normalize('NFD').replace(/\p{M}+/gu, '');

const primary = (language: string | undefined): string => language?.split('-')[0]?.toLowerCase() ?? '';

type Stem = (word: string) => string;
const STEMMERS: Readonly<Record<string, Stem>> = {
  en: (w) => stemmers.PorterStemmer.stem(w),
  es: (w) => stemmers.PorterStemmerEs.stem(w),
};

const words = (text: string): string[] =>
  text
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);

/**
 * The index terms of each word of a text in some languages: stop words out, stemmed, accents folded. Spanish is
 * stemmed before folding (the stemmer knows "-ción"), and the folded spelling is stemmed too, because
 * speech-to-text sometimes drops accents. A language without a stemmer keeps its words, folded. One group per
 * word, so that a word's several spellings count as one word when scoring.
 */
const termGroups = (text: string, languages: readonly string[]): string[][] => {
  const groups: string[][] = [];
  for (const word of words(text)) {
    const folded = fold(word);
    if (languages.some((l) => STOP_WORDS[l]?.has(folded))) continue;
    const group = new Set<string>();
    for (const language of languages) {
      const stem = STEMMERS[language];
      if (!stem) group.add(folded);
      else {
        group.add(fold(stem(word)));
        group.add(fold(stem(folded)));
      }
    }
    groups.push([...group]);
  }
  return groups;
};

const termsOf = (text: string, language: string): string[] => [
  ...new Set(termGroups(text, [language]).flat()),
];

/** A query in an unknown language is read as each language the index can stem. */
const queryGroupsOf = (query: string, language: string | undefined): string[][] => {
  const lang = primary(language);
  return termGroups(query, lang !== '' ? [lang] : Object.keys(STEMMERS));
};

interface Indexed {
  readonly doc: KnowledgeDocument;
  readonly terms: ReadonlySet<string>;
}

const FIELDS = ['title', 'text', 'tags'] as const;

/**
 * A ranked search over a tenant's articles and objection answers. minisearch ranks (BM25 with title boost,
 * prefix and fuzzy matching on stems); the score it returns is unbounded and grows with document length, so
 * the score reported here is the share of the question's informative words (weighted by inverse document
 * frequency, unknown words weighing most) that the document contains, which has a meaningful threshold.
 */
export const createKnowledgeIndex = (docs: readonly KnowledgeDocument[] = []): KnowledgeIndex => {
  const byId = new Map<string, Indexed>();
  const documentFrequency = new Map<string, number>();
  const mini = new MiniSearch<KnowledgeDocument>({
    fields: [...FIELDS],
    idField: 'id',
    // Fields arrive already reduced to terms in the document's own language (see termsOf).
    extractField: (doc, field) => {
      const language = primary(doc.language);
      if (field === 'id') return doc.id;
      if (field === 'tags') return termsOf(doc.tags.join(' '), language).join(' ');
      if (field === 'title' || field === 'text') return termsOf(doc[field], language).join(' ');
      return '';
    },
    tokenize: (text) => text.split(' ').filter((t) => t.length > 0),
    processTerm: (term) => term,
    searchOptions: {
      boost: { title: 2, tags: 1.5, text: 1 },
      prefix: (term) => term.length >= 4,
      fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
      combineWith: 'OR',
    },
  });

  const countTerms = (terms: ReadonlySet<string>, delta: number): void => {
    for (const term of terms) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + delta);
  };

  const remove = (id: string): void => {
    const indexed = byId.get(id);
    if (!indexed) return;
    mini.discard(id);
    countTerms(indexed.terms, -1);
    byId.delete(id);
  };

  const add = (doc: KnowledgeDocument): void => {
    remove(doc.id);
    const language = primary(doc.language);
    const terms = new Set([
      ...termsOf(doc.title, language),
      ...termsOf(doc.text, language),
      ...termsOf(doc.tags.join(' '), language),
    ]);
    mini.add(doc);
    countTerms(terms, 1);
    byId.set(doc.id, { doc, terms });
  };

  /** Rare words say more about what is asked; a word no document has weighs most. */
  const weight = (term: string): number =>
    Math.log(1 + (byId.size + 1) / (1 + (documentFrequency.get(term) ?? 0)));

  const search = (query: string, options: KnowledgeSearchOptions = {}): KnowledgeResult[] => {
    const limit = options.limit ?? 5;
    const groups = queryGroupsOf(query, options.language);
    const queryTerms = [...new Set(groups.flat())];
    if (queryTerms.length === 0 || byId.size === 0) return [];
    const language = primary(options.language);
    const { departmentId } = options;
    const hits = mini.search(queryTerms.join(' '), {
      filter: (hit) => {
        const doc = byId.get(String(hit.id))?.doc;
        if (!doc) return false;
        if (language !== '' && primary(doc.language) !== language) return false;
        return (
          doc.departmentId === undefined || departmentId === undefined || doc.departmentId === departmentId
        );
      },
    });
    // A word weighs as its most common reading, so an odd spelling of a common word does not swamp the rest.
    const groupWeight = (group: readonly string[]): number => Math.min(...group.map(weight));
    const totalWeight = groups.reduce((sum, g) => sum + groupWeight(g), 0);
    const topRank = hits[0]?.score ?? 0;
    const results = hits.flatMap((hit): KnowledgeResult[] => {
      const indexed = byId.get(String(hit.id));
      if (!indexed) return [];
      const exact = new Set(hit.terms);
      let matched = 0;
      for (const group of groups) {
        if (group.some((t) => exact.has(t))) matched += groupWeight(group);
        // Prefix or fuzzy: "clean" found "cleaner"; worth less than the word itself.
        else if (group.some((t) => hit.queryTerms.includes(t))) matched += 0.7 * groupWeight(group);
      }
      const coverage = totalWeight > 0 ? Math.min(1, matched / totalWeight) : 0;
      if (coverage < MIN_SCORE) return [];
      const rank = topRank > 0 ? hit.score / topRank : 0;
      return [{ ...indexed.doc, score: Math.round(coverage * (0.6 + 0.4 * rank) * 1000) / 1000 }];
    });
    return results.sort((a, b) => b.score - a.score).slice(0, limit);
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
