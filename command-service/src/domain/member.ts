import {
  PLATFORM_TENANT,
  emailHash,
  type CommandOf,
  type EventOf,
  type Role,
  type memberCommands,
  type memberEvents,
} from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type MemberCommand = CommandOf<(typeof memberCommands)[number]>;
export type MemberEvent = EventOf<(typeof memberEvents)[number]>;

interface MemberDetails {
  readonly email: string;
  readonly emailHash: string;
  readonly name: string;
  readonly role: Role;
}

export type MemberState =
  | { readonly status: 'none' }
  | (MemberDetails & { readonly status: 'invited' })
  | (MemberDetails & { readonly status: 'removed' });

type CurrentMember = Extract<MemberState, { status: 'invited' }>;

const current = (state: MemberState): CurrentMember => {
  if (state.status === 'none')
    throw new DomainError('MEMBER_NOT_FOUND', 'the member does not exist', 'userId');
  if (state.status === 'removed') throw new DomainError('MEMBER_REMOVED', 'the member was removed', 'userId');
  return state;
};

/** Super admins run the platform, not a business: they live in the platform tenant, and only they do. */
const checkRoleFitsTenant = (tenantId: string, role: Role): void => {
  const inPlatform = tenantId === PLATFORM_TENANT;
  if (inPlatform && role !== 'super_admin') {
    throw new DomainError('ROLE_NOT_ALLOWED', 'the platform tenant has only super admins', 'role');
  }
  if (!inPlatform && role === 'super_admin') {
    throw new DomainError('ROLE_NOT_ALLOWED', 'super_admin is a platform role, not a tenant role', 'role');
  }
};

export const decide = (command: MemberCommand, state: MemberState): MemberEvent[] => {
  switch (command.type) {
    case 'InviteMember': {
      const { tenantId, userId, email, name, role } = command.data;
      if (state.status === 'removed') {
        throw new DomainError(
          'MEMBER_REMOVED',
          `member ${userId} was removed; invite with a new user id`,
          'userId',
        );
      }
      if (state.status !== 'none') {
        throw new DomainError('MEMBER_EXISTS', `member ${userId} already exists`, 'userId');
      }
      checkRoleFitsTenant(tenantId, role);
      return [{ type: 'MemberInvited', data: { email, name, role, emailHash: emailHash(email) } }];
    }
    case 'ChangeMemberRole': {
      const member = current(state);
      const { tenantId, role } = command.data;
      if (member.role === role) return [];
      checkRoleFitsTenant(tenantId, role);
      return [{ type: 'MemberRoleChanged', data: { from: member.role, to: role } }];
    }
    case 'RemoveMember': {
      if (state.status === 'removed') return [];
      const member = current(state);
      return [{ type: 'MemberRemoved', data: { emailHash: member.emailHash } }];
    }
  }
};

export const evolve = (state: MemberState, event: MemberEvent): MemberState => {
  if (event.type === 'MemberInvited') return { status: 'invited', ...event.data };
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'MemberRoleChanged':
      return { ...state, role: event.data.to };
    case 'MemberRemoved':
      return { ...state, status: 'removed' };
  }
};

export const memberDecider: Decider<MemberCommand, MemberEvent, MemberState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
