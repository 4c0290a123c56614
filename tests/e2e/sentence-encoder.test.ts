import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSentenceEncoder, type SentenceEncoderFiles } from '@ccp/infra';
import {
  lazySentenceEncoder,
  openSentenceEncoder,
  similarity,
  SentenceEncoderError,
  type SentenceEncoder,
} from '@ccp/media-gateway';

/*
 * The sentence encoder port against its one adapter: the real model (the multilingual Universal Sentence Encoder,
 * prepared from PyPI into the cache by infra/embeddings, as `npm test` and `npm start` do) on onnxruntime-node.
 */

let files: SentenceEncoderFiles;
let encoder: SentenceEncoder;
const dir = mkdtempSync(join(tmpdir(), 'ccp-encoder-'));

beforeAll(async () => {
  files = await ensureSentenceEncoder();
  encoder = await openSentenceEncoder(files);
}, 600_000);

afterAll(async () => {
  await encoder.close();
  rmSync(dir, { recursive: true, force: true });
});

const closestOf = async (question: string, texts: readonly string[]): Promise<string | undefined> => {
  const q = await encoder.encode(question);
  const scored = await Promise.all(
    texts.map(async (t) => ({ t, s: similarity(q, await encoder.encode(t)) })),
  );
  return scored.sort((a, b) => b.s - a.s)[0]?.t;
};

const ARTICLES = [
  'Parking. Free parking is available behind the building.',
  'Payment. We accept cards, cash and bank transfers.',
  'Opening hours. We are open Monday to Friday from 8 to 6.',
  'Emergencies. For a burst pipe call our emergency line at any hour.',
];

describe('the sentence encoder', () => {
  it('gives unit vectors, the same for the same sentence', async () => {
    const a = await encoder.encode('Do you take credit cards?');
    const b = await encoder.encode('  Do you  take credit cards?');
    expect(a).toHaveLength(512);
    expect(similarity(a, a)).toBeCloseTo(1, 4);
    expect(similarity(a, b)).toBeCloseTo(1, 4);
  });

  it('finds the article a question means, in other words and across English and Spanish', async () => {
    expect(await closestOf('is there somewhere I can leave my car', ARTICLES)).toBe(ARTICLES[0]);
    expect(await closestOf('what ways are there to settle what I owe?', ARTICLES)).toBe(ARTICLES[1]);
    expect(await closestOf('¿Aceptan tarjeta de crédito?', ARTICLES)).toBe(ARTICLES[1]);
    expect(await closestOf('¿A qué hora abren?', ARTICLES)).toBe(ARTICLES[2]);
    expect(await closestOf('water is pouring out of a pipe in my kitchen', ARTICLES)).toBe(ARTICLES[3]);
  });

  it('encodes a very long text (cut to its start) and an empty one', async () => {
    expect(await encoder.encode('word '.repeat(5_000))).toHaveLength(512);
    expect(await encoder.encode('')).toHaveLength(512);
  });

  it('fails clearly on files that are not the model, and after close', async () => {
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, 'not a model');
    await expect(openSentenceEncoder({ ...files, model: junk })).rejects.toThrow(SentenceEncoderError);
    await expect(openSentenceEncoder({ ...files, tokenizer: join(dir, 'none.json') })).rejects.toThrow(
      /cannot read the tokenizer/,
    );
    const lazy = lazySentenceEncoder({ ...files, model: junk });
    await expect(lazy.encode('hello')).rejects.toThrow(SentenceEncoderError);
    await lazy.close();
    const closed = await openSentenceEncoder(files);
    await closed.close();
    await expect(closed.encode('hello')).rejects.toThrow(/closed/);
    // Closed while encoding (a platform stopping mid-call): the runs under way finish first, nothing escapes.
    const stopping = await openSentenceEncoder(files);
    const underway = Array.from({ length: 20 }, (_, i) => stopping.encode(`question number ${String(i)}`));
    await stopping.close();
    expect((await Promise.all(underway)).every((vector) => vector.length === 512)).toBe(true);
  });
});
