import { describe, expect, it } from 'vitest';
import type { KnowledgeDocument, KnowledgeResult } from './knowledge-index.js';
import {
  blendRankings,
  MIN_MARGIN,
  MIN_SIMILARITY,
  semanticMatches,
  textsToEncode,
  type EncodedDocument,
} from './semantic-ranking.js';

// Vectors in three dimensions stand for meanings: parking, payment, hours. The encoder is tested apart
// (tests/e2e/sentence-encoder.test.ts); here only the ranking and its thresholds.
const v = (...xs: number[]): Float32Array => {
  const norm = Math.hypot(...xs);
  return Float32Array.from(xs.map((x) => x / norm));
};

const doc = (id: string, title: string, text: string, extra: Partial<KnowledgeDocument> = {}) =>
  ({ id, kind: 'article', title, text, tags: [], language: 'en', ...extra }) satisfies KnowledgeDocument;

const encoded = (
  d: KnowledgeDocument,
  title: Float32Array,
  passages: [string, Float32Array][],
): EncodedDocument => ({
  doc: d,
  title,
  passages: passages.map(([sentence, vector]) => ({ sentence, vector })),
});

const PARKING = doc('parking', 'Parking', 'Free parking is behind the building. It closes at 8pm.');
const PAYING = doc('paying', 'Paying', 'We take cards and cash.', { departmentId: 'billing' });
const APARCAR = doc('aparcar', 'Aparcamiento', 'Hay aparcamiento gratuito detrás del edificio.', {
  language: 'es',
});

const DOCS = [
  encoded(PARKING, v(1, 0, 0), [
    ['Free parking is behind the building.', v(1, 0, 0)],
    ['It closes at 8pm.', v(0.6, 0, 0.8)],
  ]),
  encoded(PAYING, v(0, 1, 0), [['We take cards and cash.', v(0.1, 1, 0)]]),
  encoded(APARCAR, v(1, 0.2, 0.05), [['Hay aparcamiento gratuito detrás del edificio.', v(1, 0.1, 0.05)]]),
];

describe('knowledge by meaning', () => {
  it('encodes each sentence with its title, and answers with the sentence closest to the question', () => {
    expect(textsToEncode(PARKING).passages).toEqual([
      {
        sentence: 'Free parking is behind the building.',
        text: 'Parking. Free parking is behind the building.',
      },
      { sentence: 'It closes at 8pm.', text: 'Parking. It closes at 8pm.' },
    ]);
    const [best] = semanticMatches(v(0.6, 0, 0.8), DOCS);
    expect(best).toMatchObject({ doc: PARKING, passage: 'It closes at 8pm.' });
    expect(best?.similarity).toBeCloseTo(1, 5);
  });

  it("keeps to the call's department, and tenant-wide documents", () => {
    const ids = (departmentId: string | undefined) =>
      semanticMatches(v(0, 1, 0), DOCS, { departmentId }).map((m) => m.doc.id);
    expect(ids('front-desk').sort()).toEqual(['aparcar', 'parking']);
    expect(ids('billing')[0]).toBe('paying');
    expect(ids(undefined)).toHaveLength(3);
  });

  it('leaves what the words found as it is', () => {
    const lexical: KnowledgeResult[] = [{ ...PAYING, score: 0.8 }];
    expect(blendRankings(lexical, semanticMatches(v(1, 0, 0), DOCS), { language: 'en' })).toEqual(lexical);
  });

  it("finds by meaning what the words did not, in the caller's language when a translation is as close", () => {
    const es = blendRankings([], semanticMatches(v(1, 0.1, 0.05), DOCS), { language: 'es' });
    expect(es).toEqual([
      { ...APARCAR, score: 0.5, passage: 'Hay aparcamiento gratuito detrás del edificio.' },
    ]);
    const en = blendRankings([], semanticMatches(v(1, 0.1, 0), DOCS), { language: 'en' });
    expect(en.map((r) => [r.id, r.passage])).toEqual([['parking', 'Free parking is behind the building.']]);
  });

  it('says a loose match with a hedge, and nothing when nothing is close or two are as close', () => {
    // Just above the threshold (a fourth meaning no document has makes up the rest): found, under the "sure" line.
    const loose = MIN_SIMILARITY + 0.01;
    const question = v(loose, 0, 0, Math.sqrt(1 - loose * loose));
    const found = blendRankings([], semanticMatches(question, [DOCS[0] as EncodedDocument]), {});
    expect(found.map((r) => r.score)).toEqual([0.4]);
    // Below it: nothing.
    const far = MIN_SIMILARITY - 0.01;
    const unrelated = v(far, 0, 0, Math.sqrt(1 - far * far));
    expect(blendRankings([], semanticMatches(unrelated, [DOCS[0] as EncodedDocument]), {})).toEqual([]);
    // Between parking and paying, within the margin: neither.
    const one = encoded(doc('one', 'One', 'x'), v(1, 0, 0), []);
    const other = encoded(doc('other', 'Other', 'y'), v(0.01, 1, 0), []);
    const tied = semanticMatches(v(1, 1, 0), [one, other]);
    expect((tied[0]?.similarity ?? 0) - (tied[1]?.similarity ?? 0)).toBeLessThan(MIN_MARGIN);
    expect(blendRankings([], tied, {})).toEqual([]);
    const closerToOther = blendRankings([], semanticMatches(v(1, 2, 0), [one, other]), {});
    expect(closerToOther.map((r) => r.id)).toEqual(['other']);
  });
});
