import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  containsText,
  expectAccessible,
  hasCount,
  hasText,
  isVisible,
  lacksText,
  navLinks,
  shot,
  startConsole,
  textOf,
  type ApiClient,
  type ConsoleHarness,
} from './harness.js';

/*
 * The outbound campaign screens in Chromium against the real platform (its local carrier answers the dials):
 * the do-not-call list, a campaign made in the editor, a refused and an accepted lead import, scheduling and
 * the live progress as the platform dials, pause and resume, the page in Spanish, and the read-only view of an
 * analyst. The tests build on each other, so they stay in this order.
 */

let ui: ConsoleHarness;
let admin: ApiClient;
const CAMPAIGN = 'winter-whitening';
const ZONE = 'America/New_York';
const DNC_NUMBER = '+12125550199';

/** Today in the campaign's zone: the day it may start calling. */
const todayIn = (zone: string): string =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());

/**
 * A zone where it is daytime now (10:00-17:59), whatever the hour of the run: the imported leads live there, so
 * the campaign's window and the legal floor (both in the called person's local time) let the platform dial now.
 * The candidates are at most five hours apart around the clock, so one always fits.
 */
const DAYTIME_ZONE = ((): string => {
  const candidates = [
    'America/New_York',
    'Europe/London',
    'Asia/Kolkata',
    'Asia/Tokyo',
    'Australia/Sydney',
    'Pacific/Honolulu',
    'America/Los_Angeles',
  ];
  const hourIn = (zone: string): number =>
    Number(
      new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(
        new Date(),
      ),
    );
  const zone = candidates.find((z) => hourIn(z) >= 10 && hourIn(z) < 18);
  if (zone === undefined) throw new Error('no candidate zone is in its daytime now');
  return zone;
})();

const kpi = (page: Page, label: string) =>
  page
    .getByTestId('campaign-progress')
    .getByRole('region', { name: label, exact: true })
    .locator('[data-kpi-value]');

const figure = async (page: Page, label: string): Promise<number> =>
  Number((await textOf(kpi(page, label))).replace(/[^\d]/g, '') || 'NaN');

beforeAll(async () => {
  ui = await startConsole();
  admin = await ui.clientAs('tenant_admin');
}, 240_000);

afterAll(async () => {
  const errors = ui ? [...ui.pageErrors] : [];
  await ui?.close();
  expect(errors).toEqual([]);
}, 60_000);

describe('outbound campaigns in the console', () => {
  it('keeps the do-not-call list: add, search, remove', { timeout: 60_000 }, async () => {
    const page = await ui.newPage();
    await ui.signIn(page, 'tenant_admin');
    expect(await navLinks(page)).toEqual(expect.arrayContaining(['Campaigns', 'Do-not-call list']));
    await page.getByRole('link', { name: 'Do-not-call list', exact: true }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Do-not-call list');
    const add = page.getByTestId('dnc-add');
    for (const number of [DNC_NUMBER, '+12125550198']) {
      await add.getByLabel('Number', { exact: true }).fill(number);
      await add.getByRole('button', { name: 'Add to the list' }).click();
      await containsText(page.getByTestId('dnc-table'), number);
    }
    // A number that is not E.164 is refused next to its field.
    await add.getByLabel('Number', { exact: true }).fill('12345');
    await add.getByRole('button', { name: 'Add to the list' }).click();
    await isVisible(add.getByTestId('field-error'));
    await shot(page, 'campaigns-dnc');
    await expectAccessible(page, 'do-not-call list');

    await page.getByRole('button', { name: 'Remove +12125550198' }).click();
    await expect.poll(() => textOf(page.getByTestId('dnc-table'))).not.toContain('+12125550198');
    await page.getByLabel('Search numbers').fill('0199');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await containsText(page.getByTestId('dnc-table'), DNC_NUMBER);

    // A file of numbers, one of them in national format.
    const imports = page.getByTestId('dnc-import');
    await imports.getByLabel('File', { exact: true }).setInputFiles({
      name: 'dnc.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('phone\n+12125550197\n(212) 555-0196\n'),
    });
    await imports.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByLabel('Search numbers').fill('');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await containsText(page.getByTestId('dnc-table'), '+12125550196');
    const listed = await admin.request<{ numbers: { number: string }[] }>('GET', '/api/do-not-call');
    expect(listed.body.numbers.map((n) => n.number).sort()).toEqual([
      '+12125550196',
      '+12125550197',
      DNC_NUMBER,
    ]);
  });

  it('creates a campaign in the editor and refuses a stale edit', { timeout: 60_000 }, async () => {
    const page = await ui.newPage();
    await ui.signIn(page, 'tenant_admin');
    await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Campaigns');
    await page.getByRole('link', { name: 'New campaign' }).click();
    const form = page.getByTestId('campaign-form');
    await form.getByLabel('Name', { exact: true }).fill('Winter whitening');
    await expect.poll(() => form.getByLabel('ID', { exact: true }).inputValue()).toBe(CAMPAIGN);
    await form.getByLabel('AI agent').selectOption('sofia');
    await form.getByTestId('caller-ids').getByLabel('+15550100001', { exact: false }).check();
    await form.getByLabel('Start date').fill(todayIn(ZONE));
    await form.getByLabel('Time zone', { exact: true }).selectOption(ZONE);
    // One window every day; the API refuses one outside the legal calling hours, beside the window.
    const window = form.getByTestId('window-row').first();
    await window.getByLabel('Sat').check();
    await window.getByLabel('Sun').check();
    await window.getByLabel('From').fill('07:00');
    await window.getByLabel('To', { exact: true }).fill('21:00');
    // One call every 20 s at most: the campaign cannot finish while the next test pauses it.
    await form.getByLabel('Calls started per second').fill('0.05');
    await form.getByLabel('On an answering machine').selectOption('leave_message');
    await form.getByLabel('Message').fill('Hi {{first_name}}, Bright Smile Dental calling about whitening.');
    await form.getByRole('button', { name: 'Create campaign' }).click();
    await containsText(window.getByTestId('field-error'), 'legal calling hours');
    await containsText(form.getByTestId('form-error'), 'The campaign was not saved');
    await window.getByLabel('From').fill('08:00');
    await shot(page, 'campaigns-editor');
    await expectAccessible(page, 'campaign editor');
    await form.getByRole('button', { name: 'Create campaign' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/campaigns/${CAMPAIGN}`);
    await hasText(page.getByTestId('campaign-status'), 'Draft');

    const read = await admin.request<{ campaign: Record<string, unknown> }>(
      'GET',
      `/api/campaigns/${CAMPAIGN}`,
    );
    expect(read.status).toBe(200);
    expect(read.body.campaign).toMatchObject({
      name: 'Winter whitening',
      agentId: 'sofia',
      callerIds: ['+15550100001'],
      timeZone: ZONE,
      windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: 480, end: 1260 }],
      pacing: { callsPerSecond: 0.05 },
      voicemail: { action: 'leave_message' },
    });

    // Someone else's edit lands while the editor is open: saving says so and keeps the form.
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await form.getByLabel('Calls at once, at most').fill('3');
    const revision = read.body.campaign['revision'] as number;
    const other = await admin.command('UpdateCampaign', {
      tenantId: 'demo',
      campaignId: CAMPAIGN,
      revision,
      changes: { holidays: ['2027-01-01'] },
    });
    expect(other.status).toBe(200);
    await form.getByRole('button', { name: 'Save changes' }).click();
    await containsText(page.getByTestId('campaign-changed'), 'Someone else changed this campaign');
    expect(await form.getByLabel('Calls at once, at most').inputValue()).toBe('3');
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => form.getByLabel('Holidays').inputValue()).toBe('2027-01-01');
  });

  it(
    'imports leads: a bad file refused row by row, then a preview that skips the DNC number',
    { timeout: 60_000 },
    async () => {
      const page = await ui.newPage();
      await ui.signIn(page, 'tenant_admin');
      await page.goto(`${ui.url}/campaigns/${CAMPAIGN}`);
      const card = page.getByTestId('lead-import');
      const paste = card.getByLabel('Or paste the file');
      await paste.fill('phone,first_name\n+12125550101,Ana\nnot a phone,Bob\n');
      await card.getByRole('button', { name: 'Preview' }).click();
      const errors = card.getByTestId('row-errors');
      await isVisible(errors);
      await hasCount(errors.locator('tbody tr'), 1);
      const cells = await errors.locator('tbody tr td').allInnerTexts();
      expect(cells.map((c) => c.trim()).slice(0, 2)).toEqual(['3', 'phone']);
      await containsText(card.getByTestId('import-error'), 'Nothing was imported.');
      await shot(page, 'campaigns-import-refused');
      const leads = await admin.request<{ total: number }>('GET', `/api/campaigns/${CAMPAIGN}/leads`);
      expect(leads.body.total).toBe(0);

      // The good list as a file, picked.
      await card.getByLabel('File', { exact: true }).setInputFiles({
        name: 'spring-leads.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(
          `phone,first_name,last_name,time_zone\n+12125550101,Ana,Lopez,${DAYTIME_ZONE}\n` +
            `(212) 555-0102,Ben,Ortiz,${DAYTIME_ZONE}\n${DNC_NUMBER},Cora,Diaz,${DAYTIME_ZONE}\n`,
        ),
      });
      await expect.poll(() => paste.inputValue()).toBe('');
      await card.getByRole('button', { name: 'Preview' }).click();
      const preview = card.getByTestId('import-preview');
      await containsText(preview, '1 of 3 will be skipped: on the do-not-call list');
      await containsText(preview, '2 of 3 rows will be imported');
      await card.getByRole('button', { name: 'Import', exact: true }).click();
      await hasCount(page.getByTestId('imports-table').locator('tbody tr'), 1);
      await containsText(page.getByTestId('imports-table'), 'spring-leads.csv');
      await hasText(page.getByTestId('leads-total'), '2 in all');
      await containsText(page.getByTestId('leads-table'), '+12125550102');
      await expect.poll(() => figure(page, 'Leads')).toBe(2);
    },
  );

  it(
    'schedules the campaign, pauses and resumes it, and shows the platform dialling live',
    { timeout: 90_000 },
    async () => {
      const page = await ui.newPage();
      await ui.signIn(page, 'tenant_admin');
      await page.goto(`${ui.url}/campaigns/${CAMPAIGN}`);
      await expect.poll(() => figure(page, 'Attempts')).toBe(0);
      await page.getByRole('button', { name: 'Schedule' }).click();
      await hasText(page.getByTestId('campaign-status'), /Scheduled|Running/);

      await page.getByRole('button', { name: 'Pause', exact: true }).click();
      const reason = page.getByTestId('reason-form');
      await reason.getByLabel('Reason (optional)').fill('Front desk closed');
      await reason.getByRole('button', { name: 'Pause', exact: true }).click();
      await hasText(page.getByTestId('campaign-status'), 'Paused');
      await containsText(page.locator('.status-line'), 'Front desk closed');
      await page.getByRole('button', { name: 'Resume' }).click();
      await hasText(page.getByTestId('campaign-status'), /Running|Scheduled/);

      // The leads live where it is daytime now, and the local carrier answers as a person: the figures move
      // without a reload, at any hour of the run.
      await expect.poll(() => figure(page, 'Attempts'), { timeout: 45_000 }).toBeGreaterThanOrEqual(1);
      await expect.poll(() => figure(page, 'Done'), { timeout: 45_000 }).toBeGreaterThanOrEqual(1);
      await hasText(page.getByTestId('campaign-status'), 'Running');
      await shot(page, 'campaigns-live');
      await expectAccessible(page, 'campaign page');

      // A lead's history: its attempt, the caller ID and the call.
      await page.getByRole('button', { name: 'History of +12125550101' }).click();
      const attempts = page.getByTestId('lead-attempts');
      await containsText(attempts, '+15550100001');
      await isVisible(attempts.getByRole('link', { name: 'Open call' }));
      await page.keyboard.press('Escape');
      await page.getByLabel('Status', { exact: true }).selectOption('done');
      await containsText(page.getByTestId('leads-table'), '+12125550101');
      await lacksText(page.getByTestId('leads-table'), 'Pending');

      // While it runs only some settings change: the name is locked, the pacing is not.
      await page.getByRole('link', { name: 'Edit', exact: true }).click();
      const form = page.getByTestId('campaign-form');
      expect(await form.getByLabel('Name', { exact: true }).isDisabled()).toBe(true);
      expect(await form.getByLabel('AI agent').isDisabled()).toBe(true);
      await form.getByLabel('Calls at once, at most').fill('2');
      await form.getByRole('button', { name: 'Save changes' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe(`/campaigns/${CAMPAIGN}`);
      await expect
        .poll(async () => {
          const read = await admin.request<{ campaign: { pacing: { maxConcurrentCalls: number } } }>(
            'GET',
            `/api/campaigns/${CAMPAIGN}`,
          );
          return read.body.campaign.pacing.maxConcurrentCalls;
        })
        .toBe(2);

      await page.goto(`${ui.url}/campaigns`);
      await containsText(page.getByTestId('campaigns-table'), 'Winter whitening');
      await shot(page, 'campaigns-list');
    },
  );

  it('reads in Spanish', { timeout: 30_000 }, async () => {
    const page = await ui.newPage();
    await ui.signIn(page, 'tenant_admin');
    await page.goto(`${ui.url}/campaigns/${CAMPAIGN}`);
    await page
      .getByRole('group', { name: 'Language' })
      .getByRole('button', { name: /Español/ })
      .click();
    await isVisible(kpi(page, 'Intentos'));
    await isVisible(page.getByRole('heading', { name: 'Contactos', exact: true }));
    await isVisible(page.getByRole('button', { name: 'Importar', exact: true }));
    await shot(page, 'campaigns-es');
    await page.getByRole('link', { name: 'Campañas', exact: true }).first().click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Campañas');
    await isVisible(page.getByRole('link', { name: 'Nueva campaña' }));
  });

  it(
    'shows analysts the campaigns without buttons, and agents no campaigns at all',
    { timeout: 45_000 },
    async () => {
      const page = await ui.newPage();
      await ui.signIn(page, 'analyst');
      expect(await navLinks(page)).toEqual(expect.arrayContaining(['Campaigns', 'Do-not-call list']));
      await page.goto(`${ui.url}/campaigns`);
      await containsText(page.getByTestId('campaigns-table'), 'Winter whitening');
      expect(await page.getByRole('link', { name: 'New campaign' }).count()).toBe(0);
      await page.getByTestId('campaigns-table').getByRole('link', { name: 'Winter whitening' }).click();
      await isVisible(page.getByTestId('campaign-progress'));
      await containsText(page.getByTestId('leads-table'), '+12125550101');
      expect(await page.getByRole('link', { name: 'Edit', exact: true }).count()).toBe(0);
      for (const name of ['Schedule', 'Pause', 'Resume', 'Cancel campaign', 'Preview']) {
        expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
      }
      expect(await page.getByTestId('lead-import').count()).toBe(0);
      await page.goto(`${ui.url}/campaigns/do-not-call`);
      await containsText(page.getByTestId('dnc-table'), DNC_NUMBER);
      expect(await page.getByTestId('dnc-add').count()).toBe(0);
      expect(await page.getByRole('button', { name: `Remove ${DNC_NUMBER}` }).count()).toBe(0);

      const agentPage = await ui.newPage();
      await ui.signIn(agentPage, 'agent');
      const links = await navLinks(agentPage);
      expect(links).not.toContain('Campaigns');
      expect(links).not.toContain('Do-not-call list');
    },
  );
  it('tells a tenant whose plan lacks outbound campaigns so, plainly', { timeout: 30_000 }, async () => {
    const created = await ui.root.command('CreateTenant', {
      tenantId: 'acme',
      name: 'Acme Clinic',
      planTier: 'starter',
    });
    expect(created.status).toBe(200);
    const invited = await ui.root.command('InviteMember', {
      tenantId: 'acme',
      userId: 'acme-admin',
      email: 'admin@acme.example',
      name: 'Ada Acme',
      role: 'tenant_admin',
    });
    expect(invited.status).toBe(200);
    const password = await ui.root.request('PUT', '/api/members/acme-admin/password', {
      password: 'acme-password-1',
    });
    expect(password.status).toBe(204);
    const page = await ui.newPage();
    await ui.signIn(page, 'tenant_admin', { email: 'admin@acme.example', password: 'acme-password-1' });
    await page.goto(`${ui.url}/campaigns`);
    await hasText(page.getByTestId('plan-lacks-campaigns'), 'Your plan does not include outbound campaigns.');
    expect(await page.getByRole('link', { name: 'New campaign' }).count()).toBe(0);
    await page.goto(`${ui.url}/campaigns/do-not-call`);
    await isVisible(page.getByTestId('plan-lacks-campaigns'));
  });

  it('reports the campaigns’ return on investment, linked to their pages', { timeout: 75_000 }, async () => {
    const page = await ui.newPage();
    await ui.signIn(page, 'tenant_admin');
    await page.goto(`${ui.url}/campaigns`);
    const roi = page.getByTestId('campaign-roi');
    await isVisible(roi.getByRole('heading', { name: 'Return on investment' }));
    const row = roi.getByTestId('roi-table').locator('tbody tr', { hasText: 'Winter whitening' });
    // The report reads the calls' read model, which follows the dialling of the earlier tests.
    await expect
      .poll(async () => {
        await roi.getByRole('button', { name: 'Apply' }).click();
        return row.count();
      })
      .toBe(1);
    // Columns: campaign, status, calls, leads, connect rate, conversions, conversion rate, cost, cost per
    // conversion, revenue, ROI. Without a value there is no revenue nor ROI.
    const cells = async (): Promise<string[]> =>
      (await row.locator('td').allInnerTexts()).map((c) => c.trim());
    expect(Number((await cells())[2])).toBeGreaterThanOrEqual(1);
    expect((await cells()).slice(9)).toEqual(['—', '—']);

    await roi.getByLabel('Value of one conversion (USD)').fill('150');
    await roi.getByRole('button', { name: 'Apply' }).click();
    // Revenue is the conversions at that value. ROI is (revenue - cost) / cost: a few seconds of calls can cost
    // less than a cent, which the report rounds to $0.00 and then gives no ROI rather than a division by zero.
    const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
    await expect.poll(async () => (await cells())[9]).not.toBe('—');
    const figures = await cells();
    const conversions = Number(figures[5]);
    expect(figures[9]).toBe(usd.format(conversions * 150));
    const cost = Number((figures[7] ?? '').replace(/[$,]/g, ''));
    expect(figures[10]).toBe(
      cost === 0
        ? '—'
        : new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(
            (conversions * 150 - cost) / cost,
          ),
    );
    await shot(page, 'campaigns-roi');
    await expectAccessible(page, 'campaign ROI');

    await row.getByRole('link', { name: 'Winter whitening' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/campaigns/${CAMPAIGN}`);
    await isVisible(page.getByTestId('campaign-progress'));
  });
});
