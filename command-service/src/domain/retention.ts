import type {
  CommandOf,
  EventOf,
  LegalHoldPlaced,
  LegalHoldReleased,
  PlaceLegalHold,
  ReleaseLegalHold,
  RetentionPolicy,
  RetentionPolicySet,
  SetRetentionPolicy,
} from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type RetentionPolicyCommand = CommandOf<typeof SetRetentionPolicy>;
export type RetentionPolicyEvent = EventOf<typeof RetentionPolicySet>;

/** The days as the policy says them: absent and null both keep forever. */
const normalized = (policy: RetentionPolicy) => ({
  recordingsDays: policy.recordingsDays ?? null,
  transcriptsDays: policy.transcriptsDays ?? null,
  messagesDays: policy.messagesDays ?? null,
});

/** A tenant's retention policy: each change recorded once, the same policy again recording nothing. */
export const retentionPolicyDecider: Decider<
  RetentionPolicyCommand,
  RetentionPolicyEvent,
  { readonly policy: ReturnType<typeof normalized> | undefined }
> = {
  initialState: () => ({ policy: undefined }),
  decide: (command, state) => {
    const policy = normalized(command.data.policy);
    if (JSON.stringify(policy) === JSON.stringify(state.policy)) return [];
    return [{ type: 'RetentionPolicySet', data: { policy } }];
  },
  evolve: (_, event) => ({ policy: normalized(event.data.policy) }),
};

export type LegalHoldCommand = CommandOf<typeof PlaceLegalHold | typeof ReleaseLegalHold>;
export type LegalHoldEvent = EventOf<typeof LegalHoldPlaced | typeof LegalHoldReleased>;

/** A hold is placed once and released once; a released hold's id is not used again (a new hold takes a new id). */
export const legalHoldDecider: Decider<
  LegalHoldCommand,
  LegalHoldEvent,
  { readonly status: 'none' | 'placed' | 'released' }
> = {
  initialState: () => ({ status: 'none' }),
  decide: (command, state) => {
    switch (command.type) {
      case 'PlaceLegalHold':
        if (state.status === 'placed') return [];
        if (state.status === 'released')
          throw new DomainError('HOLD_RELEASED', 'this hold was released: place a new one', 'holdId');
        return [
          { type: 'LegalHoldPlaced', data: { target: command.data.target, reason: command.data.reason } },
        ];
      case 'ReleaseLegalHold':
        if (state.status === 'none') throw new DomainError('HOLD_NOT_FOUND', 'no such legal hold', 'holdId');
        return state.status === 'released' ? [] : [{ type: 'LegalHoldReleased', data: {} }];
    }
  },
  evolve: (_, event) => ({ status: event.type === 'LegalHoldPlaced' ? 'placed' : 'released' }),
};
