import {
  billingPeriodOf,
  nextPeriod,
  parseStreamName,
  periodBounds,
  type EventEnvelope,
  type MeterClosed,
  type SubscriptionSnapshot,
} from '@ccp/schemas';
import {
  PaymentsUnavailableError,
  type CheckpointStore,
  type CommandHandler,
  type EventStore,
  type PaymentsPort,
  type PaymentsSettings,
} from '@ccp/command-service';
import { followLog } from '../process-manager/follow-log.js';
import { startTimers } from '../timers/timers.js';
import { billingSendFor } from './commands.js';
import { dunningNotices } from './dunning-notices.js';
import {
  BillingView,
  foldsInto,
  storedAccount as storedAccountIn,
  type AccountEntry,
  type DunningEntry,
} from './view.js';

export const BILLING_CHECKPOINT = 'billing-worker';
/** The timer that closes the months of ledger accounts. */
const MONTH_CLOSE = 'month-close';
/** After a refused ExpireDunningGrace (the handler's clock is behind), it is tried again this much later. */
const GRACE_RECHECK_MS = 60_000;

type MeterClosedData = (typeof MeterClosed)['data']['_output'];

export interface BillingWorkerOptions {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  /** Decides on the same clock as `now` (CloseMeter and ExpireDunningGrace compare their times with it). */
  readonly handler: Pick<CommandHandler, 'handleTrusted'>;
  readonly payments: PaymentsPort;
  readonly settings: Pick<PaymentsSettings, 'graceDays' | 'closeDelayMinutes' | 'maxTrialDays'>;
  readonly now: () => Date;
  readonly log: (message: string) => void;
  /** How often the timers look at the clock (default 1 s). */
  readonly pollMs?: number;
  /** The first wait before a failed reaction is tried again, doubled at each try (default 200 ms). */
  readonly retryMs?: number;
}

export interface BillingWorkerStats {
  readonly position: number;
  /** Dunning grace timers armed. */
  readonly graceTimers: number;
  /** Provider calls that failed for good (logged, not retried). */
  readonly permanentFailures: number;
  /** Provider calls that were unavailable and tried again. */
  readonly retries: number;
}

export interface BillingWorker {
  readonly stats: () => BillingWorkerStats;
  /** The tenant whose account is linked to this provider customer, as far as the worker has read. */
  readonly tenantOfCustomer: (customerId: string) => string | undefined;
  /** Looks at the clock now (after a test moved it). */
  readonly poke: () => void;
  /**
   * Resolves once every event in the log has been handled and no timer's command is running, the events its own
   * commands appended included.
   */
  readonly caughtUp: () => Promise<void>;
  stop(): Promise<void>;
}

const graceKey = (tenantId: string, invoiceId: string) => `grace/${tenantId}/${invoiceId}`;

/**
 * The events the worker acts on (its `react` handles exactly these). Any other event is only folded, so the
 * checkpoint is saved every so often rather than after each of them.
 */
const REACTS_TO: ReadonlySet<string> = new Set([
  'MeterClosed',
  'BillingAccountOpened',
  'BillingContactUpdated',
  'BillingCustomerLinked',
  'SubscriptionRequested',
  'SubscriptionTierChangeRequested',
  'SubscriptionCancellationRequested',
  'PaymentFailed',
  'DunningStarted',
  'DunningGraceExpired',
  'DunningEnded',
]);

/**
 * The billing worker: a process manager that follows the log from its checkpoint and does what the billing
 * account asks of the payment provider, recording the answers as commands:
 * - an opened account gets the provider's customer (LinkBillingCustomer);
 * - subscription requests go to the provider (keyed by the request event's id) and come back as
 *   RecordSubscription;
 * - ledger accounts: when a month is over (plus the close delay), each month since the account opened that is
 *   not closed gets CloseMeter; a closed meter gets IssueLedgerInvoice;
 * - dunning: ExpireDunningGrace when the grace ends (a timer rebuilt from the log at every start), and email
 *   notices (ScheduleMessage, ids derived from the event that caused them) on a failed payment, three days
 *   before the grace ends, on suspension and on recovery.
 * A provider that is unavailable is tried again with a growing pause and the checkpoint does not pass the event;
 * any other provider error is final: logged, counted in `stats().permanentFailures`, and the event passed.
 */
export const startBillingWorker = async (options: BillingWorkerOptions): Promise<BillingWorker> => {
  const { store, checkpoints, payments, log, now } = options;
  const view = new BillingView();
  const send = billingSendFor(options.handler, log);
  const closeDelayMs = options.settings.closeDelayMinutes * 60_000;
  const counts = { permanentFailures: 0, retries: 0 };

  /** A provider call: unavailable is thrown (retried), anything else is final: its message is given back. */
  const callPort = async <T>(
    what: string,
    tenantId: string,
    call: () => Promise<T>,
  ): Promise<{ readonly answer: T } | { readonly failure: string }> => {
    try {
      return { answer: await call() };
    } catch (error) {
      if (error instanceof PaymentsUnavailableError) throw error;
      counts.permanentFailures += 1;
      const message = error instanceof Error ? error.message : String(error);
      log(`billing: ${what} for ${tenantId} failed for good and is not tried again: ${message}`);
      return { failure: message };
    }
  };

  /** The account as stored now: events later in the log than the one handled (a customer linked since). */
  const storedAccount = (tenantId: string) => storedAccountIn(store, tenantId);

  // ------------------------------------------------------------------------------------- customers

  const linkCustomer = async (account: AccountEntry): Promise<string | undefined> => {
    const { tenantId, openedEventId } = account;
    const result = await callPort('creating the customer', tenantId, () =>
      payments.createCustomer(
        { tenantId, email: account.billingEmail, companyName: account.companyName },
        { idempotencyKey: openedEventId },
      ),
    );
    if ('failure' in result) return undefined;
    const created = result.answer;
    const done = await send(
      'LinkBillingCustomer',
      { tenantId, provider: payments.provider, customerId: created.customerId },
      { correlationId: openedEventId, idempotencyKey: `billing:${openedEventId}:LinkBillingCustomer` },
    );
    return done === 'done' ? created.customerId : undefined;
  };

  /**
   * A changed billing contact goes to the provider's customer (Stripe addresses its invoices to it). A customer
   * linked only after the change, created from the old contact, is told as well.
   */
  const onContactUpdated = async (tenantId: string, event: EventEnvelope) => {
    const customer = view.account(tenantId)?.customer ?? (await storedAccount(tenantId))?.customer;
    // No customer yet: the one created later takes the contact as it is then.
    if (customer?.provider !== payments.provider) return;
    const { billingEmail, companyName } = event.data as { billingEmail: string; companyName: string };
    await callPort('updating the customer', tenantId, () =>
      payments.updateCustomer(
        { customerId: customer.customerId, email: billingEmail, companyName },
        { idempotencyKey: event.id },
      ),
    );
  };

  /** The account's customer: linked earlier, linked since (later in the log), or created now. */
  const customerOf = async (tenantId: string): Promise<string | undefined> => {
    const known = view.account(tenantId)?.customer;
    if (known) return known.customerId;
    const stored = await storedAccount(tenantId);
    if (!stored) return undefined;
    return stored.customer?.customerId ?? (await linkCustomer(stored));
  };

  // ------------------------------------------------------------------------------------- subscriptions

  /** The provider's answer to a request, or why it cannot be carried out (the account may then be asked again). */
  const recordAnswer = async (
    tenantId: string,
    event: EventEnvelope,
    result: { readonly answer: SubscriptionSnapshot } | { readonly failure: string },
  ) => {
    if ('failure' in result) {
      await send(
        'RecordSubscriptionRequestFailure',
        { tenantId, requestEventId: event.id, reason: result.failure.slice(0, 500) },
        { correlationId: event.id, idempotencyKey: `billing:${event.id}:RecordSubscriptionRequestFailure` },
      );
      return;
    }
    await send(
      'RecordSubscription',
      {
        tenantId,
        subscription: result.answer,
        source: { kind: 'request', requestEventId: event.id, requestedAt: event.occurredAt },
      },
      { correlationId: event.id, idempotencyKey: `billing:${event.id}:RecordSubscription` },
    );
  };

  const onRequest = async (tenantId: string, event: EventEnvelope) => {
    // Answered already (handled again after a crash, or from a lost checkpoint): the provider keeps an
    // idempotency key only for a while, so it is not asked again.
    if ((await storedAccount(tenantId))?.answeredRequests.has(event.id) === true) return;
    const customerId = await customerOf(tenantId);
    if (customerId === undefined) {
      counts.permanentFailures += 1;
      log(`billing: ${event.type} ${event.id} of ${tenantId} not carried out: the account has no customer`);
      await recordAnswer(tenantId, event, {
        failure: 'the payment provider has no customer for this account',
      });
      return;
    }
    // The request's own time, so a request handled again asks the provider exactly the same thing.
    const at = new Date(event.occurredAt);
    const key = { idempotencyKey: event.id };
    if (event.type === 'SubscriptionRequested') {
      const { tier, trialDays: asked } = event.data as {
        tier: SubscriptionSnapshot['tier'];
        trialDays: number;
      };
      // The request's schema allows up to 90 days; the provider is asked for no more than the settings allow.
      const trialDays = Math.min(asked, options.settings.maxTrialDays);
      const result = await callPort('starting the subscription', tenantId, () =>
        payments.startSubscription({ tenantId, customerId, tier, trialDays, now: at }, key),
      );
      await recordAnswer(tenantId, event, result);
      return;
    }
    // The subscription as it was when the change was asked for: the view is folded up to the request.
    const subscription = view.account(tenantId)?.subscription;
    if (!subscription) {
      counts.permanentFailures += 1;
      log(`billing: ${event.type} ${event.id} of ${tenantId} not carried out: no subscription is recorded`);
      await recordAnswer(tenantId, event, { failure: 'no subscription is recorded for this account' });
      return;
    }
    const ref = { tenantId, customerId, subscription, now: at };
    const result =
      event.type === 'SubscriptionTierChangeRequested'
        ? await callPort('changing the tier', tenantId, () =>
            payments.changeTier(
              { ...ref, tier: (event.data as { to: SubscriptionSnapshot['tier'] }).to },
              key,
            ),
          )
        : await callPort('cancelling at period end', tenantId, () => payments.cancelAtPeriodEnd(ref, key));
    await recordAnswer(tenantId, event, result);
  };

  // ------------------------------------------------------------------------------------- ledger months

  /** The months of a ledger account that are over (plus the delay) and whose meter is not closed. */
  const monthsToClose = (account: AccountEntry, at: number): string[] => {
    const periods: string[] = [];
    for (
      let period = billingPeriodOf(new Date(account.openedAt));
      periodBounds(period).end.getTime() + closeDelayMs <= at;
      period = nextPeriod(period)
    ) {
      if (!view.isClosed(account.tenantId, period)) periods.push(period);
    }
    return periods;
  };

  /** The next time a month's close is due: this month's start plus the delay if still ahead, else the next's. */
  const nextCloseAt = (at: Date): Date => {
    const { start, end } = periodBounds(billingPeriodOf(at));
    const thisOne = start.getTime() + closeDelayMs;
    return new Date(thisOne > at.getTime() ? thisOne : end.getTime() + closeDelayMs);
  };

  const closeMonths = async () => {
    const at = now();
    for (const account of view.allAccounts()) {
      if (account.customer?.provider !== 'ledger') continue;
      const openedIn = billingPeriodOf(new Date(account.openedAt));
      for (const period of monthsToClose(account, at.getTime())) {
        const key = `close-meter:${account.tenantId}:${period}`;
        // Every tenant's usage is metered all the time: the month the account opened in bills it from then on.
        const billableFrom = period === openedIn ? { billableFrom: account.openedAt } : {};
        await send(
          'CloseMeter',
          { tenantId: account.tenantId, period, ...billableFrom },
          { correlationId: key, idempotencyKey: key },
        );
      }
    }
    timers.schedule(MONTH_CLOSE, nextCloseAt(at));
  };

  const onMeterClosed = async (tenantId: string, period: string, data: MeterClosedData) => {
    // Only the ledger invoices from the meter; Stripe invoices from the meter events it was sent.
    if (view.account(tenantId)?.customer?.provider !== 'ledger') return;
    const key = `ledger-invoice:${tenantId}:${period}`;
    await send(
      'IssueLedgerInvoice',
      {
        tenantId,
        period,
        callSeconds: data.callSeconds,
        llmTokens: data.llmTokens,
        graceDays: options.settings.graceDays,
      },
      { correlationId: key, idempotencyKey: key },
    );
  };

  // ------------------------------------------------------------------------------------- dunning

  const onGraceDue = async (tenantId: string, invoiceId: string) => {
    const dunning = view.account(tenantId)?.dunning;
    if (dunning?.status !== 'active' || dunning.invoiceId !== invoiceId) return;
    const key = graceKey(tenantId, invoiceId);
    const endsAt = Date.parse(dunning.graceEndsAt);
    if (now().getTime() < endsAt) {
      timers.schedule(key, new Date(endsAt));
      return;
    }
    const idempotencyKey = `expire-grace:${tenantId}:${invoiceId}`;
    const done = await send(
      'ExpireDunningGrace',
      { tenantId },
      { correlationId: idempotencyKey, idempotencyKey },
    );
    if (done === 'refused') timers.schedule(key, new Date(now().getTime() + GRACE_RECHECK_MS));
  };

  /** Timer callbacks running now: caughtUp() waits for them too. */
  const firing = new Set<Promise<void>>();
  const timers = startTimers({
    now,
    log,
    ...(options.pollMs !== undefined && { pollMs: options.pollMs }),
    onDue: (key) => {
      const [, tenantId = '', ...invoice] = key.split('/');
      const run = key === MONTH_CLOSE ? closeMonths() : onGraceDue(tenantId, invoice.join('/'));
      const tracked = run.finally(() => firing.delete(tracked));
      firing.add(tracked);
      return tracked;
    },
  });

  const armGrace = (tenantId: string, dunning: DunningEntry | undefined) => {
    if (!dunning) return;
    const key = graceKey(tenantId, dunning.invoiceId);
    if (dunning.status === 'active') timers.schedule(key, new Date(dunning.graceEndsAt));
    else timers.cancel(key);
  };

  const notifyDunning = dunningNotices(view, send);

  const onDunning = async (event: EventEnvelope, account: AccountEntry) => {
    armGrace(account.tenantId, account.dunning);
    await notifyDunning(event, account);
  };

  // ------------------------------------------------------------------------------------- reactions

  const react = async (event: EventEnvelope) => {
    const stream = parseStreamName(event.streamId);
    if (!stream) return;
    const { tenantId } = stream;
    if (stream.category === 'meter') {
      if (event.type === 'MeterClosed')
        await onMeterClosed(tenantId, stream.id, event.data as MeterClosedData);
      return;
    }
    const account = view.account(tenantId);
    if (stream.category !== 'billing' || !account) return;
    switch (event.type) {
      case 'BillingAccountOpened':
        if (!(await storedAccount(tenantId))?.customer) await linkCustomer(account);
        return;
      case 'BillingContactUpdated':
        await onContactUpdated(tenantId, event);
        return;
      case 'BillingCustomerLinked':
        // A ledger account linked late may have months to close already.
        if (account.customer?.provider === 'ledger') timers.schedule(MONTH_CLOSE, now());
        return;
      case 'SubscriptionRequested':
      case 'SubscriptionTierChangeRequested':
      case 'SubscriptionCancellationRequested':
        await onRequest(tenantId, event);
        return;
      case 'PaymentFailed':
      case 'DunningStarted':
      case 'DunningGraceExpired':
      case 'DunningEnded':
        await onDunning(event, account);
        return;
      default:
        return;
    }
  };

  // ------------------------------------------------------------------------------------- following

  // Billing is as old as this worker: every billing event is for it, from the log's start on a first start.
  // A reaction is tried until done: skipping it would lose a customer or a subscription.
  const follower = await followLog({
    store,
    checkpoints,
    checkpointName: BILLING_CHECKPOINT,
    firstStart: 'log-start',
    name: 'billing',
    folds: foldsInto,
    apply: (event) => view.apply(event),
    reactsTo: (event) => REACTS_TO.has(event.type),
    react,
    onReactionFailure: (error) => {
      if (error instanceof PaymentsUnavailableError) counts.retries += 1;
    },
    ready: () => {
      for (const account of view.allAccounts()) armGrace(account.tenantId, account.dunning);
      timers.schedule(MONTH_CLOSE, now());
    },
    log,
    ...(options.retryMs !== undefined && { retryMs: options.retryMs }),
  });

  return {
    stats: () => ({
      position: follower.position(),
      graceTimers: timers.size() - (timers.dueAt(MONTH_CLOSE) ? 1 : 0),
      ...counts,
    }),
    tenantOfCustomer: (customerId) => view.tenantOfCustomer(customerId),
    poke: () => timers.poke(),
    caughtUp: async () => {
      // The log, and the timers' commands, whose events are in the log to be handled in turn.
      while (await follower.caughtUp()) {
        if (firing.size === 0) return;
        await Promise.allSettled([...firing]);
      }
    },
    stop: async () => {
      await follower.stop();
      await timers.stop();
    },
  };
};
