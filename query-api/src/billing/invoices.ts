import { z } from 'zod';
import { InvoiceLine, InvoiceStatus, TenantId } from '@ccp/schemas';
import type { QueryParams, ReadStore } from '@ccp/projections';
import {
  decodeInstantKeyset,
  isoFromClickHouse,
  ListPage,
  optional,
  pageOfRows,
} from '../appointments/paging.js';
import { instantOrNull } from './account.js';

/** A provider's invoice id: the ledger's `in_ledger_<tenant>_<YYYYMM>` or Stripe's `in_…`. */
export const InvoiceParam = z.strictObject({
  invoiceId: z
    .string()
    .max(255)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'an invoice id'),
});

export const Invoice = z.object({
  invoiceId: z.string(),
  number: z.string(),
  status: z.string(),
  periodStart: z.string(),
  periodEnd: z.string(),
  issuedAt: z.string(),
  totalCents: z.number().int(),
  amountDueCents: z.number().int(),
  amountPaidCents: z.number().int(),
  paidAt: z.string().nullable(),
  hostedUrl: z.string().nullable(),
  pdfUrl: z.string().describe("Stripe's PDF, or the platform's rendering of a ledger invoice"),
});
export type Invoice = z.infer<typeof Invoice>;

export const InvoiceDetail = Invoice.extend({
  lines: z.array(
    z.object({ kind: z.string(), description: z.string(), quantity: z.number(), amountCents: z.number() }),
  ),
});
export type InvoiceDetail = z.infer<typeof InvoiceDetail> & { readonly provider: string };

export const InvoiceQuery = z.strictObject({ ...ListPage });
export const InvoiceList = z.object({ items: z.array(Invoice), nextCursor: z.string().nullable() });

export const AdminInvoice = z.object({
  tenantId: z.string(),
  invoiceId: z.string(),
  number: z.string(),
  status: z.string(),
  totalCents: z.number().int(),
  issuedAt: z.string(),
  periodStart: z.string(),
});
export const AdminInvoiceQuery = z.strictObject({
  status: InvoiceStatus.optional().describe('Only invoices in this state'),
  ...ListPage,
});
export const AdminInvoiceList = z.object({ items: z.array(AdminInvoice), nextCursor: z.string().nullable() });

const INVOICE_COLUMNS = `tenant_id, invoice_id, number, status, toString(period_start) AS period_start_text,
  toString(period_end) AS period_end_text, toString(issued_at) AS issued_text, total_cents, amount_due_cents,
  amount_paid_cents, toString(paid_at) AS paid_text, hosted_url, pdf_url, provider`;

/** Where a ledger invoice's PDF is served: the platform renders it (Stripe's come with their own). */
export const ledgerPdfPath = (invoiceId: string): string =>
  `/api/billing/invoices/${encodeURIComponent(invoiceId)}/pdf`;

const invoiceOf = (r: Record<string, unknown>): Invoice => {
  const invoiceId = String(r['invoice_id']);
  return {
    invoiceId,
    number: String(r['number']),
    status: String(r['status']),
    periodStart: isoFromClickHouse(r['period_start_text']),
    periodEnd: isoFromClickHouse(r['period_end_text']),
    issuedAt: isoFromClickHouse(r['issued_text']),
    totalCents: Number(r['total_cents']),
    amountDueCents: Number(r['amount_due_cents']),
    amountPaidCents: Number(r['amount_paid_cents']),
    paidAt: instantOrNull(r['paid_text']),
    hostedUrl: optional(r['hosted_url']) ?? null,
    pdfUrl: optional(r['pdf_url']) ?? ledgerPdfPath(invoiceId),
  };
};

/** Keyset paging newest first: the issue instant, then the id. */
const afterClause = (cursor: string | undefined, params: Record<string, QueryParams[string]>) => {
  const after = decodeInstantKeyset(cursor);
  if (after === undefined) return [];
  params['afterAt'] = after[0];
  params['afterId'] = after[1];
  return [`(issued_at, invoice_id) < ({afterAt:DateTime64(3, 'UTC')}, {afterId:String})`];
};

/** The tenant's invoices, newest first. */
export const listInvoices = async (
  store: ReadStore,
  tenantId: string,
  query: z.output<typeof InvoiceQuery>,
): Promise<z.infer<typeof InvoiceList>> => {
  const params: Record<string, QueryParams[string]> = { tenantId, limit: query.limit + 1 };
  const clauses = ['tenant_id = {tenantId:String}', ...afterClause(query.cursor, params)];
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${INVOICE_COLUMNS} FROM billing_invoices FINAL WHERE ${clauses.join(' AND ')}
      ORDER BY issued_at DESC, invoice_id DESC LIMIT {limit:UInt32}`,
    params,
  );
  const page = pageOfRows(rows.map(invoiceOf), query.limit, (i) => [i.issuedAt, i.invoiceId]);
  return { items: page.rows, nextCursor: page.nextCursor ?? null };
};

const LineList = z.array(InvoiceLine);

/** One of the tenant's invoices with its lines; undefined when the tenant has none by that id. */
export const invoiceDetail = async (
  store: ReadStore,
  tenantId: string,
  invoiceId: string,
): Promise<InvoiceDetail | undefined> => {
  const [row] = await store.query<Record<string, unknown>>(
    `SELECT ${INVOICE_COLUMNS}, lines FROM billing_invoices FINAL
      WHERE tenant_id = {tenantId:String} AND invoice_id = {invoiceId:String}`,
    { tenantId, invoiceId },
  );
  if (row === undefined) return undefined;
  // The processor wrote the lines from a validated event; a row that does not parse is a bug worth a 500.
  const lines = LineList.parse(JSON.parse(String(row['lines'])));
  return {
    ...invoiceOf(row),
    lines: lines.map(({ kind, description, quantity, amountCents }) => ({
      kind,
      description,
      quantity,
      amountCents,
    })),
    provider: String(row['provider']),
  };
};

const adminInvoiceOf = (r: Record<string, unknown>): z.infer<typeof AdminInvoice> => {
  const { invoiceId, number, status, totalCents, issuedAt, periodStart } = invoiceOf(r);
  return { tenantId: String(r['tenant_id']), invoiceId, number, status, totalCents, issuedAt, periodStart };
};

/** Invoices across tenants (or of one, `tenantId` not '*'), newest first. */
export const listAdminInvoices = async (
  store: ReadStore,
  tenantId: string,
  query: z.output<typeof AdminInvoiceQuery>,
): Promise<z.infer<typeof AdminInvoiceList>> => {
  const params: Record<string, QueryParams[string]> = { limit: query.limit + 1 };
  const clauses = ['1', ...afterClause(query.cursor, params)];
  if (tenantId !== '*') {
    clauses.push('tenant_id = {tenantId:String}');
    params['tenantId'] = TenantId.parse(tenantId);
  }
  if (query.status !== undefined) {
    clauses.push('status = {status:String}');
    params['status'] = query.status;
  }
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${INVOICE_COLUMNS} FROM billing_invoices FINAL WHERE ${clauses.join(' AND ')}
      ORDER BY issued_at DESC, invoice_id DESC LIMIT {limit:UInt32}`,
    params,
  );
  const page = pageOfRows(rows.map(adminInvoiceOf), query.limit, (i) => [i.issuedAt, i.invoiceId]);
  return { items: page.rows, nextCursor: page.nextCursor ?? null };
};
