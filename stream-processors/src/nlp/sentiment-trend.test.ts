import { describe, expect, it } from 'vitest';
import { scoreSentiment } from './sentiment.js';
import { rollingSentiment } from './sentiment-trend.js';

describe('rollingSentiment', () => {
  it('shows a caller getting angrier as worsening', () => {
    const call = [
      'hi, I need help with my internet',
      "it's been down since yesterday",
      "I already restarted the modem and it still doesn't work",
      'this is the third time I call and nobody fixed it',
      "this is ridiculous, I'm furious",
    ].map((line) => scoreSentiment(line, 'en').score);
    const rolling = rollingSentiment(call, 5);
    expect(rolling.trend).toBe('worsening');
    expect(rolling.average).toBeLessThan(0);
  });

  it('shows a caller calming down as improving', () => {
    expect(rollingSentiment([-0.7, -0.5, -0.2, 0, 0.5], 5).trend).toBe('improving');
  });

  it('calls small drifts and steady calls stable', () => {
    expect(rollingSentiment([0, 0.1, 0, -0.1, 0], 5).trend).toBe('stable');
    expect(rollingSentiment([-0.6, -0.6, -0.6], 3).trend).toBe('stable');
  });

  it('looks only at the last `window` scores', () => {
    // An angry start followed by a calm, flat stretch: the window sees only the flat stretch.
    const rolling = rollingSentiment([-0.9, -0.9, 0.4, 0.4, 0.4], 3);
    expect(rolling.average).toBeCloseTo(0.4);
    expect(rolling.trend).toBe('stable');
  });

  it('is not decided by one odd utterance at the end of an improving call', () => {
    expect(rollingSentiment([-0.6, -0.3, 0, 0.3, 0.5, 0.2], 6).trend).toBe('improving');
  });

  it('handles calls with fewer scores than the window', () => {
    expect(rollingSentiment([], 5)).toEqual({ average: 0, trend: 'stable' });
    expect(rollingSentiment([0.5], 5)).toEqual({ average: 0.5, trend: 'stable' });
  });

  it('rejects a bad window or a score outside [-1, 1]', () => {
    expect(() => rollingSentiment([0], 0)).toThrow(RangeError);
    expect(() => rollingSentiment([0], 2.5)).toThrow(RangeError);
    expect(() => rollingSentiment([0, 2], 5)).toThrow(RangeError);
    expect(() => rollingSentiment([Number.NaN], 5)).toThrow(RangeError);
  });
});
