import { DefineService, RetireService, ReviseService, VerifyServiceBookable } from '@ccp/schemas';
import { serviceDecider } from '../domain/service.js';
import { route, type CommandRoute, type Reactions } from './route.js';

export const serviceStream = (data: { tenantId: string; serviceId: string }) => ({
  category: 'service',
  tenantId: data.tenantId,
  id: data.serviceId,
});

const admins = { stream: serviceStream, roles: ['tenant_admin'] } as const;

export const serviceRoutes: readonly CommandRoute[] = [
  route(DefineService, serviceDecider, { ...admins, retryOnConflict: false }),
  // The whole settings are replaced by what the admin saw: a concurrent revision must be looked at.
  route(ReviseService, serviceDecider, { ...admins, retryOnConflict: false }),
  route(RetireService, serviceDecider, { ...admins, retryOnConflict: true }),
  // Run only as a prerequisite of a booking (trusted), whoever books: it is no question to ask on its own.
  route(VerifyServiceBookable, serviceDecider, { stream: serviceStream, roles: [], retryOnConflict: true }),
];
export const serviceReactions: Reactions = {};
