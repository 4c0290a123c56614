import { describe, expect, it } from 'vitest';
import { dialOutcomeOf, endedStatusOutcome } from './outcomes.js';

describe('campaign dial outcomes', () => {
  it('counts a conversation as answered only when someone picked up, a machine as voicemail', () => {
    expect(dialOutcomeOf('resolved', 'human')).toBe('answered');
    expect(dialOutcomeOf('abandoned', 'unknown')).toBe('answered');
    expect(dialOutcomeOf('escalated', 'machine')).toBe('voicemail');
    expect(dialOutcomeOf('abandoned', undefined)).toBe('no_answer');
    expect(dialOutcomeOf('voicemail', 'machine')).toBe('voicemail');
    expect(dialOutcomeOf('busy', undefined)).toBe('busy');
    expect(dialOutcomeOf('no_answer', undefined)).toBe('no_answer');
    expect(dialOutcomeOf('failed', 'human')).toBe('failed');
  });

  it('reads only the carrier statuses that end a call', () => {
    expect(endedStatusOutcome('busy')).toBe('busy');
    expect(endedStatusOutcome('no-answer')).toBe('no_answer');
    expect(endedStatusOutcome('canceled')).toBe('failed');
    expect(endedStatusOutcome('completed')).toBe('abandoned');
    expect(endedStatusOutcome('in-progress')).toBeUndefined();
    expect(endedStatusOutcome('ringing')).toBeUndefined();
  });
});
