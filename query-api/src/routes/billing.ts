import { accountRow, billingOverview, BillingOverview } from '../billing/account.js';
import { AdminBillingOverview, adminBillingOverview } from '../billing/admin.js';
import {
  AdminInvoiceList,
  AdminInvoiceQuery,
  InvoiceDetail,
  InvoiceList,
  InvoiceParam,
  InvoiceQuery,
  invoiceDetail,
  listAdminInvoices,
  listInvoices,
} from '../billing/invoices.js';
import { renderInvoicePdf } from '../billing/pdf.js';
import { PortalRequest, PortalSession, portalSession, returnUrlFor } from '../billing/portal.js';
import { defineRoute, type QueryRoute } from '../http/route.js';
import type { QueryDependencies } from './dependencies.js';
import { ROLE_MATRIX } from './role-matrix.js';
import { notFound } from './route-helpers.js';

/**
 * Billing on the read side: the tenant admin's account, this month's usage and projected invoice, invoices and
 * their PDFs, and the payment method page; the super admin's MRR, dunning, failed payments and invoices across
 * tenants. Subscribing and paying are commands (the command API); only the portal session is asked here,
 * because it is a page to go to, not a change of the account.
 */
export const billingRoutes = (deps: QueryDependencies): QueryRoute[] => {
  const billing = { tag: 'billing', roles: ROLE_MATRIX.billing } as const;
  const admin = { tag: 'super admin', roles: [], platformWide: true } as const;
  return [
    defineRoute({
      ...billing,
      method: 'get',
      scope: 'read',
      path: '/api/billing',
      operationId: 'billing',
      summary: "Read the billing account, this month's metered usage and projected invoice, and the tiers",
      response: BillingOverview,
      handle: async ({ scope }) => {
        const { planTier } = await deps.reportContext(scope.tenantId);
        return {
          body: await billingOverview(
            { readStore: deps.readStore(), store: deps.store },
            scope.tenantId,
            planTier,
            deps.now(),
          ),
        };
      },
    }),
    defineRoute({
      ...billing,
      method: 'get',
      scope: 'read',
      path: '/api/billing/invoices',
      operationId: 'listInvoices',
      summary: "List the tenant's invoices, newest first",
      query: InvoiceQuery,
      response: InvoiceList,
      handle: async ({ scope, query }) => ({
        body: await listInvoices(deps.readStore(), scope.tenantId, query),
      }),
    }),
    defineRoute({
      ...billing,
      method: 'get',
      scope: 'read',
      path: '/api/billing/invoices/:invoiceId',
      operationId: 'getInvoice',
      summary: 'Read an invoice with its lines',
      params: InvoiceParam,
      response: InvoiceDetail,
      handle: async ({ scope, params }) => {
        const invoice = await invoiceDetail(deps.readStore(), scope.tenantId, params.invoiceId);
        if (invoice === undefined) throw notFound('invoice');
        const { provider: _provider, ...body } = invoice;
        return { body };
      },
    }),
    defineRoute({
      ...billing,
      method: 'get',
      scope: 'read',
      path: '/api/billing/invoices/:invoiceId/pdf',
      operationId: 'invoicePdf',
      summary: "Download an invoice as PDF (Stripe's invoices redirect to Stripe's PDF)",
      params: InvoiceParam,
      response: { mediaType: 'application/pdf', description: 'The invoice; 302 to Stripe for its invoices' },
      handle: async ({ scope, params, ctx }) => {
        const invoice = await invoiceDetail(deps.readStore(), scope.tenantId, params.invoiceId);
        if (invoice === undefined) throw notFound('invoice');
        if (!invoice.pdfUrl.startsWith('/')) {
          ctx.redirect(invoice.pdfUrl);
          return { streamed: true };
        }
        const account = await accountRow(deps.readStore(), scope.tenantId);
        const companyName =
          typeof account?.['company_name'] === 'string'
            ? account['company_name']
            : await deps.tenantName(scope.tenantId);
        ctx.type = 'application/pdf';
        ctx.set('Content-Disposition', `inline; filename="${invoice.number.replace(/[^\w.-]/g, '_')}.pdf"`);
        ctx.set('Cache-Control', 'private, no-store');
        ctx.body = await renderInvoicePdf({ ...invoice, companyName });
        return { streamed: true };
      },
    }),
    defineRoute({
      ...billing,
      method: 'post',
      scope: 'admin',
      path: '/api/billing/portal-session',
      operationId: 'billingPortalSession',
      summary:
        "Open a page to update the payment method (Stripe's customer portal, or the console's card form)",
      body: PortalRequest,
      response: PortalSession,
      handle: async ({ scope, body, ctx }) => {
        const row = await accountRow(deps.readStore(), scope.tenantId);
        const returnUrl = returnUrlFor(body.returnUrl, ctx);
        const account = row && { customerId: String(row['customer_id'] ?? '') };
        return { body: await portalSession(deps.payments, scope.tenantId, account, returnUrl) };
      },
    }),
    defineRoute({
      ...admin,
      method: 'get',
      scope: 'read',
      path: '/api/admin/billing',
      operationId: 'adminBilling',
      summary: 'Read MRR, accounts by state, dunning, failed payments and the latest invoices of all tenants',
      response: AdminBillingOverview,
      handle: async () => ({ body: await adminBillingOverview(deps.readStore()) }),
    }),
    defineRoute({
      ...admin,
      method: 'get',
      scope: 'read',
      path: '/api/admin/billing/invoices',
      operationId: 'adminInvoices',
      summary: "List every tenant's invoices (or one tenant's with ?tenantId=), newest first",
      query: AdminInvoiceQuery,
      response: AdminInvoiceList,
      handle: async ({ scope, query }) => ({
        body: await listAdminInvoices(deps.readStore(), scope.tenantId, query),
      }),
    }),
  ];
};
