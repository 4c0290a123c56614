import type { QueryRoute } from './http/route.js';
import type { QueryDependencies } from './routes/dependencies.js';
import { analyticsRoutes } from './routes/analytics.js';
import { appointmentRoutes } from './routes/appointments.js';
import { auditRoutes } from './routes/audit.js';
import { billingRoutes } from './routes/billing.js';
import { callRoutes } from './routes/calls.js';
import { campaignRoutes } from './routes/campaigns.js';
import { complianceRoutes } from './routes/compliance.js';
import { configurationRoutes } from './routes/configuration.js';
import { exportRoutes } from './routes/exports.js';
import { integrationRoutes } from './routes/integrations.js';
import { liveRoutes } from './routes/live.js';
import { platformRoutes } from './routes/platform.js';
import { reportRoutes } from './routes/reports.js';
import { superAdminRoutes } from './routes/super-admin.js';

export { ROLE_MATRIX } from './routes/role-matrix.js';
export type { ChainCheck, QueryDependencies } from './routes/dependencies.js';

/**
 * Every route of the query API, one module per area (./routes). The order is the OpenAPI document's: its paths
 * are listed, and clients and the fuzz tests walk them, in this order, which is kept as it was; that is why the
 * platform, super admin and call routes, which interleave, are named one by one.
 */
export const queryRoutes = (deps: QueryDependencies): QueryRoute[] => {
  const platform = platformRoutes(deps);
  const admin = superAdminRoutes(deps);
  const calls = callRoutes(deps);
  return [
    platform.branding,
    platform.tenantBranding,
    platform.announcements,
    platform.apiUsage,
    admin.adminTenants,
    calls.tickets,
    admin.adminTickets,
    admin.adminTopAgents,
    admin.adminRegions,
    platform.integrations,
    platform.tenantPlan,
    admin.adminTiers,
    admin.adminUsageCaps,
    admin.adminApiUsage,
    admin.adminHealth,
    ...reportRoutes(deps),
    calls.listCalls,
    calls.getCall,
    calls.callHandling,
    calls.callerHistory,
    calls.escalationInbox,
    calls.replayCall,
    ...analyticsRoutes(deps),
    ...configurationRoutes(deps),
    ...liveRoutes(deps),
    ...auditRoutes(deps),
    ...exportRoutes(deps),
    ...campaignRoutes(deps),
    ...appointmentRoutes(deps),
    ...billingRoutes(deps),
    ...integrationRoutes(deps),
    ...complianceRoutes(deps),
  ];
};
