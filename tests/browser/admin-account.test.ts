import { describe, expect, it } from 'vitest';
import { DEMO_TENANT } from '@ccp/infra';
import {
  ADMIN_MENU,
  admin,
  adminLinks,
  configItem,
  configItems,
  confirm,
  isGone,
  newPage,
  rowWith,
  signIn,
  tenantSettings,
  ui,
  useAdminConsole,
  valueOf,
} from '../support/admin-console.js';
import {
  containsText,
  expectAccessible,
  hasText,
  isVisible,
  shot,
  textOf,
  SUPER_ADMIN_EMAIL,
  WAIT,
} from './harness.js';

/*
 * The tenant's account in Chromium: its team (invite, role, password), integrations (API keys, single
 * sign-on), plan and usage, and who may administer it at all (not analysts or viewers; a super admin for the
 * tenant they chose). None of these needs what the configuration tests make.
 */

/** Every administration screen's address: analysts and viewers are refused each one. */
const ADMIN_PATHS = [
  '/admin/departments',
  '/admin/agents',
  '/admin/agents/new',
  '/admin/agents/edit/sofia',
  '/admin/numbers',
  '/admin/ivr',
  '/admin/knowledge',
  '/admin/scripts',
  '/admin/team',
  '/admin/integrations',
  '/admin/billing',
];

useAdminConsole();

describe('team', () => {
  it('invites a member, changes their role and sets their password', { timeout: 90_000 }, async () => {
    const page = await newPage();
    await signIn(page, 'tenant_admin');
    await page.getByRole('link', { name: 'Team', exact: true }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Team');
    await isVisible(rowWith(page, 'members-table', 'Dana Admin'));

    await page.getByRole('button', { name: 'Invite a member' }).click();
    const invite = page.getByTestId('invite-form');
    await invite.getByLabel('Name', { exact: true }).fill('Quinn Lee');
    await invite.getByLabel('Email').fill('quinn@demo.example');
    await valueOf(invite.getByLabel('User ID')).toBe('quinn');
    await invite.getByLabel('Role').selectOption('viewer');
    await shot(page, 'admin-team-invite');
    await expectAccessible(page, 'invite a member');
    await invite.getByRole('button', { name: 'Invite', exact: true }).click();
    await containsText(rowWith(page, 'members-table', 'Quinn Lee'), 'Viewer');
    expect(await configItem('members', 'quinn')).toMatchObject({
      email: 'quinn@demo.example',
      name: 'Quinn Lee',
      role: 'viewer',
    });

    // An address already in use anywhere on the platform is refused.
    await page.getByRole('button', { name: 'Invite a member' }).click();
    await invite.getByLabel('Name', { exact: true }).fill('Second Quinn');
    await invite.getByLabel('Email').fill('quinn@demo.example');
    await invite.getByLabel('User ID').fill('quinn-2');
    await invite.getByRole('button', { name: 'Invite', exact: true }).click();
    await isVisible(invite.getByRole('alert'));
    await invite.getByRole('button', { name: 'Cancel' }).click();
    expect(await configItem('members', 'quinn-2')).toBeUndefined();

    await page.reload();
    await page.getByRole('button', { name: 'Manage Quinn Lee' }).click();
    const roleForm = page.getByTestId('role-form');
    await roleForm.getByLabel('Role').selectOption('analyst');
    await roleForm.getByRole('button', { name: 'Change role' }).click();
    await expect.poll(async () => (await configItem('members', 'quinn'))?.['role'], WAIT).toBe('analyst');

    const password = page.getByTestId('password-form');
    await password.getByLabel('New password').fill('short');
    await password.getByLabel('Repeat the password').fill('short');
    await password.getByRole('button', { name: 'Set password' }).click();
    await hasText(password.getByTestId('field-error'), 'must be 10 to 200 characters');
    await password.getByLabel('New password').fill('quinn-password-2026');
    await password.getByLabel('Repeat the password').fill('quinn-password-2026');
    await password.getByRole('button', { name: 'Set password' }).click();
    await isGone(password.getByTestId('field-error'));
    await shot(page, 'admin-team-manage');
    await expectAccessible(page, 'manage a member');
    await page.keyboard.press('Escape');
    await containsText(rowWith(page, 'members-table', 'Quinn Lee'), 'Analyst');

    // Quinn signs in with the new password, as an analyst, and sees no administration.
    const quinn = await newPage();
    await signIn(quinn, 'analyst', 'quinn@demo.example', 'quinn-password-2026');
    await hasText(quinn.getByTestId('role'), 'Analyst');
    expect(await adminLinks(quinn)).toEqual([]);
  });
});

describe('integrations and billing', () => {
  it(
    'shows the engines, issues, rotates and revokes an API key, and adds an SSO issuer',
    { timeout: 90_000 },
    async () => {
      const page = await newPage();
      await signIn(page, 'tenant_admin');
      await page.getByRole('link', { name: 'API keys and engines', exact: true }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'API keys and engines');
      const engines = (await admin.request<{ engines: Record<string, string> }>('GET', '/api/integrations'))
        .body.engines;
      await containsText(page.getByTestId('engines'), `Event store\n${engines['eventStore'] ?? ''}`);
      await containsText(page.getByTestId('engines'), `Text to speech\n${engines['textToSpeech'] ?? ''}`);

      const form = page.getByTestId('api-key-form');
      await form.getByLabel('Key name').fill('Reporting');
      await form.getByLabel('Acts as').selectOption('analyst');
      expect(await form.getByLabel('Read', { exact: true }).isChecked()).toBe(true);
      await form.getByRole('button', { name: 'Issue key' }).click();
      const secret = page.getByTestId('api-key-secret');
      await hasText(secret, /^ccp_sk_/);
      const key = await textOf(secret);
      await containsText(rowWith(page, 'api-keys-table', 'Reporting'), 'Active');
      // Who issued it: the key goes with that member (removing them retires it).
      await containsText(rowWith(page, 'api-keys-table', 'Reporting'), 'Dana Admin');
      await shot(page, 'admin-integrations');
      await expectAccessible(page, 'integrations');

      const read = async (bearer: string) =>
        (
          await fetch(`${ui.url}/api/analytics/outcomes`, {
            headers: { authorization: `Bearer ${bearer}` },
          })
        ).status;
      expect(await read(key)).toBe(200);

      await page.getByRole('button', { name: 'Rotate Reporting' }).click();
      await confirm(page, 'Rotate');
      await containsText(page.getByTestId('new-api-key'), 'has a new secret');
      const rotated = await textOf(secret);
      expect(rotated).toMatch(/^ccp_sk_/);
      expect(rotated).not.toBe(key);
      expect(await read(key)).toBe(401);
      expect(await read(rotated)).toBe(200);
      // The secret is shown once: not after a reload.
      await page.reload();
      await isVisible(rowWith(page, 'api-keys-table', 'Reporting'));
      await isGone(page.getByTestId('api-key-secret'));

      await page.getByRole('button', { name: 'Revoke Reporting' }).click();
      await confirm(page, 'Revoke');
      await containsText(rowWith(page, 'api-keys-table', 'Reporting'), 'Revoked');
      expect(await read(rotated)).toBe(401);

      const sso = page.getByTestId('sso-form');
      await sso.getByRole('button', { name: 'Add issuer' }).click();
      const issuer = sso.getByTestId('sso-issuer').first();
      await issuer.getByLabel('Name on the sign-in button').fill('Okta');
      await issuer.getByLabel('Issuer URL').fill('not a url');
      await issuer.getByLabel('Client ID (audience)').fill('ccp-console');
      await sso.getByRole('button', { name: 'Save single sign-on' }).click();
      await isVisible(issuer.getByTestId('field-error'));
      expect((await tenantSettings())['sso']).toEqual([]);
      await issuer.getByLabel('Issuer URL').fill('https://demo.okta.example');
      await sso.getByRole('button', { name: 'Save single sign-on' }).click();
      await expect
        .poll(async () => (await tenantSettings())['sso'], WAIT)
        .toEqual([{ issuer: 'https://demo.okta.example', audience: 'ccp-console', name: 'Okta' }]);
      await page.reload();
      await valueOf(page.getByTestId('sso-issuer').first().getByLabel('Issuer URL')).toBe(
        'https://demo.okta.example',
      );
    },
  );

  it('shows the plan, this month’s usage and cost, and usage by month', { timeout: 60_000 }, async () => {
    const plan = (
      await admin.request<{
        tier: { tier: string; monthlyFeeUsd: number };
        usage: { minutes: number; tokens: number; costUsd: number } | null;
        period: string;
      }>('GET', '/api/plan')
    ).body;
    expect(plan.usage).not.toBeNull();
    const page = await newPage();
    await signIn(page, 'tenant_admin');
    await page.getByRole('link', { name: 'Plan and usage', exact: true }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Plan and usage');
    const kpi = (name: string) => page.getByRole('region', { name, exact: true }).locator('[data-kpi-value]');
    const number = (value: number, digits = 0) =>
      new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(value);
    const usd = (value: number) =>
      new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 }).format(
        value,
      );
    await containsText(page.getByTestId('plan-tier'), 'Professional');
    await containsText(page.getByTestId('plan-tier'), `Billing period ${plan.period}`);
    await hasText(kpi('Monthly fee'), '$399');
    await hasText(kpi('Call minutes this month'), number(plan.usage?.minutes ?? -1, 2));
    await hasText(kpi('LLM tokens this month'), number(plan.usage?.tokens ?? -1));
    await hasText(kpi('Usage cost this month'), usd(plan.usage?.costUsd ?? -1));
    const agents = (await configItems('agents')).length;
    await containsText(page.getByTestId('meter-agents'), `${agents} of 20`);
    await containsText(page.getByTestId('usage-periods'), plan.period);
    await containsText(page.getByTestId('plan-details'), '$0.08');
    await shot(page, 'admin-billing');
    await expectAccessible(page, 'billing and usage');
  });
});

describe('roles', () => {
  it(
    'keeps the administration from analysts and viewers: hidden in the menu, refused by address',
    { timeout: 90_000 },
    async () => {
      for (const role of ['analyst', 'viewer']) {
        const page = await newPage();
        await signIn(page, role);
        expect(await adminLinks(page)).toEqual([]);
        for (const path of ADMIN_PATHS) {
          await page.goto(`${ui.url}${path}`);
          await hasText(page.getByRole('heading', { level: 1 }), 'Not allowed');
          expect(new URL(page.url()).pathname).toBe('/not-allowed');
        }
        await shot(page, `admin-not-allowed-${role}`);
        await page.context().close();
      }
    },
  );

  it('lets a super admin administer the tenant they chose', { timeout: 60_000 }, async () => {
    const page = await newPage();
    await signIn(page, 'super_admin', SUPER_ADMIN_EMAIL, ui.superAdminPassword);
    await expect.poll(() => page.getByLabel('Tenant').inputValue()).toBe(DEMO_TENANT);
    expect(await adminLinks(page)).toEqual(ADMIN_MENU['tenant_admin']);
    await page.getByRole('link', { name: 'Team', exact: true }).click();
    await isVisible(rowWith(page, 'members-table', 'Dana Admin'));
    await page.getByRole('link', { name: 'AI agents', exact: true }).click();
    await page.getByRole('link', { name: 'Sofia', exact: true }).click();
    await page.getByRole('button', { name: 'Play sample (Puck)' }).click();
    await hasText(
      page.getByTestId('sample-status'),
      'No text-to-speech provider is configured: this is the simulator’s machine voice, not how callers will hear Puck.',
    );
    await page.getByLabel('Concurrent calls').fill('6');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(async () => (await configItem('agents', 'sofia'))?.['concurrencyLimit'], WAIT).toBe(6);
  });
});
