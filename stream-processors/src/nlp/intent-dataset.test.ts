import { describe, expect, it } from 'vitest';
import { loadIntentDataset, parseIntentDataset, splitHeldOut } from './intent-dataset.js';

describe('the intent dataset', () => {
  const examples = loadIntentDataset();
  const counts = new Map<string, number>();
  for (const { intent } of examples) counts.set(intent, (counts.get(intent) ?? 0) + 1);

  it('has at least 22 intents with at least 35 examples each', () => {
    expect(counts.size).toBeGreaterThanOrEqual(22);
    for (const [intent, count] of counts) expect(count, intent).toBeGreaterThanOrEqual(35);
  });

  it('has no utterance twice', () => {
    const texts = examples.map(({ text }) => text.trim().toLowerCase());
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('holds out every 5th example of each intent, the same way every time', () => {
    const { train, heldOut } = splitHeldOut(examples);
    expect(train.length + heldOut.length).toBe(examples.length);
    for (const [intent, count] of counts) {
      expect(heldOut.filter((e) => e.intent === intent)).toHaveLength(Math.floor(count / 5));
    }
    expect(splitHeldOut(examples)).toEqual({ train, heldOut });
  });
});

describe('parseIntentDataset', () => {
  it('skips blank lines', () => {
    expect(parseIntentDataset('{"text":"hi","intent":"greeting"}\n\n')).toEqual([
      { text: 'hi', intent: 'greeting' },
    ]);
  });

  it('names the line at fault', () => {
    expect(() => parseIntentDataset('{"text":"hi","intent":"greeting"}\n{"text":"bye"}')).toThrow(/line 2/);
    expect(() => parseIntentDataset('not json')).toThrow(/line 1: not JSON/);
  });
});
