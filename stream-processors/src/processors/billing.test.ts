import { afterAll, describe, expect, it } from 'vitest';
import { ledgerInvoiceOf } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import { BILLING_TABLES, createBillingProcessor } from './billing.js';
import { entityLog } from './entity-testing.js';
import { handleAll, handleWithCrash, inBatchesOf, tableRows, testReadStores } from './processor-testing.js';

const stores = testReadStores('billing');
afterAll(() => stores.close());

const ORDER: Record<(typeof BILLING_TABLES)[number], string> = {
  billing_accounts: 'account_id',
  billing_invoices: 'invoice_id',
  billing_payment_failures: 'invoice_id, position',
  billing_meter: 'period, identifier',
  billing_meter_closes: 'period',
};

const snapshot = async (store: ReadStore, tenantId: string) => {
  const all: Record<string, unknown> = {};
  for (const table of BILLING_TABLES) all[table] = await tableRows(store, table, tenantId, ORDER[table]);
  return all;
};

/** A period's metered usage as the console reads it: each unit once, in the month it is billed in. */
const billed = async (store: ReadStore, tenantId: string, period: string) =>
  store.query(
    `SELECT resource, toUInt64(sum(quantity)) AS total FROM billing_meter FINAL
     WHERE tenant_id = {tenant:String} AND billed_period = {period:String} GROUP BY resource ORDER BY resource`,
    { tenant: tenantId, period },
  );

const account = async (store: ReadStore, tenantId: string) =>
  (await tableRows(store, 'billing_accounts', tenantId, 'account_id'))[0];

const subscription = (status: string, from: string, to: string, extra: Record<string, unknown> = {}) => ({
  subscriptionId: 'sub_ledger_b1',
  tier: 'starter',
  status,
  currentPeriodStart: from,
  currentPeriodEnd: to,
  cancelAtPeriodEnd: false,
  ...extra,
});

const MARCH_INVOICE = ledgerInvoiceOf({
  tenantId: 'b1',
  period: '2024-03',
  segments: [
    { tier: 'starter', from: '2024-03-01T00:00:00.000Z', to: '2024-04-01T00:00:00.000Z', trial: false },
  ],
  usageTier: 'starter',
  callSeconds: 120,
  llmTokens: 500,
  issuedAt: '2024-04-01T00:15:00.000Z',
});

/**
 * A ledger tenant through a month: opened, linked, subscribed to starter, a card on file; March's meter gets two
 * units, closes, then a late unit (recorded after the close, carried to April) and an April unit. March's invoice
 * is issued, the card is declined, dunning starts, the grace runs out (suspended), the invoice is paid and dunning
 * ends; the subscription rolls into April, is cancelled at its end, and then lapses.
 */
const ledgerLog = () => {
  const log = entityLog('b1');
  const billing = (type: string, data: Record<string, unknown>) =>
    log.append('billing', 'account', type, data);
  const meter = (period: string, type: string, data: Record<string, unknown>) =>
    log.append('meter', period, type, data);
  const late = {
    identifier: 'u12',
    resource: 'call_seconds',
    quantity: 60,
    occurredAt: '2024-03-31T23:59:00Z',
  };

  log.at('2024-03-01T00:00:00.000Z');
  billing('BillingAccountOpened', { billingEmail: 'billing@acme.example', companyName: 'Acme' });
  billing('BillingCustomerLinked', { provider: 'ledger', customerId: 'cus_ledger_b1' });
  billing('SubscriptionRequested', { tier: 'starter', trialDays: 0 });
  billing('SubscriptionRecorded', {
    subscription: subscription('active', '2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'),
    source: { kind: 'ledger', at: '2024-03-01T00:00:00Z' },
  });
  billing('LedgerPaymentMethodUpdated', {
    card: { brand: 'visa', last4: '0002', expMonth: 12, expYear: 2030 },
  });
  log.at('2024-03-06T00:00:00.000Z');
  meter('2024-03', 'UsageMetered', {
    items: [
      { identifier: 'u10', resource: 'call_seconds', quantity: 120, occurredAt: '2024-03-05T10:00:00Z' },
      { identifier: 'u11', resource: 'llm_tokens', quantity: 500, occurredAt: '2024-03-06T10:00:00Z' },
    ],
    afterClose: false,
  });
  log.at('2024-04-01T00:10:00.000Z');
  meter('2024-03', 'MeterClosed', { callSeconds: 120, llmTokens: 500, items: 2 });
  log.at('2024-04-01T00:11:00.000Z');
  meter('2024-03', 'UsageMetered', { items: [late], afterClose: true });
  meter('2024-04', 'UsageMetered', { items: [late], afterClose: false, carriedFrom: '2024-03' });
  log.at('2024-04-02T09:00:00.000Z');
  meter('2024-04', 'UsageMetered', {
    items: [
      { identifier: 'u20', resource: 'call_seconds', quantity: 30, occurredAt: '2024-04-02T08:59:00Z' },
    ],
    afterClose: false,
  });
  log.at('2024-04-01T00:15:00.000Z');
  billing('InvoiceRecorded', {
    invoice: MARCH_INVOICE,
    source: { kind: 'ledger', at: '2024-04-01T00:15:00Z' },
  });
  billing('PaymentFailed', {
    invoiceId: MARCH_INVOICE.invoiceId,
    amountDueCents: MARCH_INVOICE.amountDueCents,
    attempt: 1,
    failedAt: '2024-04-01T00:15:00Z',
    reason: 'card declined',
  });
  billing('DunningStarted', {
    invoiceId: MARCH_INVOICE.invoiceId,
    startedAt: '2024-04-01T00:15:00Z',
    graceEndsAt: '2024-04-08T00:15:00Z',
  });
  billing('SubscriptionRecorded', {
    subscription: subscription('past_due', '2024-04-01T00:00:00Z', '2024-05-01T00:00:00Z'),
    source: { kind: 'ledger', at: '2024-04-01T00:15:00Z' },
  });
  log.at('2024-04-08T00:15:00.000Z');
  const expired = billing('DunningGraceExpired', {
    invoiceId: MARCH_INVOICE.invoiceId,
    expiredAt: '2024-04-08T00:15:00Z',
  });
  log.at('2024-04-09T12:00:00.000Z');
  billing('LedgerPaymentMethodUpdated', {
    card: { brand: 'mastercard', last4: '4444', expMonth: 1, expYear: 2031 },
  });
  billing('PaymentReceived', {
    invoiceId: MARCH_INVOICE.invoiceId,
    amountPaidCents: MARCH_INVOICE.amountDueCents,
    paidAt: '2024-04-09T12:00:00Z',
  });
  billing('DunningEnded', {
    invoiceId: MARCH_INVOICE.invoiceId,
    endedAt: '2024-04-09T12:00:00Z',
    suspended: true,
  });
  billing('SubscriptionRecorded', {
    subscription: subscription('active', '2024-04-01T00:00:00Z', '2024-05-01T00:00:00Z'),
    source: { kind: 'ledger', at: '2024-04-09T12:00:00Z' },
  });
  log.at('2024-04-20T00:00:00.000Z');
  billing('SubscriptionCancellationRequested', {});
  billing('SubscriptionRecorded', {
    subscription: subscription('active', '2024-04-01T00:00:00Z', '2024-05-01T00:00:00Z', {
      cancelAtPeriodEnd: true,
    }),
    source: { kind: 'ledger', at: '2024-04-20T00:00:00Z' },
  });
  return { events: log.events, expired };
};

const upTo = (events: readonly BusEvent[], last: BusEvent) => events.slice(0, events.indexOf(last) + 1);

describe('billing processor', () => {
  it('follows the account: provider, subscription, card, dunning and suspension, and what it adds to MRR', async () => {
    const { events, expired } = ledgerLog();
    const store = await stores.open('billing_account');
    const processor = createBillingProcessor();
    await handleAll(processor, store, [upTo(events, expired)]);
    expect(await account(store, 'b1')).toMatchObject({
      company_name: 'Acme',
      provider: 'ledger',
      customer_id: 'cus_ledger_b1',
      subscription_id: 'sub_ledger_b1',
      tier: 'starter',
      status: 'past_due',
      current_period_start: '2024-04-01 00:00:00.000',
      cancel_at_period_end: 0,
      card_brand: 'visa',
      card_last4: '0002',
      dunning_invoice_id: MARCH_INVOICE.invoiceId,
      dunning_started_at: '2024-04-01 00:15:00.000',
      dunning_grace_ends_at: '2024-04-08 00:15:00.000',
      suspended: 1,
      // A past-due subscription is still billed: starter's $49.
      mrr_cents: '4900',
      opened_at: '2024-03-01 00:00:00.000',
    });
    await handleAll(processor, store, [events.slice(events.indexOf(expired) + 1)]);
    expect(await account(store, 'b1')).toMatchObject({
      status: 'active',
      current_period_end: '2024-05-01 00:00:00.000',
      cancel_at_period_end: 1,
      card_brand: 'mastercard',
      card_last4: '4444',
      card_exp_month: 1,
      card_exp_year: 2031,
      dunning_invoice_id: '',
      dunning_started_at: null,
      dunning_grace_ends_at: null,
      suspended: 0,
      mrr_cents: '4900',
      updated_at: '2024-04-20 00:00:00.000',
    });
    // The billing email is personal data and is not on the read side.
    expect(JSON.stringify(await snapshot(store, 'b1'))).not.toContain('billing@acme.example');
  });

  it('keeps each invoice with its lines, its payment and its failed attempts', async () => {
    const store = await stores.open('billing_account');
    const [invoice] = await tableRows(store, 'billing_invoices', 'b1', 'invoice_id');
    expect(invoice).toMatchObject({
      invoice_id: 'in_ledger_b1_202403',
      number: 'CCP-B1-202403',
      status: 'paid',
      period_start: '2024-03-01 00:00:00.000',
      period_end: '2024-04-01 00:00:00.000',
      issued_at: '2024-04-01 00:15:00.000',
      total_cents: '4900',
      amount_due_cents: '4900',
      amount_paid_cents: '4900',
      paid_at: '2024-04-09 12:00:00.000',
      provider: 'ledger',
      hosted_url: '',
      recorded_at: '2024-04-01 00:15:00.000',
    });
    expect(JSON.parse(String(invoice?.['lines']))).toEqual(MARCH_INVOICE.lines);
    expect(await tableRows(store, 'billing_payment_failures', 'b1', 'position')).toMatchObject([
      {
        invoice_id: 'in_ledger_b1_202403',
        attempt: 1,
        amount_due_cents: '4900',
        failed_at: '2024-04-01 00:15:00.000',
        next_attempt_at: null,
        reason: 'card declined',
      },
    ]);
  });

  it('counts each metered unit once, in the month it is billed in: a late unit in the next month', async () => {
    const { events } = ledgerLog();
    const store = await stores.open('billing_meter');
    const processor = createBillingProcessor();
    const afterClose = events.findIndex(
      (e) => e.envelope.type === 'UsageMetered' && (e.envelope.data as { afterClose: boolean }).afterClose,
    );
    // Recorded after March closed, not yet carried: already April's, and no longer March's.
    await handleAll(processor, store, [events.slice(0, afterClose + 1)]);
    expect(await billed(store, 'b1', '2024-03')).toEqual([
      { resource: 'call_seconds', total: '120' },
      { resource: 'llm_tokens', total: '500' },
    ]);
    expect(await billed(store, 'b1', '2024-04')).toEqual([{ resource: 'call_seconds', total: '60' }]);
    await handleAll(processor, store, [events.slice(afterClose + 1)]);
    const april = [{ resource: 'call_seconds', total: '90' }];
    expect(await billed(store, 'b1', '2024-04')).toEqual(april);
    expect(
      await store.query(
        `SELECT period, identifier, billed_period, carried_from FROM billing_meter FINAL
         WHERE tenant_id = 'b1' AND identifier = 'u12'`,
      ),
    ).toEqual([{ period: '2024-03', identifier: 'u12', billed_period: '2024-04', carried_from: '2024-03' }]);
    expect(await tableRows(store, 'billing_meter_closes', 'b1', 'period')).toMatchObject([
      {
        period: '2024-03',
        call_seconds: '120',
        llm_tokens: '500',
        items: '2',
        closed_at: '2024-04-01 00:10:00.000',
      },
    ]);

    // The late original delivered again after its copy: its older position changes nothing.
    await handleAll(processor, store, [[events[afterClose] as BusEvent]]);
    expect(await billed(store, 'b1', '2024-04')).toEqual(april);
    expect(await billed(store, 'b1', '2024-03')).toEqual([
      { resource: 'call_seconds', total: '120' },
      { resource: 'llm_tokens', total: '500' },
    ]);
  });

  it('a redelivered log writes no account or invoice row again and leaves every table as it was', async () => {
    const { events } = ledgerLog();
    const store = await stores.open('billing_redelivery');
    const processor = createBillingProcessor();
    await handleAll(processor, store, [events]);
    const before = await snapshot(store, 'b1');
    const stored = async () =>
      store.query(
        `SELECT (SELECT count() FROM billing_accounts) AS accounts, (SELECT count() FROM billing_invoices) AS invoices`,
      );
    const written = await stored();
    await handleAll(createBillingProcessor(), store, [events]);
    expect(await snapshot(store, 'b1')).toEqual(before);
    expect(await stored()).toEqual(written);
  });

  it('gives the same tables whatever the batches, and after a crash in the middle of one', async () => {
    const { events } = ledgerLog();
    const whole = await stores.open('billing_redelivery');
    const single = await stores.open('billing_single');
    await handleAll(createBillingProcessor(), single, inBatchesOf(events, 1));
    expect(await snapshot(single, 'b1')).toEqual(await snapshot(whole, 'b1'));
    for (const crashAt of [1, 2, 4]) {
      const crashed = await stores.open(`billing_crash_${crashAt}`);
      await handleWithCrash(createBillingProcessor(), crashed, inBatchesOf(events, 4), crashAt);
      expect(await snapshot(crashed, 'b1')).toEqual(await snapshot(whole, 'b1'));
    }
  });

  it('a Stripe account on trial adds nothing to MRR, and its invoices are Stripe', async () => {
    const log = entityLog('b2', 1000);
    log.at('2024-03-01T00:00:00.000Z');
    log.append('billing', 'account', 'BillingAccountOpened', {
      billingEmail: 'ap@bolt.example',
      companyName: 'Bolt',
    });
    log.append('billing', 'account', 'SubscriptionRecorded', {
      subscription: {
        subscriptionId: 'sub_123',
        tier: 'professional',
        status: 'trialing',
        currentPeriodStart: '2024-03-01T00:00:00Z',
        currentPeriodEnd: '2024-03-15T00:00:00Z',
        cancelAtPeriodEnd: false,
        trialEndsAt: '2024-03-15T00:00:00Z',
      },
      source: { kind: 'provider_event', eventId: 'evt_1', createdAt: '2024-03-01T00:00:00Z' },
    });
    log.append('billing', 'account', 'InvoiceRecorded', {
      invoice: {
        invoiceId: 'in_1',
        number: 'ABC-0001',
        status: 'open',
        currency: 'usd',
        periodStart: '2024-03-01T00:00:00Z',
        periodEnd: '2024-03-15T00:00:00Z',
        issuedAt: '2024-03-01T00:00:00Z',
        lines: [],
        totalCents: 0,
        amountDueCents: 0,
        amountPaidCents: 0,
        hostedUrl: 'https://invoice.stripe.com/i/in_1',
        pdfUrl: 'https://pay.stripe.com/invoice/in_1/pdf',
      },
      source: { kind: 'provider_event', eventId: 'evt_2', createdAt: '2024-03-01T00:00:00Z' },
    });
    const store = await stores.open('billing_stripe');
    await handleAll(createBillingProcessor(), store, [log.events]);
    expect(await account(store, 'b2')).toMatchObject({
      provider: '',
      tier: 'professional',
      status: 'trialing',
      trial_ends_at: '2024-03-15 00:00:00.000',
      mrr_cents: '0',
    });
    expect(await tableRows(store, 'billing_invoices', 'b2', 'invoice_id')).toMatchObject([
      {
        provider: 'stripe',
        hosted_url: 'https://invoice.stripe.com/i/in_1',
        pdf_url: 'https://pay.stripe.com/invoice/in_1/pdf',
        paid_at: null,
      },
    ]);
  });
});
