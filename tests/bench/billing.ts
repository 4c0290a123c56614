/**
 * Benchmark of billing, printed as figures (never asserted):
 *   - meter events sent to Stripe's official mock (stripe-mock, installed and started by infra/stripe) through the
 *     Stripe adapter, in the meter relay's batches of 100, at the adapter's default concurrency and at 16;
 *   - ledger invoices for 1,000 tenants: the pricing alone (ledgerInvoiceOf), then IssueLedgerInvoice through the
 *     command handler on the embedded SQLite store (each account with a card, a subscription and a tier change in
 *     the month, so every invoice prorates two stretches and prices usage), one at a time and eight at a time.
 * Run with `npm run bench`, or alone: `npx tsx tests/bench/billing.ts [meterEvents] [tenants]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStripePayments, type MeterEventInput } from '@ccp/command-service';
import { startStripeMock } from '@ccp/infra';
import {
  billingPeriodOf,
  ledgerInvoiceOf,
  meterIdentifierOf,
  periodBounds,
  SYSTEM_ACTOR,
  type PlanTier,
} from '@ccp/schemas';
import { startTestPlatform } from '../support/platform.js';

const METER_EVENTS = Number(process.argv[2] ?? 3000);
const TENANTS = Number(process.argv[3] ?? 1000);
const BATCH = 100;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

const meterToStripeMock = async (): Promise<void> => {
  const mock = await startStripeMock();
  try {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const events: MeterEventInput[] = Array.from({ length: METER_EVENTS }, (_, i) => ({
      customerId: `cus_bench${i % 50}`,
      item: {
        identifier: meterIdentifierOf(1_000_000 + i),
        resource: i % 3 === 0 ? 'call_seconds' : 'llm_tokens',
        quantity: 1 + (i % 600),
        occurredAt: new Date(now - (i % 3600) * 1000).toISOString(),
      },
    }));
    const settings = {
      secretKey: 'sk_test_bench',
      webhookSecret: 'whsec_bench',
      apiUrl: mock.url,
      prices: {
        starter: 'price_starter',
        professional: 'price_professional',
        enterprise: 'price_enterprise',
      },
      // Meter events name the meter, not a price; the tiers' metered prices are here as the settings hold them.
      meteredPrices: {
        starter: { call_seconds: 'price_starter_seconds', llm_tokens: 'price_starter_tokens' },
        professional: { call_seconds: 'price_professional_seconds', llm_tokens: 'price_professional_tokens' },
        enterprise: { call_seconds: 'price_enterprise_seconds', llm_tokens: 'price_enterprise_tokens' },
      },
      meterEvents: { call_seconds: 'ccp_call_seconds', llm_tokens: 'ccp_llm_tokens' },
    };
    let baseline = 0;
    for (const concurrency of [8, 16]) {
      const payments = createStripePayments(settings, { meterConcurrency: concurrency });
      await payments.sendMeterEvents(events.slice(0, BATCH)); // warm-up: connections, TLS-free keep-alive
      const started = performance.now();
      let sent = 0;
      for (let i = 0; i < events.length; i += BATCH) {
        sent += (await payments.sendMeterEvents(events.slice(i, i + BATCH))).sent;
      }
      const perSecond = (sent / (performance.now() - started)) * 1000;
      baseline ||= perSecond;
      console.log(
        `meter events to stripe-mock (batches of ${BATCH}, concurrency ${concurrency}): ${fmt(sent)} in ` +
          `${fmt(performance.now() - started)} ms: ${fmt(perSecond)} events/s (${fmt(perSecond / baseline, 2)}× concurrency 8)`,
      );
    }
  } finally {
    await mock.stop();
  }
};

const TIERS: readonly PlanTier[] = ['starter', 'professional', 'enterprise'];

const ledgerInvoices = async (): Promise<void> => {
  // The month that just ended: its meter may be closed and invoiced now.
  const now = new Date();
  const thisMonth = periodBounds(billingPeriodOf(now));
  const period = billingPeriodOf(new Date(thisMonth.start.getTime() - 1));
  const { start, end } = periodBounds(period);
  const middle = new Date((start.getTime() + end.getTime()) / 2).toISOString();

  const pricing = (): number => {
    const began = performance.now();
    for (let i = 0; i < TENANTS; i += 1) {
      ledgerInvoiceOf({
        tenantId: `bench-${i}`,
        period,
        segments: [
          { tier: 'starter', from: start.toISOString(), to: middle, trial: false },
          { tier: 'professional', from: middle, to: end.toISOString(), trial: false },
        ],
        usageTier: 'professional',
        callSeconds: 600_000 + i * 60,
        llmTokens: 31_000_000 + i * 1000,
        issuedAt: now.toISOString(),
      });
    }
    return performance.now() - began;
  };
  pricing();
  const pricingMs = pricing();
  console.log(
    `ledger pricing: ${fmt(TENANTS)} invoices in ${fmt(pricingMs, 1)} ms: ${fmt((TENANTS / pricingMs) * 1000)} invoices/s`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'ccp-bench-billing-'));
  const t = await startTestPlatform(dir);
  try {
    const { handler } = t.platform;
    const send = (type: string, data: Record<string, unknown>) =>
      handler.handleTrusted(type, data, { actor: SYSTEM_ACTOR, correlationId: 'bench' });
    const seedStarted = performance.now();
    for (const [label, offset] of [
      ['one at a time', 0],
      ['8 at a time', TENANTS],
    ] as const) {
      const tenants = Array.from({ length: TENANTS }, (_, i) => `bench-${offset + i}`);
      for (const [i, tenantId] of tenants.entries()) {
        const tier = TIERS[i % TIERS.length] ?? 'starter';
        const next = TIERS[(i + 1) % TIERS.length] ?? 'professional';
        await send('CreateTenant', { tenantId, name: `Bench ${i}`, planTier: tier });
        await send('OpenBillingAccount', {
          tenantId,
          billingEmail: `billing${i}@bench.example`,
          companyName: `Bench ${i}`,
        });
        await send('LinkBillingCustomer', {
          tenantId,
          provider: 'ledger',
          customerId: `cus_ledger_${tenantId}`,
        });
        await send('UpdateLedgerPaymentMethod', {
          tenantId,
          card: { brand: 'visa', last4: i % 10 === 0 ? '0002' : '4242', expMonth: 12, expYear: 2030 },
        });
        const subscription = {
          subscriptionId: `sub_ledger_${tenantId}`,
          status: 'active',
          currentPeriodStart: start.toISOString(),
          currentPeriodEnd: end.toISOString(),
          cancelAtPeriodEnd: false,
        };
        await send('RecordSubscription', {
          tenantId,
          subscription: { ...subscription, tier },
          source: { kind: 'ledger', at: start.toISOString() },
        });
        await send('RecordSubscription', {
          tenantId,
          subscription: { ...subscription, tier: next },
          source: { kind: 'ledger', at: middle },
        });
      }
      if (offset === 0) {
        console.log(
          `ledger accounts seeded: ${fmt(TENANTS)} tenants (tenant, account, card, two subscription records) in ${fmt(performance.now() - seedStarted)} ms`,
        );
      }
      const concurrency = offset === 0 ? 1 : 8;
      const started = performance.now();
      let next = 0;
      let events = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < tenants.length) {
            const i = next;
            next += 1;
            const result = await send('IssueLedgerInvoice', {
              tenantId: tenants[i],
              period,
              callSeconds: 600_000 + i * 60,
              llmTokens: 31_000_000 + i * 1000,
              graceDays: 14,
            });
            events += result.events.length;
          }
        }),
      );
      const ms = performance.now() - started;
      console.log(
        `ledger invoices through the command handler (${label}): ${fmt(TENANTS)} tenants in ${fmt(ms)} ms: ` +
          `${fmt((TENANTS / ms) * 1000)} invoices/s (${fmt(events)} events: invoice, payment or failure and ` +
          `dunning, next month's subscription)`,
      );
    }
  } finally {
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

await meterToStripeMock();
await ledgerInvoices();
