import type { Middleware } from 'koa';
import {
  createCommandHandler,
  createPayments,
  type PaymentsPort,
  type PlatformContext,
} from '@ccp/command-service';
import { startMeterRelay, type MeterRelay, type MeterRelayStats } from './relay.js';
import { stripeWebhook } from './webhook.js';
import { startBillingWorker, type BillingWorker, type BillingWorkerStats } from './worker.js';

export interface BillingHooks {
  /** The clock months are closed and grace periods judged on (tests move it to a month's end). */
  readonly clock?: () => Date;
  /** How often the worker's timers look at the clock and the relay at the log. */
  readonly pollMs?: number;
  /** Another payments port in place of the one PAYMENTS names (tests: a provider that fails on purpose). */
  readonly payments?: PaymentsPort;
}

export interface RunningBilling {
  readonly payments: PaymentsPort;
  readonly worker: BillingWorker;
  /** The Stripe meter relay; none on the ledger, whose meter is the log itself. */
  readonly relay: MeterRelay | undefined;
  /** `POST /stripe/webhook`. */
  readonly webhook: Middleware;
  /** Counts for tests: the worker's, and the relay's (zeros on the ledger). */
  readonly stats: () => { readonly worker: BillingWorkerStats; readonly relay: MeterRelayStats };
  /** Looks at the clock now, and resolves once the worker and the relay have handled the log as it is. */
  readonly caughtUp: () => Promise<void>;
  stop(): Promise<void>;
}

const NO_RELAY: MeterRelayStats = { sent: 0, rejected: 0, retries: 0, skipped: 0, position: 0 };

/**
 * The gateway's billing: the payments port PAYMENTS names, the billing worker on the platform's log, the Stripe
 * meter relay (stripe only) and the Stripe webhook route. The worker's commands are decided on the hooks' clock
 * when a test sets one.
 */
export const startBilling = async (options: {
  readonly context: PlatformContext;
  readonly hooks?: BillingHooks;
}): Promise<RunningBilling> => {
  const { context, hooks } = options;
  const settings = context.config.payments;
  const now = hooks?.clock ?? (() => new Date());
  const handler = hooks?.clock
    ? createCommandHandler({ store: context.store, routes: [...context.handler.routes.values()], clock: now })
    : context.handler;
  const payments = hooks?.payments ?? createPayments(settings);
  const worker = await startBillingWorker({
    store: context.store,
    checkpoints: context.checkpoints,
    handler,
    payments,
    settings,
    now,
    log: context.log,
    ...(hooks?.pollMs !== undefined && { pollMs: hooks.pollMs }),
  });
  const relay =
    payments.provider === 'stripe'
      ? await startMeterRelay({
          store: context.store,
          checkpoints: context.checkpoints,
          payments,
          log: context.log,
          ...(hooks?.pollMs !== undefined && { pollMs: hooks.pollMs }),
        })
      : undefined;
  const webhook = stripeWebhook({
    payments,
    handler,
    tenantOfCustomer: worker.tenantOfCustomer,
    store: context.store,
    graceDays: settings.graceDays,
    log: context.log,
  });
  return {
    payments,
    worker,
    relay,
    webhook,
    stats: () => ({ worker: worker.stats(), relay: relay?.stats() ?? NO_RELAY }),
    caughtUp: async () => {
      worker.poke();
      await worker.caughtUp();
      await relay?.caughtUp();
    },
    stop: async () => {
      await relay?.stop();
      await worker.stop();
    },
  };
};
