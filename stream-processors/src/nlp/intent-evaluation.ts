import type { IntentExample, IntentResult } from './intent-classifier.js';

export interface IntentScore {
  intent: string;
  total: number;
  correct: number;
  accuracy: number;
  /** What this intent was mistaken for, most often first. */
  confusedWith: { intent: string; count: number }[];
}

export interface IntentEvaluation {
  total: number;
  correct: number;
  accuracy: number;
  /** Worst first. */
  perIntent: IntentScore[];
  misses: { text: string; expected: string; predicted: string; confidence: number }[];
}

export function evaluateIntents(
  classify: (text: string) => IntentResult,
  examples: readonly IntentExample[],
): IntentEvaluation {
  const byIntent = new Map<string, { total: number; correct: number; confusion: Map<string, number> }>();
  const misses: IntentEvaluation['misses'] = [];
  for (const { text, intent } of examples) {
    const score = byIntent.get(intent) ?? { total: 0, correct: 0, confusion: new Map<string, number>() };
    byIntent.set(intent, score);
    score.total++;
    const result = classify(text);
    if (result.intent === intent) {
      score.correct++;
    } else {
      score.confusion.set(result.intent, (score.confusion.get(result.intent) ?? 0) + 1);
      misses.push({ text, expected: intent, predicted: result.intent, confidence: result.confidence });
    }
  }
  const perIntent = [...byIntent].map(([intent, { total, correct, confusion }]) => ({
    intent,
    total,
    correct,
    accuracy: correct / total,
    confusedWith: [...confusion]
      .map(([other, count]) => ({ intent: other, count }))
      .sort((a, b) => b.count - a.count || a.intent.localeCompare(b.intent)),
  }));
  perIntent.sort((a, b) => a.accuracy - b.accuracy || a.intent.localeCompare(b.intent));
  const correct = perIntent.reduce((acc, score) => acc + score.correct, 0);
  return {
    total: examples.length,
    correct,
    accuracy: examples.length === 0 ? 0 : correct / examples.length,
    perIntent,
    misses,
  };
}
