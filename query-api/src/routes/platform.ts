import { z } from 'zod';
import { tierAllows } from '@ccp/schemas';
import { CommandRejected } from '@ccp/command-service';
import { ApiUsageQuery, ApiUsageReport, apiUsage } from '../admin/api-usage.js';
import { Announcements, activeAnnouncements } from '../admin/announcements.js';
import { Branding, brandingForDomain } from '../admin/branding.js';
import { TenantPlan, tierCatalog, usageAgainstCaps } from '../admin/plans.js';
import { rangeOf } from '../analytics/filters.js';
import { defineRoute } from '../http/route.js';
import type { QueryDependencies } from './dependencies.js';
import { ROLE_MATRIX } from './role-matrix.js';
import { notFound, reportContextOf } from './route-helpers.js';

const Integrations = z.object({
  engines: z
    .record(z.string(), z.string())
    .describe('Port → adapter: telephony, conversation, speech, email, stores'),
  ssoIssuers: z.number().int().describe('Identity providers the tenant trusts for sign-in'),
  apiAccess: z.boolean().describe('Whether the tier lets API keys read and write'),
});

/**
 * What the platform shows a tenant about itself: its white-label look (the public one of a custom domain too),
 * announcements, API usage, integrations and plan. Named one by one: queryRoutes lists them among other areas'.
 */
export const platformRoutes = (deps: QueryDependencies) => {
  const reportContext = reportContextOf(deps);

  return {
    branding: defineRoute({
      method: 'get',
      path: '/api/branding',
      operationId: 'branding',
      summary: 'Read the white-label look of a custom domain',
      tag: 'platform',
      roles: [],
      scope: 'read',
      public: true,
      query: z.strictObject({
        domain: z
          .string()
          .regex(/^(?=.{4,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i, 'a domain like support.example.com'),
      }),
      response: Branding,
      handle: async ({ query }) => {
        const branding = await brandingForDomain(deps.readStore(), query.domain);
        // A tier without white label has no custom domain: answered as if no tenant used it.
        const allowed =
          branding !== undefined &&
          tierAllows((await deps.reportContext(branding.tenantId)).planTier, 'white_label');
        if (!branding || !allowed)
          throw new CommandRejected(404, 'NOT_FOUND', 'no tenant uses this domain', 'domain');
        await deps.catalog.catchUp();
        const settings = deps.catalog.tenant(branding.tenantId)?.['settings'] as
          { sso?: { issuer: string; audience: string; name?: string }[] } | undefined;
        // The sign-in page needs where to send members and for which client: both are public in any OIDC flow.
        const sso = (settings?.sso ?? []).map(({ issuer, audience, name }) => ({
          issuer,
          clientId: audience,
          ...(name !== undefined && { name }),
        }));
        return { body: { ...branding, sso } };
      },
    }),
    tenantBranding: defineRoute({
      method: 'get',
      path: '/api/tenant/branding',
      operationId: 'tenantBranding',
      summary: 'Read the signed-in tenant’s white-label look, to theme the console',
      tag: 'platform',
      roles: ROLE_MATRIX.dashboards,
      scope: 'read',
      response: Branding.omit({ sso: true }),
      handle: async ({ scope }) => {
        await deps.catalog.catchUp();
        const settings = deps.catalog.tenant(scope.tenantId)?.['settings'] as
          { branding?: { displayName?: string; primaryColor?: string; logoUrl?: string } } | undefined;
        // Tiers without white label keep the platform's look.
        const own = tierAllows((await reportContext(scope)).planTier, 'white_label')
          ? settings?.branding
          : undefined;
        return {
          body: {
            tenantId: scope.tenantId,
            displayName: own?.displayName ?? null,
            primaryColor: own?.primaryColor ?? null,
            logoUrl: own?.logoUrl ?? null,
          },
        };
      },
    }),
    announcements: defineRoute({
      method: 'get',
      path: '/api/announcements',
      operationId: 'announcements',
      summary: 'Read the announcements in force',
      tag: 'platform',
      roles: ROLE_MATRIX.dashboards,
      scope: 'read',
      response: Announcements,
      handle: async ({ scope }) => ({
        body: await activeAnnouncements(deps.readStore(), scope.tenantId, deps.now()),
      }),
    }),
    apiUsage: defineRoute({
      method: 'get',
      path: '/api/api-usage',
      operationId: 'apiUsage',
      summary: 'Read API usage by credential and route',
      tag: 'platform',
      roles: ['tenant_admin'],
      scope: 'audit',
      query: ApiUsageQuery,
      response: ApiUsageReport,
      handle: async ({ scope, query }) => ({
        body: await apiUsage(deps.readStore(), scope.tenantId, rangeOf(query, deps.now())),
      }),
    }),
    integrations: defineRoute({
      method: 'get',
      path: '/api/integrations',
      operationId: 'integrations',
      summary: 'Read which engines and providers the platform runs on, and the tenant’s own connections',
      tag: 'platform',
      roles: ROLE_MATRIX.team,
      scope: 'read',
      response: Integrations,
      handle: async ({ scope }) => {
        await deps.catalog.catchUp();
        const settings = (deps.catalog.tenant(scope.tenantId)?.['settings'] ?? {}) as { sso?: unknown[] };
        return {
          body: {
            engines: deps.engines,
            ssoIssuers: (settings.sso ?? []).length,
            apiAccess: tierAllows((await reportContext(scope)).planTier, 'api_access'),
          },
        };
      },
    }),
    tenantPlan: defineRoute({
      method: 'get',
      path: '/api/plan',
      operationId: 'tenantPlan',
      summary: 'Read the tenant’s tier, its caps and prices, and this month’s usage and cost against them',
      tag: 'platform',
      roles: ROLE_MATRIX.team,
      scope: 'read',
      response: TenantPlan,
      handle: async ({ scope }) => {
        const { planTier, now } = await reportContext(scope);
        const caps = await usageAgainstCaps(deps.readStore(), now, scope.tenantId);
        const tier = tierCatalog().tiers.find((t) => t.tier === planTier);
        if (!tier) throw notFound('plan');
        return {
          body: {
            tier,
            usage: caps.tenants.find((t) => t.tenantId === scope.tenantId) ?? null,
            period: caps.period,
          },
        };
      },
    }),
  };
};
