import type { Role } from '@ccp/schemas';

/**
 * The role matrix (super admins may call everything): who reads what. Transcripts and replays are what callers
 * said, so viewers, who see dashboards, do not get them; the audit trail is for admins and compliance.
 */
export const ROLE_MATRIX = {
  dashboards: ['tenant_admin', 'supervisor', 'agent', 'analyst', 'compliance', 'viewer'],
  analytics: ['tenant_admin', 'supervisor', 'analyst', 'compliance', 'viewer'],
  calls: ['tenant_admin', 'supervisor', 'agent', 'analyst', 'compliance'],
  exports: ['tenant_admin', 'supervisor', 'analyst', 'compliance'],
  reports: ['tenant_admin', 'supervisor', 'analyst'],
  audit: ['tenant_admin', 'compliance'],
  configuration: ['tenant_admin', 'supervisor'],
  workspace: ['tenant_admin', 'supervisor', 'agent'],
  team: ['tenant_admin'],
  campaigns: ['tenant_admin', 'supervisor', 'analyst'],
  appointments: ['tenant_admin', 'supervisor', 'agent', 'analyst'],
  contacts: ['tenant_admin', 'supervisor', 'agent'],
  messages: ['tenant_admin', 'supervisor', 'agent'],
  scheduling: ['tenant_admin', 'supervisor', 'agent', 'analyst'],
  // What the platform charges the tenant: whoever administers the tenant (super admins see every tenant's).
  billing: ['tenant_admin'],
  // Connections to outside systems and what was delivered to them: whoever administers the tenant.
  integrations: ['tenant_admin'],
  // GDPR erasures and their certificates: whoever answers for the tenant's data.
  compliance: ['tenant_admin', 'compliance'],
} as const satisfies Record<string, readonly Role[]>;
