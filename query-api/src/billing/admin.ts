import { z } from 'zod';
import type { ReadStore } from '@ccp/projections';
import { instantOrNull } from './account.js';
import { AdminInvoice, listAdminInvoices } from './invoices.js';

/** How many failed payments and invoices the overview lists (the invoices route pages through all of them). */
const LATEST = 50;

export const AdminBillingOverview = z.object({
  mrrCents: z.number().int().describe('Monthly recurring revenue: the fees of the subscriptions paid for'),
  accounts: z.object({
    total: z.number().int(),
    trialing: z.number().int(),
    active: z.number().int(),
    pastDue: z.number().int(),
    canceled: z.number().int(),
    inDunning: z.number().int(),
  }),
  dunning: z.array(
    z.object({
      tenantId: z.string(),
      companyName: z.string(),
      invoiceId: z.string(),
      startedAt: z.string(),
      graceEndsAt: z.string(),
      suspended: z.boolean(),
      amountDueCents: z.number().int(),
    }),
  ),
  failedPayments: z.array(
    z.object({
      tenantId: z.string(),
      invoiceId: z.string(),
      attempt: z.number().int(),
      amountDueCents: z.number().int(),
      failedAt: z.string(),
      reason: z.string().nullable(),
    }),
  ),
  invoices: z.array(AdminInvoice),
});

/**
 * The super admin's billing page across tenants: MRR (the same monthlyRecurringCents the processor wrote per
 * account), accounts by subscription state, who is in dunning and owes what, the latest failed payments and
 * invoices.
 */
export const adminBillingOverview = async (
  store: ReadStore,
): Promise<z.infer<typeof AdminBillingOverview>> => {
  const [totals] = await store.query<Record<string, unknown>>(
    `SELECT sum(mrr_cents) AS mrr, count() AS total, countIf(status = 'trialing') AS trialing,
            countIf(status = 'active') AS active, countIf(status = 'past_due') AS past_due,
            countIf(status = 'canceled') AS canceled, countIf(dunning_invoice_id != '') AS in_dunning
       FROM billing_accounts FINAL`,
  );
  const dunning = await store.query<Record<string, unknown>>(
    `SELECT a.tenant_id AS tenant_id, a.company_name AS company_name, a.dunning_invoice_id AS invoice_id,
            toString(a.dunning_started_at) AS started_text, toString(a.dunning_grace_ends_at) AS grace_text,
            a.suspended AS suspended, i.amount_due_cents AS amount_due_cents
       FROM (SELECT * FROM billing_accounts FINAL WHERE dunning_invoice_id != '') AS a
       LEFT JOIN (SELECT tenant_id, invoice_id, amount_due_cents FROM billing_invoices FINAL) AS i
         ON a.tenant_id = i.tenant_id AND a.dunning_invoice_id = i.invoice_id
      ORDER BY a.dunning_grace_ends_at, a.tenant_id`,
  );
  const failures = await store.query<Record<string, unknown>>(
    `SELECT tenant_id, invoice_id, attempt, amount_due_cents, toString(failed_at) AS failed_text, reason
       FROM billing_payment_failures FINAL ORDER BY failed_at DESC, tenant_id, invoice_id LIMIT ${LATEST}`,
  );
  const count = (name: string) => Number(totals?.[name] ?? 0);
  return {
    mrrCents: count('mrr'),
    accounts: {
      total: count('total'),
      trialing: count('trialing'),
      active: count('active'),
      pastDue: count('past_due'),
      canceled: count('canceled'),
      inDunning: count('in_dunning'),
    },
    dunning: dunning.map((r) => ({
      tenantId: String(r['tenant_id']),
      companyName: String(r['company_name']),
      invoiceId: String(r['invoice_id']),
      startedAt: instantOrNull(r['started_text']) ?? '',
      graceEndsAt: instantOrNull(r['grace_text']) ?? '',
      suspended: Number(r['suspended']) === 1,
      amountDueCents: Number(r['amount_due_cents'] ?? 0),
    })),
    failedPayments: failures.map((r) => ({
      tenantId: String(r['tenant_id']),
      invoiceId: String(r['invoice_id']),
      attempt: Number(r['attempt']),
      amountDueCents: Number(r['amount_due_cents']),
      failedAt: instantOrNull(r['failed_text']) ?? '',
      reason: typeof r['reason'] === 'string' && r['reason'] !== '' ? r['reason'] : null,
    })),
    invoices: (await listAdminInvoices(store, '*', { limit: LATEST })).items,
  };
};
