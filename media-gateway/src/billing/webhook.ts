import type { Context, Middleware } from 'koa';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import {
  CommandRejected,
  isPassingRefusal,
  WebhookSignatureError,
  type CommandHandler,
  type EventStore,
  type PaymentsPort,
  type ProviderEvent,
} from '@ccp/command-service';
import { BodyTooLarge, readRawBody } from '../http/raw-body.js';
import { storedAccount } from './view.js';

export const STRIPE_WEBHOOK_PATH = '/stripe/webhook';
/** Stripe's events are a few kilobytes; a megabyte is far more than any of them. */
const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface StripeWebhookOptions {
  readonly payments: PaymentsPort;
  readonly handler: Pick<CommandHandler, 'handleTrusted'>;
  /** The tenant whose billing account has this customer, as far as the worker has read the log. */
  readonly tenantOfCustomer: (customerId: string) => string | undefined;
  /** The log: a customer linked after what the worker has read is checked on the named tenant's account. */
  readonly store: Pick<EventStore, 'readStream'>;
  /** The grace period a failed payment grants (BILLING_GRACE_DAYS). */
  readonly graceDays: number;
  readonly log: (message: string) => void;
  readonly bodyLimit?: number;
}

type Planned = { readonly type: string; readonly data: Record<string, unknown> };

type Resolved = { readonly tenantId: string } | { readonly ignored: string; readonly why: string };

/**
 * The tenant an event is about: the one whose account has its customer. The metadata's tenant_id is anyone's
 * to write (any Stripe dashboard user, any API key), so it never picks the tenant by itself: it is used only
 * when the worker has not read the customer's link yet and that tenant's account, as stored, has this customer.
 */
const tenantOf = async (
  event: Exclude<ProviderEvent, { kind: 'ignored' }>,
  options: Pick<StripeWebhookOptions, 'tenantOfCustomer' | 'store'>,
): Promise<Resolved> => {
  const { customerId, tenantId: named } = event;
  const owner = options.tenantOfCustomer(customerId);
  if (owner !== undefined) {
    return named === undefined || named === owner
      ? { tenantId: owner }
      : {
          ignored: 'tenant does not match the customer',
          why: `names tenant ${named}, but customer ${customerId} is ${owner}'s`,
        };
  }
  const unknown = { ignored: 'unknown customer', why: `is about customer ${customerId}, of no account here` };
  if (named === undefined) return unknown;
  const stored = await storedAccount(options.store, named);
  return stored?.customer?.customerId === customerId ? { tenantId: named } : unknown;
};

/** The commands a provider event becomes, in order. */
export const commandsOf = (
  event: Exclude<ProviderEvent, { kind: 'ignored' }>,
  tenantId: string,
  graceDays: number,
): Planned[] => {
  const source = { kind: 'provider_event', eventId: event.eventId, createdAt: event.createdAt };
  switch (event.kind) {
    case 'subscription':
      return [{ type: 'RecordSubscription', data: { tenantId, subscription: event.subscription, source } }];
    case 'invoice':
      return [{ type: 'RecordInvoice', data: { tenantId, invoice: event.invoice, source } }];
    case 'invoice_paid':
      return [
        { type: 'RecordInvoice', data: { tenantId, invoice: event.invoice, source } },
        {
          type: 'RecordPayment',
          data: {
            tenantId,
            invoiceId: event.invoice.invoiceId,
            amountPaidCents: event.invoice.amountPaidCents,
            paidAt: event.paidAt,
          },
        },
      ];
    case 'invoice_payment_failed':
      return [
        { type: 'RecordInvoice', data: { tenantId, invoice: event.invoice, source } },
        {
          type: 'RecordPaymentFailure',
          data: {
            tenantId,
            invoiceId: event.invoice.invoiceId,
            amountDueCents: event.invoice.amountDueCents,
            attempt: event.attempt,
            failedAt: event.createdAt,
            ...(event.nextAttemptAt !== undefined && { nextAttemptAt: event.nextAttemptAt }),
            ...(event.reason !== undefined && { reason: event.reason }),
            graceDays,
          },
        },
      ];
  }
};

/**
 * `POST /stripe/webhook`: Stripe's events, checked against the raw body's signature by the payments port
 * (forged, altered or stale: 400, nothing recorded), turned into the billing account's commands. Each command's
 * idempotency key is `stripe:<event id>:<command type>` and the command service keeps keys for ever, so an
 * event delivered again changes nothing. Stripe retries anything but a 2xx: a command that failed for the
 * platform's own reasons answers 500 (tried again later); a refusal, an event of no interest, a customer of no
 * account here or a tenant_id in the metadata that is not the customer's answers 200 with a log line, since
 * sending it again would not change the answer.
 * The ledger has no webhooks: with PAYMENTS=ledger the route answers 404.
 */
export const stripeWebhook = (options: StripeWebhookOptions): Middleware => {
  const { payments, handler, log } = options;
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;

  const answer = (ctx: Context, status: number, body: Record<string, unknown>) => {
    ctx.status = status;
    ctx.body = body;
  };

  return async (ctx, next) => {
    if (ctx.path !== STRIPE_WEBHOOK_PATH) return next();
    if (payments.provider !== 'stripe') return answer(ctx, 404, { error: 'the ledger has no webhooks' });
    if (ctx.method !== 'POST') {
      ctx.set('Allow', 'POST');
      return answer(ctx, 405, { error: 'POST only' });
    }
    let raw: Buffer;
    try {
      raw = await readRawBody(ctx.req, limit);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      ctx.set('Connection', 'close');
      return answer(ctx, 413, { error: `the body is larger than ${limit} bytes` });
    }
    let event: ProviderEvent;
    try {
      event = payments.parseWebhook(raw, ctx.get('stripe-signature') || undefined);
    } catch (error) {
      if (!(error instanceof WebhookSignatureError)) throw error;
      log(`billing: Stripe webhook refused: ${error.message}`);
      return answer(ctx, 400, { error: error.message });
    }
    if (event.kind === 'ignored') return answer(ctx, 200, { received: true, ignored: event.type });

    let resolved: Resolved;
    try {
      resolved = await tenantOf(event, options);
    } catch (error) {
      log(
        `billing: Stripe event ${event.eventId}: the account could not be read, Stripe sends it again: ${String(error)}`,
      );
      return answer(ctx, 500, { error: 'not recorded; send it again' });
    }
    if ('ignored' in resolved) {
      log(`billing: Stripe event ${event.eventId} ${resolved.why}: nothing recorded`);
      return answer(ctx, 200, { received: true, ignored: resolved.ignored });
    }
    for (const command of commandsOf(event, resolved.tenantId, options.graceDays)) {
      try {
        await handler.handleTrusted(command.type, command.data, {
          actor: SYSTEM_ACTOR,
          correlationId: event.eventId,
          idempotencyKey: `stripe:${event.eventId}:${command.type}`,
        });
      } catch (error) {
        if (error instanceof CommandRejected && !isPassingRefusal(error)) {
          log(
            `billing: Stripe event ${event.eventId}: ${command.type} refused (${error.code}): ${error.message}`,
          );
          continue;
        }
        log(
          `billing: Stripe event ${event.eventId}: ${command.type} failed, Stripe sends it again: ${String(error)}`,
        );
        return answer(ctx, 500, { error: 'not recorded; send it again' });
      }
    }
    return answer(ctx, 200, { received: true });
  };
};
