import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingPeriodOf, decodeEvent, ledgerInvoiceId, periodBounds } from '@ccp/schemas';
import { DEMO_TENANT, seedDemo, seedDemoBilling } from '@ccp/infra';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * The demo clinic's billing (seeded at `npm start` on the ledger): an account with a card on file, the
 * professional subscription asked for, and last month's invoice recorded and paid, all accepted by the real
 * deciders; a second start appends nothing.
 */
let test: TestPlatform;
beforeAll(async () => {
  test = await startTestPlatform();
  await seedDemo(test.platform, 'demo-password-1');
}, 60_000);
afterAll(async () => {
  await test?.stop();
});

const accountEvents = async () =>
  (await test.platform.store.readStream(`billing-${DEMO_TENANT}.account`)).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value] : [];
  });

describe('demo billing', () => {
  it('opens the account, puts a card on file, asks for the professional plan and records last month paid', async () => {
    const now = new Date();
    await seedDemoBilling(test.platform, now);
    const events = await accountEvents();
    expect(events.map((e) => e.type)).toEqual([
      'BillingAccountOpened',
      'LedgerPaymentMethodUpdated',
      'SubscriptionRequested',
      'InvoiceRecorded',
      'PaymentReceived',
    ]);
    const lastMonth = billingPeriodOf(new Date(periodBounds(billingPeriodOf(now)).start.getTime() - 1));
    const invoice = events.find((e) => e.type === 'InvoiceRecorded')?.data as {
      invoice: { invoiceId: string; totalCents: number; lines: { kind: string }[] };
    };
    expect(invoice.invoice.invoiceId).toBe(ledgerInvoiceId(DEMO_TENANT, lastMonth));
    expect(invoice.invoice.totalCents).toBe(39_900);
    expect(invoice.invoice.lines.map((l) => l.kind)).toEqual(['subscription']);
  });

  it('changes nothing when the platform starts again, a month later too (that month the ledger invoices)', async () => {
    const before = (await accountEvents()).length;
    await seedDemoBilling(test.platform);
    await seedDemoBilling(test.platform, new Date(Date.now() + 32 * 86_400_000));
    expect((await accountEvents()).length).toBe(before);
  });
});
