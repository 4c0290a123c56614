import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { EmailHash } from './member.js';
import { Email, EntityId, TenantId } from './primitives.js';

/** One stream per email address, in the platform pseudo-tenant: what makes an address unique platform-wide. */
const category = 'login';

// Commands

export const ClaimLogin = defineCommand(
  category,
  'ClaimLogin',
  z.object({ tenantId: TenantId, email: Email, userId: EntityId }),
  'Internal: reserve an email address for one member of one tenant before the member is added.',
);
export const ReleaseLogin = defineCommand(
  category,
  'ReleaseLogin',
  z.object({ tenantId: TenantId, emailHash: EmailHash, userId: EntityId }),
  'Internal: free the email address of a removed member.',
);

// Events

// The holder's tenant is in the data because user ids are unique only within a tenant, and the decider of
// this platform-wide stream sees the data, not the envelope.
export const LoginClaimed = defineEvent(
  category,
  'LoginClaimed',
  1,
  z.object({ userId: EntityId, memberTenantId: TenantId, emailHash: EmailHash }),
);
export const LoginReleased = defineEvent(
  category,
  'LoginReleased',
  1,
  z.object({ userId: EntityId, memberTenantId: TenantId }),
);

export const loginCommands = [ClaimLogin, ReleaseLogin] as const;
export const loginEvents = [LoginClaimed, LoginReleased] as const;
