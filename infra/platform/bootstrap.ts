import { PLATFORM_TENANT, SYSTEM_ACTOR } from '@ccp/schemas';
import { hashPassword, type PlatformContext } from '@ccp/command-service';

export const SUPER_ADMIN_USER_ID = 'super-admin';

/** Makes sure the first super admin exists; the password is set only when none is stored yet. */
export const ensureSuperAdmin = async (
  context: PlatformContext,
  email: string,
  password: string,
): Promise<void> => {
  const { handler, identities } = context;
  const superAdmin = { tenantId: PLATFORM_TENANT, userId: SUPER_ADMIN_USER_ID };
  await identities.catchUp();
  if (!identities.member(superAdmin)) {
    await handler.handleTrusted(
      'InviteMember',
      {
        tenantId: PLATFORM_TENANT,
        userId: SUPER_ADMIN_USER_ID,
        email,
        name: 'Platform admin',
        role: 'super_admin',
      },
      { actor: SYSTEM_ACTOR },
    );
    await identities.catchUp();
  }
  if (!identities.passwordHash(superAdmin)) {
    identities.setPasswordHash(superAdmin, await hashPassword(password), Date.now());
  }
};
