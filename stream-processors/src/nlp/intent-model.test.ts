import { describe, expect, it } from 'vitest';
import { bayesScores, trainBayes } from './intent-bayes.js';
import { softmaxScores, trainSoftmax } from './intent-model.js';

const documents = [
  { features: ['where', 'order'], intent: 'order_status' },
  { features: ['track', 'order'], intent: 'order_status' },
  { features: ['refund', 'order'], intent: 'refund_request' },
  { features: ['money', 'back'], intent: 'refund_request' },
];
const argmax = (scores: Float64Array): number => scores.indexOf(Math.max(...scores));

describe('the intent models', () => {
  it('the regression learns which features tell intents apart, the same way every time', () => {
    const model = trainSoftmax(documents);
    expect(model.intents).toEqual(['order_status', 'refund_request']);
    expect(argmax(softmaxScores(model, ['track', 'order']))).toBe(0);
    expect(argmax(softmaxScores(model, ['refund']))).toBe(1);
    expect(softmaxScores(trainSoftmax(documents), ['order'])).toEqual(softmaxScores(model, ['order']));
  });

  it('unknown features add nothing to the regression', () => {
    const model = trainSoftmax(documents);
    expect(softmaxScores(model, ['purple'])).toEqual(model.bias);
  });

  it('Bayes counts the share of each intent with a feature, weighted', () => {
    const model = trainBayes(documents, ['order_status', 'refund_request']);
    expect(argmax(bayesScores(model, ['where']))).toBe(0);
    expect(argmax(bayesScores(model, ['money']))).toBe(1);
    const heavy = trainBayes(
      documents.map((document) => ({ ...document, weight: document.intent === 'order_status' ? 3 : 1 })),
      model.intents,
    );
    expect(heavy.totals).toEqual(Float64Array.from([6, 2]));
  });
});
