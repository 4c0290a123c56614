import { ArchiveDepartment, CreateDepartment, UpdateDepartment } from '@ccp/schemas';
import { departmentDecider } from '../domain/department.js';
import { route, type CommandRoute, type Reactions } from './route.js';

export const departmentStream = (data: { tenantId: string; departmentId: string }) => ({
  category: 'department',
  tenantId: data.tenantId,
  id: data.departmentId,
});

// Supervisors run the queues day to day but do not reconfigure them: routing and escalation shape every call
// of the department, so only tenant admins change them.
const admins = { stream: departmentStream, roles: ['tenant_admin'] } as const;

export const departmentRoutes: readonly CommandRoute[] = [
  route(CreateDepartment, departmentDecider, { ...admins, retryOnConflict: false }),
  route(UpdateDepartment, departmentDecider, { ...admins, retryOnConflict: true }),
  route(ArchiveDepartment, departmentDecider, { ...admins, retryOnConflict: true }),
];

export const departmentReactions: Reactions = {};
