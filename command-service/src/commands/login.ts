import { ClaimLogin, PLATFORM_TENANT, ReleaseLogin, emailHash } from '@ccp/schemas';
import { loginDecider } from '../domain/login.js';
import { request, route, type CommandRoute, type Reactions } from './route.js';

export const loginStream = (hash: string) => ({ category: 'login', tenantId: PLATFORM_TENANT, id: hash });

// Sent by the platform only, as a prerequisite of inviting a member and a reaction to removing one.
export const loginRoutes: readonly CommandRoute[] = [
  route(ClaimLogin, loginDecider, {
    stream: (data) => loginStream(emailHash(data.email)),
    roles: [],
    retryOnConflict: true,
    compensation: (data) =>
      request(ReleaseLogin, {
        tenantId: data.tenantId,
        emailHash: emailHash(data.email),
        userId: data.userId,
      }),
  }),
  route(ReleaseLogin, loginDecider, {
    stream: (data) => loginStream(data.emailHash),
    roles: [],
    retryOnConflict: true,
  }),
];

export const loginReactions: Reactions = {};
