import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT } from '@ccp/infra';
import { apiClient, login } from '../support/platform.js';
import { eventually, test, tokens, useQueryPlatform, validate } from '../support/query-platform.js';

// Plan tiers and their scopes, a tenant's own caps and billing alert, campaigns, usage in money, regions.
useQueryPlatform();

describe('tiers, limits, campaigns and regions', () => {
  const INITECH = 'initech';
  let initech: ReturnType<typeof apiClient>;
  let key: ReturnType<typeof apiClient>;
  const root = () => apiClient(test.url, tokens.get('super_admin'));

  /** An outbound call for a lead, answered, with one AI reply of `tokens` tokens; `booked`: a conversion. */
  const outbound = async (callId: string, campaignId: string | undefined, booked: boolean) => {
    const send = async (type: string, data: Record<string, unknown>) => {
      const response = await root().command(type, { tenantId: INITECH, callId, ...data });
      expect(response.status, `${type} ${JSON.stringify(response.body)}`).toBe(200);
    };
    await send('StartCall', {
      direction: 'outbound',
      from: '+15550300001',
      to: `+1555030${callId.slice(-4).padStart(4, '0')}`,
      provider: 'simulator',
      leadId: `lead-${callId}`,
      ...(campaignId !== undefined && { campaignId }),
    });
    await send('AnswerCall', { answeredBy: 'human' });
    await send('RecordAiReply', {
      utteranceId: 'a0',
      text: 'Hello, this is Initech calling about your annual check-up.',
      language: 'en',
      model: 'offline',
      promptTokens: 200_000,
      completionTokens: 50_000,
      latencyMs: 40,
    });
    if (booked) {
      await send('InvokeTool', {
        toolCallId: 't0',
        name: 'book_appointment',
        arguments: { when: 'next Monday 10:00' },
        result: { appointmentId: `ap-${callId}` },
        status: 'succeeded',
        durationMs: 30,
      });
    }
    await send('EndCall', { outcome: 'resolved' });
  };

  beforeAll(async () => {
    expect(
      (
        await root().command('CreateTenant', {
          tenantId: INITECH,
          name: 'Initech',
          planTier: 'free',
          settings: { region: 'europe', timeZone: 'Europe/Berlin' },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await root().command('InviteMember', {
          tenantId: INITECH,
          userId: 'initech-admin',
          email: 'admin@initech.example',
          name: 'Ian Initech',
          role: 'tenant_admin',
        })
      ).status,
    ).toBe(200);
    await root().request('PUT', '/api/members/initech-admin/password', { password: 'initech-password-1' });
    initech = apiClient(test.url, await login(test.url, 'admin@initech.example', 'initech-password-1'));
    const issued = await initech.request<{ key: string }>('POST', '/api/api-keys', {
      tenantId: INITECH,
      name: 'BI',
      role: 'analyst',
      scopes: ['read', 'analytics'],
    });
    expect(issued.status).toBe(201);
    key = apiClient(test.url, issued.body.key);
  });

  it('a tier grants its permission scopes: the free tier has no exports, audit trail, reports or API access', async () => {
    for (const path of ['/api/exports/calls.csv', '/api/audit/events', '/api/reports']) {
      const refused = await initech.request<{ error: { code: string; message: string } }>('GET', path);
      expect(refused.status, path).toBe(403);
      expect(refused.body.error.code, path).toBe('PLAN_FEATURE');
      expect(refused.body.error.message).toMatch(/the free plan does not include/);
    }
    expect((await initech.request('GET', '/api/analytics/volume')).status).toBe(200);
    const byKey = await key.request<{ error: { code: string } }>('GET', '/api/analytics/volume');
    expect([byKey.status, byKey.body.error.code]).toEqual([403, 'PLAN_FEATURE']);
    // Super admins support tenants on every plan.
    expect((await root().request('GET', `/api/audit/events?tenantId=${INITECH}`)).status).toBe(200);

    expect(
      (await root().command('ChangePlanTier', { tenantId: INITECH, planTier: 'professional' })).status,
    ).toBe(200);
    await eventually(async () => {
      expect((await initech.request('GET', '/api/audit/events')).status).toBe(200);
    });
    expect((await key.request('GET', '/api/analytics/volume')).status).toBe(200);
    const tiers = await root().request<{ tiers: { tier: string; features: string[] }[] }>(
      'GET',
      '/api/admin/tiers',
    );
    expect(validate('adminTiers', 200, tiers.body)).toEqual([]);
    expect(tiers.body.tiers.map((t) => t.tier)).toEqual(['free', 'starter', 'professional', 'enterprise']);
    expect(tiers.body.tiers.find((t) => t.tier === 'free')?.features).toEqual([]);
    expect(tiers.body.tiers.find((t) => t.tier === 'professional')?.features).toContain('scheduled_reports');
    expect((await initech.request('GET', '/api/admin/tiers')).status).toBe(403);
  });

  it('super admins set a tenant its own caps and billing alert; tenants cannot; bad limits change nothing', async () => {
    const own = { tenantId: INITECH, overrides: { llmTokensPerMonth: 100_000 }, billingThresholdUsd: 1 };
    expect((await initech.command('SetUsageLimits', own)).status).toBe(403);
    const bad = await root().command('SetUsageLimits', { ...own, overrides: { llmTokensPerMonth: -5 } });
    expect(bad.status).toBe(400);
    const unknown = await root().command('SetUsageLimits', { ...own, overrides: { seats: 5 } });
    expect(unknown.status).toBe(400);
    expect((await root().command('SetUsageLimits', own)).status).toBe(200);
    await eventually(async () => {
      const events = await root().request<{ items: { type: string; data: unknown }[] }>(
        'GET',
        `/api/audit/events?tenantId=${INITECH}&type=UsageLimitsSet`,
      );
      expect(events.body.items.map((e) => e.data)).toEqual([
        { overrides: { llmTokensPerMonth: 100_000 }, billingThresholdUsd: 1 },
      ]);
    });
  });

  it(
    'campaign conversion, cost and ROI; usage in money; the cap and the billing alert reached',
    { timeout: 60_000 },
    async () => {
      await outbound('OB-0001', 'fall-promo', true);
      await outbound('OB-0002', 'fall-promo', true);
      await outbound('OB-0003', 'fall-promo', false);
      await outbound('OB-0004', undefined, false);
      type Campaign = {
        campaignId: string;
        calls: number;
        conversions: number;
        costUsd: number;
        roi: number | null;
      };
      await eventually(async () => {
        const report = await initech.request<{ campaigns: Campaign[] }>(
          'GET',
          '/api/analytics/campaigns?valuePerConversion=40',
        );
        expect(validate('campaignPerformance', 200, report.body)).toEqual([]);
        // 250,000 tokens a call at professional's $2 per million: $0.50 a call.
        expect(report.body.campaigns).toEqual([
          {
            campaignId: 'fall-promo',
            // Placed by a system outside the platform's campaigns: no name, no status.
            name: null,
            status: null,
            calls: 3,
            leads: 3,
            connected: 3,
            conversions: 2,
            connectRate: 1,
            conversionRate: 2 / 3,
            costUsd: 1.5,
            costPerConversionUsd: 0.75,
            revenueUsd: 80,
            roi: (80 - 1.5) / 1.5,
          },
          {
            campaignId: '',
            name: null,
            status: null,
            calls: 1,
            leads: 1,
            connected: 1,
            conversions: 0,
            connectRate: 1,
            conversionRate: 0,
            costUsd: 0.5,
            costPerConversionUsd: null,
            revenueUsd: 0,
            roi: -1,
          },
        ]);
      });
      const noValue = await initech.request<{ campaigns: Campaign[] }>('GET', '/api/analytics/campaigns');
      expect(noValue.body.campaigns[0]?.roi).toBeNull();
      expect((await initech.request('GET', '/api/analytics/campaigns?valuePerConversion=-1')).status).toBe(
        400,
      );

      const usage = await initech.request<{ cost: { llmTokensUsd: number; totalUsd: number } }>(
        'GET',
        '/api/analytics/usage',
      );
      expect(validate('usage', 200, usage.body)).toEqual([]);
      expect(usage.body.cost).toMatchObject({ llmTokensUsd: 2, totalUsd: 2 });

      await eventually(async () => {
        const caps = await root().request<{ tenants: Record<string, unknown>[] }>(
          'GET',
          '/api/admin/usage-caps',
        );
        expect(validate('adminUsageCaps', 200, caps.body)).toEqual([]);
        expect(caps.body.tenants.find((t) => t['tenantId'] === INITECH)).toMatchObject({
          planTier: 'professional',
          tokens: 1_000_000,
          tokenCap: 100_000,
          includedMinutes: 10_000,
          atUsageCap: 'overage_billed',
          capUsed: 10,
          limitsOverridden: true,
          costUsd: 2,
          billingThresholdUsd: 1,
          billingThresholdReached: true,
        });
        // The usage processor enforced the tenant's own cap, not professional's 30 million.
        const reached = await root().request<{ items: { data: { cap: number } }[] }>(
          'GET',
          `/api/audit/events?tenantId=${INITECH}&type=UsageCapReached`,
        );
        expect(reached.body.items.map((e) => e.data.cap)).toEqual([100_000]);
      });
    },
  );

  it('shows a tenant admin its own plan: tier, caps, prices and this month’s usage and cost', async () => {
    const plan = await initech.request<{
      tier: { tier: string; features: string[]; perMillionTokensUsd: number };
      usage: { tokens: number; tokenCap: number; costUsd: number; billingThresholdReached: boolean } | null;
    }>('GET', '/api/plan');
    expect(validate('tenantPlan', 200, plan.body)).toEqual([]);
    expect(plan.body.tier).toMatchObject({ tier: 'professional', perMillionTokensUsd: 2 });
    expect(plan.body.usage).toMatchObject({ tokens: 1_000_000, tokenCap: 100_000, costUsd: 2 });
    expect(JSON.stringify(plan.body)).not.toContain(DEMO_TENANT);
  });

  it('super admins see the platform by region', async () => {
    const regions = await root().request<{
      regions: { region: string; tenants: number; calls: number; costUsd: number }[];
    }>('GET', '/api/admin/analytics/regions');
    expect(validate('adminRegions', 200, regions.body)).toEqual([]);
    expect(regions.body.regions.find((r) => r.region === 'europe')).toMatchObject({
      tenants: 1,
      calls: 4,
      costUsd: 2,
    });
    expect(regions.body.regions.find((r) => r.region === 'north_america')?.calls).toBeGreaterThanOrEqual(4);
    expect((await initech.request('GET', '/api/admin/analytics/regions')).status).toBe(403);
    const tenants = await root().request<{
      tenants: { tenantId: string; region: string; costUsd: number }[];
    }>('GET', '/api/admin/tenants');
    expect(tenants.body.tenants.find((t) => t.tenantId === INITECH)).toMatchObject({
      region: 'europe',
      costUsd: 2,
    });
  });
});
