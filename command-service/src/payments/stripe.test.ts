import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeMock, type StripeMock } from '@ccp/infra';
import type { StripeSettings } from '../platform/settings.js';
import { paymentsContract } from './contract.js';
import { createPayments } from './index.js';
import { PaymentsUnavailableError } from './port.js';
import { createStripePayments } from './stripe.js';
import { invoiceSnapshotOf, providerEventOf, subscriptionSnapshotOf } from './stripe-mapping.js';

const webhookSecret = 'whsec_contract_0123456789abcdef';

const settingsFor = (apiUrl: string, overrides: Partial<StripeSettings> = {}): StripeSettings => ({
  secretKey: 'sk_test_contract',
  webhookSecret,
  apiUrl,
  prices: { starter: 'price_starter', professional: 'price_professional', enterprise: 'price_enterprise' },
  meteredPrices: {
    starter: { call_seconds: 'price_starter_seconds', llm_tokens: 'price_starter_tokens' },
    professional: { call_seconds: 'price_professional_seconds', llm_tokens: 'price_professional_tokens' },
    enterprise: { call_seconds: 'price_enterprise_seconds', llm_tokens: 'price_enterprise_tokens' },
  },
  meterEvents: { call_seconds: 'ccp_call_seconds', llm_tokens: 'ccp_llm_tokens' },
  ...overrides,
});

/** A loopback port nobody listens on: taken from the kernel, then let go. */
const closedPort = async (): Promise<number> => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port from the kernel');
  return address.port;
};

describe('the Stripe adapter against stripe-mock', () => {
  let mock: StripeMock;
  /** The library itself, to read stripe-mock's fixtures as the adapter would receive them. */
  let client: Stripe;
  // Installing stripe-mock with `go install` the first time takes up to a minute.
  beforeAll(async () => {
    mock = await startStripeMock();
    const api = new URL(mock.url);
    client = new Stripe('sk_test_fixtures', {
      host: api.hostname,
      port: api.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
  }, 180_000);
  afterAll(() => mock?.stop());

  paymentsContract(
    'Stripe → stripe-mock',
    async () => ({
      payments: createPayments({
        provider: 'stripe',
        stripe: settingsFor(mock.url),
        graceDays: 7,
        maxTrialDays: 14,
        closeDelayMinutes: 60,
      }),
      webhookSecret,
      unreachable: createStripePayments(settingsFor(`http://127.0.0.1:${await closedPort()}`), {
        timeoutMs: 3000,
      }),
      providerObjects: async () => ({
        subscription: await client.subscriptions.retrieve('sub_123'),
        invoice: await client.invoices.retrieve('in_123'),
      }),
      close: () => Promise.resolve(),
    }),
    { answersReflectRequests: false, webhooks: true },
  );

  describe('mapping what Stripe answers', () => {
    const settings = settingsFor('http://unused.example');

    it("reads a subscription's tier from its fee price, else its metadata, else the tier asked", async () => {
      const subscription = await client.subscriptions.retrieve('sub_123');
      const feePrice = subscription.items.data[0]?.price.id ?? '';
      const byPrice = { ...settings, prices: { enterprise: feePrice } };
      expect(subscriptionSnapshotOf(subscription, byPrice, 'starter').tier).toBe('enterprise');
      const withMetadata = { ...subscription, metadata: { tier: 'professional' } };
      expect(subscriptionSnapshotOf(withMetadata, settings, 'starter').tier).toBe('professional');
      expect(subscriptionSnapshotOf(subscription, settings, 'starter').tier).toBe('starter');
      expect(() => subscriptionSnapshotOf(subscription, settings)).toThrow(/names its tier/);
    });

    it('takes the period from the fee item, or from the subscription on an older API version', async () => {
      const subscription = await client.subscriptions.retrieve('sub_123');
      const item = subscription.items.data[0];
      if (item === undefined) throw new Error('the fixture has no item');
      const snapshot = subscriptionSnapshotOf(subscription, settings, 'starter');
      expect(snapshot).toMatchObject({
        subscriptionId: 'sub_123',
        status: 'active',
        currentPeriodStart: new Date(item.current_period_start * 1000).toISOString(),
        currentPeriodEnd: new Date(item.current_period_end * 1000).toISOString(),
        cancelAtPeriodEnd: subscription.cancel_at_period_end,
        trialEndsAt: new Date((subscription.trial_end ?? 0) * 1000).toISOString(),
      });
      const { current_period_start: _start, current_period_end: _end, ...legacyItem } = item;
      const legacy = {
        ...subscription,
        items: { ...subscription.items, data: [legacyItem as Stripe.SubscriptionItem] },
        current_period_start: 1_772_323_200,
        current_period_end: 1_775_001_600,
        status: 'incomplete_expired' as const,
        trial_end: null,
      };
      expect(subscriptionSnapshotOf(legacy, settings, 'starter')).toMatchObject({
        currentPeriodStart: '2026-03-01T00:00:00.000Z',
        currentPeriodEnd: '2026-04-01T00:00:00.000Z',
        status: 'canceled',
      });
      expect(subscriptionSnapshotOf(legacy, settings, 'starter').trialEndsAt).toBeUndefined();
    });

    it('maps an invoice: number, amounts, dates and each line by its price', async () => {
      const invoice = await client.invoices.retrieve('in_123');
      const [line] = invoice.lines.data;
      if (line === undefined) throw new Error('the fixture has no line');
      const priced = (price: string, quantity: number, amount: number): Stripe.InvoiceLineItem => ({
        ...line,
        quantity,
        amount,
        pricing: {
          type: 'price_details',
          price_details: { price, product: 'prod_x' },
          unit_amount_decimal: null,
        },
      });
      const withLines = {
        ...invoice,
        hosted_invoice_url: 'https://invoice.stripe.com/i/in_123',
        invoice_pdf: 'https://pay.stripe.com/invoice/in_123/pdf',
        lines: {
          ...invoice.lines,
          data: [
            line,
            priced('price_professional', 1, 9900),
            priced('price_professional_seconds', 5430, 181),
            priced('price_starter_tokens', 120_000, 24),
          ],
        },
      };
      const snapshot = invoiceSnapshotOf(withLines, settings);
      expect(snapshot).toMatchObject({
        invoiceId: 'in_123',
        number: invoice.number ?? 'in_123',
        status: invoice.status,
        currency: 'usd',
        periodStart: new Date(invoice.period_start * 1000).toISOString(),
        periodEnd: new Date(invoice.period_end * 1000).toISOString(),
        issuedAt: new Date(invoice.created * 1000).toISOString(),
        totalCents: invoice.total,
        amountDueCents: invoice.amount_due,
        amountPaidCents: invoice.amount_paid,
        hostedUrl: 'https://invoice.stripe.com/i/in_123',
        pdfUrl: 'https://pay.stripe.com/invoice/in_123/pdf',
      });
      expect(snapshot.lines.map((l) => [l.kind, l.quantity, l.amountCents, l.tier])).toEqual([
        ['adjustment', line.quantity, line.amount, undefined],
        ['subscription', 1, 9900, 'professional'],
        ['call_minutes', 90.5, 181, 'professional'],
        ['llm_tokens', 120_000, 24, 'starter'],
      ]);
      expect(snapshot.lines[0]?.description).toBe(line.description);
      expect(() => invoiceSnapshotOf({ ...invoice, currency: 'eur' }, settings)).toThrow(/usd only/);
    });

    it('maps webhook events: the tenant from the metadata Stripe carries, the failed attempt and its reason', async () => {
      const invoice = await client.invoices.retrieve('in_123');
      const event = (type: string, object: object): Stripe.Event =>
        ({ id: 'evt_1', object: 'event', created: 1_780_000_000, type, data: { object } }) as Stripe.Event;
      const failing = {
        ...invoice,
        attempt_count: 2,
        next_payment_attempt: 1_780_086_400,
        last_finalization_error: { type: 'card_error' as const, message: 'Your card was declined.' },
        parent: {
          type: 'subscription_details' as const,
          quote_details: null,
          subscription_details: { metadata: { tenant_id: 'acme' }, subscription: 'sub_1' },
        },
      };
      expect(providerEventOf(event('invoice.payment_failed', failing), settings)).toMatchObject({
        kind: 'invoice_payment_failed',
        eventId: 'evt_1',
        createdAt: '2026-05-28T20:26:40.000Z',
        customerId: invoice.customer,
        tenantId: 'acme',
        attempt: 2,
        nextAttemptAt: '2026-05-29T20:26:40.000Z',
        reason: 'Your card was declined.',
        invoice: { invoiceId: 'in_123' },
      });
      const paid = providerEventOf(event('invoice.paid', { ...invoice, parent: null }), settings);
      expect(paid).toMatchObject({ kind: 'invoice_paid', paidAt: '2026-05-28T20:26:40.000Z' });
      expect(paid).not.toHaveProperty('tenantId');
      const subscription = await client.subscriptions.retrieve('sub_123');
      expect(providerEventOf(event('customer.subscription.updated', subscription), settings)).toEqual({
        kind: 'ignored',
        eventId: 'evt_1',
        type: 'customer.subscription.updated',
      });
    });

    it('reads signed invoice events that change an invoice otherwise: finalized, voided, uncollectible', async () => {
      const invoice = await client.invoices.retrieve('in_123');
      const payments = createStripePayments(settings);
      const parent = {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { metadata: { tenant_id: 'acme' }, subscription: 'sub_1' },
      };
      for (const [type, status] of [
        ['invoice.finalized', 'open'],
        ['invoice.voided', 'void'],
        ['invoice.marked_uncollectible', 'uncollectible'],
      ] as const) {
        const payload = JSON.stringify({
          id: `evt_${status}`,
          object: 'event',
          created: 1_780_000_000,
          type,
          data: { object: { ...invoice, status, parent } },
        });
        const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret });
        expect(payments.parseWebhook(payload, header)).toEqual({
          kind: 'invoice',
          eventId: `evt_${status}`,
          createdAt: '2026-05-28T20:26:40.000Z',
          customerId: invoice.customer,
          tenantId: 'acme',
          invoice: invoiceSnapshotOf({ ...invoice, status }, settings),
        });
        expect(invoiceSnapshotOf({ ...invoice, status }, settings).status).toBe(status);
      }
      const payload = JSON.stringify({
        id: 'evt_nobody',
        object: 'event',
        created: 1_780_000_000,
        type: 'invoice.voided',
        data: { object: { ...invoice, status: 'void', customer: null } },
      });
      const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret });
      expect(payments.parseWebhook(payload, header)).toEqual({
        kind: 'ignored',
        eventId: 'evt_nobody',
        type: 'invoice.voided',
      });
    });
  });

  describe('what the adapter asks Stripe, and what its errors mean', () => {
    /** Answers every request with one answer, the way Stripe's API does, and keeps what it was asked. */
    let answer: { status: number; body: object } = { status: 503, body: {} };
    const asked: { method: string; path: string; form: URLSearchParams; idempotencyKey?: string }[] = [];
    const failWith = (status: number, type: string, message: string) => {
      answer = { status, body: { error: { type, message } } };
    };
    let url: string;
    const server = createHttpServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const idempotencyKey = request.headers['idempotency-key'];
        asked.push({
          method: request.method ?? '',
          path: request.url ?? '',
          form: new URLSearchParams(body),
          ...(typeof idempotencyKey === 'string' && { idempotencyKey }),
        });
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer.body));
      });
    });
    beforeAll(async () => {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      url = `http://127.0.0.1:${address.port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const item = {
      identifier: 'u42',
      resource: 'call_seconds' as const,
      quantity: 60,
      occurredAt: '2026-03-10T12:00:30.000Z',
    };
    /** stripe-mock's subscription with one item per price, the first licensed and the rest metered. */
    const onPrices = async (...prices: string[]): Promise<Stripe.Subscription> => {
      const subscription = await client.subscriptions.retrieve('sub_123');
      const [item] = subscription.items.data;
      if (item === undefined) throw new Error('the fixture has no item');
      const data = prices.map((id, i) => ({
        ...item,
        id: `si_${i}`,
        price: {
          ...item.price,
          id,
          recurring: item.price.recurring && {
            ...item.price.recurring,
            usage_type: i === 0 ? ('licensed' as const) : ('metered' as const),
          },
        },
      }));
      return { ...subscription, metadata: {}, items: { ...subscription.items, data } };
    };
    const customer = () =>
      createStripePayments(settingsFor(url)).createCustomer(
        { tenantId: 'acme', email: 'billing@acme.example', companyName: 'Acme' },
        { idempotencyKey: 'k1' },
      );

    it("subscribes with the tier's fee and metered prices, and moves both to another tier's on a change", async () => {
      answer = { status: 200, body: await client.subscriptions.retrieve('sub_123') };
      const payments = createStripePayments(settingsFor(url));
      asked.length = 0;
      const now = new Date();
      const started = await payments.startSubscription(
        { tenantId: 'acme', customerId: 'cus_1', tier: 'starter', trialDays: 14, now },
        { idempotencyKey: 'evt-start' },
      );
      expect(asked[0]).toMatchObject({
        method: 'POST',
        path: '/v1/subscriptions',
        idempotencyKey: 'evt-start',
      });
      expect(Object.fromEntries(asked[0]?.form ?? [])).toEqual({
        customer: 'cus_1',
        'items[0][price]': 'price_starter',
        'items[1][price]': 'price_starter_seconds',
        'items[2][price]': 'price_starter_tokens',
        trial_period_days: '14',
        'metadata[tenant_id]': 'acme',
        'metadata[tier]': 'starter',
      });
      // The subscription as Stripe holds it: the starter fee and the starter tier's metered prices.
      answer = {
        status: 200,
        body: await onPrices('price_starter', 'price_starter_seconds', 'price_starter_tokens'),
      };
      asked.length = 0;
      await payments.changeTier(
        { tenantId: 'acme', customerId: 'cus_1', subscription: started, tier: 'enterprise', now },
        { idempotencyKey: 'evt-change' },
      );
      expect(asked.map((a) => [a.method, a.path])).toEqual([
        ['GET', '/v1/subscriptions/sub_123'],
        ['POST', '/v1/subscriptions/sub_123'],
      ]);
      expect(asked[1]?.idempotencyKey).toBe('evt-change');
      expect(Object.fromEntries(asked[1]?.form ?? [])).toEqual({
        'items[0][id]': 'si_0',
        'items[0][price]': 'price_enterprise',
        'items[1][id]': 'si_1',
        'items[1][deleted]': 'true',
        'items[2][id]': 'si_2',
        'items[2][deleted]': 'true',
        'items[3][price]': 'price_enterprise_seconds',
        'items[4][price]': 'price_enterprise_tokens',
        proration_behavior: 'create_prorations',
        'metadata[tier]': 'enterprise',
      });
    });

    it('a change Stripe already made (the answer lost, the worker asking again) is not made twice', async () => {
      const payments = createStripePayments(settingsFor(url));
      const body = await onPrices('price_enterprise', 'price_enterprise_seconds', 'price_enterprise_tokens');
      answer = { status: 200, body };
      const subscription = subscriptionSnapshotOf(body, settingsFor(url));
      asked.length = 0;
      const changed = await payments.changeTier(
        { tenantId: 'acme', customerId: 'cus_1', subscription, tier: 'enterprise', now: new Date() },
        { idempotencyKey: 'evt-change' },
      );
      expect(asked.map((a) => [a.method, a.path])).toEqual([['GET', '/v1/subscriptions/sub_123']]);
      expect(changed).toEqual(subscription);
      // What is left to move is still moved: another tier's metered price and one the settings no longer name
      // go, the tier's own stays, the missing one is added.
      answer = {
        status: 200,
        body: await onPrices(
          'price_enterprise',
          'price_starter_seconds',
          'price_enterprise_tokens',
          'price_retired',
        ),
      };
      asked.length = 0;
      await payments.changeTier(
        { tenantId: 'acme', customerId: 'cus_1', subscription, tier: 'enterprise', now: new Date() },
        { idempotencyKey: 'evt-change-2' },
      );
      expect(Object.fromEntries(asked[1]?.form ?? [])).toEqual({
        'items[0][id]': 'si_0',
        'items[0][price]': 'price_enterprise',
        'items[1][id]': 'si_1',
        'items[1][deleted]': 'true',
        'items[2][id]': 'si_3',
        'items[2][deleted]': 'true',
        'items[3][price]': 'price_enterprise_seconds',
        proration_behavior: 'create_prorations',
        'metadata[tier]': 'enterprise',
      });
    });

    it("gives the customer the billing contact as its email and name, under the caller's key", async () => {
      answer = { status: 200, body: await client.customers.retrieve('cus_123') };
      asked.length = 0;
      await createStripePayments(settingsFor(url)).updateCustomer(
        { customerId: 'cus_42', email: 'finance@acme.example', companyName: 'Acme Dental Group' },
        { idempotencyKey: 'evt-contact' },
      );
      expect(asked.map((a) => [a.method, a.path, Object.fromEntries(a.form), a.idempotencyKey])).toEqual([
        [
          'POST',
          '/v1/customers/cus_42',
          { email: 'finance@acme.example', name: 'Acme Dental Group' },
          'evt-contact',
        ],
      ]);
      failWith(503, 'api_error', 'Stripe is having a moment.');
      await expect(
        createStripePayments(settingsFor(url)).updateCustomer(
          { customerId: 'cus_42', email: 'finance@acme.example', companyName: 'Acme' },
          { idempotencyKey: 'evt-contact' },
        ),
      ).rejects.toThrow(/Stripe could not update the customer now/);
    });

    it('reports usage as meter events of the configured meters', async () => {
      answer = { status: 200, body: { object: 'billing.meter_event' } };
      asked.length = 0;
      await createStripePayments(settingsFor(url)).sendMeterEvents([
        { customerId: 'cus_1', item },
        { customerId: 'cus_2', item: { ...item, identifier: 'u43', resource: 'llm_tokens', quantity: 1234 } },
      ]);
      expect(asked.map((a) => [a.path, Object.fromEntries(a.form)])).toEqual([
        [
          '/v1/billing/meter_events',
          {
            event_name: 'ccp_call_seconds',
            'payload[stripe_customer_id]': 'cus_1',
            'payload[value]': '60',
            identifier: 'u42',
            timestamp: '1773144030',
          },
        ],
        [
          '/v1/billing/meter_events',
          {
            event_name: 'ccp_llm_tokens',
            'payload[stripe_customer_id]': 'cus_2',
            'payload[value]': '1234',
            identifier: 'u43',
            timestamp: '1773144030',
          },
        ],
      ]);
    });

    it('a 5xx or a 429 is PaymentsUnavailableError; a refusal passes through with its message', async () => {
      failWith(503, 'api_error', 'Stripe is having a moment.');
      await expect(customer()).rejects.toThrow(PaymentsUnavailableError);
      failWith(429, 'invalid_request_error', 'Too many requests.');
      await expect(customer()).rejects.toThrow(/Stripe could not create the customer now: Too many requests/);
      failWith(400, 'invalid_request_error', 'Invalid email address: x');
      const refused = await customer().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(refused).not.toBeInstanceOf(PaymentsUnavailableError);
      expect((refused as Error).message).toBe('Invalid email address: x');
    });

    it('a tier without a price is refused before Stripe is asked', async () => {
      asked.length = 0;
      const payments = createStripePayments(settingsFor(url, { prices: {} }));
      await expect(
        payments.startSubscription(
          { tenantId: 'acme', customerId: 'cus_1', tier: 'starter', trialDays: 0, now: new Date() },
          { idempotencyKey: 'k1' },
        ),
      ).rejects.toThrow(/starter tier has no Stripe price/);
      expect(asked).toEqual([]);
    });

    it('meter events: a 4xx is rejected for good, a known identifier was sent, 5xx and a refused key are retried', async () => {
      const payments = createStripePayments(settingsFor(url));
      failWith(400, 'invalid_request_error', 'Timestamp is older than 35 days.');
      expect(await payments.sendMeterEvents([{ customerId: 'cus_1', item }])).toEqual({
        sent: 0,
        rejected: [{ identifier: 'u42', reason: 'Timestamp is older than 35 days.' }],
      });
      failWith(400, 'invalid_request_error', 'An event already exists with identifier u42.');
      expect(await payments.sendMeterEvents([{ customerId: 'cus_1', item }])).toEqual({
        sent: 1,
        rejected: [],
      });
      for (const [status, type] of [
        [500, 'api_error'],
        [401, 'invalid_request_error'],
      ] as const) {
        failWith(status, type, 'no');
        await expect(payments.sendMeterEvents([{ customerId: 'cus_1', item }])).rejects.toThrow(
          PaymentsUnavailableError,
        );
      }
    });
  });
});
