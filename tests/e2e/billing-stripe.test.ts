import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { DEMO_NUMBER, DEMO_TENANT, startStripeMock, type StripeMock } from '@ccp/infra';
import { expectToHear, placeInboundCall, say, scripted, silence } from '@ccp/media-gateway/simulator';
import { billableSeconds, decodeEvent, type EventEnvelope } from '@ccp/schemas';
import { nextMondayInNewYork, startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { apiClient, login } from '../support/platform.js';
import { waitFor } from '../support/campaign-dialer.js';

// Billing through Stripe, end to end on the running platform with the media gateway: Stripe's official mock
// (stripe-mock, installed and started by infra/stripe) is the peer, behind a recorder that keeps every request
// the platform made to it (the recorder forwards; it answers nothing itself). A simulated call through signed
// Twilio webhooks becomes a Billing Meter event; Stripe's webhooks, signed with the library's test-header helper,
// become invoices with their lines, and a failed payment walks through dunning to a suspension and back.
const SECRET = 'whsec_billing_e2e_0123456789';
const PRICES = {
  starter: 'price_starter',
  professional: 'price_professional',
  enterprise: 'price_enterprise',
};
// Each tier's own metered prices (graduated at Stripe: the tier's included usage free, the rest at its rate).
const METERED = {
  starter: { call_seconds: 'price_starter_seconds', llm_tokens: 'price_starter_tokens' },
  professional: { call_seconds: 'price_professional_seconds', llm_tokens: 'price_professional_tokens' },
  enterprise: { call_seconds: 'price_enterprise_seconds', llm_tokens: 'price_enterprise_tokens' },
};
const stripe = new Stripe('sk_test_51BillingE2e');

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly form: URLSearchParams;
}

/** Forwards every request to stripe-mock and keeps it. */
const startRecorder = async (
  target: string,
): Promise<{ url: string; requests: Recorded[]; server: Server; outage: { down: boolean } }> => {
  const requests: Recorded[] = [];
  const upstream = new URL(target);
  /** While down, Stripe is unavailable: every request gets a 503, as Stripe answers in an incident. */
  const outage = { down: false };
  const server = createServer((req: IncomingMessage, res) => {
    if (outage.down) {
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { type: 'api_error', message: 'Stripe is unavailable' } }));
      });
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        form: new URLSearchParams(body.toString()),
      });
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the recorder has no port');
  return { url: `http://127.0.0.1:${address.port}`, requests, server, outage };
};

let mock: StripeMock;
let recorder: Awaited<ReturnType<typeof startRecorder>>;
let gw: GatewayPlatform;
let admin: ReturnType<typeof apiClient>;

beforeAll(async () => {
  mock = await startStripeMock();
  recorder = await startRecorder(mock.url);
  const day = nextMondayInNewYork(11);
  gw = await startGatewayPlatform({
    now: () => day,
    env: {
      PAYMENTS: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_51BillingE2e',
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_API_URL: recorder.url,
      STRIPE_PRICES: JSON.stringify(PRICES),
      STRIPE_METERED_PRICES: JSON.stringify(METERED),
      BILLING_GRACE_DAYS: '0',
    },
    hooks: { billing: { pollMs: 100 } },
    readSide: true,
  });
  admin = apiClient(gw.test.url, await login(gw.test.url, 'admin@demo.example', 'demo-password-1'));
}, 240_000);
afterAll(async () => {
  await gw?.stop();
  await new Promise((resolve) => recorder?.server.close(resolve));
  await mock?.stop();
});

const accountLog = async (): Promise<EventEnvelope[]> =>
  (await gw.test.platform.store.readStream(`billing-${DEMO_TENANT}.account`)).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value] : [];
  });
const typesOf = async (): Promise<string[]> => (await accountLog()).map((e) => e.type);

interface BillingView {
  account: null | { customerId: string | null; subscription: null | { tier: string; status: string } };
}
const billing = async (): Promise<BillingView> =>
  (await admin.request<BillingView>('GET', '/api/billing')).body;

/** A Stripe invoice as stripe-mock describes one, made this test's: its customer, lines, amounts and status. */
const invoiceObject = async (options: {
  id: string;
  customer: string;
  status: 'paid' | 'open';
  lines: { price: string; quantity: number; amount: number; description: string }[];
}): Promise<Record<string, unknown>> => {
  // stripe-mock's own invoice, read over its REST API as Stripe's library would.
  const response = await fetch(`${mock.url}/v1/invoices/in_123`, {
    headers: { authorization: 'Bearer sk_test_51BillingE2e' },
  });
  const fixture = (await response.json()) as Record<string, unknown> & {
    lines: { data: Record<string, unknown>[] };
  };
  const line = fixture.lines.data[0] ?? {};
  const total = options.lines.reduce((sum, l) => sum + l.amount, 0);
  return {
    ...fixture,
    id: options.id,
    number: `E2E-${options.id}`,
    customer: options.customer,
    status: options.status,
    total,
    subtotal: total,
    amount_due: total,
    amount_paid: options.status === 'paid' ? total : 0,
    amount_remaining: options.status === 'paid' ? 0 : total,
    attempt_count: 1,
    next_payment_attempt: null,
    hosted_invoice_url: `https://invoice.stripe.com/i/${options.id}`,
    invoice_pdf: `https://pay.stripe.com/invoice/${options.id}/pdf`,
    parent: { type: 'subscription_details', subscription_details: { metadata: { tenant_id: DEMO_TENANT } } },
    lines: {
      ...fixture.lines,
      data: options.lines.map((l, i) => ({
        ...line,
        id: `il_${options.id}_${i}`,
        amount: l.amount,
        quantity: l.quantity,
        description: l.description,
        pricing: { type: 'price_details', price_details: { price: l.price, product: 'prod_ccp' } },
      })),
    },
  };
};

const deliver = async (
  event: { id: string; type: string; object: Record<string, unknown> },
  options: { secret?: string; timestamp?: number } = {},
) => {
  const payload = JSON.stringify({
    id: event.id,
    object: 'event',
    api_version: '2026-11-18.endive',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: event.type,
    data: { object: event.object },
  });
  const header = stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? SECRET,
    ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
  });
  return fetch(`${gw.test.url}/stripe/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': header },
    body: payload,
  });
};

describe('billing through Stripe', () => {
  let customerId = '';

  it('opens a Stripe customer and subscription for the account', { timeout: 60_000 }, async () => {
    expect(
      (
        await admin.command('OpenBillingAccount', {
          tenantId: DEMO_TENANT,
          billingEmail: 'billing@demo.example',
          companyName: 'Bright Smile Dental',
        })
      ).status,
    ).toBe(200);
    const linked = await waitFor(
      billing,
      (b) => Boolean(b.account?.customerId),
      30_000,
      'the customer linked',
    );
    customerId = linked.account?.customerId ?? '';
    expect(customerId).toMatch(/^cus_/);
    const created = recorder.requests.find((r) => r.method === 'POST' && r.path === '/v1/customers');
    expect(created?.form.get('email')).toBe('billing@demo.example');
    expect(created?.form.get('metadata[tenant_id]')).toBe(DEMO_TENANT);

    expect(
      (await admin.command('StartSubscription', { tenantId: DEMO_TENANT, tier: 'professional' })).status,
    ).toBe(200);
    const subscribed = await waitFor(
      billing,
      (b) => b.account?.subscription != null,
      30_000,
      'the subscription',
    );
    expect(subscribed.account?.subscription).toMatchObject({ tier: 'professional' });
    const request = recorder.requests.find((r) => r.method === 'POST' && r.path === '/v1/subscriptions');
    expect(request?.form.get('customer')).toBe(customerId);
    expect(
      [...(request?.form.entries() ?? [])]
        .filter(([k]) => /^items\[\d+\]\[price\]$/.test(k))
        .map(([, v]) => v),
    ).toEqual([PRICES.professional, METERED.professional.call_seconds, METERED.professional.llm_tokens]);
    // A start the provider has recorded cannot be asked again.
    expect(
      (await admin.command('StartSubscription', { tenantId: DEMO_TENANT, tier: 'starter' })).status,
    ).toBe(409);
  });

  it(
    'turns a simulated call into a Billing Meter event with its position as identifier',
    { timeout: 90_000 },
    async () => {
      const result = await placeInboundCall({
        baseUrl: gw.test.url,
        voicePath: '/twilio/voice',
        statusCallbackPath: '/twilio/status',
        authToken: gw.authToken,
        accountSid: gw.accountSid,
        from: '+15557654321',
        to: DEMO_NUMBER,
        caller: scripted([
          expectToHear(/Sofia/),
          say('What are your opening hours?'),
          say('Thanks, goodbye.'),
        ]),
        registry: gw.carrier.registry,
        media: { realtime: false, endSilenceMs: 600 },
      });
      expect(result.errors).toEqual([]);
      const ended = (await gw.callEvents(result.callSid)).find((e) => e.type === 'CallEnded');
      const recorded = (
        await gw.test.platform.store.readStream(`call-${DEMO_TENANT}.${result.callSid}`)
      ).find((e) => e.type === 'CallEnded');
      const seconds = (ended?.data as { durationSeconds: number }).durationSeconds;
      expect(seconds).toBeGreaterThan(0);
      const identifier = `u${recorded?.position}`;
      const meterEvent = await waitFor(
        async () =>
          recorder.requests.find(
            (r) => r.path === '/v1/billing/meter_events' && r.form.get('identifier') === identifier,
          ),
        (found) => found !== undefined,
        60_000,
        "the call's meter event at Stripe",
      );
      expect(meterEvent?.form.get('event_name')).toBe('ccp_call_seconds');
      expect(meterEvent?.form.get('payload[stripe_customer_id]')).toBe(customerId);
      expect(meterEvent?.form.get('payload[value]')).toBe(String(billableSeconds('professional', seconds)));
      expect(gw.gateway.billing()?.stats().relay.sent).toBeGreaterThan(0);
    },
  );

  it(
    'keeps usage while Stripe is down and sends it once when Stripe answers again',
    { timeout: 120_000 },
    async () => {
      const relay = () => gw.gateway.billing()?.stats().relay;
      const retriesBefore = relay()?.retries ?? 0;
      const logEnd = (await gw.test.platform.store.readAll({ maxCount: 1_000_000 })).at(-1)?.position ?? 0;
      recorder.outage.down = true;
      const result = await placeInboundCall({
        baseUrl: gw.test.url,
        voicePath: '/twilio/voice',
        statusCallbackPath: '/twilio/status',
        authToken: gw.authToken,
        accountSid: gw.accountSid,
        from: '+15557654322',
        to: DEMO_NUMBER,
        caller: scripted([
          expectToHear(/Sofia/),
          silence(2),
          say('Do you open on Saturdays?'),
          say('Thanks, goodbye.'),
        ]),
        registry: gw.carrier.registry,
        media: { realtime: false, endSilenceMs: 600 },
      });
      expect(result.errors).toEqual([]);
      // The units this call metered while Stripe was down.
      const identifiers = async () =>
        (await gw.test.platform.store.readAll({ after: logEnd, maxCount: 1_000_000 }))
          .filter((e) => e.type === 'UsageMetered')
          .flatMap((e) => {
            const decoded = decodeEvent(e);
            return decoded.ok ? (decoded.value.data as { items: { identifier: string }[] }).items : [];
          })
          .map((item) => item.identifier);
      const metered = await waitFor(identifiers, (ids) => ids.length > 0, 60_000, 'the call metered');
      await waitFor(
        async () => relay()?.retries ?? 0,
        (n) => n > retriesBefore + 1,
        60_000,
        'the relay retrying',
      );
      const sentOf = (identifier: string) =>
        recorder.requests.filter(
          (r) => r.path === '/v1/billing/meter_events' && r.form.get('identifier') === identifier,
        );
      expect(metered.flatMap(sentOf)).toEqual([]);
      recorder.outage.down = false;
      await waitFor(
        async () => metered.every((id) => sentOf(id).length > 0),
        Boolean,
        60_000,
        'the meter events after the outage',
      );
      await gw.gateway.billing()?.caughtUp();
      expect(metered.map((id) => sentOf(id).length)).toEqual(metered.map(() => 1));
    },
  );

  it(
    'records a paid invoice from its signed webhook once, with the metered line, and refuses forgeries',
    { timeout: 60_000 },
    async () => {
      const invoice = await invoiceObject({
        id: 'in_e2e_paid',
        customer: customerId,
        status: 'paid',
        lines: [
          { price: PRICES.professional, quantity: 1, amount: 39_900, description: 'Professional plan' },
          {
            price: METERED.professional.call_seconds,
            quantity: 600,
            amount: 80,
            description: 'Call seconds',
          },
        ],
      });
      const event = { id: 'evt_e2e_paid', type: 'invoice.paid', object: invoice };
      const before = (await accountLog()).length;
      expect((await deliver(event, { secret: 'whsec_someone_else' })).status).toBe(400);
      expect((await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 400 })).status).toBe(400);
      expect((await accountLog()).length).toBe(before);

      expect((await deliver(event)).status).toBe(200);
      const after = await typesOf();
      expect(after.slice(before)).toEqual(['InvoiceRecorded', 'PaymentReceived']);
      // The metered line is known by the professional tier's own metered price.
      const recorded = (await accountLog())[before];
      expect((recorded?.data as { invoice: { lines: unknown[] } }).invoice.lines).toEqual([
        expect.objectContaining({ kind: 'subscription', tier: 'professional' }),
        expect.objectContaining({ kind: 'call_minutes', quantity: 10, tier: 'professional' }),
      ]);
      expect((await deliver(event)).status).toBe(200); // Stripe delivering it again
      expect((await accountLog()).length).toBe(after.length);

      const invoices = await waitFor(
        async () =>
          (await admin.request('GET', '/api/billing/invoices')).body as { items: { invoiceId: string }[] },
        (page) => page.items.some((i) => i.invoiceId === 'in_e2e_paid'),
        30_000,
        'the invoice on the read side',
      );
      expect(invoices.items.find((i) => i.invoiceId === 'in_e2e_paid')).toMatchObject({
        status: 'paid',
        totalCents: 39_980,
      });
      const detail = (await admin.request('GET', '/api/billing/invoices/in_e2e_paid')).body as {
        lines: { kind: string; quantity: number; amountCents: number }[];
      };
      expect(detail.lines).toEqual([
        expect.objectContaining({ kind: 'subscription', amountCents: 39_900 }),
        expect.objectContaining({ kind: 'call_minutes', quantity: 10, amountCents: 80 }),
      ]);
    },
  );

  it(
    'suspends the tenant when a failed payment is not made good in the grace, and restores it when paid',
    { timeout: 90_000 },
    async () => {
      const lines = [
        { price: PRICES.professional, quantity: 1, amount: 39_900, description: 'Professional plan' },
      ];
      const failed = await invoiceObject({
        id: 'in_e2e_unpaid',
        customer: customerId,
        status: 'open',
        lines,
      });
      expect(
        (await deliver({ id: 'evt_e2e_failed', type: 'invoice.payment_failed', object: failed })).status,
      ).toBe(200);
      const tenantTypes = async () =>
        (await gw.test.platform.store.readStream(`tenant-${DEMO_TENANT}.${DEMO_TENANT}`)).map((e) => e.type);
      // A grace of 0 days: the worker's timer suspends at once.
      await waitFor(tenantTypes, (types) => types.at(-1) === 'TenantSuspended', 30_000, 'the suspension');
      expect(await typesOf()).toEqual(
        expect.arrayContaining(['PaymentFailed', 'DunningStarted', 'DunningGraceExpired']),
      );

      const paid = await invoiceObject({ id: 'in_e2e_unpaid', customer: customerId, status: 'paid', lines });
      const beforePaid = (await accountLog()).length;
      expect((await deliver({ id: 'evt_e2e_recovered', type: 'invoice.paid', object: paid })).status).toBe(
        200,
      );
      await waitFor(tenantTypes, (types) => types.at(-1) === 'TenantReactivated', 30_000, 'the reactivation');
      // The paid invoice, recorded first, already settles what was owed: dunning ends with it.
      expect((await typesOf()).slice(beforePaid)).toEqual([
        'InvoiceRecorded',
        'DunningEnded',
        'PaymentReceived',
      ]);

      // Notices to the billing address: the failure, the suspension and the recovery.
      const notices = async () =>
        (await gw.test.platform.store.readAll({ maxCount: 1_000_000 })).filter(
          (e) =>
            e.type === 'MessageScheduled' &&
            e.streamId.startsWith(`message-${DEMO_TENANT}.`) &&
            (e.data as { purpose?: string }).purpose === 'billing_notice',
        );
      const scheduled = await waitFor(notices, (found) => found.length >= 3, 30_000, 'three notices');
      expect(scheduled.every((e) => (e.data as { channel: string }).channel === 'email')).toBe(true);
    },
  );

  it(
    'records an invoice finalized, then voided, from their signed webhooks, once each',
    { timeout: 60_000 },
    async () => {
      const lines = [
        { price: PRICES.professional, quantity: 1, amount: 39_900, description: 'Professional plan' },
      ];
      const open = await invoiceObject({ id: 'in_e2e_void', customer: customerId, status: 'open', lines });
      const before = (await accountLog()).length;
      const finalized = { id: 'evt_e2e_finalized', type: 'invoice.finalized', object: open };
      expect((await deliver(finalized)).status).toBe(200);
      const voided = { id: 'evt_e2e_voided', type: 'invoice.voided', object: { ...open, status: 'void' } };
      expect((await deliver(voided)).status).toBe(200);
      expect((await deliver(voided)).status).toBe(200); // Stripe delivering it again
      const recorded = (await accountLog())
        .slice(before)
        .map((e) => [e.type, (e.data as { invoice?: { invoiceId: string; status: string } }).invoice]);
      expect(recorded).toEqual([
        ['InvoiceRecorded', expect.objectContaining({ invoiceId: 'in_e2e_void', status: 'open' })],
        ['InvoiceRecorded', expect.objectContaining({ invoiceId: 'in_e2e_void', status: 'void' })],
      ]);
    },
  );

  it(
    "moves the subscription to another tier's fee and metered prices, prorated",
    { timeout: 60_000 },
    async () => {
      expect(
        (await admin.command('ChangeSubscriptionTier', { tenantId: DEMO_TENANT, tier: 'enterprise' })).status,
      ).toBe(200);
      const update = await waitFor(
        async () =>
          recorder.requests.find(
            (r) =>
              r.method === 'POST' &&
              r.path.startsWith('/v1/subscriptions/') &&
              r.form.get('proration_behavior') === 'create_prorations',
          ),
        (found) => found !== undefined,
        30_000,
        'the tier change at Stripe',
      );
      // stripe-mock's subscription holds one licensed item and no metered one: the fee moves, the enterprise
      // tier's metered prices are added.
      const items = [...(update?.form.entries() ?? [])].filter(([k]) => k.startsWith('items['));
      expect(Object.fromEntries(items)).toEqual({
        'items[0][id]': expect.stringMatching(/^si_/),
        'items[0][price]': PRICES.enterprise,
        'items[1][price]': METERED.enterprise.call_seconds,
        'items[2][price]': METERED.enterprise.llm_tokens,
      });
      await waitFor(
        billing,
        (b) => b.account?.subscription?.tier === 'enterprise',
        30_000,
        'the enterprise subscription',
      );
    },
  );
});
