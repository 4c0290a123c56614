import {
  ChangePlanTier,
  CreateTenant,
  DisableTenant,
  ReactivateTenant,
  ReleaseQuota,
  RequestTenantDeletion,
  ReserveQuota,
  SuspendTenant,
  UpdateTenantSettings,
} from '@ccp/schemas';
import { tenantDecider } from '../domain/tenant.js';
import { route } from './route.js';

export const tenantStream = (data: { tenantId: string }) => ({
  category: 'tenant',
  tenantId: data.tenantId,
  id: data.tenantId,
});

const superAdminOnly = { stream: tenantStream, roles: [], retryOnConflict: false } as const;

export const tenantRoutes = [
  route(CreateTenant, tenantDecider, superAdminOnly),
  route(ChangePlanTier, tenantDecider, superAdminOnly),
  route(SuspendTenant, tenantDecider, superAdminOnly),
  route(ReactivateTenant, tenantDecider, superAdminOnly),
  route(DisableTenant, tenantDecider, superAdminOnly),
  route(RequestTenantDeletion, tenantDecider, {
    stream: tenantStream,
    roles: ['tenant_admin'],
    retryOnConflict: false,
  }),
  route(UpdateTenantSettings, tenantDecider, {
    stream: tenantStream,
    roles: ['tenant_admin'],
    retryOnConflict: true,
  }),
  // Quota commands are taken by the command handler on behalf of other commands, never sent by people.
  route(ReserveQuota, tenantDecider, { stream: tenantStream, roles: [], retryOnConflict: true }),
  route(ReleaseQuota, tenantDecider, { stream: tenantStream, roles: [], retryOnConflict: true }),
];
