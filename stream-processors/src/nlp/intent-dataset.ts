import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IntentExample } from './intent-classifier.js';

/** The labelled utterances shipped with the repository. */
export const INTENT_DATASET_PATH = fileURLToPath(new URL('../../data/intents.jsonl', import.meta.url));

/** Every HELD_OUT_EVERY-th example of each intent is held out: a 20% split, the same on every run. */
export const HELD_OUT_EVERY = 5;

export const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/**
 * One JSON object per line, each read by `read` (undefined: not the expected shape); blank lines are skipped. An
 * error names the file's kind (`what`), the line and the shape expected.
 */
export function parseJsonLines<T>(
  jsonl: string,
  what: string,
  expected: string,
  read: (fields: Readonly<Record<string, unknown>>) => T | undefined,
): T[] {
  const rows: T[] = [];
  jsonl.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`${what} line ${index + 1}: not JSON`);
    }
    const row =
      typeof value === 'object' && value !== null ? read(value as Record<string, unknown>) : undefined;
    if (row === undefined) throw new Error(`${what} line ${index + 1}: expected ${expected}`);
    rows.push(row);
  });
  return rows;
}

/** One JSON object per line, {"text": ..., "intent": ...}; blank lines are skipped. */
export function parseIntentDataset(jsonl: string): IntentExample[] {
  return parseJsonLines(
    jsonl,
    'intent dataset',
    '{"text": non-empty string, "intent": non-empty string}',
    ({ text, intent }) => (nonEmpty(text) && nonEmpty(intent) ? { text, intent } : undefined),
  );
}

export function loadIntentDataset(path: string = INTENT_DATASET_PATH): IntentExample[] {
  return parseIntentDataset(readFileSync(path, 'utf8'));
}

/**
 * Stratified by intent, so that every intent is measured, and by position in the file, so that the figure
 * is reproducible: the 5th, 10th, 15th... example of each intent is held out.
 */
export function splitHeldOut(examples: readonly IntentExample[]): {
  train: IntentExample[];
  heldOut: IntentExample[];
} {
  const seen = new Map<string, number>();
  const train: IntentExample[] = [];
  const heldOut: IntentExample[] = [];
  for (const example of examples) {
    const position = (seen.get(example.intent) ?? 0) + 1;
    seen.set(example.intent, position);
    (position % HELD_OUT_EVERY === 0 ? heldOut : train).push(example);
  }
  return { train, heldOut };
}
