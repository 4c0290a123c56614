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
 * it already has as its tier, and the invoice of the month before the account opened, paid, so that the
 * billing pages, the invoice PDF and the super admin's figures have something to show from the first start.
 * Seeded once, with the account: a restart changes nothing.
 */
export const DEMO_BILLING_PATH = '/billing';
export const DEMO_BILLING_EMAIL = 'billing@demo.example';

const alreadyDone = (error: unknown): boolean =>
  error instanceof CommandRejected && (error.status === 409 || error.status === 422);

export const seedDemoBilling = async (context: PlatformContext, now = new Date()): Promise<void> => {
  const tenantId = DEMO_TENANT;
  /** Whether the command was accepted now (false: a restart finds it done). */
  const send = async <D extends CommandDefinition>(
    definition: D,
    input: z.input<D['data']>,
  ): Promise<boolean> => {
    try {
      await context.handler.handleTrusted(definition.type, input, {
        actor: SYSTEM_ACTOR,
        correlationId: 'demo-seed',
      });
      return true;
    } catch (error) {
      if (!alreadyDone(error)) throw error;
      return false;
    }
  };
  const opened = await send(OpenBillingAccount, {
    tenantId,
    billingEmail: DEMO_BILLING_EMAIL,
    companyName: 'Bright Smile Dental',
  });
  // Only with the account opened now: a restart leaves what people changed since (the card, the plan) alone, and
  // the month before the account is one the ledger itself never invoices, while a later start's "last month" is
  // a month the ledger invoices for real.
  if (!opened) return;
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
