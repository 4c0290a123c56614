import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_ESCALATION_RULES } from '@ccp/schemas';
import { escalationTrigger, souring } from './escalation-policy.js';

const calm = { sentiments: [0, 0.2], lowConfidenceStreak: 0, turnsWithoutResolution: 1 };

describe('when the agent’s rules hand a call to a person', () => {
  it('on a keyword, case and accents aside', () =>
    expect(
      escalationTrigger(
        { ...DEFAULT_AGENT_ESCALATION_RULES, keywords: ['abogado', 'lawyer'] },
        'Llamaré a mi ABOGADO',
        calm,
      ),
    ).toBe('keyword'));

  it('not on a keyword inside another word', () =>
    expect(
      escalationTrigger({ ...DEFAULT_AGENT_ESCALATION_RULES, keywords: ['law'] }, 'my lawn', calm),
    ).toBeUndefined());

  it('on a souring caller when the rule is on, not when it is off', () => {
    const angry = { ...calm, sentiments: [0, -0.6, -0.7] };
    expect(escalationTrigger(DEFAULT_AGENT_ESCALATION_RULES, 'this is terrible', angry)).toBe(
      'negative_sentiment',
    );
    expect(
      escalationTrigger({ ...DEFAULT_AGENT_ESCALATION_RULES, onNegativeSentimentTrend: false }, 'x', angry),
    ).toBeUndefined();
  });

  it('after two unclear lines in a row', () =>
    expect(
      escalationTrigger(DEFAULT_AGENT_ESCALATION_RULES, 'mmm', { ...calm, lowConfidenceStreak: 2 }),
    ).toBe('low_confidence'));

  it('after the agent’s turn limit without resolution', () =>
    expect(
      escalationTrigger({ ...DEFAULT_AGENT_ESCALATION_RULES, maxTurnsWithoutResolution: 3 }, 'and?', {
        ...calm,
        turnsWithoutResolution: 3,
      }),
    ).toBe('agent_rule'));
});

describe('a souring caller', () => {
  it('one negative line in a calm call is not', () => expect(souring([0.3, 0.2, -0.6])).toBe(false));
  it('two clearly negative lines in a row are', () => expect(souring([0.3, -0.6, -0.7])).toBe(true));
  it('a call getting worse on average is', () => expect(souring([-0.1, -0.3, -0.45, -0.48])).toBe(true));
});
