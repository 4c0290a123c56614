import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_TENANT } from '@ccp/infra';
import { apiClient, login } from '../support/platform.js';
import {
  containsText,
  eventually,
  expectAccessible,
  hasText,
  isVisible,
  navLinks,
  shot,
  startConsole,
  type ApiClient,
  type ConsoleHarness,
} from './harness.js';

/*
 * The billing pages in Chromium against the real platform on the embedded ledger (the default profile). A new
 * tenant's admin opens a billing account, puts a card on file, starts the starter plan and sees it with the
 * projected invoice; the platform issues the month's ledger invoice (as its billing worker would at the month's
 * end) and the admin downloads its PDF, then cancels at the period's end. The demo clinic's admin is refused a
 * plan its AI agents do not fit, with the platform's words, and puts the declining test card (…0002) on file
 * through the portal's return address; the next ledger invoice then fails and the super admin sees the clinic
 * in dunning, beside the monthly recurring revenue.
 */

let ui: ConsoleHarness;
const TENANT = 'billing-dental';
const ADMIN = { userId: 'billing-dental-admin', email: 'bea@billing-dental.example' };
const PASSWORD = 'billing-admin-password-1';
let admin: ApiClient;
let demoAdmin: ApiClient;

interface Overview {
  account: null | {
    provider: string | null;
    card: { last4: string } | null;
    subscription: null | { tier: string; cancelAtPeriodEnd: boolean };
    dunning: null | { graceEndsAt: string; suspended: boolean };
  };
  planTier: string;
  period: string;
  projectedInvoice: { totalCents: number; lines: unknown[] };
}
interface InvoicePage {
  items: { invoiceId: string; number: string; status: string; pdfUrl: string }[];
}

const usd = (cents: number): string =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
const overviewOf = async (client: ApiClient): Promise<Overview> => {
  const answer = await client.request<Overview>('GET', '/api/billing');
  expect(answer.status).toBe(200);
  return answer.body;
};
const invoicesOf = async (client: ApiClient): Promise<InvoicePage> => {
  const answer = await client.request<InvoicePage>('GET', '/api/billing/invoices');
  expect(answer.status).toBe(200);
  return answer.body;
};
/** The month's ledger invoice, as the billing worker sends it once the month's meter is closed. */
const issueInvoice = async (tenantId: string, period: string): Promise<void> => {
  const answer = await ui.root.command('IssueLedgerInvoice', {
    tenantId,
    period,
    callSeconds: 0,
    llmTokens: 0,
    graceDays: 7,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
};
const openBilling = async (page: Page): Promise<void> => {
  await page.getByRole('link', { name: 'Billing', exact: true }).click();
  await hasText(page.getByRole('heading', { level: 1 }), 'Billing');
};

beforeAll(async () => {
  ui = await startConsole();
  const created = await ui.root.command('CreateTenant', { tenantId: TENANT, name: 'Billing Dental' });
  expect(created.status).toBe(200);
  const invited = await ui.root.command('InviteMember', {
    tenantId: TENANT,
    userId: ADMIN.userId,
    email: ADMIN.email,
    name: 'Bea Admin',
    role: 'tenant_admin',
  });
  expect(invited.status).toBe(200);
  // The identities follow the log: the new member can be given a password moments after the invitation.
  await eventually(
    () => ui.root.request('PUT', `/api/members/${ADMIN.userId}/password`, { password: PASSWORD }),
    (answer) => expect(answer.status).toBe(204),
  );
  admin = apiClient(ui.url, await login(ui.url, ADMIN.email, PASSWORD));
  demoAdmin = await ui.clientAs('tenant_admin');
}, 240_000);

afterAll(async () => {
  const errors = ui ? [...ui.pageErrors] : [];
  await ui?.close();
  expect(errors).toEqual([]);
}, 60_000);

describe('the tenant admin’s billing page', () => {
  it(
    'opens an account, puts a card on file, starts the starter plan, downloads an invoice and cancels',
    { timeout: 150_000 },
    async () => {
      const page = await ui.newPage({ height: 1600 });
      await ui.signIn(page, 'tenant_admin', { email: ADMIN.email, password: PASSWORD });
      expect(await navLinks(page)).toEqual(expect.arrayContaining(['Billing']));
      await openBilling(page);

      const account = page.getByTestId('billing-account-form');
      await account.getByLabel('Company name').fill('Billing Dental LLC');
      await account.getByLabel('Billing email').fill('accounts@billing-dental.example');
      await expectAccessible(page, 'billing, no account');
      await account.getByRole('button', { name: 'Open billing account' }).click();

      // No card yet: the card form is open. Only the brand, the last four digits and the expiry are asked.
      const card = page.getByTestId('card-form');
      await isVisible(card);
      expect(await card.locator('input').count()).toBe(3);
      await card.getByLabel('Card brand').selectOption('visa');
      await card.getByLabel('Last 4 digits').fill('4242');
      await card.getByLabel('Expiry month').fill('11');
      await card.getByLabel('Expiry year').fill(String(new Date().getUTCFullYear() + 2));
      await card.getByRole('button', { name: 'Save card' }).click();
      await hasText(page.getByTestId('card-on-file'), 'Visa ending in 4242');

      const start = page.getByTestId('start-subscription-form');
      await containsText(start, 'Starter · $49.00 a month');
      await start.getByLabel(/^Starter/).check();
      await start.getByRole('button', { name: 'Start subscription' }).click();
      await hasText(page.getByTestId('subscription-tier'), 'Starter', 20_000);
      // The tenant's tier follows the recorded subscription, by reaction.
      const subscribed = await eventually(
        () => overviewOf(admin),
        (o) => expect(o.planTier).toBe('starter'),
        20_000,
      );
      expect(subscribed.account?.provider).toBe('ledger');
      await page.reload();
      await hasText(page.getByTestId('billing-plan-tier'), 'Starter');
      await hasText(page.getByTestId('subscription-status'), 'Active');
      // The projected invoice is the read API's, in dollars from its cents.
      const projected = page.getByTestId('projected-invoice');
      await containsText(projected, 'Subscription');
      await hasText(page.getByTestId('projected-total'), usd(subscribed.projectedInvoice.totalCents));
      expect(subscribed.projectedInvoice.totalCents).toBeGreaterThan(0);
      await shot(page, 'billing-tenant');
      await expectAccessible(page, 'billing, subscribed');

      // The month's ledger invoice, charged to the card on file: listed with its PDF, which downloads.
      await issueInvoice(TENANT, subscribed.period);
      const invoices = await eventually(
        () => invoicesOf(admin),
        (list) => expect(list.items.map((i) => i.status)).toEqual(['paid']),
      );
      const invoice = invoices.items[0];
      if (invoice === undefined) throw new Error('no invoice');
      await page.reload();
      const row = page.getByTestId('invoices-table').locator('tbody tr').filter({ hasText: invoice.number });
      await containsText(row, 'Paid');
      const pdf = row.getByTestId('invoice-pdf');
      expect(await pdf.getAttribute('href')).toBe(invoice.pdfUrl);
      const [download] = await Promise.all([page.waitForEvent('download'), pdf.click()]);
      const saved = await download.path();
      expect(readFileSync(saved).subarray(0, 5).toString('latin1')).toBe('%PDF-');

      // Cancelled at the period's end: said on the page once the provider's answer is recorded.
      await page.getByRole('button', { name: 'Cancel at period end' }).click();
      const dialog = page.getByRole('dialog');
      await containsText(dialog, 'Cancel the subscription?');
      await dialog.getByRole('button', { name: 'Cancel at period end' }).click();
      await isVisible(page.getByTestId('cancels-at-period-end'), 20_000);
      await containsText(page.getByTestId('cancels-at-period-end'), 'Cancels at period end');
      expect((await overviewOf(admin)).account?.subscription?.cancelAtPeriodEnd).toBe(true);
    },
  );

  it(
    'shows the platform’s refusal of a plan the clinic does not fit, and takes a card from the portal’s return address',
    { timeout: 90_000 },
    async () => {
      const page = await ui.newPage({ height: 1400 });
      await ui.signIn(page, 'tenant_admin');
      await openBilling(page);
      await hasText(page.getByTestId('subscription-tier'), 'Professional');
      // The seeded last month's invoice, with its PDF link.
      await isVisible(page.getByTestId('invoices-table').getByTestId('invoice-pdf'));

      const change = page.getByTestId('change-tier-form');
      await containsText(change, 'The change is prorated');
      await change.getByLabel('Change plan to').selectOption('starter');
      await change.getByRole('button', { name: 'Change plan' }).click();
      await containsText(change.getByTestId('form-error'), 'the starter plan allows');
      await hasText(page.getByTestId('subscription-tier'), 'Professional');
      expect((await overviewOf(demoAdmin)).planTier).toBe('professional');
      await expectAccessible(page, 'billing, refused change');

      // Where the platform's portal session sends a ledger account: the card form, open.
      const portal = await demoAdmin.request<{ url: string }>('POST', '/api/billing/portal-session', {});
      expect(portal.status).toBe(200);
      expect(portal.body.url).toContain('payment-method=1');
      await page.goto(new URL(portal.body.url, ui.url).toString());
      const card = page.getByTestId('card-form');
      await isVisible(card);
      await card.getByLabel('Card brand').selectOption('mastercard');
      await card.getByLabel('Last 4 digits').fill('0002');
      await card.getByLabel('Expiry month').fill('3');
      await card.getByRole('button', { name: 'Save card' }).click();
      await hasText(page.getByTestId('card-on-file'), 'Mastercard ending in 0002');
    },
  );
});

describe('the super admin’s billing page', () => {
  it('shows the monthly recurring revenue and the clinic in dunning', { timeout: 90_000 }, async () => {
    // The declining card is on file (previous test, or now if it ran alone): the month's invoice fails.
    const before = await overviewOf(demoAdmin);
    if (before.account?.card?.last4 !== '0002') {
      const answer = await demoAdmin.command('UpdateLedgerPaymentMethod', {
        tenantId: DEMO_TENANT,
        card: { brand: 'mastercard', last4: '0002', expMonth: 3, expYear: new Date().getUTCFullYear() + 2 },
      });
      expect(answer.status).toBe(200);
    }
    await issueInvoice(DEMO_TENANT, before.period);
    const owing = await eventually(
      () => overviewOf(demoAdmin),
      (o) => expect(o.account?.dunning).not.toBeNull(),
      20_000,
    );
    const summary = await eventually(
      () =>
        ui.root.request<{ mrrCents: number; dunning: { tenantId: string }[] }>('GET', '/api/admin/billing'),
      (answer) => expect(answer.body.dunning.map((d) => d.tenantId)).toContain(DEMO_TENANT),
    );

    const page = await ui.newPage({ height: 1400 });
    await ui.signIn(page, 'super_admin');
    await page.getByRole('link', { name: 'Revenue and dunning', exact: true }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Revenue and dunning');
    const mrr = page.getByRole('region', { name: 'Monthly recurring revenue' });
    await containsText(mrr, usd(summary.body.mrrCents));
    const dunning = page.getByTestId('dunning-table').locator('tbody tr').filter({ hasText: DEMO_TENANT });
    await containsText(dunning, 'In grace period');
    await containsText(
      dunning,
      new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(
        new Date(owing.account?.dunning?.graceEndsAt ?? ''),
      ),
    );
    await containsText(page.getByTestId('failed-payments-table'), DEMO_TENANT);
    // Invoices across tenants, filtered by status: the clinic's unpaid one is open.
    await page.getByTestId('invoice-filters').getByLabel('Status').selectOption('open');
    await page.getByTestId('invoice-filters').getByRole('button', { name: 'Show' }).click();
    await containsText(page.getByTestId('platform-invoices-table'), DEMO_TENANT);
    await shot(page, 'billing-platform');
    await expectAccessible(page, 'platform billing');

    // The clinic's own page says what is owed and until when, in Spanish too.
    const clinic = await ui.newPage();
    await ui.signIn(clinic, 'tenant_admin');
    await openBilling(clinic);
    await containsText(clinic.getByTestId('dunning-banner'), 'Update your payment method by');
    await clinic.evaluate(() =>
      (
        globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }
      ).localStorage.setItem('ccp.locale', 'es'),
    );
    await clinic.reload();
    await hasText(clinic.getByRole('heading', { level: 1 }), 'Facturación');
    await containsText(clinic.getByTestId('dunning-banner'), 'Actualice su método de pago antes del');
    await expectAccessible(clinic, 'billing in Spanish, in dunning');
  });
});
