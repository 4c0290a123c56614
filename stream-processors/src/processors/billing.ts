import { z } from 'zod';
import {
  billingEvents,
  billingPeriodOf,
  monthlyRecurringCents,
  nextPeriod,
  type EventOf,
  type PaymentProvider,
  type SnapshotSource,
} from '@ccp/schemas';
import type { InsertRow } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import type { Processor, ProcessorContext } from '../processor.js';
import { utcInstant } from './call-stream.js';
import { ClickHouseCount, ClickHouseInstant } from './read-rows.js';
import { eventsOf, foldInto, key, type At } from './row-fold.js';

/**
 * Billing on the read side (018_billing): the account of each tenant (subscription, provider, card on file,
 * dunning, what it adds to MRR), its invoices, its failed payments, the metered units of usage by the month they
 * are billed in, and the closed meters. The billing email is personal data and is not projected.
 *
 * Accounts and invoices are rows folded from their events (row-fold: an event at or below a row's version leaves
 * it as it is). Failed payments, metered units and meter closes are one row per event or item with version =
 * position, so a redelivery rewrites the same row.
 *
 * Metered units: one row per (tenant, month the usage occurred in, identifier). A unit recorded after its meter
 * closed (afterClose) is billed in the next month; the reaction records it again there (carriedFrom) and that
 * copy, at a later position, replaces the original's row, so the sum of a billed_period counts every unit once.
 */

type BillingEvent = EventOf<(typeof billingEvents)[number]>;
const typesOf = (category: string): ReadonlySet<string> =>
  new Set(billingEvents.filter((d) => d.category === category).map((d) => d.type));
const ACCOUNT_TYPES = typesOf('billing');
const METER_TYPES = typesOf('meter');

/** Int64 columns come back as decimal strings; cents here stay far below 2^53. */
const ClickHouseCents = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform(Number);

const AccountRow = z.object({
  tenant_id: z.string(),
  account_id: z.string(),
  company_name: z.string(),
  provider: z.string(),
  customer_id: z.string(),
  subscription_id: z.string(),
  tier: z.string(),
  status: z.string(),
  current_period_start: ClickHouseInstant.nullable(),
  current_period_end: ClickHouseInstant.nullable(),
  cancel_at_period_end: ClickHouseCount,
  trial_ends_at: ClickHouseInstant.nullable(),
  card_brand: z.string(),
  card_last4: z.string(),
  card_exp_month: ClickHouseCount,
  card_exp_year: ClickHouseCount,
  dunning_invoice_id: z.string(),
  dunning_started_at: ClickHouseInstant.nullable(),
  dunning_grace_ends_at: ClickHouseInstant.nullable(),
  suspended: ClickHouseCount,
  mrr_cents: ClickHouseCents,
  opened_at: ClickHouseInstant,
  updated_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type AccountRow = z.output<typeof AccountRow>;

const InvoiceRow = z.object({
  tenant_id: z.string(),
  invoice_id: z.string(),
  number: z.string(),
  status: z.string(),
  currency: z.string(),
  period_start: ClickHouseInstant,
  period_end: ClickHouseInstant,
  issued_at: ClickHouseInstant,
  total_cents: ClickHouseCents,
  amount_due_cents: ClickHouseCents,
  amount_paid_cents: ClickHouseCents,
  lines: z.string(),
  hosted_url: z.string(),
  pdf_url: z.string(),
  paid_at: ClickHouseInstant.nullable(),
  provider: z.string(),
  recorded_at: ClickHouseInstant,
  updated_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type InvoiceRow = z.output<typeof InvoiceRow>;

const NO_DUNNING = {
  dunning_invoice_id: '',
  dunning_started_at: null,
  dunning_grace_ends_at: null,
  suspended: 0,
} as const;

const applyToAccount = (row: AccountRow | undefined, at: At<BillingEvent>): AccountRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  const { event } = at;
  if (event.type === 'BillingAccountOpened' && row === undefined) {
    return {
      tenant_id: at.tenantId,
      account_id: at.id,
      company_name: event.data.companyName,
      provider: '',
      customer_id: '',
      subscription_id: '',
      tier: '',
      status: '',
      current_period_start: null,
      current_period_end: null,
      cancel_at_period_end: 0,
      trial_ends_at: null,
      card_brand: '',
      card_last4: '',
      card_exp_month: 0,
      card_exp_year: 0,
      ...NO_DUNNING,
      mrr_cents: 0,
      opened_at: at.occurredAt,
      updated_at: at.occurredAt,
      version: at.position,
    };
  }
  if (row === undefined) return undefined;
  const changed = (change: Partial<AccountRow>): AccountRow => ({
    ...row,
    ...change,
    updated_at: at.occurredAt,
    version: at.position,
  });
  switch (event.type) {
    case 'BillingAccountOpened':
    case 'BillingContactUpdated':
      return changed({ company_name: event.data.companyName });
    case 'BillingCustomerLinked':
      return changed({ provider: event.data.provider, customer_id: event.data.customerId });
    case 'LedgerPaymentMethodUpdated': {
      const { card } = event.data;
      return changed({
        card_brand: card.brand,
        card_last4: card.last4,
        card_exp_month: card.expMonth,
        card_exp_year: card.expYear,
      });
    }
    case 'SubscriptionRecorded': {
      const { subscription } = event.data;
      return changed({
        subscription_id: subscription.subscriptionId,
        tier: subscription.tier,
        status: subscription.status,
        current_period_start: utcInstant(subscription.currentPeriodStart),
        current_period_end: utcInstant(subscription.currentPeriodEnd),
        cancel_at_period_end: subscription.cancelAtPeriodEnd ? 1 : 0,
        trial_ends_at: subscription.trialEndsAt === undefined ? null : utcInstant(subscription.trialEndsAt),
        mrr_cents: monthlyRecurringCents(subscription),
      });
    }
    case 'DunningStarted':
      return changed({
        dunning_invoice_id: event.data.invoiceId,
        dunning_started_at: utcInstant(event.data.startedAt),
        dunning_grace_ends_at: utcInstant(event.data.graceEndsAt),
        suspended: 0,
      });
    case 'DunningGraceExpired':
      return changed({ suspended: 1 });
    case 'DunningEnded':
      return changed({ ...NO_DUNNING });
    default:
      // Requests wait for the provider's answer; invoices and payments have their own tables.
      return row;
  }
};

/**
 * Who issued an invoice: the account's provider once linked; before that, what the snapshot's source says (a
 * ledger computation or a Stripe event).
 */
const providerOf = (accountProvider: string, source: SnapshotSource): PaymentProvider | '' => {
  if (accountProvider === 'ledger' || accountProvider === 'stripe') return accountProvider;
  if (source.kind === 'ledger') return 'ledger';
  return source.kind === 'provider_event' ? 'stripe' : '';
};

const applyToInvoice = (
  row: InvoiceRow | undefined,
  at: At<BillingEvent>,
  accountProvider: string,
): InvoiceRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  const { event } = at;
  if (event.type === 'InvoiceRecorded') {
    const { invoice, source } = event.data;
    return {
      tenant_id: at.tenantId,
      invoice_id: invoice.invoiceId,
      number: invoice.number,
      status: invoice.status,
      currency: invoice.currency,
      period_start: utcInstant(invoice.periodStart),
      period_end: utcInstant(invoice.periodEnd),
      issued_at: utcInstant(invoice.issuedAt),
      total_cents: invoice.totalCents,
      amount_due_cents: invoice.amountDueCents,
      amount_paid_cents: invoice.amountPaidCents,
      lines: JSON.stringify(invoice.lines),
      hosted_url: invoice.hostedUrl ?? '',
      pdf_url: invoice.pdfUrl ?? '',
      paid_at: row?.paid_at ?? null,
      provider: providerOf(accountProvider, source) || (row?.provider ?? ''),
      recorded_at: row?.recorded_at ?? at.occurredAt,
      updated_at: at.occurredAt,
      version: at.position,
    };
  }
  // A payment of an invoice never recorded has nothing to show it on.
  if (row === undefined || event.type !== 'PaymentReceived') return row;
  return {
    ...row,
    status: 'paid',
    amount_paid_cents: event.data.amountPaidCents,
    paid_at: utcInstant(event.data.paidAt),
    updated_at: at.occurredAt,
    version: at.position,
  };
};

const invoiceIdOf = ({ event }: At<BillingEvent>): string[] => {
  if (event.type === 'InvoiceRecorded') return [event.data.invoice.invoiceId];
  return event.type === 'PaymentReceived' ? [event.data.invoiceId] : [];
};

const failureRowsOf = (at: At<BillingEvent>): InsertRow[] => {
  if (at.event.type !== 'PaymentFailed') return [];
  const { data } = at.event;
  return [
    {
      tenant_id: at.tenantId,
      invoice_id: data.invoiceId,
      position: at.position,
      attempt: data.attempt,
      amount_due_cents: data.amountDueCents,
      failed_at: utcInstant(data.failedAt),
      next_attempt_at: data.nextAttemptAt === undefined ? null : utcInstant(data.nextAttemptAt),
      reason: data.reason ?? '',
      version: at.position,
    },
  ];
};

/**
 * The rows of one meter event. `at.id` is the meter's month. A unit recorded before the close is billed there
 * (a carried copy included); one recorded after it is billed in the next month, where its copy will confirm it.
 */
const meterRowsOf = (at: At<BillingEvent>): { items: InsertRow[]; closes: InsertRow[] } => {
  const { event } = at;
  if (event.type === 'MeterClosed') {
    return {
      items: [],
      closes: [
        {
          tenant_id: at.tenantId,
          period: at.id,
          call_seconds: event.data.callSeconds,
          llm_tokens: event.data.llmTokens,
          items: event.data.items,
          closed_at: at.occurredAt,
          version: at.position,
        },
      ],
    };
  }
  if (event.type !== 'UsageMetered') return { items: [], closes: [] };
  const { afterClose, carriedFrom } = event.data;
  const billedPeriod = afterClose ? nextPeriod(at.id) : at.id;
  const from = afterClose ? at.id : (carriedFrom ?? '');
  return {
    items: event.data.items.map((item) => ({
      tenant_id: at.tenantId,
      period: billingPeriodOf(new Date(item.occurredAt)),
      identifier: item.identifier,
      resource: item.resource,
      quantity: item.quantity,
      billed_period: billedPeriod,
      carried_from: from,
      occurred_at: utcInstant(item.occurredAt),
      recorded_at: at.occurredAt,
      version: at.position,
    })),
    closes: [],
  };
};

export const BILLING = 'billing';
export const BILLING_TABLES = [
  'billing_accounts',
  'billing_invoices',
  'billing_payment_failures',
  'billing_meter',
  'billing_meter_closes',
] as const;

/** Billing accounts, invoices, failed payments and metered usage, from the billing and meter streams. */
export const createBillingProcessor = (): Processor => ({
  name: BILLING,
  categories: ['billing', 'meter'],
  tables: [...BILLING_TABLES],
  async handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void> {
    const { readStore } = context;
    const accountEvents = eventsOf<BillingEvent>(batch, 'billing', ACCOUNT_TYPES);
    /** The account's provider as each event found it, for the invoices it records. */
    const providerAt = new Map<number, string>();
    await foldInto(
      readStore,
      {
        table: 'billing_accounts',
        column: 'account_id',
        idsOf: (at) => [at.id],
        rowKey: (row: AccountRow) => key(row.tenant_id, row.account_id),
        keysOf: (at) => [key(at.tenantId, at.id)],
        schema: AccountRow,
        apply: (row, at) => {
          providerAt.set(at.position, row?.provider ?? '');
          return applyToAccount(row, at);
        },
      },
      accountEvents,
    );
    await foldInto(
      readStore,
      {
        table: 'billing_invoices',
        column: 'invoice_id',
        idsOf: invoiceIdOf,
        rowKey: (row: InvoiceRow) => key(row.tenant_id, row.invoice_id),
        keysOf: (at) => invoiceIdOf(at).map((id) => key(at.tenantId, id)),
        schema: InvoiceRow,
        apply: (row, at) => applyToInvoice(row, at, providerAt.get(at.position) ?? ''),
      },
      accountEvents.filter((at) => invoiceIdOf(at).length > 0),
    );
    const failures = accountEvents.flatMap(failureRowsOf);
    if (failures.length > 0) await readStore.insert('billing_payment_failures', failures);

    const meter = eventsOf<BillingEvent>(batch, 'meter', METER_TYPES).map(meterRowsOf);
    const items = meter.flatMap((rows) => rows.items);
    const closes = meter.flatMap((rows) => rows.closes);
    if (items.length > 0) await readStore.insert('billing_meter', items);
    if (closes.length > 0) await readStore.insert('billing_meter_closes', closes);
  },
});
