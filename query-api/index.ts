/** @ccp/query-api: the read API as a platform module, and the report rendering and delivery it schedules. */
export * from './src/analytics/reports.js';
export * from './src/calls/calls.js';
export * from './src/live/metrics.js';
export * from './src/module.js';
export * from './src/reports/deliver.js';
export * from './src/reports/render.js';
// The platform's alerts (infra/alerts) watch usage against caps as the super admin's page reads it.
export { usageAgainstCaps } from './src/admin/plans.js';
