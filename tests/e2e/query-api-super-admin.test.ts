import { describe, expect, it } from 'vitest';
import { DEMO_TENANT } from '@ccp/infra';
import { apiClient } from '../support/platform.js';
import {
  as,
  eventually,
  OTHER,
  test,
  tokens,
  useQueryPlatform,
  validate,
} from '../support/query-platform.js';

// Announcements, API usage, support tickets, branding, API keys, and what super admins see of the platform.
useQueryPlatform();

describe('platform: announcements, API usage, super admin', () => {
  it(
    'shows the platform’s and the tenant’s announcements in force, not another tenant’s, until withdrawn',
    { timeout: 30_000 },
    async () => {
      const root = apiClient(test.url, tokens.get('super_admin'));
      expect(
        (
          await root.command('PublishAnnouncement', {
            tenantId: 'platform',
            announcementId: 'maintenance',
            title: 'Maintenance window',
            body: 'Sunday 02:00-03:00 UTC',
            severity: 'warning',
          })
        ).status,
      ).toBe(200);
      const admin = as('tenant_admin');
      expect(
        (
          await admin.command('PublishAnnouncement', {
            tenantId: DEMO_TENANT,
            announcementId: 'welcome',
            title: 'New IVR menu',
            body: 'Press 3 now reaches billing.',
            severity: 'info',
          })
        ).status,
      ).toBe(200);
      // Tenant admins cannot speak for the platform.
      expect(
        (
          await admin.command('PublishAnnouncement', {
            tenantId: 'platform',
            announcementId: 'spoof',
            title: 'Free money',
            body: 'Click here',
            severity: 'critical',
          })
        ).status,
      ).toBe(403);
      await eventually(async () => {
        const seen = await as('viewer').request<{
          announcements: { announcementId: string; scope: string }[];
        }>('GET', '/api/announcements');
        expect(validate('announcements', 200, seen.body)).toEqual([]);
        expect(seen.body.announcements.map((a) => `${a.scope}:${a.announcementId}`).sort()).toEqual([
          'platform:maintenance',
          'tenant:welcome',
        ]);
      });
      const elsewhere = await as('other').request<{ announcements: { announcementId: string }[] }>(
        'GET',
        '/api/announcements',
      );
      expect(elsewhere.body.announcements.map((a) => a.announcementId)).toEqual(['maintenance']);
      await admin.command('WithdrawAnnouncement', { tenantId: DEMO_TENANT, announcementId: 'welcome' });
      await eventually(async () => {
        const seen = await as('viewer').request<{ announcements: { announcementId: string }[] }>(
          'GET',
          '/api/announcements',
        );
        expect(seen.body.announcements.map((a) => a.announcementId)).toEqual(['maintenance']);
      });
    },
  );

  it(
    'logs API usage per credential and route, for the tenant admin and the super admin',
    { timeout: 30_000 },
    async () => {
      await as('analyst').request('GET', '/api/analytics/outcomes');
      await eventually(async () => {
        const usage = await as('tenant_admin').request<{
          credentials: { credential: string; requests: number }[];
          routes: { route: string }[];
        }>('GET', '/api/api-usage');
        expect(usage.status).toBe(200);
        expect(validate('apiUsage', 200, usage.body)).toEqual([]);
        expect(usage.body.credentials.map((c) => c.credential)).toContain('demo-analyst');
        expect(usage.body.routes.map((r) => r.route)).toContain('/api/analytics/outcomes');
      });
      const all = await apiClient(test.url, tokens.get('super_admin')).request<{
        credentials: { tenantId: string }[];
      }>('GET', '/api/admin/api-usage');
      expect(validate('adminApiUsage', 200, all.body)).toEqual([]);
      expect(all.body.credentials.some((c) => c.tenantId === DEMO_TENANT)).toBe(true);
      expect(all.body.credentials.some((c) => c.tenantId !== DEMO_TENANT)).toBe(true); // the super admins' own (platform)
    },
  );

  it(
    'lists support tickets for the tenant’s staff and every tenant’s for super admins',
    { timeout: 30_000 },
    async () => {
      const agent = as('agent');
      for (const [ticketId, subject, priority] of [
        ['T-1', 'Refund for a double charge', 'high'],
        ['T-2', 'Update insurance details', 'normal'],
      ] as const) {
        expect(
          (
            await agent.command('OpenTicket', {
              tenantId: DEMO_TENANT,
              ticketId,
              subject,
              description: 'Caller Ana Lopez, card ending 4242',
              priority,
              callId: 'CA-q-2',
            })
          ).status,
        ).toBe(200);
      }
      await agent.command('UpdateTicket', { tenantId: DEMO_TENANT, ticketId: 'T-2', priority: 'urgent' });
      await agent.command('ResolveTicket', {
        tenantId: DEMO_TENANT,
        ticketId: 'T-1',
        resolution: 'Refunded',
      });
      await eventually(async () => {
        const open = await as('supervisor').request<{ tickets: { ticketId: string; priority: string }[] }>(
          'GET',
          '/api/tickets?status=open',
        );
        expect(validate('tickets', 200, open.body)).toEqual([]);
        expect(open.body.tickets).toEqual([expect.objectContaining({ ticketId: 'T-2', priority: 'urgent' })]);
      });
      const all = await apiClient(test.url, tokens.get('super_admin')).request<{
        tickets: { tenantId: string; ticketId: string; status: string }[];
      }>('GET', '/api/admin/tickets');
      expect(validate('adminTickets', 200, all.body)).toEqual([]);
      expect(all.body.tickets).toContainEqual(
        expect.objectContaining({ tenantId: DEMO_TENANT, ticketId: 'T-1', status: 'resolved' }),
      );
      // What the caller told the agent stays out of the list.
      expect(JSON.stringify(all.body)).not.toContain('4242');
    },
  );

  it(
    'themes a custom domain before sign-in with the tenant’s branding, and nothing else',
    { timeout: 30_000 },
    async () => {
      expect(
        (
          await as('tenant_admin').command('UpdateTenantSettings', {
            tenantId: DEMO_TENANT,
            settings: {
              branding: {
                displayName: 'Bright Smile',
                primaryColor: '#0a7cff',
                customDomain: 'support.brightsmile.example',
              },
              sso: [{ issuer: 'https://login.brightsmile.example', audience: 'ccp-console' }],
            },
          })
        ).status,
      ).toBe(200);
      await eventually(async () => {
        const branding = await apiClient(test.url).request(
          'GET',
          '/api/branding?domain=Support.BrightSmile.example',
        );
        expect(branding.status).toBe(200);
        expect(validate('branding', 200, branding.body)).toEqual([]);
        expect(branding.body).toEqual({
          tenantId: DEMO_TENANT,
          displayName: 'Bright Smile',
          primaryColor: '#0a7cff',
          logoUrl: null,
          sso: [{ issuer: 'https://login.brightsmile.example', clientId: 'ccp-console' }],
        });
      });
      // Signed in, every role gets its tenant's look, whatever address the console is reached at.
      const own = await as('viewer').request('GET', '/api/tenant/branding');
      expect(validate('tenantBranding', 200, own.body)).toEqual([]);
      expect(own.body).toEqual({
        tenantId: DEMO_TENANT,
        displayName: 'Bright Smile',
        primaryColor: '#0a7cff',
        logoUrl: null,
      });
      expect((await apiClient(test.url).request('GET', '/api/branding?domain=nobody.example')).status).toBe(
        404,
      );
      expect((await apiClient(test.url).request('GET', '/api/branding?domain=../etc')).status).toBe(400);
    },
  );

  it('shows super admins each tenant’s usage against its tier’s caps', async () => {
    const caps = await apiClient(test.url, tokens.get('super_admin')).request<{
      tenants: { tenantId: string; planTier: string; includedMinutes: number | null }[];
    }>('GET', '/api/admin/usage-caps');
    expect(caps.status).toBe(200);
    expect(validate('adminUsageCaps', 200, caps.body)).toEqual([]);
    expect(caps.body.tenants).toContainEqual(
      expect.objectContaining({ tenantId: OTHER, planTier: 'professional', includedMinutes: 10_000 }),
    );
    expect(caps.body.tenants.map((t) => t.tenantId)).toContain(DEMO_TENANT);
  });

  it('gives super admins every tenant with its traffic, the busiest agents and the engines’ health', async () => {
    const root = apiClient(test.url, tokens.get('super_admin'));
    const tenants = await root.request<{
      tenants: { tenantId: string; calls: number; status: string; planTier: string }[];
    }>('GET', '/api/admin/tenants');
    expect(validate('adminTenants', 200, tenants.body)).toEqual([]);
    expect(tenants.body.tenants).toContainEqual(
      expect.objectContaining({ tenantId: OTHER, calls: 0, status: 'active', planTier: 'professional' }),
    );
    expect(tenants.body.tenants.find((t) => t.tenantId === DEMO_TENANT)?.calls).toBeGreaterThanOrEqual(4);
    const agents = await root.request('GET', '/api/admin/analytics/agents');
    expect(validate('adminTopAgents', 200, agents.body)).toEqual([]);
    const health = await root.request<{ status: string; processors: unknown }>('GET', '/api/admin/health');
    expect(validate('adminHealth', 200, health.body)).toEqual([]);
    expect(health.body.status).toBe('ok');
  });

  it('an API key reads only within its scopes', async () => {
    const issued = await as('tenant_admin').request<{ key: string }>('POST', '/api/api-keys', {
      tenantId: DEMO_TENANT,
      name: 'BI export',
      role: 'analyst',
      scopes: ['read'],
    });
    expect(issued.status).toBe(201);
    const key = apiClient(test.url, issued.body.key);
    expect((await key.request('GET', '/api/calls')).status).toBe(200);
    const refused = await key.request<{ error: { code: string } }>('GET', '/api/analytics/outcomes');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN_SCOPE');
  });
});
