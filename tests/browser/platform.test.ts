import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT } from '@ccp/infra';
import { recordCall } from '../support/calls.js';
import { apiClient } from '../support/platform.js';
import {
  chartDrawn,
  containsText,
  eventually,
  expectAccessible,
  fieldError,
  hasText,
  isVisible,
  lacksText,
  navLinks,
  shot,
  startConsole,
  textOf,
  type ConsoleHarness,
} from './harness.js';

/*
 * The super admin's screens in Chromium against the real platform: tenants (create, suspend, reactivate), tiers,
 * caps and the billing alert, white label (down to the sign-in page on the tenant's own domain), platform-wide
 * announcements seen by a tenant's user, health and processor lag refreshed live, and global analytics. Every
 * change made on screen is read back after a reload and from the API.
 */

const NEW_TENANT = { id: 'acme-dental', name: 'Acme Dental Care' };
const CUSTOM_DOMAIN = 'support.acme-dental.test';

let h: ConsoleHarness;

interface TenantRow {
  tenantId: string;
  name: string;
  status: string;
  planTier: string;
  region: string;
}
interface CapsRow {
  tenantId: string;
  planTier: string;
  includedMinutes: number | null;
  tokenCap: number | null;
  atUsageCap: string | null;
  limitsOverridden: boolean;
  billingThresholdUsd: number | null;
}

const tenantRow = async (tenantId: string): Promise<TenantRow | undefined> =>
  (await h.root.request<{ tenants: TenantRow[] }>('GET', '/api/admin/tenants')).body.tenants.find(
    (t) => t.tenantId === tenantId,
  );
const capsRow = async (tenantId: string): Promise<CapsRow | undefined> =>
  (await h.root.request<{ tenants: CapsRow[] }>('GET', '/api/admin/usage-caps')).body.tenants.find(
    (t) => t.tenantId === tenantId,
  );

beforeAll(async () => {
  // The sign-in page themes itself from the host name it is served on: Chromium resolves the tenant's custom
  // domain to this machine, as DNS would for a real one.
  h = await startConsole({ browserArgs: [`--host-resolver-rules=MAP ${CUSTOM_DOMAIN} 127.0.0.1`] });
  // Traffic and a ticket for the global analytics, in the demo tenant.
  await recordCall(h.root, DEMO_TENANT, 'CA-pl-1');
  await recordCall(h.root, DEMO_TENANT, 'CA-pl-2', ['I need to speak to someone about my bill'], 'escalated');
  expect(
    (
      await h.root.command('OpenTicket', {
        tenantId: DEMO_TENANT,
        ticketId: 'T-pl-1',
        subject: 'Invoice shows two cleanings',
        description: 'The caller was billed twice for one visit.',
        priority: 'high',
        callId: 'CA-pl-2',
      })
    ).status,
  ).toBe(200);
  await eventually(
    () => h.root.request<{ total: number }>('GET', `/api/calls?tenantId=${DEMO_TENANT}&status=ended&limit=1`),
    (r) => expect(r.body.total).toBe(2),
  );
}, 240_000);

afterAll(async () => {
  await h?.close();
  expect(h?.pageErrors ?? []).toEqual([]);
}, 60_000);

describe('tenants', () => {
  it(
    'lists every tenant, creates one (refusing a bad ID beside its field), suspends and reactivates it',
    { timeout: 120_000 },
    async () => {
      const page = await h.newPage();
      await h.signIn(page, 'super_admin');
      const platformMenu = [
        'Tenants',
        'Plans and caps',
        'Announcements',
        'Platform health',
        'Global analytics',
      ];
      const links = await navLinks(page);
      for (const name of platformMenu) expect(links).toContain(name);

      await page
        .getByRole('navigation', { name: 'Main navigation' })
        .getByRole('link', { name: 'Tenants' })
        .click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Tenants');
      const table = page.getByTestId('tenants-table');
      await containsText(table, 'Bright Smile Dental');
      await containsText(table, 'Professional');

      await page.getByRole('button', { name: 'New tenant' }).click();
      await page.getByLabel('Business name').fill(NEW_TENANT.name);
      await page.getByLabel('Tenant ID').fill('Acme Dental');
      await page.getByLabel('Tier').selectOption('starter');
      await page.getByLabel('Region').selectOption('europe');
      await page.getByLabel('Time zone').selectOption('Europe/Madrid');
      await page.getByRole('button', { name: 'Create tenant' }).click();
      await hasText(fieldError(page, 'Tenant ID'), 'a tenant id is 3-40 lowercase letters, digits or dashes');
      expect(await page.getByLabel('Tenant ID').getAttribute('aria-invalid')).toBe('true');
      await shot(page, 'platform-tenant-refused');
      expect(await tenantRow('acme dental')).toBeUndefined();

      await page.getByLabel('Tenant ID').fill(NEW_TENANT.id);
      await page.getByRole('button', { name: 'Create tenant' }).click();
      const row = table.locator('tr', { hasText: NEW_TENANT.name });
      await containsText(row, 'Europe');
      await containsText(row, 'Starter');
      await containsText(row, 'Active');
      await shot(page, 'platform-tenants');
      await expectAccessible(page, 'tenants');

      await page.reload();
      await containsText(table.locator('tr', { hasText: NEW_TENANT.name }), 'Starter');
      expect(await tenantRow(NEW_TENANT.id)).toMatchObject({
        name: NEW_TENANT.name,
        status: 'active',
        planTier: 'starter',
        region: 'europe',
      });
      const config = await h.root.request<{ settings: { timeZone: string } }>(
        'GET',
        `/api/config/tenant?tenantId=${NEW_TENANT.id}`,
      );
      expect(config.body.settings.timeZone).toBe('Europe/Madrid');

      // Suspending asks why; the command refuses an empty reason and says so beside the field.
      await page.getByRole('button', { name: `Suspend ${NEW_TENANT.name}` }).click();
      const dialog = page.getByRole('dialog');
      await hasText(dialog.getByRole('heading', { level: 2 }), `Suspend ${NEW_TENANT.name}?`);
      await dialog.getByTestId('lifecycle-confirm').click();
      await containsText(fieldError(page, 'Reason'), 'expected string to have >=1 characters');
      await dialog.getByLabel('Reason').fill('Card payment failed three times');
      await shot(page, 'platform-tenant-suspend');
      await expectAccessible(page, 'suspend dialog');
      await dialog.getByTestId('lifecycle-confirm').click();
      await containsText(table.locator('tr', { hasText: NEW_TENANT.name }), 'Suspended', 15_000);
      expect((await tenantRow(NEW_TENANT.id))?.status).toBe('suspended');

      await page.getByRole('button', { name: `Reactivate ${NEW_TENANT.name}` }).click();
      await page.getByRole('dialog').getByTestId('lifecycle-confirm').click();
      await containsText(table.locator('tr', { hasText: NEW_TENANT.name }), 'Active', 15_000);
      expect((await tenantRow(NEW_TENANT.id))?.status).toBe('active');
    },
  );

  it(
    'changes the tier, sets the tenant’s own caps and billing alert, and white-labels it',
    { timeout: 120_000 },
    async () => {
      const page = await h.newPage();
      await h.signIn(page, 'super_admin');
      await page.goto(`${h.url}/platform/tenants`);
      await page.getByRole('link', { name: NEW_TENANT.name }).click();
      await hasText(page.getByRole('heading', { level: 1 }), NEW_TENANT.name);
      await hasText(page.getByTestId('tenant-tier'), 'Starter');

      // The tier.
      await page.getByLabel('Tier', { exact: true }).selectOption('professional');
      await containsText(page.getByTestId('tier-form'), 'White label');
      await page.getByRole('button', { name: 'Change tier' }).click();
      await hasText(page.getByTestId('tenant-tier'), 'Professional');
      await eventually(
        () => capsRow(NEW_TENANT.id),
        (row) => expect(row?.planTier).toBe('professional'),
      );
      await eventually(
        () => tenantRow(NEW_TENANT.id),
        (row) => expect(row?.planTier).toBe('professional'),
      );

      // Caps: a refused amount is shown beside its field and nothing changes.
      await page.getByLabel('Minutes cap').selectOption('own');
      await page.getByLabel('Included minutes a month', { exact: true }).fill('500');
      await page.getByLabel('LLM tokens cap').selectOption('own');
      await page.getByLabel('LLM tokens a month', { exact: true }).fill('1000000');
      await page.getByLabel('At a cap').selectOption('block_ai');
      await page.getByLabel('Billing alert (US$)').fill('-5');
      await page.getByRole('button', { name: 'Save caps' }).click();
      await containsText(fieldError(page, 'Billing alert (US$)'), 'expected number to be >0');
      expect((await capsRow(NEW_TENANT.id))?.limitsOverridden).toBe(false);

      await page.getByLabel('Billing alert (US$)').fill('250');
      await page.getByRole('button', { name: 'Save caps' }).click();
      await isVisible(page.getByText('Caps and billing alert saved.'));
      await eventually(
        () => capsRow(NEW_TENANT.id),
        (row) =>
          expect(row).toMatchObject({
            includedMinutes: 500,
            tokenCap: 1_000_000,
            atUsageCap: 'block_ai',
            limitsOverridden: true,
            billingThresholdUsd: 250,
          }),
      );
      await containsText(page.getByTestId('tenant-usage'), '0 of 500');

      // White label.
      await page.getByLabel('Display name').fill('Acme Dental');
      await page.getByLabel('Primary colour', { exact: true }).fill('#7a1f5c');
      await page.getByLabel('Logo URL').fill(`${h.url}/favicon.svg`);
      await page.getByLabel('Custom domain').fill('not a domain');
      await page.getByRole('button', { name: 'Save branding' }).click();
      await containsText(fieldError(page, 'Custom domain'), 'a domain like support.example.com');
      await page.getByLabel('Custom domain').fill(CUSTOM_DOMAIN);
      await page.getByRole('button', { name: 'Save branding' }).click();
      await isVisible(page.getByText('Branding saved.'));
      await shot(page, 'platform-tenant');
      await expectAccessible(page, 'tenant');

      // After a reload every form starts from what was saved.
      await page.reload();
      await hasText(page.getByRole('heading', { level: 1 }), NEW_TENANT.name);
      await expect
        .poll(() => page.getByLabel('Included minutes a month', { exact: true }).inputValue())
        .toBe('500');
      expect(await page.getByLabel('Minutes cap').inputValue()).toBe('own');
      expect(await page.getByLabel('At a cap').inputValue()).toBe('block_ai');
      expect(await page.getByLabel('Billing alert (US$)').inputValue()).toBe('250');
      expect(await page.getByLabel('Display name').inputValue()).toBe('Acme Dental');
      expect(await page.getByLabel('Custom domain').inputValue()).toBe(CUSTOM_DOMAIN);
      await containsText(page.getByTestId('tenant-usage'), 'Own caps');

      const branding = await eventually(
        () =>
          apiClient(h.url).request<{ displayName: string; primaryColor: string; logoUrl: string }>(
            'GET',
            `/api/branding?domain=${CUSTOM_DOMAIN}`,
          ),
        (r) => expect(r.status).toBe(200),
      );
      expect(branding.body).toMatchObject({
        displayName: 'Acme Dental',
        primaryColor: '#7a1f5c',
        logoUrl: `${h.url}/favicon.svg`,
      });

      // The sign-in page on the tenant's own domain wears its name and logo.
      const branded = await h.newPage();
      const port = new URL(h.url).port;
      await branded.goto(`http://${CUSTOM_DOMAIN}:${port}/login`);
      await hasText(branded.locator('.login-product'), 'Acme Dental');
      await expect
        .poll(() => branded.locator('.login-logo').getAttribute('src'))
        .toBe(`${h.url}/favicon.svg`);
      await shot(branded, 'platform-branded-login');

      // Plans and caps: the tier catalog and the tenant against its own caps.
      await page.getByRole('link', { name: 'Plans and caps' }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Plans and caps');
      await containsText(page.getByTestId('tiers-table'), '$399');
      const caps = page.getByTestId('usage-caps-table').locator('tr', { hasText: NEW_TENANT.name });
      await containsText(caps, '0 / 500');
      await containsText(caps, 'Yes');
      await containsText(caps, '$250.00');
      await shot(page, 'platform-plans');
      await expectAccessible(page, 'plans and caps');
    },
  );
});

describe('closing a tenant', () => {
  it('disables a tenant for good and then asks for its deletion', { timeout: 90_000 }, async () => {
    expect(
      (await h.root.command('CreateTenant', { tenantId: 'closing-dental', name: 'Closing Dental' })).status,
    ).toBe(200);
    const page = await h.newPage();
    await h.signIn(page, 'super_admin');
    await page.goto(`${h.url}/platform/tenants/closing-dental`);
    await hasText(page.getByRole('heading', { level: 1 }), 'Closing Dental');
    await hasText(page.getByTestId('tenant-status'), 'Active');

    await page.getByRole('button', { name: 'Disable Closing Dental' }).click();
    const dialog = page.getByRole('dialog');
    await containsText(dialog, 'it cannot be reactivated, only deleted');
    await dialog.getByLabel('Reason').fill('The practice closed');
    await dialog.getByTestId('lifecycle-confirm').click();
    await hasText(page.getByTestId('tenant-status'), 'Disabled');
    await eventually(
      () => tenantRow('closing-dental'),
      (row) => expect(row?.status).toBe('disabled'),
    );
    // Disabled is for good: only deletion is left to ask for.
    await expect.poll(() => page.getByRole('button', { name: 'Suspend Closing Dental' }).count()).toBe(0);
    await expect.poll(() => page.getByRole('button', { name: 'Reactivate Closing Dental' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Request deletion of Closing Dental' }).click();
    await page.getByRole('dialog').getByTestId('lifecycle-confirm').click();
    await hasText(page.getByTestId('tenant-status'), 'Deletion requested');
    await eventually(
      () => tenantRow('closing-dental'),
      (row) => expect(row?.status).toBe('deletion_requested'),
    );
    await expect
      .poll(() => page.getByRole('button', { name: 'Request deletion of Closing Dental' }).count())
      .toBe(0);
    await shot(page, 'platform-tenant-closed');
    await expectAccessible(page, 'closed tenant');
  });
});

describe('announcements', () => {
  it(
    'publishes a platform-wide announcement that a tenant’s user sees, and withdraws it',
    { timeout: 120_000 },
    async () => {
      const page = await h.newPage();
      await h.signIn(page, 'super_admin');
      await page.getByRole('link', { name: 'Announcements' }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Announcements');

      await page.getByLabel('Title').fill('Carrier maintenance tonight');
      await page
        .getByLabel('Message')
        .fill('Calls may take a few seconds longer to connect between 23:00 and 23:30 UTC.');
      await page.getByLabel('Severity').selectOption('warning');
      await page.getByLabel('Announcement ID').fill('carrier-maintenance');
      await page.getByLabel('Show from').fill('2031-01-02T10:00');
      await page.getByLabel('Show until').fill('2031-01-01T10:00');
      await page.getByRole('button', { name: 'Publish to everyone' }).click();
      await hasText(fieldError(page, 'Show until'), 'endsAt must be after startsAt');

      await page.getByLabel('Show from').fill('');
      await page.getByLabel('Show until').fill('');
      await page.getByRole('button', { name: 'Publish to everyone' }).click();
      const item = page.getByTestId('announcement-list').locator('li[data-id="carrier-maintenance"]');
      await containsText(item, 'Carrier maintenance tonight');
      await containsText(item, 'Showing');
      await shot(page, 'platform-announcements');
      await expectAccessible(page, 'announcements');

      // Every tenant's people see it in their banner.
      const agent = await h.clientAs('agent');
      const seen = await agent.request<{ announcements: { announcementId: string; scope: string }[] }>(
        'GET',
        '/api/announcements',
      );
      expect(seen.body.announcements).toContainEqual(
        expect.objectContaining({ announcementId: 'carrier-maintenance', scope: 'platform' }),
      );
      const agentPage = await h.newPage();
      await h.signIn(agentPage, 'agent');
      await containsText(agentPage.getByTestId('announcement'), 'Carrier maintenance tonight');
      await shot(agentPage, 'platform-announcement-seen-by-agent');

      await item.getByRole('button', { name: 'Withdraw “Carrier maintenance tonight”' }).click();
      await page.getByTestId('withdraw-confirm').click();
      await containsText(item, 'Withdrawn');
      await eventually(
        () => agent.request<{ announcements: { announcementId: string }[] }>('GET', '/api/announcements'),
        (r) => expect(r.body.announcements.map((a) => a.announcementId)).not.toContain('carrier-maintenance'),
      );
      // Not a fixed wait before the negative check: an announcement published after the withdrawal is the
      // marker. The banner shows what one read of the list returned, so once the marker is on the reloaded
      // page the list it shows was read after the withdrawal, and the withdrawn one must be absent from it.
      const root = h.root;
      const marker = { tenantId: 'platform', announcementId: 'withdrawal-marker', severity: 'info' };
      expect(
        (
          await root.command('PublishAnnouncement', {
            ...marker,
            title: 'Marker notice',
            body: 'Still in force.',
          })
        ).status,
      ).toBe(200);
      await agentPage.reload();
      await isVisible(agentPage.getByRole('heading', { level: 1 }));
      await containsText(agentPage.getByTestId('announcement'), 'Marker notice');
      await lacksText(agentPage.locator('main').locator('..'), 'Carrier maintenance tonight');
      expect(
        (
          await root.command('WithdrawAnnouncement', {
            tenantId: 'platform',
            announcementId: marker.announcementId,
          })
        ).status,
      ).toBe(200);
    },
  );
});

describe('platform health', () => {
  it('shows the engines and each processor’s lag, refreshed live', { timeout: 90_000 }, async () => {
    const page = await h.newPage();
    await h.signIn(page, 'super_admin');
    await page.getByRole('link', { name: 'Platform health' }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Platform health');
    const kpis = page.getByTestId('health-kpis');
    await hasText(kpis.getByRole('region', { name: 'Overall' }).locator('[data-kpi-value]'), 'Healthy');
    await hasText(kpis.getByRole('region', { name: 'Event store' }).locator('[data-kpi-value]'), 'Up');
    await hasText(kpis.getByRole('region', { name: 'Read store' }).locator('[data-kpi-value]'), 'Up');
    const processors = page.getByTestId('processors-table');
    for (const name of ['audit-log', 'call-facts', 'sentiment', 'intent', 'sla', 'usage']) {
      await containsText(processors, name);
    }
    await containsText(page.getByTestId('engines'), 'sqlite');

    // Live: a call recorded now moves the audit log processor's count on screen, with no reload.
    await page.evaluate(() => {
      (globalThis as unknown as { healthMarker: number }).healthMarker = 7;
    });
    const auditRow = processors.locator('tr', { hasText: 'audit-log' });
    const before = Number((await textOf(auditRow.locator('td').nth(1))).replace(/\D/g, ''));
    expect(before).toBeGreaterThan(0);
    await recordCall(h.root, DEMO_TENANT, 'CA-pl-live');
    await expect
      .poll(async () => Number((await textOf(auditRow.locator('td').nth(1))).replace(/\D/g, '')), {
        timeout: 20_000,
      })
      .toBeGreaterThan(before);
    expect(await page.evaluate(() => (globalThis as unknown as { healthMarker?: number }).healthMarker)).toBe(
      7,
    );
    const api = await h.root.request<{ processors: Record<string, { events: number }> }>(
      'GET',
      '/api/admin/processors',
    );
    expect(api.body.processors['audit-log']?.events).toBeGreaterThan(before);
    await expect.poll(() => chartDrawn(page, 'chart-lag'), { timeout: 15_000 }).toBe(true);
    await shot(page, 'platform-health');
    await expectAccessible(page, 'platform health');
  });
});

describe('global analytics', () => {
  it(
    'shows every region, the busiest agents, API usage and every tenant’s tickets',
    { timeout: 90_000 },
    async () => {
      const page = await h.newPage();
      await h.signIn(page, 'super_admin');
      await page.getByRole('link', { name: 'Global analytics' }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Global analytics');
      const regions = page.getByTestId('regions-table');
      const northAmerica = regions.locator('tr', { hasText: 'North America' });
      await isVisible(northAmerica);
      const api = await h.root.request<{ regions: { region: string; calls: number; tenants: number }[] }>(
        'GET',
        '/api/admin/analytics/regions',
      );
      const na = api.body.regions.find((r) => r.region === 'north_america');
      expect(na?.calls).toBeGreaterThanOrEqual(3);
      await hasText(northAmerica.locator('td').nth(2), String(na?.calls));
      await containsText(regions.locator('tr', { hasText: 'Europe' }), '1');
      await expect.poll(() => chartDrawn(page, 'chart-regions')).toBe(true);
      await containsText(page.getByTestId('top-agents-table'), 'sofia');
      await containsText(page.getByTestId('api-usage-table'), 'The platform (super admins)');
      await containsText(page.getByTestId('routes-table'), '/api/commands/:type');
      const tickets = page.getByTestId('tickets-table');
      await containsText(tickets, 'Invoice shows two cleanings');
      await containsText(tickets, 'Bright Smile Dental');
      await shot(page, 'platform-analytics');
      await expectAccessible(page, 'global analytics');
    },
  );

  it('reads in Spanish and dark mode', { timeout: 60_000 }, async () => {
    const page = await h.newPage();
    await h.signIn(page, 'super_admin');
    await page.goto(`${h.url}/platform/tenants`);
    await page.getByRole('button', { name: /ES/ }).click();
    await page.getByRole('switch', { name: 'Modo oscuro' }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Clientes');
    await containsText(page.getByTestId('tenants-table'), 'Profesional');
    await shot(page, 'platform-tenants-dark-es');
    await expectAccessible(page, 'tenants, dark, Spanish');
    await page.getByRole('button', { name: /EN/ }).click();
    await page.getByRole('switch', { name: 'Dark mode' }).click();
  });
});

describe('roles', () => {
  it(
    'keeps the platform screens from a tenant admin: hidden in the menu, refused by address',
    { timeout: 60_000 },
    async () => {
      const page = await h.newPage();
      await h.signIn(page, 'tenant_admin');
      const links = await navLinks(page);
      for (const name of [
        'Tenants',
        'Plans and caps',
        'Announcements',
        'Platform health',
        'Global analytics',
      ]) {
        expect(links).not.toContain(name);
      }
      for (const path of [
        '/platform/tenants',
        `/platform/tenants/${NEW_TENANT.id}`,
        '/platform/plans',
        '/platform/announcements',
        '/platform/health',
        '/platform/analytics',
      ]) {
        await page.goto(`${h.url}${path}`);
        await hasText(page.getByRole('heading', { level: 1 }), 'Not allowed');
        expect(new URL(page.url()).pathname).toBe('/not-allowed');
      }
      await shot(page, 'platform-not-allowed-tenant-admin');
      await expectAccessible(page, 'not allowed');
      // The API refuses them anyway.
      const admin = await h.clientAs('tenant_admin');
      expect((await admin.request('GET', '/api/admin/tenants')).status).toBe(403);
      expect((await admin.command('CreateTenant', { tenantId: 'sneaky', name: 'Sneaky' })).status).toBe(403);
    },
  );
});
