export type SentimentTrend = 'improving' | 'worsening' | 'stable';

export interface RollingSentiment {
  /** Mean of the scores in the window; 0 for an empty call. */
  average: number;
  trend: SentimentTrend;
}

/**
 * How far the fitted line must move across the window to count as a trend. It matches
 * SENTIMENT_LABEL_THRESHOLD: a drift smaller than the step from neutral to a label is within the noise
 * of one weak word (a single ±1 AFINN word moves an utterance by 0.25).
 */
export const TREND_MIN_CHANGE = 0.3;

/**
 * Rolling sentiment over a call's last `window` utterance scores, oldest first. The trend is the
 * least-squares slope times the window's span, not last-minus-first, so one odd utterance at either end
 * does not decide it, and a caller who gets angrier utterance by utterance shows 'worsening'.
 */
export function rollingSentiment(scores: readonly number[], window: number): RollingSentiment {
  if (!Number.isInteger(window) || window < 1) {
    throw new RangeError(`window must be a positive integer, got ${window}`);
  }
  const recent = scores.slice(-window);
  const bad = recent.find((score) => !Number.isFinite(score) || score < -1 || score > 1);
  if (bad !== undefined) throw new RangeError(`sentiment scores must be within [-1, 1], got ${bad}`);
  const n = recent.length;
  if (n === 0) return { average: 0, trend: 'stable' };

  const average = recent.reduce((acc, score) => acc + score, 0) / n;
  if (n < 2) return { average, trend: 'stable' };

  const meanX = (n - 1) / 2;
  let covariance = 0;
  let variance = 0;
  recent.forEach((score, x) => {
    covariance += (x - meanX) * (score - average);
    variance += (x - meanX) ** 2;
  });
  const change = (covariance / variance) * (n - 1);
  const trend =
    change <= -TREND_MIN_CHANGE ? 'worsening' : change >= TREND_MIN_CHANGE ? 'improving' : 'stable';
  return { average, trend };
}
