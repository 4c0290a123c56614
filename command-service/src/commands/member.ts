import {
  ChangeMemberRole,
  ClaimLogin,
  InviteMember,
  MemberRemoved,
  PLATFORM_TENANT,
  ReleaseLogin,
  RemoveMember,
} from '@ccp/schemas';
import { memberDecider } from '../domain/member.js';
import { reactionInput } from './reaction-input.js';
import { request, route, type CommandRequest, type CommandRoute, type Reactions } from './route.js';
import { releaseQuota, reserveQuota } from './tenant.js';

export const memberStream = (data: { tenantId: string; userId: string }) => ({
  category: 'member',
  tenantId: data.tenantId,
  id: data.userId,
});

// The platform tenant has no plan (and no tenant stream): its super admins take no seats.
const seatQuota = (
  quota: typeof reserveQuota | typeof releaseQuota,
  tenantId: string,
  userId: string,
): CommandRequest[] => (tenantId === PLATFORM_TENANT ? [] : [quota(tenantId, 'teamMembers', userId)]);

const admins = { stream: memberStream, roles: ['tenant_admin'] } as const;

export const memberRoutes: readonly CommandRoute[] = [
  route(InviteMember, memberDecider, {
    ...admins,
    retryOnConflict: false,
    prerequisites: ({ tenantId, userId, email }) => [
      ...seatQuota(reserveQuota, tenantId, userId),
      request(ClaimLogin, { tenantId, email, userId }),
    ],
  }),
  // Not retried: the admin chose the new role knowing the member's current one.
  route(ChangeMemberRole, memberDecider, { ...admins, retryOnConflict: false }),
  route(RemoveMember, memberDecider, { ...admins, retryOnConflict: true }),
];

export const memberReactions: Reactions = {
  MemberRemoved: (event) => {
    const { tenantId, id: userId, data } = reactionInput(MemberRemoved, event);
    return [
      ...seatQuota(releaseQuota, tenantId, userId),
      request(ReleaseLogin, { tenantId, emailHash: data.emailHash, userId }),
    ];
  },
};
