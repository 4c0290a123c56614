import { describe, expect, it } from 'vitest';
import { loadIntentDataset } from './intent-dataset.js';
import { BITEXT_INTENT_MAP, loadPublicIntents, parsePublicIntents } from './public-intents.js';

describe('the public intent set', () => {
  const examples = loadPublicIntents();
  const ours = loadIntentDataset();
  const normal = (text: string): string => text.trim().toLowerCase();

  it('parses {"text", "intent", "source_intent"} lines and names the line it cannot read', () => {
    expect(
      parsePublicIntents(
        '{"text":"where is my parcel","intent":"order_status","source_intent":"track_order"}\n\n',
      ),
    ).toEqual([{ text: 'where is my parcel', intent: 'order_status', sourceIntent: 'track_order' }]);
    expect(() => parsePublicIntents('{"text":"hi","intent":"greeting"}')).toThrow(/line 1/);
    expect(() => parsePublicIntents('\nnot json')).toThrow(/line 2: not JSON/);
  });

  it('labels every line with one of our intents, the one its source intent maps to', () => {
    const intents = new Set(ours.map(({ intent }) => intent));
    expect(examples.length).toBeGreaterThan(1000);
    for (const { text, intent, sourceIntent } of examples) {
      expect(intents.has(intent), text).toBe(true);
      expect(BITEXT_INTENT_MAP[sourceIntent], text).toBe(intent);
    }
  });

  it('shares no line with the training data, and has no line twice', () => {
    const trained = new Set(ours.map(({ text }) => normal(text)));
    const texts = examples.map(({ text }) => normal(text));
    expect(texts.filter((text) => trained.has(text))).toEqual([]);
    expect(new Set(texts).size).toBe(texts.length);
  });
});
