import {
  AssignNumber,
  NumberReleased,
  PLATFORM_TENANT,
  ProvisionNumber,
  ReleaseNumber,
  UnassignNumber,
  VerifyCallerId,
} from '@ccp/schemas';
import { numberDecider } from '../domain/number.js';
import { reactionInput } from './reaction-input.js';
import { route, type CommandRoute, type Reactions } from './route.js';
import { releaseQuota, reserveQuota } from './tenant.js';

/** Numbers live in the platform pseudo-tenant, so that two tenants can never hold the same one. */
export const numberStream = (data: { address: string }) => ({
  category: 'number',
  tenantId: PLATFORM_TENANT,
  id: data.address,
});

const admins = { stream: numberStream, roles: ['tenant_admin'] } as const;

export const numberRoutes: readonly CommandRoute[] = [
  route(ProvisionNumber, numberDecider, {
    ...admins,
    retryOnConflict: true,
    prerequisites: ({ tenantId, address }) => [reserveQuota(tenantId, 'phoneNumbers', address)],
  }),
  route(AssignNumber, numberDecider, { ...admins, retryOnConflict: true }),
  route(UnassignNumber, numberDecider, { ...admins, retryOnConflict: true }),
  route(ReleaseNumber, numberDecider, { ...admins, retryOnConflict: true }),
  // Run by the platform only, as a prerequisite of commands that call from the number.
  route(VerifyCallerId, numberDecider, { stream: numberStream, roles: [], retryOnConflict: true }),
];

// The envelope's tenant is the one that sent ReleaseNumber (the owner), not the platform of the stream name.
export const numberReactions: Reactions = {
  NumberReleased: (event) => {
    const { tenantId, id: address } = reactionInput(NumberReleased, event);
    return [releaseQuota(tenantId, 'phoneNumbers', address)];
  },
};
