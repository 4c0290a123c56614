import Stripe from 'stripe';
import type { PlanTier } from '@ccp/schemas';
import type { StripeSettings } from '../platform/settings.js';
import {
  PaymentsUnavailableError,
  WebhookSignatureError,
  type MeterEventInput,
  type MeterResult,
  type PaymentsPort,
} from './port.js';
import { feeItemOf, isMeteredItem, providerEventOf, subscriptionSnapshotOf } from './stripe-mapping.js';

/**
 * The Stripe adapter, through the official library. The library never retries (its callers do: the billing
 * worker and the meter relay keep the work and try again with backoff), so a provider that is down answers
 * PaymentsUnavailableError at once. Against real Stripe this is unverified here; the tests run it against
 * stripe-mock.
 */

export interface StripePaymentsOptions {
  /** Per request; an answer slower than this counts as Stripe being unavailable. Default 20 s. */
  readonly timeoutMs?: number;
  /** Meter events in flight at once. Default 8. */
  readonly meterConcurrency?: number;
}

/** Stripe's tolerance for a webhook's timestamp, in seconds: older ones are replays. */
const WEBHOOK_TOLERANCE_SECONDS = 300;

const statusOf = (error: unknown): number | undefined =>
  error instanceof Stripe.errors.StripeError ? error.statusCode : undefined;

/** Network failures, timeouts, Stripe's own 5xx, rate limits and a concurrent request with the same key. */
const isRetryable = (error: unknown): boolean => {
  if (error instanceof Stripe.errors.StripeConnectionError) return true;
  if (error instanceof Stripe.errors.StripeAPIError) return true;
  if (error instanceof Stripe.errors.StripeRateLimitError) return true;
  if (error instanceof Stripe.errors.StripeError && error.code === 'idempotency_key_in_use') return true;
  const status = statusOf(error);
  return status !== undefined && (status >= 500 || status === 429);
};

const unavailable = (what: string, error: unknown): PaymentsUnavailableError =>
  new PaymentsUnavailableError(
    `Stripe could not ${what} now: ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  );

/** A meter event whose identifier Stripe already holds was delivered before: the repeat is harmless. */
const isDuplicateMeterEvent = (error: unknown): boolean =>
  error instanceof Stripe.errors.StripeError &&
  (error.code === 'duplicate_meter_event' || /already exists with identifier/i.test(error.message));

const clientOf = (settings: StripeSettings, options: StripePaymentsOptions): Stripe => {
  const api = settings.apiUrl === undefined ? undefined : new URL(settings.apiUrl);
  const protocol = api?.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(settings.secretKey, {
    ...(api && {
      host: api.hostname,
      port: api.port || (protocol === 'http' ? 80 : 443),
      protocol,
    }),
    maxNetworkRetries: 0,
    timeout: options.timeoutMs ?? 20_000,
    telemetry: false,
  });
};

export const createStripePayments = (
  settings: StripeSettings,
  options: StripePaymentsOptions = {},
): PaymentsPort => {
  const stripe = clientOf(settings, options);
  const concurrency = Math.max(1, options.meterConcurrency ?? 8);

  const call = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw isRetryable(error) ? unavailable(what, error) : error;
    }
  };

  const priceOf = (tier: keyof StripeSettings['prices']): string => {
    const price = settings.prices[tier];
    if (price === undefined) {
      throw new Error(`the ${tier} tier has no Stripe price (STRIPE_PRICES), so it cannot be subscribed to`);
    }
    return price;
  };

  /** The tier's metered prices; none configured, Stripe bills that tier no usage. */
  const meteredPricesOf = (tier: PlanTier): string[] => {
    const prices = settings.meteredPrices[tier];
    return [prices?.call_seconds, prices?.llm_tokens].filter((price) => price !== undefined);
  };

  /** One meter event: true when Stripe holds it, a reason when it refused it for good. */
  const sendOne = async ({ customerId, item }: MeterEventInput): Promise<true | { reason: string }> => {
    try {
      // No idempotency key: the identifier already makes a repeat harmless, and a key would replay a saved
      // failure of the first attempt for a day.
      await stripe.billing.meterEvents.create({
        event_name: settings.meterEvents[item.resource],
        payload: { stripe_customer_id: customerId, value: String(item.quantity) },
        identifier: item.identifier,
        timestamp: Math.floor(Date.parse(item.occurredAt) / 1000),
      });
      return true;
    } catch (error) {
      if (isDuplicateMeterEvent(error)) return true;
      // A key Stripe refuses says nothing about the usage: keep it until the key is fixed rather than drop it.
      if (
        isRetryable(error) ||
        error instanceof Stripe.errors.StripeAuthenticationError ||
        error instanceof Stripe.errors.StripePermissionError
      ) {
        throw unavailable('take meter events', error);
      }
      if (error instanceof Stripe.errors.StripeError) return { reason: error.message };
      throw error;
    }
  };

  return {
    provider: 'stripe',

    createCustomer: ({ tenantId, email, companyName }, { idempotencyKey }) =>
      call('create the customer', async () => {
        const customer = await stripe.customers.create(
          { email, name: companyName, metadata: { tenant_id: tenantId } },
          { idempotencyKey },
        );
        return { customerId: customer.id };
      }),

    updateCustomer: ({ customerId, email, companyName }, { idempotencyKey }) =>
      call('update the customer', async () => {
        await stripe.customers.update(customerId, { email, name: companyName }, { idempotencyKey });
      }),

    startSubscription: async ({ tenantId, customerId, tier, trialDays }, { idempotencyKey }) => {
      const items = [priceOf(tier), ...meteredPricesOf(tier)].map((price) => ({ price }));
      return call('start the subscription', async () => {
        const subscription = await stripe.subscriptions.create(
          {
            customer: customerId,
            items,
            ...(trialDays > 0 && { trial_period_days: trialDays }),
            metadata: { tenant_id: tenantId, tier },
          },
          { idempotencyKey },
        );
        return subscriptionSnapshotOf(subscription, settings, tier);
      });
    },

    changeTier: async ({ subscription, tier }, { idempotencyKey }) => {
      const price = priceOf(tier);
      return call('change the subscription tier', async () => {
        const current = await stripe.subscriptions.retrieve(subscription.subscriptionId);
        const fee = feeItemOf(current, settings);
        if (fee === undefined) {
          throw new Error(`Stripe subscription ${current.id} has no fee item to move to the ${tier} tier`);
        }
        const wanted = meteredPricesOf(tier);
        const metered = current.items.data.filter(
          (item) => item.id !== fee.id && isMeteredItem(settings, item),
        );
        const stale = metered.filter((item) => !wanted.includes(item.price.id));
        const missing = wanted.filter(
          (wantedPrice) => !metered.some((item) => item.price.id === wantedPrice),
        );
        // Already on the tier: a change Stripe made whose answer was lost. Asking again with other items under
        // the same idempotency key would be refused, and there is nothing left to change.
        if (fee.price.id === price && stale.length === 0 && missing.length === 0) {
          return subscriptionSnapshotOf(current, settings, tier);
        }
        const updated = await stripe.subscriptions.update(
          current.id,
          {
            // The usage beyond what a tier includes is priced by the tier's own metered prices, so they move
            // with the fee.
            items: [
              { id: fee.id, price },
              ...stale.map((item) => ({ id: item.id, deleted: true })),
              ...missing.map((meteredPrice) => ({ price: meteredPrice })),
            ],
            proration_behavior: 'create_prorations',
            metadata: { tier },
          },
          { idempotencyKey },
        );
        return subscriptionSnapshotOf(updated, settings, tier);
      });
    },

    cancelAtPeriodEnd: ({ subscription }, { idempotencyKey }) =>
      call('cancel the subscription', async () => {
        const updated = await stripe.subscriptions.update(
          subscription.subscriptionId,
          { cancel_at_period_end: true },
          { idempotencyKey },
        );
        return subscriptionSnapshotOf(updated, settings, subscription.tier);
      }),

    sendMeterEvents: async (events): Promise<MeterResult> => {
      let sent = 0;
      const rejected: { identifier: string; reason: string }[] = [];
      let failure: unknown;
      let next = 0;
      // A bounded pool: once Stripe is found unavailable nothing more is started, and the batch is sent again.
      const worker = async (): Promise<void> => {
        while (failure === undefined && next < events.length) {
          const event = events[next];
          next += 1;
          if (event === undefined) continue;
          try {
            const outcome = await sendOne(event);
            if (outcome === true) sent += 1;
            else rejected.push({ identifier: event.item.identifier, reason: outcome.reason });
          } catch (error) {
            failure ??= error;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, events.length) }, worker));
      if (failure !== undefined) throw failure;
      return { sent, rejected };
    },

    portalSession: ({ customerId, returnUrl }) =>
      call('open a customer portal session', async () => {
        const session = await stripe.billingPortal.sessions.create({
          customer: customerId,
          return_url: returnUrl,
        });
        return { url: session.url };
      }),

    parseWebhook: (rawBody, signatureHeader) => {
      if (signatureHeader === undefined || signatureHeader === '') {
        throw new WebhookSignatureError('no Stripe-Signature header');
      }
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(
          rawBody,
          signatureHeader,
          settings.webhookSecret,
          WEBHOOK_TOLERANCE_SECONDS,
        );
      } catch (error) {
        throw new WebhookSignatureError(
          `the Stripe webhook's signature does not hold: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return providerEventOf(event, settings);
    },
  };
};
