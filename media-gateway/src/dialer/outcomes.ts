import type { CallOutcome, DialOutcome } from '@ccp/schemas';

/**
 * A campaign call's outcome as the campaign counts it: a conversation (resolved, escalated, or the callee
 * hanging up on the agent) is `answered` when a person picked up; a machine that picked up is `voicemail`
 * whatever the call did then; a call that ended before anyone picked up was not answered.
 */
export const dialOutcomeOf = (
  outcome: CallOutcome,
  answeredBy: 'human' | 'machine' | 'unknown' | undefined,
): DialOutcome => {
  switch (outcome) {
    case 'voicemail':
    case 'busy':
    case 'no_answer':
    case 'failed':
      return outcome;
    case 'resolved':
    case 'escalated':
    case 'abandoned':
      if (answeredBy === 'machine') return 'voicemail';
      return answeredBy === undefined ? 'no_answer' : 'answered';
  }
};

/**
 * A carrier call status (Twilio's) that means the call is over, as the call's own outcome; a completed call
 * whose end we never heard is `abandoned` (how its conversation went is not known here).
 */
export const endedStatusOutcome = (status: string): CallOutcome | undefined => {
  switch (status) {
    case 'busy':
      return 'busy';
    case 'no-answer':
      return 'no_answer';
    case 'failed':
    case 'canceled':
      return 'failed';
    case 'completed':
      return 'abandoned';
    default:
      return undefined;
  }
};
