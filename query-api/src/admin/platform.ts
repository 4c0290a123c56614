/**
 * The platform's own read models, one module per concern: the super admin's view of every tenant (overview,
 * regions, busiest agents), platform health, announcements, support tickets, subscription tiers and usage
 * against caps, and white-label branding. This file keeps the import path they all had before.
 */
export {
  TenantOverview,
  tenantOverview,
  RegionReport,
  regionAnalytics,
  TopAgents,
  topAgents,
} from './platform-analytics.js';
export { ProviderFailure, ProviderFallbacks, PlatformHealth, platformHealth } from './health.js';
export { Announcement, Announcements, activeAnnouncements } from './announcements.js';
export { TicketQuery, Ticket, Tickets, supportTickets } from './support-tickets.js';
export { UsageAgainstCaps, usageAgainstCaps, TierCatalog, TenantPlan, tierCatalog } from './plans.js';
export { Branding, brandingForDomain } from './branding.js';
