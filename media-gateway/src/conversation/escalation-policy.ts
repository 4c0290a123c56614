import type { AgentEscalationRules } from '@ccp/schemas';
import { rollingSentiment } from '@ccp/stream-processors';

export type EscalationReason = 'keyword' | 'negative_sentiment' | 'low_confidence' | 'agent_rule';

export interface ConversationSignals {
  /** Sentiment of each caller line so far, oldest first, in [-1, 1]. */
  readonly sentiments: readonly number[];
  /** Caller lines in a row the engine understood with less confidence than the agent's threshold. */
  readonly lowConfidenceStreak: number;
  /** Caller lines since something was settled (an answer found, a booking, a ticket). */
  readonly turnsWithoutResolution: number;
}

const SENTIMENT_WINDOW = 4;
/** Two unclear lines in a row: one may be noise on the line, two mean the AI is not getting it. */
export const LOW_CONFIDENCE_STREAK = 2;

const normalise = (text: string): string =>
  ` ${text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;

/**
 * Whether the agent's rules hand the call to a person after this caller line, and why. A caller asking for a
 * person is left to the model (it calls escalate_to_human), which also understands "no, I don't want a human".
 */
export const escalationTrigger = (
  rules: AgentEscalationRules,
  line: string,
  signals: ConversationSignals,
): EscalationReason | undefined => {
  const said = normalise(line);
  if (rules.keywords.some((keyword) => said.includes(normalise(keyword)))) return 'keyword';
  if (rules.onNegativeSentimentTrend && souring(signals.sentiments)) return 'negative_sentiment';
  if (signals.lowConfidenceStreak >= LOW_CONFIDENCE_STREAK) return 'low_confidence';
  if (
    rules.maxTurnsWithoutResolution !== undefined &&
    signals.turnsWithoutResolution >= rules.maxTurnsWithoutResolution
  ) {
    return 'agent_rule';
  }
  return undefined;
};

/**
 * A caller getting angrier: negative on average over the last lines and worsening, or two clearly negative
 * lines in a row. One angry word in an otherwise calm call is not enough.
 */
export const souring = (sentiments: readonly number[]): boolean => {
  if (sentiments.length < 2) return false;
  const { average, trend } = rollingSentiment(sentiments, SENTIMENT_WINDOW);
  const lastTwo = sentiments.slice(-2);
  return (average < -0.3 && trend === 'worsening') || lastTwo.every((s) => s <= -0.5);
};
