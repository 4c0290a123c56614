import { describe, expect, it } from 'vitest';
import { CreateDepartment } from '@ccp/schemas';
import { departmentReactions, departmentRoutes } from './department.js';
import { prerequisitesOf, streamOf } from './testing.js';

describe('department routes', () => {
  it('decides on the department stream of the tenant, for tenant admins, with no plan limit', () => {
    const creation = { tenantId: 'acme', departmentId: 'sales', name: 'Sales' };
    expect(streamOf(departmentRoutes, CreateDepartment, creation)).toBe('department-acme.sales');
    expect(prerequisitesOf(departmentRoutes, CreateDepartment, creation)).toEqual([]);
    expect(departmentRoutes.every((r) => r.roles.join() === 'tenant_admin')).toBe(true);
    expect(departmentReactions).toEqual({});
  });
});
