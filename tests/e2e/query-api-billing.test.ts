import { describe, expect, it } from 'vitest';
import { DEMO_TENANT } from '@ccp/infra';
import { billingPeriodOf, ledgerInvoiceId, periodBounds, SYSTEM_ACTOR } from '@ccp/schemas';
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

// The billing read side: commands through the command API (the tenant admin's) and as the platform (what the
// billing worker and the provider's webhooks send), the billing processor, and the query API's billing routes.
useQueryPlatform();

const now = new Date();
const thisPeriod = billingPeriodOf(now);
const thisMonth = periodBounds(thisPeriod);
const lastPeriod = billingPeriodOf(new Date(thisMonth.start.getTime() - 1));
const lastMonth = periodBounds(lastPeriod);
const ledgerInvoice = ledgerInvoiceId(DEMO_TENANT, lastPeriod);
/** The demo tenant is on professional: $399 a month, 10,000 minutes and 30 million tokens included. */
const PROFESSIONAL_FEE = 39_900;
/** 600 s beyond the included minutes at 8 cents a minute, and a million tokens beyond at $2. */
const OVERAGE = 80 + 200;
const STRIPE_INVOICE = 'in_1StripeOld';
const STRIPE_PDF = 'https://pay.stripe.com/invoice/acct_1/test_old/pdf';

const send = async (type: string, data: Record<string, unknown>) => {
  const response = await as('tenant_admin').command(type, { tenantId: DEMO_TENANT, ...data });
  expect(response.status, `${type}: ${JSON.stringify(response.body)}`).toBe(200);
  return response;
};
/** What the billing worker and the webhook route send: platform-only commands, as the platform. */
const trusted = async (type: string, data: Record<string, unknown>) => {
  await test.platform.handler.handleTrusted(
    type,
    { tenantId: DEMO_TENANT, ...data },
    { actor: SYSTEM_ACTOR },
  );
};
/** A read that must answer 200 with a body the OpenAPI document describes. */
const read = async <T>(role: string, path: string, operationId: string): Promise<T> => {
  const response = await as(role).request<T>('GET', path);
  expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(200);
  expect(validate(operationId, 200, response.body)).toEqual([]);
  return response.body;
};

interface Overview {
  account: null | {
    companyName: string;
    provider: string | null;
    card: { brand: string; last4: string } | null;
    subscription: null | { tier: string; status: string; currentPeriodStart: string };
    pendingRequest: boolean;
    requestFailure: null | { reason: string; at: string };
    dunning: null | { invoiceId: string; suspended: boolean };
  };
  planTier: string;
  period: string;
  usage: { callSeconds: number; includedMinutes: number | null };
  projectedInvoice: { lines: { kind: string; amountCents: number }[]; totalCents: number };
  tiers: { tier: string; monthlyFeeCents: number }[];
}
interface Invoices {
  items: {
    invoiceId: string;
    status: string;
    totalCents: number;
    pdfUrl: string;
    hostedUrl: string | null;
  }[];
  nextCursor: string | null;
}
interface AdminOverview {
  mrrCents: number;
  accounts: { total: number; active: number; inDunning: number };
  dunning: { tenantId: string; invoiceId: string; amountDueCents: number }[];
  failedPayments: { tenantId: string; invoiceId: string; reason: string | null }[];
  invoices: { tenantId: string; invoiceId: string }[];
}

describe('billing read side', () => {
  it(
    'serves the account, the projected invoice, invoices with paging and PDFs, and the super admin overview',
    { timeout: 90_000 },
    async () => {
      expect((await read<Overview>('tenant_admin', '/api/billing', 'billing')).account).toBeNull();

      await send('OpenBillingAccount', {
        billingEmail: 'billing@brightsmile.example',
        companyName: 'Bright Smile',
      });
      await trusted('LinkBillingCustomer', { provider: 'ledger', customerId: `cus_ledger_${DEMO_TENANT}` });
      // A start the provider refused for good is shown with its reason, and may be asked again.
      const refused = await send('StartSubscription', { tier: 'professional' });
      await trusted('RecordSubscriptionRequestFailure', {
        requestEventId: (refused.body as { events: { id: string }[] }).events[0]?.id,
        reason: 'No such price: price_professional',
      });
      await eventually(async () => {
        const { account } = await read<Overview>('tenant_admin', '/api/billing', 'billing');
        expect(account).toMatchObject({
          pendingRequest: false,
          requestFailure: { reason: 'No such price: price_professional' },
        });
      });
      await send('StartSubscription', { tier: 'professional' });
      await eventually(async () => {
        const { account } = await read<Overview>('tenant_admin', '/api/billing', 'billing');
        expect(account).toMatchObject({
          companyName: 'Bright Smile',
          provider: 'ledger',
          pendingRequest: true,
          requestFailure: null,
        });
        expect(account?.subscription).toBeNull();
      });

      // The worker's answer, as the ledger gives it, from the start of last month; then last month is invoiced
      // with no card on file: the payment fails and dunning starts.
      await trusted('RecordSubscription', {
        subscription: {
          subscriptionId: `sub_ledger_${DEMO_TENANT}`,
          tier: 'professional',
          status: 'active',
          currentPeriodStart: lastMonth.start.toISOString(),
          currentPeriodEnd: lastMonth.end.toISOString(),
          cancelAtPeriodEnd: false,
        },
        source: { kind: 'ledger', at: lastMonth.start.toISOString() },
      });
      await trusted('IssueLedgerInvoice', {
        period: lastPeriod,
        callSeconds: 10_000 * 60 + 600,
        llmTokens: 31_000_000,
        graceDays: 7,
      });
      // An older invoice described by Stripe (the account moved to the ledger since): its PDF is Stripe's.
      await trusted('RecordInvoice', {
        invoice: {
          invoiceId: STRIPE_INVOICE,
          number: 'STRIPE-0001',
          status: 'paid',
          currency: 'usd',
          periodStart: new Date(lastMonth.start.getTime() - 31 * 86_400_000).toISOString(),
          periodEnd: lastMonth.start.toISOString(),
          issuedAt: lastMonth.start.toISOString(),
          lines: [{ kind: 'subscription', description: 'Starter', quantity: 1, amountCents: 4_900 }],
          totalCents: 4_900,
          amountDueCents: 4_900,
          amountPaidCents: 4_900,
          hostedUrl: 'https://invoice.stripe.com/i/acct_1/test_old',
          pdfUrl: STRIPE_PDF,
        },
        source: { kind: 'provider_event', eventId: 'evt_old', createdAt: lastMonth.start.toISOString() },
      });

      const unpaid = PROFESSIONAL_FEE + OVERAGE;
      await eventually(async () => {
        const admin = await read<AdminOverview>('super_admin', '/api/admin/billing', 'adminBilling');
        expect(admin.dunning).toEqual([
          expect.objectContaining({
            tenantId: DEMO_TENANT,
            invoiceId: ledgerInvoice,
            amountDueCents: unpaid,
          }),
        ]);
        expect(admin.failedPayments).toContainEqual(
          expect.objectContaining({
            tenantId: DEMO_TENANT,
            invoiceId: ledgerInvoice,
            reason: 'no card on file',
          }),
        );
        expect(admin.accounts).toMatchObject({ total: 1, active: 1, inDunning: 1 });
        expect(admin.mrrCents).toBe(PROFESSIONAL_FEE);
        expect(admin.invoices.map((i) => i.invoiceId)).toEqual([ledgerInvoice, STRIPE_INVOICE]);
      });
      const dunning = await read<Overview>('tenant_admin', '/api/billing', 'billing');
      expect(dunning.account?.dunning).toMatchObject({ invoiceId: ledgerInvoice, suspended: false });

      // A card on file pays what is owed at once and ends dunning.
      await send('UpdateLedgerPaymentMethod', {
        card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: now.getUTCFullYear() + 2 },
      });
      await eventually(async () => {
        const overview = await read<Overview>('tenant_admin', '/api/billing', 'billing');
        expect(overview.account).toMatchObject({
          card: { brand: 'visa', last4: '4242' },
          pendingRequest: false,
          dunning: null,
          // Rolled into this month by the invoice.
          subscription: {
            tier: 'professional',
            status: 'active',
            currentPeriodStart: thisMonth.start.toISOString(),
          },
        });
        const admin = await read<AdminOverview>('super_admin', '/api/admin/billing', 'adminBilling');
        expect(admin.dunning).toEqual([]);
      });

      // This month: the whole fee, plus whatever the demo's calls metered (well within what professional includes).
      const overview = await read<Overview>('tenant_admin', '/api/billing', 'billing');
      expect(overview.period).toBe(thisPeriod);
      expect(overview.planTier).toBe('professional');
      expect(overview.usage.includedMinutes).toBe(10_000);
      expect(overview.projectedInvoice.lines).toEqual([
        expect.objectContaining({ kind: 'subscription', amountCents: PROFESSIONAL_FEE }),
      ]);
      expect(overview.projectedInvoice.totalCents).toBe(PROFESSIONAL_FEE);
      expect(overview.tiers.find((t) => t.tier === 'starter')?.monthlyFeeCents).toBe(4_900);

      // The month the account opened counts usage from the opening on, as the meter's close will.
      const before = overview.usage.callSeconds;
      await trusted('RecordUsage', {
        period: thisPeriod,
        items: [
          {
            identifier: 'u900000001',
            resource: 'call_seconds',
            quantity: 600,
            occurredAt: thisMonth.start.toISOString(),
          },
          {
            identifier: 'u900000002',
            resource: 'call_seconds',
            quantity: 120,
            occurredAt: new Date().toISOString(),
          },
        ],
      });
      await eventually(async () => {
        const usage = (await read<Overview>('tenant_admin', '/api/billing', 'billing')).usage;
        expect(usage.callSeconds).toBe(before + 120);
      });

      // Invoices, newest first, one a page.
      const first = await read<Invoices>('tenant_admin', '/api/billing/invoices?limit=1', 'listInvoices');
      expect(first.items).toEqual([
        expect.objectContaining({
          invoiceId: ledgerInvoice,
          status: 'paid',
          totalCents: unpaid,
          hostedUrl: null,
          pdfUrl: `/api/billing/invoices/${ledgerInvoice}/pdf`,
        }),
      ]);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await read<Invoices>(
        'tenant_admin',
        `/api/billing/invoices?limit=1&cursor=${first.nextCursor ?? ''}`,
        'listInvoices',
      );
      expect(second.items.map((i) => [i.invoiceId, i.pdfUrl])).toEqual([[STRIPE_INVOICE, STRIPE_PDF]]);
      expect(second.nextCursor).toBeNull();

      const detail = await read<{ lines: { kind: string; amountCents: number }[] }>(
        'tenant_admin',
        `/api/billing/invoices/${ledgerInvoice}`,
        'getInvoice',
      );
      expect(detail.lines.map((l) => [l.kind, l.amountCents])).toEqual([
        ['subscription', PROFESSIONAL_FEE],
        ['call_minutes', 80],
        ['llm_tokens', 200],
      ]);

      // The ledger invoice as a PDF; Stripe's redirect to Stripe's.
      const pdf = await fetch(`${test.url}/api/billing/invoices/${ledgerInvoice}/pdf`, {
        headers: { authorization: `Bearer ${tokens.get('tenant_admin') ?? ''}` },
      });
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      const bytes = Buffer.from(await pdf.arrayBuffer());
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      const stripe = await fetch(`${test.url}/api/billing/invoices/${STRIPE_INVOICE}/pdf`, {
        headers: { authorization: `Bearer ${tokens.get('tenant_admin') ?? ''}` },
        redirect: 'manual',
      });
      expect([stripe.status, stripe.headers.get('location')]).toEqual([302, STRIPE_PDF]);

      // Another tenant's admin: none of these invoices exist for them.
      const other = apiClient(test.url, tokens.get('other'));
      for (const path of [
        `/api/billing/invoices/${ledgerInvoice}`,
        `/api/billing/invoices/${ledgerInvoice}/pdf`,
      ]) {
        expect((await other.request('GET', path)).status, path).toBe(404);
      }
      expect((await other.request<Invoices>('GET', '/api/billing/invoices')).body.items).toEqual([]);

      // The super admin across tenants, filtered.
      const paid = await read<{ items: { tenantId: string; invoiceId: string }[] }>(
        'super_admin',
        `/api/admin/billing/invoices?status=paid&tenantId=${DEMO_TENANT}&limit=1`,
        'adminInvoices',
      );
      expect(paid.items).toEqual([
        expect.objectContaining({ tenantId: DEMO_TENANT, invoiceId: ledgerInvoice }),
      ]);
      const none = await read<{ items: unknown[] }>(
        'super_admin',
        `/api/admin/billing/invoices?tenantId=${OTHER}`,
        'adminInvoices',
      );
      expect(none.items).toEqual([]);

      // The payment method page: the console's own card form on the ledger, on the console's own host only.
      const host = new URL(test.url).host;
      const portal = await as('tenant_admin').request<{ url: string }>(
        'POST',
        '/api/billing/portal-session',
        {
          returnUrl: `https://${host}/billing`,
        },
      );
      expect(portal.status, JSON.stringify(portal.body)).toBe(200);
      expect(portal.body.url).toBe(`https://${host}/billing?payment-method=1`);
      const elsewhere = await as('tenant_admin').request<{ error: { code: string } }>(
        'POST',
        '/api/billing/portal-session',
        { returnUrl: 'https://console.brightsmile.example/billing' },
      );
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body.error.code).toBe('RETURN_URL_NOT_ALLOWED');
    },
  );

  it('refuses other roles and bad input', async () => {
    for (const role of ['agent', 'analyst', 'supervisor']) {
      expect((await as(role).request('GET', '/api/billing')).status, role).toBe(403);
      expect((await as(role).request('GET', '/api/billing/invoices')).status, role).toBe(403);
      expect((await as(role).request('POST', '/api/billing/portal-session', {})).status, role).toBe(403);
    }
    expect((await as('tenant_admin').request('GET', '/api/admin/billing')).status).toBe(403);
    const refusals: [string, string, string, Record<string, unknown>?][] = [
      ['tenant_admin', '/api/billing/invoices?cursor=not-a-cursor', 'cursor'],
      ['tenant_admin', '/api/billing/invoices?limit=0', 'limit'],
      ['tenant_admin', '/api/billing/invoices?limit=many', 'limit'],
      ['tenant_admin', '/api/billing/invoices/bad%20id!', 'invoiceId'],
      ['super_admin', '/api/admin/billing/invoices?status=overdue', 'status'],
      ['tenant_admin', '/api/billing/portal-session', 'returnUrl', { returnUrl: 'javascript:alert(1)' }],
    ];
    for (const [role, path, field, body] of refusals) {
      const response = await as(role).request<{ error: { field?: string } }>(
        body ? 'POST' : 'GET',
        path,
        body,
      );
      expect(response.status, path).toBe(400);
      expect(response.body.error.field, path).toBe(field);
    }
  });
});
