import type Stripe from 'stripe';
import {
  InvoiceSnapshot,
  PlanTier,
  SubscriptionSnapshot,
  type InvoiceLine,
  type InvoiceLineKind,
  type MeterResource,
  type SubscriptionStatus,
} from '@ccp/schemas';
import type { StripeSettings } from '../platform/settings.js';
import type { ProviderEvent } from './port.js';

/**
 * Stripe's objects in the platform's terms: subscriptions, invoices and webhook events. Pure functions over the
 * library's types; the results are parsed with the billing schemas, so a value Stripe sends that the platform
 * cannot record fails here, naming the object, rather than later as a refused command.
 */

export type StripeMappingSettings = Pick<StripeSettings, 'prices' | 'meteredPrices'>;

const isoOf = (seconds: number): string => new Date(seconds * 1000).toISOString();

const idOf = (value: string | { readonly id: string }): string =>
  typeof value === 'string' ? value : value.id;

const tierOfPrice = (settings: StripeMappingSettings, priceId: string | undefined): PlanTier | undefined => {
  if (priceId === undefined) return undefined;
  const found = Object.entries(settings.prices).find(([, price]) => price === priceId);
  return found === undefined ? undefined : PlanTier.parse(found[0]);
};

/** The tier and meter a metered price belongs to: each tier has its own, priced beyond what it includes. */
const meteredPriceOf = (
  settings: StripeMappingSettings,
  priceId: string,
): { readonly tier: PlanTier; readonly resource: MeterResource } | undefined => {
  for (const [tier, prices] of Object.entries(settings.meteredPrices)) {
    if (prices === undefined) continue;
    if (prices.call_seconds === priceId) return { tier: PlanTier.parse(tier), resource: 'call_seconds' };
    if (prices.llm_tokens === priceId) return { tier: PlanTier.parse(tier), resource: 'llm_tokens' };
  }
  return undefined;
};

/**
 * A usage item of the subscription: one of any tier's metered prices, or a metered price the settings no
 * longer name (the platform adds no other), so a tier change moves it too.
 */
export const isMeteredItem = (settings: StripeMappingSettings, item: Stripe.SubscriptionItem): boolean =>
  meteredPriceOf(settings, item.price.id) !== undefined || item.price.recurring?.usage_type === 'metered';

/**
 * Stripe's statuses the platform does not distinguish are folded into the nearest one that keeps the tier right
 * (tierOfSubscription): an expired incomplete subscription is over, and a paused one (a trial that ended without
 * a payment method) bills nothing and gives no service, like an unpaid one.
 */
const STATUS: Readonly<Record<Stripe.Subscription.Status, SubscriptionStatus>> = {
  trialing: 'trialing',
  active: 'active',
  past_due: 'past_due',
  unpaid: 'unpaid',
  canceled: 'canceled',
  incomplete: 'incomplete',
  incomplete_expired: 'canceled',
  paused: 'unpaid',
};

/** The subscription's fee item: the one with a tier's price, else the first licensed (not metered) one. */
export const feeItemOf = (
  subscription: Stripe.Subscription,
  settings: StripeMappingSettings,
): Stripe.SubscriptionItem | undefined => {
  const items = subscription.items.data;
  return (
    items.find((item) => tierOfPrice(settings, item.price.id) !== undefined) ??
    items.find((item) => !isMeteredItem(settings, item))
  );
};

/**
 * Webhook endpoints may be pinned to an API version older than the library's, where the billing period was the
 * subscription's own and not its items'.
 */
const legacyNumber = (object: object, key: string): number | undefined => {
  const value = (object as Readonly<Record<string, unknown>>)[key];
  return typeof value === 'number' ? value : undefined;
};

/**
 * The tier a subscription is on: its fee item's price (the configured mapping), else the tier the platform wrote
 * into its metadata, else, for the answer to the platform's own request, the tier it asked for. Undefined when
 * none tells (a subscription the platform did not make).
 */
export const subscriptionTierOf = (
  subscription: Stripe.Subscription,
  settings: StripeMappingSettings,
  askedTier?: PlanTier,
): PlanTier | undefined => {
  const byPrice = tierOfPrice(settings, feeItemOf(subscription, settings)?.price.id);
  if (byPrice) return byPrice;
  const byMetadata = PlanTier.safeParse(subscription.metadata['tier']);
  return byMetadata.success ? byMetadata.data : askedTier;
};

export const subscriptionSnapshotOf = (
  subscription: Stripe.Subscription,
  settings: StripeMappingSettings,
  askedTier?: PlanTier,
): SubscriptionSnapshot => {
  const tier = subscriptionTierOf(subscription, settings, askedTier);
  if (tier === undefined) {
    throw new Error(
      `Stripe subscription ${subscription.id}: no configured price or tier metadata names its tier`,
    );
  }
  const item = feeItemOf(subscription, settings) ?? subscription.items.data[0];
  const start = item?.current_period_start ?? legacyNumber(subscription, 'current_period_start');
  const end = item?.current_period_end ?? legacyNumber(subscription, 'current_period_end');
  if (start === undefined || end === undefined) {
    throw new Error(`Stripe subscription ${subscription.id} has no current period`);
  }
  return SubscriptionSnapshot.parse({
    subscriptionId: subscription.id,
    tier,
    status: STATUS[subscription.status] ?? 'incomplete',
    currentPeriodStart: isoOf(start),
    currentPeriodEnd: isoOf(end),
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    ...(subscription.trial_end !== null && { trialEndsAt: isoOf(subscription.trial_end) }),
  });
};

const linePriceId = (line: Stripe.InvoiceLineItem): string | undefined => {
  const price = line.pricing?.price_details?.price;
  return price === undefined ? undefined : idOf(price);
};

const LINE_KIND: Readonly<Record<MeterResource, InvoiceLineKind>> = {
  call_seconds: 'call_minutes',
  llm_tokens: 'llm_tokens',
};

/** What a line bills, by its price: a tier's fee, a tier's metered usage, or anything else (an adjustment). */
const lineKindOf = (
  settings: StripeMappingSettings,
  priceId: string | undefined,
): { readonly kind: InvoiceLineKind; readonly tier?: PlanTier } => {
  if (priceId === undefined) return { kind: 'adjustment' };
  const feeTier = tierOfPrice(settings, priceId);
  if (feeTier !== undefined) return { kind: 'subscription', tier: feeTier };
  const metered = meteredPriceOf(settings, priceId);
  if (metered !== undefined) return { kind: LINE_KIND[metered.resource], tier: metered.tier };
  return { kind: 'adjustment' };
};

const lineOf = (settings: StripeMappingSettings, line: Stripe.InvoiceLineItem): InvoiceLine => {
  const { kind, tier } = lineKindOf(settings, linePriceId(line));
  const quantity = line.quantity ?? (kind === 'call_minutes' || kind === 'llm_tokens' ? 0 : 1);
  return {
    kind,
    description: (line.description ?? '').trim().slice(0, 500) || 'Stripe invoice line',
    // The call meter counts seconds; invoice lines show minutes, as the ledger's do.
    quantity: kind === 'call_minutes' ? quantity / 60 : quantity,
    amountCents: line.amount,
    ...(tier && { tier }),
    periodStart: isoOf(line.period.start),
    periodEnd: isoOf(line.period.end),
  };
};

export const invoiceSnapshotOf = (
  invoice: Stripe.Invoice,
  settings: StripeMappingSettings,
): InvoiceSnapshot => {
  if (invoice.currency !== 'usd') {
    throw new Error(`Stripe invoice ${invoice.id} is in ${invoice.currency}; the platform bills in usd only`);
  }
  return InvoiceSnapshot.parse({
    invoiceId: invoice.id,
    number: invoice.number ?? invoice.id,
    status: invoice.status ?? 'draft',
    currency: 'usd',
    periodStart: isoOf(invoice.period_start),
    periodEnd: isoOf(invoice.period_end),
    issuedAt: isoOf(invoice.status_transitions.finalized_at ?? invoice.created),
    lines: invoice.lines.data.map((line) => lineOf(settings, line)),
    totalCents: invoice.total,
    amountDueCents: invoice.amount_due,
    amountPaidCents: invoice.amount_paid,
    ...(invoice.hosted_invoice_url && { hostedUrl: invoice.hosted_invoice_url }),
    ...(invoice.invoice_pdf && { pdfUrl: invoice.invoice_pdf }),
  });
};

/** The tenant, where Stripe carries the metadata the platform wrote on the subscription. */
const invoiceTenantOf = (invoice: Stripe.Invoice): string | undefined =>
  invoice.parent?.subscription_details?.metadata?.['tenant_id'] ?? undefined;

/** Why the last payment failed, when the invoice says: the finalization error, or the payment's own. */
const failureReasonOf = (invoice: Stripe.Invoice): string | undefined => {
  const payment = invoice.payments?.data.find((p) => typeof p.payment.payment_intent === 'object');
  const intent = payment?.payment.payment_intent;
  const fromPayment = typeof intent === 'object' ? intent.last_payment_error?.message : undefined;
  const reason = (invoice.last_finalization_error?.message ?? fromPayment)?.trim().slice(0, 500);
  return reason ? reason : undefined;
};

/**
 * A verified webhook event in the platform's terms. A subscription that no price or metadata ties to a tier
 * was not made by the platform, and events the platform does not act on are `ignored` (answered 200, so Stripe
 * stops sending them).
 */
export const providerEventOf = (event: Stripe.Event, settings: StripeMappingSettings): ProviderEvent => {
  const base = { eventId: event.id, createdAt: isoOf(event.created) };
  switch (event.type) {
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const subscription = event.data.object;
      if (subscriptionTierOf(subscription, settings) === undefined) {
        return { kind: 'ignored', eventId: event.id, type: event.type };
      }
      const snapshot = subscriptionSnapshotOf(subscription, settings);
      const tenantId = subscription.metadata['tenant_id'];
      return {
        kind: 'subscription',
        ...base,
        customerId: idOf(subscription.customer),
        ...(tenantId && { tenantId }),
        subscription:
          event.type === 'customer.subscription.deleted' ? { ...snapshot, status: 'canceled' } : snapshot,
      };
    }
    case 'invoice.paid':
    case 'invoice.payment_failed':
    case 'invoice.finalized':
    case 'invoice.voided':
    case 'invoice.marked_uncollectible': {
      const invoice = event.data.object;
      if (invoice.customer === null) return { kind: 'ignored', eventId: event.id, type: event.type };
      const tenantId = invoiceTenantOf(invoice);
      const common = {
        ...base,
        customerId: idOf(invoice.customer),
        ...(tenantId && { tenantId }),
        invoice: invoiceSnapshotOf(invoice, settings),
      };
      // Finalized (open), voided or marked uncollectible: the invoice as it now stands, nothing paid or failed.
      if (event.type !== 'invoice.paid' && event.type !== 'invoice.payment_failed') {
        return { kind: 'invoice', ...common };
      }
      if (event.type === 'invoice.paid') {
        return {
          kind: 'invoice_paid',
          ...common,
          paidAt: isoOf(invoice.status_transitions.paid_at ?? event.created),
        };
      }
      const reason = failureReasonOf(invoice);
      return {
        kind: 'invoice_payment_failed',
        ...common,
        attempt: Math.max(1, invoice.attempt_count),
        ...(invoice.next_payment_attempt !== null && { nextAttemptAt: isoOf(invoice.next_payment_attempt) }),
        ...(reason && { reason }),
      };
    }
    default:
      return { kind: 'ignored', eventId: event.id, type: event.type };
  }
};
