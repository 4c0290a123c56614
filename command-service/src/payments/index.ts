import type { PaymentsSettings } from '../platform/settings.js';
import { createLedgerPayments } from './ledger.js';
import type { PaymentsPort } from './port.js';
import { createStripePayments, type StripePaymentsOptions } from './stripe.js';

/**
 * The payments port and its two adapters. `createPayments` picks the one PAYMENTS names; the billing worker,
 * the meter relay, the webhook route and the portal-session query all take the port from here.
 */
export * from './port.js';
export { createLedgerPayments, LEDGER_PAYMENT_METHOD_PATH } from './ledger.js';
export { createStripePayments, type StripePaymentsOptions } from './stripe.js';

export type PaymentsOptions = StripePaymentsOptions;

export const createPayments = (settings: PaymentsSettings, options: PaymentsOptions = {}): PaymentsPort => {
  if (settings.provider === 'ledger') return createLedgerPayments();
  if (settings.stripe === undefined) {
    throw new Error(
      'PAYMENTS=stripe needs the Stripe settings (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_PRICES)',
    );
  }
  return createStripePayments(settings.stripe, options);
};
