import { emailHash, type CommandOf, type EventOf, type loginCommands, type loginEvents } from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type LoginCommand = CommandOf<(typeof loginCommands)[number]>;
export type LoginEvent = EventOf<(typeof loginEvents)[number]>;

/** Who holds one email address; a user id means something only together with its tenant. */
export type LoginState =
  | { readonly status: 'free' }
  | { readonly status: 'claimed'; readonly memberTenantId: string; readonly userId: string };

const heldBy = (state: LoginState, tenantId: string, userId: string): boolean =>
  state.status === 'claimed' && state.memberTenantId === tenantId && state.userId === userId;

export const decide = (command: LoginCommand, state: LoginState): LoginEvent[] => {
  switch (command.type) {
    case 'ClaimLogin': {
      const { tenantId, email, userId } = command.data;
      if (heldBy(state, tenantId, userId)) return [];
      if (state.status === 'claimed') {
        throw new DomainError('EMAIL_TAKEN', 'this email address is already in use', 'email');
      }
      return [
        { type: 'LoginClaimed', data: { userId, memberTenantId: tenantId, emailHash: emailHash(email) } },
      ];
    }
    case 'ReleaseLogin': {
      const { tenantId, userId } = command.data;
      // Only the holder gives an address back; anyone else's release is late or misdirected and changes nothing.
      if (!heldBy(state, tenantId, userId)) return [];
      return [{ type: 'LoginReleased', data: { userId, memberTenantId: tenantId } }];
    }
  }
};

export const evolve = (_state: LoginState, event: LoginEvent): LoginState => {
  switch (event.type) {
    case 'LoginClaimed':
      return { status: 'claimed', memberTenantId: event.data.memberTenantId, userId: event.data.userId };
    case 'LoginReleased':
      return { status: 'free' };
  }
};

export const loginDecider: Decider<LoginCommand, LoginEvent, LoginState> = {
  initialState: () => ({ status: 'free' }),
  decide,
  evolve,
};
