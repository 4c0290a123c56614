import { billingPeriodOf, periodBounds, type SubscriptionSnapshot } from '@ccp/schemas';
import { WebhookSignatureError, type PaymentsPort } from './port.js';

/**
 * The embedded ledger: the platform is its own payment provider, so this adapter only names things and answers
 * what a subscription looks like; it does no I/O and the same input always gives the same answer. Subscriptions
 * follow UTC calendar months. The meter is the event log's meter streams (already recorded, so meter events are
 * simply taken), invoices are issued by the billing account decider, and a tier change is prorated there, in the
 * month's invoice.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Where the console lets the tenant admin put a card on file. */
export const LEDGER_PAYMENT_METHOD_PATH = '/billing?payment-method=1';

export const createLedgerPayments = (): PaymentsPort => ({
  provider: 'ledger',

  createCustomer: ({ tenantId }) => Promise.resolve({ customerId: `cus_ledger_${tenantId}` }),

  // The ledger's invoices are the platform's own, addressed from the account: the provider has nothing to learn.
  updateCustomer: () => Promise.resolve(),

  startSubscription: ({ tenantId, tier, trialDays, now }) => {
    const snapshot: SubscriptionSnapshot = {
      subscriptionId: `sub_ledger_${tenantId}`,
      tier,
      status: trialDays > 0 ? 'trialing' : 'active',
      currentPeriodStart: now.toISOString(),
      currentPeriodEnd: periodBounds(billingPeriodOf(now)).end.toISOString(),
      cancelAtPeriodEnd: false,
      ...(trialDays > 0 && { trialEndsAt: new Date(now.getTime() + trialDays * DAY_MS).toISOString() }),
    };
    return Promise.resolve(snapshot);
  },

  changeTier: ({ subscription, tier }) => Promise.resolve({ ...subscription, tier }),

  cancelAtPeriodEnd: ({ subscription }) => Promise.resolve({ ...subscription, cancelAtPeriodEnd: true }),

  sendMeterEvents: (events) => Promise.resolve({ sent: events.length, rejected: [] }),

  portalSession: ({ returnUrl }) =>
    Promise.resolve({ url: new URL(LEDGER_PAYMENT_METHOD_PATH, new URL(returnUrl).origin).toString() }),

  parseWebhook: () => {
    throw new WebhookSignatureError('the ledger has no webhooks');
  },
});
