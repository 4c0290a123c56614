import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { Email, EntityId, Name, Role, TenantId } from './primitives.js';

const category = 'member';

/**
 * The platform-wide key of an email address: sha256 hex of the lower-cased address. It names the address's
 * login stream and links a member to it without repeating the address.
 */
export const emailHash = (email: string): string =>
  createHash('sha256').update(email.toLowerCase()).digest('hex');

export const EmailHash = z.string().regex(/^[0-9a-f]{64}$/, 'an email hash is 64 lowercase hex digits');

const memberKey = { tenantId: TenantId, userId: EntityId };

// Commands

export const InviteMember = defineCommand(
  category,
  'InviteMember',
  z.object({ ...memberKey, email: Email, name: Name, role: Role }),
  'Add a person to the team with a role. An address already on this team is refused; one another tenant uses is not (that would tell who is on the platform), but that member can never sign in with it.',
);
export const ChangeMemberRole = defineCommand(
  category,
  'ChangeMemberRole',
  z.object({ ...memberKey, role: Role }),
  'Give a team member another role.',
);
export const RemoveMember = defineCommand(
  category,
  'RemoveMember',
  z.object(memberKey),
  'Remove a person from the team for good; their email address becomes free again.',
);

// Events

export const MemberInvited = defineEvent(
  category,
  'MemberInvited',
  1,
  z.object({ email: Email, name: Name, role: Role, emailHash: EmailHash }),
);
export const MemberRoleChanged = defineEvent(
  category,
  'MemberRoleChanged',
  1,
  z.object({ from: Role, to: Role }),
);
export const MemberRemoved = defineEvent(category, 'MemberRemoved', 1, z.object({ emailHash: EmailHash }));

export const memberCommands = [InviteMember, ChangeMemberRole, RemoveMember] as const;
export const memberEvents = [MemberInvited, MemberRoleChanged, MemberRemoved] as const;
