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
      // The admin's own team: telling them the person is already on it reveals nothing they cannot see.
      if (state.status === 'claimed' && state.memberTenantId === tenantId) {
        throw new DomainError('EMAIL_TAKEN', 'someone on this team already uses this email address', 'email');
      }
      // Another tenant's: refusing would tell any tenant admin which addresses exist on the platform. Nothing
      // is claimed and nothing is said: the member is added like any other but can never sign in (sign-in
      // follows the claim), and removing them gives back nothing, as they hold nothing.
      if (state.status === 'claimed') return [];
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
