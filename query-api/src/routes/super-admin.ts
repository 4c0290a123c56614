import { ApiUsageQuery, ApiUsageReport, apiUsage } from '../admin/api-usage.js';
import { PlatformHealth, platformHealth } from '../admin/health.js';
import {
  RegionReport,
  regionAnalytics,
  TenantOverview,
  tenantOverview,
  TopAgents,
  topAgents,
} from '../admin/platform-analytics.js';
import { TierCatalog, tierCatalog, UsageAgainstCaps, usageAgainstCaps } from '../admin/plans.js';
import { TicketQuery, Tickets, supportTickets } from '../admin/support-tickets.js';
import { rangeOf } from '../analytics/filters.js';
import { defineRoute } from '../http/route.js';
import type { QueryDependencies } from './dependencies.js';
import { Range } from './route-helpers.js';

/**
 * The super admin's platform-wide views: every tenant, their tickets, the busiest agents, regions, tiers, usage
 * against caps, API usage and health. Named one by one: queryRoutes lists them among other areas'.
 */
export const superAdminRoutes = (deps: QueryDependencies) => ({
  adminTenants: defineRoute({
    method: 'get',
    path: '/api/admin/tenants',
    operationId: 'adminTenants',
    summary: 'List and monitor all tenants',
    tag: 'super admin',
    roles: [],
    scope: 'read',
    platformWide: true,
    query: Range,
    response: TenantOverview,
    handle: async ({ query }) => ({
      body: await tenantOverview(deps.readStore(), rangeOf(query, deps.now()), deps.now()),
    }),
  }),
  adminTickets: defineRoute({
    method: 'get',
    path: '/api/admin/tickets',
    operationId: 'adminTickets',
    summary: 'List every tenant’s support tickets',
    tag: 'super admin',
    roles: [],
    scope: 'read',
    platformWide: true,
    query: TicketQuery,
    response: Tickets,
    handle: async ({ scope, query }) => ({
      body: await supportTickets(deps.readStore(), deps.store, scope.tenantId, query),
    }),
  }),
  adminTopAgents: defineRoute({
    method: 'get',
    path: '/api/admin/analytics/agents',
    operationId: 'adminTopAgents',
    summary: 'Read the busiest agents across tenants',
    tag: 'super admin',
    roles: [],
    scope: 'analytics',
    platformWide: true,
    query: Range,
    response: TopAgents,
    handle: async ({ query }) => ({ body: await topAgents(deps.readStore(), rangeOf(query, deps.now())) }),
  }),
  adminRegions: defineRoute({
    method: 'get',
    path: '/api/admin/analytics/regions',
    operationId: 'adminRegions',
    summary: 'Read traffic, quality and cost of all tenants by region',
    tag: 'super admin',
    roles: [],
    scope: 'analytics',
    platformWide: true,
    query: Range,
    response: RegionReport,
    handle: async ({ query }) => ({
      body: regionAnalytics(await tenantOverview(deps.readStore(), rangeOf(query, deps.now()), deps.now())),
    }),
  }),
  adminTiers: defineRoute({
    method: 'get',
    path: '/api/admin/tiers',
    operationId: 'adminTiers',
    summary: 'Read the subscription tiers: permission scopes, caps and list prices',
    tag: 'super admin',
    roles: [],
    scope: 'read',
    platformWide: true,
    response: TierCatalog,
    handle: () => Promise.resolve({ body: tierCatalog() }),
  }),
  adminUsageCaps: defineRoute({
    method: 'get',
    path: '/api/admin/usage-caps',
    operationId: 'adminUsageCaps',
    summary: 'Read each tenant’s usage against its tier’s caps this billing period',
    tag: 'super admin',
    roles: [],
    scope: 'analytics',
    platformWide: true,
    response: UsageAgainstCaps,
    handle: async () => ({ body: await usageAgainstCaps(deps.readStore(), deps.now()) }),
  }),
  adminApiUsage: defineRoute({
    method: 'get',
    path: '/api/admin/api-usage',
    operationId: 'adminApiUsage',
    summary: 'Read API usage logs of every tenant',
    tag: 'super admin',
    roles: [],
    scope: 'audit',
    platformWide: true,
    query: ApiUsageQuery,
    response: ApiUsageReport,
    handle: async ({ scope, query }) => ({
      body: await apiUsage(deps.readStore(), scope.tenantId, rangeOf(query, deps.now())),
    }),
  }),
  adminHealth: defineRoute({
    method: 'get',
    path: '/api/admin/health',
    operationId: 'adminHealth',
    summary: 'Read the health of the engines and the voice traffic',
    tag: 'super admin',
    roles: [],
    scope: 'read',
    platformWide: true,
    response: PlatformHealth,
    handle: async () => ({
      body: await platformHealth(
        {
          store: deps.store,
          readStore: deps.readStore(),
          processors: deps.processors,
          engines: deps.engines,
          providerFailures: deps.providerFailures,
          providerFallbacks: deps.providerFallbacks,
        },
        deps.now(),
      ),
    }),
  }),
});
