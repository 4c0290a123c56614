import type { Role, TenantRole } from './api/types';

/**
 * Who may open what: the query API's ROLE_MATRIX (query-api/src/routes.ts), which refuses everyone else anyway.
 * The console mirrors it to hide what a role cannot use rather than show screens full of refusals.
 */
export const ACCESS = {
  dashboards: ['tenant_admin', 'supervisor', 'agent', 'analyst', 'compliance', 'viewer'],
  analytics: ['tenant_admin', 'supervisor', 'analyst', 'compliance', 'viewer'],
  calls: ['tenant_admin', 'supervisor', 'agent', 'analyst', 'compliance'],
  exports: ['tenant_admin', 'supervisor', 'analyst', 'compliance'],
  audit: ['tenant_admin', 'compliance'],
  // GDPR erasure and subject access (ROLE_MATRIX.compliance).
  gdpr: ['tenant_admin', 'compliance'],
  // Tenant administration, as GET /api/commands and the configuration routes allow: supervisors read
  // departments, agents and numbers and edit knowledge; settings, team, keys and billing are the admin's.
  configuration: ['tenant_admin', 'supervisor'],
  knowledge: ['tenant_admin', 'supervisor'],
  configure: ['tenant_admin'],
  team: ['tenant_admin'],
  // The agent workspace: people who take escalated calls (ROLE_MATRIX.workspace).
  workspace: ['tenant_admin', 'supervisor', 'agent'],
  // Outbound campaigns and the do-not-call list: read by analysts too, changed by admins and supervisors.
  campaigns: ['tenant_admin', 'supervisor', 'analyst'],
  manageCampaigns: ['tenant_admin', 'supervisor'],
  // Appointments (query API roles `appointments` and `scheduling`): read by analysts too; contacts and messages
  // by the people who deal with customers; services, staff and schedule settings changed by tenant admins.
  appointments: ['tenant_admin', 'supervisor', 'agent', 'analyst'],
  contacts: ['tenant_admin', 'supervisor', 'agent'],
  manageSchedule: ['tenant_admin'],
  // The platform's own screens: super admins only (who may open everything anyway).
  platform: [],
} as const satisfies Record<string, readonly TenantRole[]>;

export type Capability = keyof typeof ACCESS;

/** Super admins may read everything, as the API lets them. */
export const can = (role: Role | undefined, capability: Capability): boolean =>
  role === 'super_admin' || (role !== undefined && (ACCESS[capability] as readonly string[]).includes(role));

/** Where each role starts: the screen its work begins on. */
export const HOME: Record<Role, string> = {
  super_admin: 'dashboard',
  tenant_admin: 'dashboard',
  supervisor: 'dashboard',
  agent: 'calls',
  analyst: 'analytics',
  compliance: 'audit',
  viewer: 'dashboard',
};
