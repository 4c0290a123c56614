import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIntentDataset } from './intent-dataset.js';
import { intentParaphrases } from './intent-paraphrases.js';
import { loadPublicTraining, PUBLIC_TRAINING_DIR } from './intent-training.js';
import { loadPublicIntents, parsePublicIntents } from './public-intents.js';

const normal = (text: string): string => text.replace(/\s+/g, ' ').trim().toLowerCase();

describe('what the classifier learns from beside data/intents.jsonl', () => {
  const ours = new Set(loadIntentDataset().map(({ intent }) => intent));
  const publicTraining = loadPublicTraining();
  const paraphrases = intentParaphrases();

  it('labels every public and template line with one of our intents', () => {
    expect(publicTraining.length).toBeGreaterThan(2000);
    for (const { text, intent } of [...publicTraining, ...paraphrases])
      expect(ours.has(intent), text).toBe(true);
  });

  it('never trains on a line of the Bitext test set or of data/intents.jsonl (the held-out split is in it)', () => {
    const measured = new Set(
      [...loadPublicIntents(), ...loadIntentDataset()].map(({ text }) => normal(text)),
    );
    const leaked = [...publicTraining, ...paraphrases].filter(({ text }) => measured.has(normal(text)));
    expect(leaked).toEqual([]);
  });

  it('maps each source intent of each file onto one intent of ours, as the README says', () => {
    for (const name of readdirSync(PUBLIC_TRAINING_DIR).filter((file) => file.endsWith('.jsonl'))) {
      const lines = parsePublicIntents(readFileSync(join(PUBLIC_TRAINING_DIR, name), 'utf8'));
      const mapped = new Map<string, Set<string>>();
      for (const { sourceIntent, intent } of lines) {
        mapped.set(sourceIntent, (mapped.get(sourceIntent) ?? new Set()).add(intent));
      }
      for (const [source, intents] of mapped) expect([...intents], `${name} ${source}`).toHaveLength(1);
    }
  });

  it('has no public line twice within a file, and the paraphrases are all different', () => {
    const texts = paraphrases.map(({ text }) => normal(text));
    expect(new Set(texts).size).toBe(texts.length);
    for (const name of readdirSync(PUBLIC_TRAINING_DIR).filter((file) => file.endsWith('.jsonl'))) {
      const lines = parsePublicIntents(readFileSync(join(PUBLIC_TRAINING_DIR, name), 'utf8'));
      expect(new Set(lines.map(({ text }) => normal(text))).size, name).toBe(lines.length);
    }
  });
});
