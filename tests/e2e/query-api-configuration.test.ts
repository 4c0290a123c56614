import { describe, expect, it } from 'vitest';
import { DEMO_IVR_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { as, useQueryPlatform, validate } from '../support/query-platform.js';

// The configuration reads the console edits: agents, departments, numbers, knowledge, team, integrations.
useQueryPlatform();

describe('configuration, as the console edits it', () => {
  type Items = { items: ({ id: string; status: string } & Record<string, unknown>)[] };

  it('lists the tenant’s agents, departments, numbers, knowledge, scripts and team as the write side holds them', async () => {
    const admin = as('tenant_admin');
    const agents = await admin.request<Items>('GET', '/api/config/agents');
    expect(validate('configAgents', 200, agents.body)).toEqual([]);
    expect(agents.body.items.map((a) => a.id)).toEqual(
      expect.arrayContaining(['lucas', 'mateo', 'nora', 'sofia']),
    );
    expect(agents.body.items.find((a) => a.id === 'sofia')).toMatchObject({
      status: 'enabled',
      departmentId: 'reception',
      voice: expect.any(String),
      personality: expect.objectContaining({ tone: expect.any(String) }),
      escalationRules: expect.objectContaining({ onCallerRequest: expect.any(Boolean) }),
    });
    const departments = await admin.request<Items>('GET', '/api/config/departments');
    expect(validate('configDepartments', 200, departments.body)).toEqual([]);
    expect(departments.body.items.map((d) => d.id)).toEqual(
      expect.arrayContaining(['billing', 'reception', 'sales']),
    );
    const numbers = await admin.request<Items>('GET', '/api/config/numbers');
    expect(validate('configNumbers', 200, numbers.body)).toEqual([]);
    expect(numbers.body.items.find((n) => n.id === DEMO_IVR_NUMBER)).toMatchObject({
      status: 'owned',
      ownerTenantId: DEMO_TENANT,
      target: { kind: 'ivr', id: 'main' },
    });
    const articles = await admin.request<Items>('GET', '/api/config/articles');
    expect(validate('configArticles', 200, articles.body)).toEqual([]);
    expect(articles.body.items.find((a) => a.id === 'insurance')).toMatchObject({ status: 'published' });
    const scripts = await admin.request<Items>('GET', '/api/config/scripts');
    expect(validate('configScripts', 200, scripts.body)).toEqual([]);
    const members = await admin.request<Items>('GET', '/api/config/members');
    expect(validate('configMembers', 200, members.body)).toEqual([]);
    expect(members.body.items.find((m) => m.id === 'demo-analyst')).toEqual({
      id: 'demo-analyst',
      status: 'invited',
      email: 'analyst@demo.example',
      name: 'Ana Analyst',
      role: 'analyst',
    });
    const tenant = await admin.request<{ id: string; planTier: string; settings: { timeZone: string } }>(
      'GET',
      '/api/config/tenant',
    );
    expect(validate('configTenant', 200, tenant.body)).toEqual([]);
    expect(tenant.body).toMatchObject({ id: DEMO_TENANT, planTier: 'professional' });
    expect(tenant.body.settings.timeZone).toMatch(/\//);
  });

  it('shows a change as soon as its command is stored', async () => {
    const admin = as('tenant_admin');
    expect(
      (
        await admin.command('UpdateDepartment', {
          tenantId: DEMO_TENANT,
          departmentId: 'billing',
          description: 'Invoices, payments and insurance claims',
        })
      ).status,
    ).toBe(200);
    const departments = await admin.request<Items>('GET', '/api/config/departments');
    expect(departments.body.items.find((d) => d.id === 'billing')?.['description']).toBe(
      'Invoices, payments and insurance claims',
    );
  });

  it('shows a tenant admin the engines and providers the platform runs on', async () => {
    const integrations = await as('tenant_admin').request<{
      engines: Record<string, string>;
      apiAccess: boolean;
      ssoIssuers: number;
    }>('GET', '/api/integrations');
    expect(validate('integrations', 200, integrations.body)).toEqual([]);
    expect(integrations.body.engines).toMatchObject({
      eventStore: 'sqlite',
      telephony: 'local carrier (simulator)',
      conversation: 'offline',
    });
    expect(integrations.body.apiAccess).toBe(true);
    expect(JSON.stringify(integrations.body)).not.toMatch(/key|token|secret/i);
  });

  it('gives every role the names for its filters, and only admins the team’s emails', async () => {
    const directory = await as('viewer').request<{
      agents: { id: string; name: string }[];
      members: unknown[];
    }>('GET', '/api/config/directory');
    expect(validate('configDirectory', 200, directory.body)).toEqual([]);
    expect(directory.body.agents.find((a) => a.id === 'sofia')?.name).toMatch(/Sofia/);
    expect(JSON.stringify(directory.body)).not.toContain('@demo.example');
    expect((await as('supervisor').request('GET', '/api/config/members')).status).toBe(403);
  });
});
