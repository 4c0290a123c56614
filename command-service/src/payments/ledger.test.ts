import { describe, expect, it } from 'vitest';
import { paymentsContract } from './contract.js';
import { createLedgerPayments } from './ledger.js';
import { WebhookSignatureError } from './port.js';

paymentsContract(
  'the embedded ledger',
  () =>
    Promise.resolve({
      payments: createLedgerPayments(),
      webhookSecret: 'whsec_ledger_has_none',
      close: () => Promise.resolve(),
    }),
  { answersReflectRequests: true, webhooks: false },
);

describe('the ledger: what it answers beyond the contract', () => {
  const ledger = createLedgerPayments();
  const idempotencyKey = 'evt-1';

  it('names the customer and the subscription after the tenant, the same every time', async () => {
    const input = { tenantId: 'acme', email: 'billing@acme.example', companyName: 'Acme' };
    expect(await ledger.createCustomer(input, { idempotencyKey })).toEqual({ customerId: 'cus_ledger_acme' });
    expect(await ledger.createCustomer(input, { idempotencyKey: 'evt-2' })).toEqual({
      customerId: 'cus_ledger_acme',
    });
  });

  it('runs a subscription to the end of the UTC month, with the trial counted from now', async () => {
    const now = new Date('2026-02-28T23:30:00.000Z');
    const input = { tenantId: 'acme', customerId: 'cus_ledger_acme', tier: 'starter' as const, now };
    expect(await ledger.startSubscription({ ...input, trialDays: 7 }, { idempotencyKey })).toEqual({
      subscriptionId: 'sub_ledger_acme',
      tier: 'starter',
      status: 'trialing',
      currentPeriodStart: '2026-02-28T23:30:00.000Z',
      currentPeriodEnd: '2026-03-01T00:00:00.000Z',
      cancelAtPeriodEnd: false,
      trialEndsAt: '2026-03-07T23:30:00.000Z',
    });
    const december = new Date('2026-12-31T23:59:59.999Z');
    expect(
      await ledger.startSubscription({ ...input, trialDays: 0, now: december }, { idempotencyKey }),
    ).toEqual({
      subscriptionId: 'sub_ledger_acme',
      tier: 'starter',
      status: 'active',
      currentPeriodStart: '2026-12-31T23:59:59.999Z',
      currentPeriodEnd: '2027-01-01T00:00:00.000Z',
      cancelAtPeriodEnd: false,
    });
  });

  it('changes the tier and cancels within the current period, keeping the rest as it was', async () => {
    const subscription = await ledger.startSubscription(
      {
        tenantId: 'acme',
        customerId: 'cus_ledger_acme',
        tier: 'starter',
        trialDays: 3,
        now: new Date('2026-05-02T00:00:00Z'),
      },
      { idempotencyKey },
    );
    const ref = {
      tenantId: 'acme',
      customerId: 'cus_ledger_acme',
      subscription,
      now: new Date('2026-05-20T00:00:00Z'),
    };
    expect(await ledger.changeTier({ ...ref, tier: 'enterprise' }, { idempotencyKey })).toEqual({
      ...subscription,
      tier: 'enterprise',
    });
    expect(await ledger.cancelAtPeriodEnd(ref, { idempotencyKey })).toEqual({
      ...subscription,
      cancelAtPeriodEnd: true,
    });
  });

  it("sends the tenant admin to the console's own card form, on the console's origin", async () => {
    const { url } = await ledger.portalSession({
      customerId: 'cus_ledger_acme',
      returnUrl: 'https://console.example.com:8443/billing?tab=invoices',
    });
    expect(url).toBe('https://console.example.com:8443/billing?payment-method=1');
  });

  it('refuses every webhook', () => {
    expect(() => ledger.parseWebhook('{}', 't=1,v1=abc')).toThrow(WebhookSignatureError);
  });
});
