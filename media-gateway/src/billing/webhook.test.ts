import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEvent, SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import {
  commandRoutes,
  createCommandHandler,
  createLedgerPayments,
  createStripePayments,
  createSqliteEventStore,
  type CommandHandler,
  type EventStore,
  type PaymentsPort,
} from '@ccp/command-service';
import { recordingHandler } from './testing.js';
import { STRIPE_WEBHOOK_PATH, stripeWebhook } from './webhook.js';

/*
 * POST /stripe/webhook on a real command handler (the billing deciders) and SQLite log, with the Stripe adapter
 * checking signatures made by the library's own test-header helper: no network is involved.
 */

const TENANT = 'acme';
const CUSTOMER = 'cus_acme';
const SECRET = 'whsec_test_0123456789abcdef';
const T0 = Math.floor(Date.parse('2026-03-10T12:00:00Z') / 1000);

const stripeSettings = {
  secretKey: 'sk_test_webhook',
  webhookSecret: SECRET,
  prices: { starter: 'price_starter', professional: 'price_professional' },
  meteredPrices: {},
  meterEvents: { call_seconds: 'ccp_call_seconds', llm_tokens: 'ccp_llm_tokens' },
};

let store: EventStore;
let real: CommandHandler;
let spy: ReturnType<typeof recordingHandler>;
let server: Server | undefined;
let url = '';
const logged: string[] = [];
/** The worker's view of the linked customers, as far as it has read. */
let known: Map<string, string>;

const listen = async (payments: PaymentsPort, bodyLimit?: number) => {
  const app = new Koa();
  app.use(
    stripeWebhook({
      payments,
      handler: spy,
      store,
      tenantOfCustomer: (customerId) => known.get(customerId),
      graceDays: 14,
      log: (m) => logged.push(m),
      ...(bodyLimit !== undefined && { bodyLimit }),
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server?.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${STRIPE_WEBHOOK_PATH}`;
};

beforeEach(async () => {
  known = new Map([[CUSTOMER, TENANT]]);
  store = createSqliteEventStore({ path: ':memory:' });
  real = createCommandHandler({ store, routes: commandRoutes });
  spy = recordingHandler(real);
  const send = (type: string, data: Record<string, unknown>) =>
    real.handleTrusted(type, { tenantId: TENANT, ...data }, { actor: SYSTEM_ACTOR });
  await send('CreateTenant', { name: 'Acme Dental', planTier: 'starter' });
  await send('OpenBillingAccount', { billingEmail: 'billing@acme.test', companyName: 'Acme Dental' });
  await send('LinkBillingCustomer', { provider: 'stripe', customerId: CUSTOMER });
  await listen(createStripePayments(stripeSettings));
});
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  await store.close();
  logged.length = 0;
});

const billingEvents = async (): Promise<EventEnvelope[]> =>
  (await store.readStream(`billing-${TENANT}.account`)).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value] : [];
  });
const typesAfterSetup = async () => (await billingEvents()).slice(2).map((e) => e.type);

const post = async (payload: string, signature?: string): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature !== undefined && { 'stripe-signature': signature }),
    },
    body: payload,
  });
  return { status: response.status, body: await response.json() };
};

const signed = (payload: string, options: { secret?: string; timestamp?: number } = {}) =>
  Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? SECRET,
    ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
  });

const subscriptionEvent = (
  id: string,
  created: number,
  price: string,
  options: { tenantId?: string; status?: string } = {},
) =>
  JSON.stringify({
    id,
    object: 'event',
    type: 'customer.subscription.updated',
    created,
    livemode: false,
    data: {
      object: {
        id: 'sub_1',
        object: 'subscription',
        customer: CUSTOMER,
        status: options.status ?? 'active',
        cancel_at_period_end: false,
        trial_end: null,
        metadata: options.tenantId === undefined ? {} : { tenant_id: options.tenantId },
        items: {
          object: 'list',
          data: [
            {
              id: 'si_1',
              object: 'subscription_item',
              price: { id: price, object: 'price', recurring: { usage_type: 'licensed' } },
              current_period_start: T0,
              current_period_end: T0 + 31 * 86_400,
            },
          ],
        },
      },
    },
  });

const invoiceEvent = (id: string, type: 'invoice.paid' | 'invoice.payment_failed', created = T0 + 60) =>
  JSON.stringify({
    id,
    object: 'event',
    type,
    created,
    livemode: false,
    data: {
      object: {
        id: 'in_1',
        object: 'invoice',
        customer: CUSTOMER,
        currency: 'usd',
        number: 'ACME-0001',
        status: type === 'invoice.paid' ? 'paid' : 'open',
        period_start: T0,
        period_end: T0 + 31 * 86_400,
        created: T0,
        status_transitions: { finalized_at: T0, paid_at: type === 'invoice.paid' ? created : null },
        lines: {
          object: 'list',
          data: [
            {
              description: 'Starter plan',
              quantity: 1,
              amount: 4900,
              period: { start: T0, end: T0 + 31 * 86_400 },
              pricing: { price_details: { price: 'price_starter' } },
            },
          ],
        },
        total: 4900,
        amount_due: 4900,
        amount_paid: type === 'invoice.paid' ? 4900 : 0,
        hosted_invoice_url: null,
        invoice_pdf: null,
        attempt_count: 1,
        next_payment_attempt: null,
        last_finalization_error: null,
        parent: { subscription_details: { metadata: { tenant_id: TENANT } } },
      },
    },
  });

describe('POST /stripe/webhook', () => {
  it('records a signed subscription event with the provider event as source', async () => {
    const payload = subscriptionEvent('evt_sub_1', T0, 'price_starter', { tenantId: TENANT });
    expect(await post(payload, signed(payload))).toEqual({ status: 200, body: { received: true } });
    const [recorded] = (await billingEvents()).filter((e) => e.type === 'SubscriptionRecorded');
    expect(recorded?.data).toMatchObject({
      subscription: { subscriptionId: 'sub_1', tier: 'starter', status: 'active' },
      source: { kind: 'provider_event', eventId: 'evt_sub_1', createdAt: new Date(T0 * 1000).toISOString() },
    });
    expect(spy.sent.map((c) => c.idempotencyKey)).toEqual(['stripe:evt_sub_1:RecordSubscription']);
  });

  it('refuses a forged or stale signature with 400 and records nothing', async () => {
    const payload = subscriptionEvent('evt_forged', T0, 'price_starter', { tenantId: TENANT });
    const forged = await post(payload, signed(payload, { secret: 'whsec_someone_else' }));
    expect(forged.status).toBe(400);
    expect(forged.body).toEqual({ error: expect.stringContaining('signature') });
    const stale = await post(payload, signed(payload, { timestamp: Math.floor(Date.now() / 1000) - 400 }));
    expect(stale.status).toBe(400);
    // Signed over another body.
    const altered = await post(payload.replace('price_starter', 'price_professional'), signed(payload));
    expect(altered.status).toBe(400);
    expect((await post(payload)).status).toBe(400);
    expect(spy.sent).toEqual([]);
    expect(await typesAfterSetup()).toEqual([]);
  });

  it('changes nothing when an event is delivered again', async () => {
    const payload = invoiceEvent('evt_paid_1', 'invoice.paid');
    expect((await post(payload, signed(payload))).status).toBe(200);
    expect((await post(payload, signed(payload))).status).toBe(200);
    expect(await typesAfterSetup()).toEqual(['InvoiceRecorded', 'PaymentReceived']);
    expect(spy.sent.map((c) => c.idempotencyKey)).toEqual([
      'stripe:evt_paid_1:RecordInvoice',
      'stripe:evt_paid_1:RecordPayment',
      'stripe:evt_paid_1:RecordInvoice',
      'stripe:evt_paid_1:RecordPayment',
    ]);
  });

  it('keeps the newer subscription when an older event arrives after it, finding the tenant by customer', async () => {
    const newer = subscriptionEvent('evt_sub_new', T0 + 600, 'price_professional');
    const older = subscriptionEvent('evt_sub_old', T0, 'price_starter');
    expect((await post(newer, signed(newer))).status).toBe(200);
    expect((await post(older, signed(older))).status).toBe(200);
    const recorded = (await billingEvents()).filter((e) => e.type === 'SubscriptionRecorded');
    expect(recorded.map((e) => (e.data as { subscription: { tier: string } }).subscription.tier)).toEqual([
      'professional',
    ]);
  });

  it('turns a failed payment into the invoice, the failure and dunning with the configured grace', async () => {
    const payload = invoiceEvent('evt_failed_1', 'invoice.payment_failed');
    expect((await post(payload, signed(payload))).status).toBe(200);
    const events = (await billingEvents()).slice(2);
    expect(events.map((e) => e.type)).toEqual(['InvoiceRecorded', 'PaymentFailed', 'DunningStarted']);
    const failedAt = new Date((T0 + 60) * 1000);
    expect(events[1]?.data).toMatchObject({ invoiceId: 'in_1', amountDueCents: 4900, attempt: 1 });
    expect(events[2]?.data).toMatchObject({
      graceEndsAt: new Date(failedAt.getTime() + 14 * 86_400_000).toISOString(),
    });
  });

  it('answers 200 to an event of no interest and to a customer of no account here, recording nothing', async () => {
    const other = JSON.stringify({
      id: 'evt_other',
      object: 'event',
      type: 'customer.created',
      created: T0,
      data: { object: { id: 'cus_x', object: 'customer' } },
    });
    expect((await post(other, signed(other))).status).toBe(200);
    const stranger = subscriptionEvent('evt_stranger', T0, 'price_starter').replaceAll(
      CUSTOMER,
      'cus_stranger',
    );
    expect((await post(stranger, signed(stranger))).status).toBe(200);
    expect(logged.some((m) => m.includes('cus_stranger'))).toBe(true);
    expect(await typesAfterSetup()).toEqual([]);
  });

  describe("the tenant is the customer's", () => {
    const OTHER = 'globex';
    const otherAccount = async () => {
      const send = (type: string, data: Record<string, unknown>) =>
        real.handleTrusted(type, { tenantId: OTHER, ...data }, { actor: SYSTEM_ACTOR });
      await send('CreateTenant', { name: 'Globex', planTier: 'starter' });
      await send('OpenBillingAccount', { billingEmail: 'billing@globex.test', companyName: 'Globex' });
      await send('LinkBillingCustomer', { provider: 'stripe', customerId: 'cus_globex' });
      known.set('cus_globex', OTHER);
    };
    const otherTypes = async () =>
      (await store.readStream(`billing-${OTHER}.account`)).slice(2).map((recorded) => recorded.type);

    it("changes nothing anywhere when the metadata names another tenant than the customer's", async () => {
      await otherAccount();
      const payload = subscriptionEvent('evt_mismatch', T0, 'price_professional', { tenantId: OTHER });
      expect(await post(payload, signed(payload))).toEqual({
        status: 200,
        body: { received: true, ignored: 'tenant does not match the customer' },
      });
      expect(await otherTypes()).toEqual([]);
      expect(await typesAfterSetup()).toEqual([]);
      expect(spy.sent).toEqual([]);
      expect(logged.some((m) => m.includes('evt_mismatch') && m.includes(OTHER))).toBe(true);
    });

    it('takes the metadata tenant for a customer the worker has not read yet only if its account has it', async () => {
      known.delete(CUSTOMER);
      const payload = subscriptionEvent('evt_early', T0, 'price_starter', { tenantId: TENANT });
      expect(await post(payload, signed(payload))).toEqual({ status: 200, body: { received: true } });
      expect(await typesAfterSetup()).toEqual(['SubscriptionRecorded']);

      // A tenant whose account has another customer (or none) is not this customer's.
      await otherAccount();
      known.delete('cus_globex');
      const foreign = subscriptionEvent('evt_foreign', T0, 'price_starter', { tenantId: OTHER });
      expect(await post(foreign, signed(foreign))).toEqual({
        status: 200,
        body: { received: true, ignored: 'unknown customer' },
      });
      expect(await otherTypes()).toEqual([]);
      expect(spy.sent.map((c) => c.idempotencyKey)).toEqual(['stripe:evt_early:RecordSubscription']);
    });
  });

  it('answers 500 when a command fails for the platform, and records it when Stripe sends it again', async () => {
    const payload = invoiceEvent('evt_paid_2', 'invoice.paid');
    spy.failNext = 1;
    expect((await post(payload, signed(payload))).status).toBe(500);
    expect(await typesAfterSetup()).toEqual([]);
    expect((await post(payload, signed(payload))).status).toBe(200);
    expect(await typesAfterSetup()).toEqual(['InvoiceRecorded', 'PaymentReceived']);
  });

  it('refuses a body over the limit with 413', async () => {
    await new Promise((resolve) => server?.close(resolve));
    await listen(createStripePayments(stripeSettings), 1024);
    const payload = JSON.stringify({ padding: 'x'.repeat(4096) });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
    expect(status).toBe(413);
    expect(spy.sent).toEqual([]);
  });

  it('is not there on the ledger, which has no webhooks', async () => {
    await new Promise((resolve) => server?.close(resolve));
    await listen(createLedgerPayments());
    const payload = invoiceEvent('evt_paid_3', 'invoice.paid');
    expect((await post(payload, signed(payload))).status).toBe(404);
    expect(await typesAfterSetup()).toEqual([]);
  });
});
