import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubscriptionSnapshot, type MeterItem, type PlanTier } from '@ccp/schemas';
import {
  PaymentsUnavailableError,
  WebhookSignatureError,
  type MeterEventInput,
  type PaymentsPort,
} from './port.js';

export interface PaymentsFixture {
  readonly payments: PaymentsPort;
  /** The secret webhooks are signed with (any string for an adapter that takes none). */
  readonly webhookSecret: string;
  /** The same adapter pointed at a provider that is down; absent when it has no provider to lose. */
  readonly unreachable?: PaymentsPort;
  /** A subscription and an invoice as the provider's API returns them, to wrap in signed webhook events. */
  providerObjects?(): Promise<{ readonly subscription: object; readonly invoice: object }>;
  close(): Promise<void>;
}

export interface PaymentsCapabilities {
  /** Answers describe what was asked (trial, period): false for stripe-mock, which answers fixtures. */
  readonly answersReflectRequests: boolean;
  /** Accepts correctly signed webhooks. */
  readonly webhooks: boolean;
}

let sequence = 0;
const key = (what: string) => `contract-${what}-${process.pid}-${Date.now()}-${(sequence += 1)}`;

const signed = (payload: string, secret: string, timestamp?: number): string =>
  Stripe.webhooks.generateTestHeaderString({
    payload,
    secret,
    ...(timestamp !== undefined && { timestamp }),
  });

const eventJson = (type: string, object: object): string =>
  JSON.stringify({
    id: `evt_${key('event').replace(/\W/g, '')}`,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  });

/** The one contract every payments adapter honours. */
export const paymentsContract = (
  adapter: string,
  setup: () => Promise<PaymentsFixture>,
  capabilities: PaymentsCapabilities,
): void => {
  describe(`payments contract: ${adapter}`, () => {
    let fixture: PaymentsFixture;
    let payments: PaymentsPort;
    beforeAll(async () => {
      fixture = await setup();
      payments = fixture.payments;
    });
    afterAll(() => fixture?.close());

    const tenantId = 'tenant-contract';
    const now = new Date('2026-03-10T12:00:00.000Z');
    const start = async (tier: PlanTier, trialDays: number) => {
      const { customerId } = await payments.createCustomer(
        { tenantId, email: 'billing@acme.example', companyName: 'Acme Dental' },
        { idempotencyKey: key('customer') },
      );
      const subscription = await payments.startSubscription(
        { tenantId, customerId, tier, trialDays, now },
        { idempotencyKey: key('start') },
      );
      return { customerId, subscription };
    };

    it('creates a customer and answers its id', async () => {
      const { customerId } = await payments.createCustomer(
        { tenantId, email: 'billing@acme.example', companyName: 'Acme Dental' },
        { idempotencyKey: key('customer') },
      );
      expect(customerId).toMatch(/^cus_\S+$/);
    });

    it('takes a changed billing contact for the customer, the same key again changing nothing', async () => {
      const { customerId } = await payments.createCustomer(
        { tenantId, email: 'billing@acme.example', companyName: 'Acme Dental' },
        { idempotencyKey: key('customer') },
      );
      const contact = { customerId, email: 'finance@acme.example', companyName: 'Acme Dental Group' };
      const idempotencyKey = key('contact');
      await expect(payments.updateCustomer(contact, { idempotencyKey })).resolves.toBeUndefined();
      await expect(payments.updateCustomer(contact, { idempotencyKey })).resolves.toBeUndefined();
    });

    it('starts a subscription on the tier asked, active or trialing', async () => {
      const { subscription } = await start('starter', 0);
      expect(SubscriptionSnapshot.parse(subscription)).toEqual(subscription);
      expect(subscription.tier).toBe('starter');
      expect(['active', 'trialing']).toContain(subscription.status);
      expect(subscription.subscriptionId).not.toBe('');
    });

    it('starts with a current period that ends after it starts, and a trial when asked', async (context) => {
      if (!capabilities.answersReflectRequests) {
        return context.skip('the provider answers fixtures, not the subscription asked for');
      }
      const { subscription } = await start('professional', 14);
      expect(Date.parse(subscription.currentPeriodEnd)).toBeGreaterThan(
        Date.parse(subscription.currentPeriodStart),
      );
      expect(subscription.status).toBe('trialing');
      expect(Date.parse(subscription.trialEndsAt ?? '')).toBe(now.getTime() + 14 * 24 * 60 * 60 * 1000);
      const { subscription: paid } = await start('professional', 0);
      expect(paid.status).toBe('active');
      expect(paid.trialEndsAt).toBeUndefined();
    });

    it('changes the tier of the same subscription', async () => {
      const { customerId, subscription } = await start('starter', 0);
      const changed = await payments.changeTier(
        { tenantId, customerId, subscription, tier: 'professional', now },
        { idempotencyKey: key('change') },
      );
      expect(changed.subscriptionId).toBe(subscription.subscriptionId);
      expect(changed.tier).toBe('professional');
    });

    it('cancels at the end of the period, keeping the tier until then', async () => {
      const { customerId, subscription } = await start('starter', 0);
      const cancelled = await payments.cancelAtPeriodEnd(
        { tenantId, customerId, subscription, now },
        { idempotencyKey: key('cancel') },
      );
      expect(cancelled.subscriptionId).toBe(subscription.subscriptionId);
      expect(cancelled.cancelAtPeriodEnd).toBe(true);
      expect(cancelled.tier).toBe('starter');
    });

    it('takes 25 meter events', async () => {
      const { customerId } = await start('starter', 0);
      const events: MeterEventInput[] = Array.from({ length: 25 }, (_, i) => {
        const item: MeterItem = {
          identifier: `u${9_000_000 + i}`,
          resource: i % 2 === 0 ? 'call_seconds' : 'llm_tokens',
          quantity: 30 + i,
          occurredAt: new Date(Date.now() - 60_000).toISOString(),
        };
        return { customerId, item };
      });
      expect(await payments.sendMeterEvents(events)).toEqual({ sent: 25, rejected: [] });
    });

    it('opens a payment method page that returns to the console', async () => {
      const { customerId } = await start('starter', 0);
      const { url } = await payments.portalSession({
        customerId,
        returnUrl: 'https://console.example.com/billing',
      });
      expect(['https:', 'http:']).toContain(new URL(url).protocol);
    });

    it('refuses a webhook with a forged signature or none', async () => {
      const body = eventJson('invoice.paid', { id: 'in_forged', object: 'invoice' });
      expect(() => payments.parseWebhook(body, signed(body, 'whsec_forged'))).toThrow(WebhookSignatureError);
      expect(() => payments.parseWebhook(body, undefined)).toThrow(WebhookSignatureError);
      const signature = signed(body, fixture.webhookSecret);
      const altered = body.replace('in_forged', 'in_altered');
      expect(() => payments.parseWebhook(altered, signature)).toThrow(WebhookSignatureError);
    });

    it('refuses a webhook signed more than 300 s ago', async () => {
      const body = eventJson('invoice.paid', { id: 'in_stale', object: 'invoice' });
      const stale = signed(body, fixture.webhookSecret, Math.floor(Date.now() / 1000) - 301);
      expect(() => payments.parseWebhook(body, stale)).toThrow(WebhookSignatureError);
      expect(() => payments.parseWebhook(Buffer.from(body), stale)).toThrow(WebhookSignatureError);
    });

    it(
      capabilities.webhooks
        ? 'reads correctly signed events: subscription, invoice paid, failed and changed otherwise, and ignores the rest'
        : 'has no webhooks: a correctly signed event is refused too',
      async () => {
        const objects = fixture.providerObjects
          ? await fixture.providerObjects()
          : { subscription: { object: 'subscription' }, invoice: { object: 'invoice' } };
        const subscription = { ...objects.subscription, metadata: { tenant_id: tenantId, tier: 'starter' } };
        const parse = (type: string, object: object) => {
          const body = eventJson(type, object);
          return payments.parseWebhook(body, signed(body, fixture.webhookSecret));
        };
        if (!capabilities.webhooks) {
          expect(() => parse('customer.subscription.updated', subscription)).toThrow(WebhookSignatureError);
          return;
        }
        const updated = parse('customer.subscription.updated', subscription);
        expect(updated).toMatchObject({ kind: 'subscription', tenantId, subscription: { tier: 'starter' } });
        const deleted = parse('customer.subscription.deleted', subscription);
        expect(deleted).toMatchObject({ kind: 'subscription', subscription: { status: 'canceled' } });
        expect(parse('invoice.paid', objects.invoice)).toMatchObject({ kind: 'invoice_paid' });
        const failed = parse('invoice.payment_failed', objects.invoice);
        expect(failed).toMatchObject({ kind: 'invoice_payment_failed' });
        expect(failed.kind === 'invoice_payment_failed' && failed.attempt).toBeGreaterThanOrEqual(1);
        for (const [type, status] of [
          ['invoice.finalized', 'open'],
          ['invoice.voided', 'void'],
          ['invoice.marked_uncollectible', 'uncollectible'],
        ] as const) {
          expect(parse(type, { ...objects.invoice, status })).toMatchObject({
            kind: 'invoice',
            invoice: { status },
          });
        }
        expect(parse('customer.created', { id: 'cus_1', object: 'customer' })).toMatchObject({
          kind: 'ignored',
          type: 'customer.created',
        });
      },
    );

    it('answers PaymentsUnavailableError at once when the provider is down', async (context) => {
      const down = fixture.unreachable;
      if (down === undefined) return context.skip('no provider to lose: the ledger is the event log');
      const started = Date.now();
      await expect(
        down.createCustomer(
          { tenantId, email: 'billing@acme.example', companyName: 'Acme Dental' },
          { idempotencyKey: key('down') },
        ),
      ).rejects.toBeInstanceOf(PaymentsUnavailableError);
      await expect(
        down.updateCustomer(
          { customerId: 'cus_down', email: 'billing@acme.example', companyName: 'Acme Dental' },
          { idempotencyKey: key('down') },
        ),
      ).rejects.toBeInstanceOf(PaymentsUnavailableError);
      const item: MeterItem = {
        identifier: 'u8000001',
        resource: 'call_seconds',
        quantity: 60,
        occurredAt: new Date().toISOString(),
      };
      await expect(down.sendMeterEvents([{ customerId: 'cus_down', item }])).rejects.toBeInstanceOf(
        PaymentsUnavailableError,
      );
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });
};
