import {
  billingPeriodOf,
  ledgerInvoiceOf,
  OpenBillingAccount,
  periodBounds,
  RecordInvoice,
  RecordPayment,
  StartSubscription,
  SYSTEM_ACTOR,
  UpdateLedgerPaymentMethod,
  type CommandDefinition,
} from '@ccp/schemas';
import { CommandRejected, type PlatformContext } from '@ccp/command-service';
import type { z } from 'zod';
import { DEMO_TENANT } from './demo-seed.js';

/**
 * The demo clinic's billing on the embedded ledger: an account, a card on file, the professional subscription
 * it already has as its tier, and last month's invoice, paid, so that the billing pages, the invoice PDF and the
 * super admin's figures have something to show from the first start. Every step is refused harmlessly on a
 * later start (the account exists, the subscription exists, the invoice is recorded), so a restart changes
 * nothing.
 */
export const DEMO_BILLING_PATH = '/billing';
export const DEMO_BILLING_EMAIL = 'billing@demo.example';

const alreadyDone = (error: unknown): boolean =>
  error instanceof CommandRejected && (error.status === 409 || error.status === 422);

export const seedDemoBilling = async (context: PlatformContext, now = new Date()): Promise<void> => {
  const tenantId = DEMO_TENANT;
  const send = async <D extends CommandDefinition>(
    definition: D,
    input: z.input<D['data']>,
  ): Promise<void> => {
    try {
      await context.handler.handleTrusted(definition.type, input, {
        actor: SYSTEM_ACTOR,
        correlationId: 'demo-seed',
      });
    } catch (error) {
      if (!alreadyDone(error)) throw error;
    }
  };
  await send(OpenBillingAccount, {
    tenantId,
    billingEmail: DEMO_BILLING_EMAIL,
    companyName: 'Bright Smile Dental',
  });
  await send(UpdateLedgerPaymentMethod, {
    tenantId,
    card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: now.getUTCFullYear() + 3 },
  });
  await send(StartSubscription, { tenantId, tier: 'professional', trialDays: 0 });

  const thisMonth = periodBounds(billingPeriodOf(now));
  const lastMonth = billingPeriodOf(new Date(thisMonth.start.getTime() - 1));
  const { start, end } = periodBounds(lastMonth);
  const invoice = ledgerInvoiceOf({
    tenantId,
    period: lastMonth,
    segments: [{ tier: 'professional', from: start.toISOString(), to: end.toISOString(), trial: false }],
    usageTier: 'professional',
    callSeconds: 0,
    llmTokens: 0,
    issuedAt: end.toISOString(),
  });
  const source = { kind: 'ledger', at: end.toISOString() } as const;
  await send(RecordInvoice, { tenantId, invoice, source });
  await send(RecordPayment, {
    tenantId,
    invoiceId: invoice.invoiceId,
    amountPaidCents: invoice.totalCents,
    paidAt: end.toISOString(),
  });
};
