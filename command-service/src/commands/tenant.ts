import {
  ChangePlanTier,
  CreateTenant,
  FollowSubscriptionTier,
  DisableTenant,
  EnforceUsageCap,
  ReactivateTenant,
  ReleaseQuota,
  RequestTenantDeletion,
  ReserveQuota,
  SetUsageLimits,
  SuspendTenant,
  UpdateTenantSettings,
  VerifyPlanTierFits,
  type QuotaResource,
  type SsoIssuer,
} from '@ccp/schemas';
import { tenantDecider } from '../domain/tenant.js';
import { request, route, type CommandRequest, type OutboundUrl } from './route.js';

export const tenantStream = (data: { tenantId: string }) => ({
  category: 'tenant',
  tenantId: data.tenantId,
  id: data.tenantId,
});

/** Prerequisite of a command that adds a plan-limited resource. */
export const reserveQuota = (tenantId: string, resource: QuotaResource, key: string): CommandRequest =>
  request(ReserveQuota, { tenantId, resource, key });

/** Reaction to an event that removed a plan-limited resource. */
export const releaseQuota = (tenantId: string, resource: QuotaResource, key: string): CommandRequest =>
  request(ReleaseQuota, { tenantId, resource, key });

const superAdminOnly = { stream: tenantStream, roles: [], retryOnConflict: false } as const;
/**
 * Also sent by reactions (billing: the tier follows the subscription, suspension for non-payment), which a
 * concurrent write to the tenant must not make the reactor drop; deciding them again is safe.
 */
const superAdminOrReaction = { ...superAdminOnly, retryOnConflict: true } as const;

/** The identity providers' URLs the platform reads discovery documents and signing keys from. */
const ssoUrls = (settings: { sso?: readonly SsoIssuer[] | undefined }): OutboundUrl[] =>
  (settings.sso ?? []).flatMap((issuer, i) => [
    { field: `settings.sso.${i}.issuer`, url: issuer.issuer },
    ...(issuer.jwksUri !== undefined ? [{ field: `settings.sso.${i}.jwksUri`, url: issuer.jwksUri }] : []),
  ]);

export const tenantRoutes = [
  route(CreateTenant, tenantDecider, { ...superAdminOnly, outboundUrls: (data) => ssoUrls(data.settings) }),
  // Sent by the billing reactions only: the tier the provider recorded.
  route(FollowSubscriptionTier, tenantDecider, { stream: tenantStream, roles: [], retryOnConflict: true }),
  route(ChangePlanTier, tenantDecider, superAdminOrReaction),
  route(SuspendTenant, tenantDecider, superAdminOrReaction),
  route(ReactivateTenant, tenantDecider, superAdminOrReaction),
  route(DisableTenant, tenantDecider, superAdminOnly),
  route(SetUsageLimits, tenantDecider, superAdminOnly),
  route(RequestTenantDeletion, tenantDecider, {
    stream: tenantStream,
    roles: ['tenant_admin'],
    retryOnConflict: false,
  }),
  route(UpdateTenantSettings, tenantDecider, {
    stream: tenantStream,
    roles: ['tenant_admin'],
    retryOnConflict: true,
    outboundUrls: (data) => ssoUrls(data.settings),
  }),
  // Sent by the platform on behalf of other commands (prerequisites and reactions), never by people.
  route(ReserveQuota, tenantDecider, {
    stream: tenantStream,
    roles: [],
    retryOnConflict: true,
    compensation: (data) => releaseQuota(data.tenantId, data.resource, data.key),
  }),
  route(ReleaseQuota, tenantDecider, { stream: tenantStream, roles: [], retryOnConflict: true }),
  // A prerequisite of subscribing to a tier: stores nothing, so it needs no compensation.
  route(VerifyPlanTierFits, tenantDecider, { stream: tenantStream, roles: [], retryOnConflict: true }),
  // Sent by the usage processor only; idempotent per period and resource, and decided on the plan in force.
  route(EnforceUsageCap, tenantDecider, { stream: tenantStream, roles: [], retryOnConflict: true }),
];
