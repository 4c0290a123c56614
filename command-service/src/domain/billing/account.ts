import {
  DECLINING_CARD_LAST4,
  ledgerInvoiceId,
  ledgerInvoiceOf,
  nextPeriod,
  periodBounds,
  type CommandMetadata,
  type SnapshotSource,
  type SubscriptionSnapshot,
  type InvoiceSnapshot,
  type LedgerCard,
} from '@ccp/schemas';
import { DomainError, type Decider } from '../decider.js';
import {
  evolveAccount,
  isLive,
  isPaid,
  isStaleInvoice,
  isWrittenOff,
  sameSnapshot,
  segmentsUntil,
  tierAt,
  unpaidInvoiceIds,
  type AccountCommand,
  type AccountEvent,
  type AccountState,
  type OpenAccount,
} from './account-state.js';

const DAY_MS = 86_400_000;

const open = (state: AccountState): OpenAccount => {
  if (state.status === 'none') {
    throw new DomainError('BILLING_ACCOUNT_NOT_OPEN', 'the billing account is not open', 'tenantId');
  }
  return state;
};

const live = (state: OpenAccount): SubscriptionSnapshot => {
  if (!isLive(state.subscription)) {
    throw new DomainError('NO_SUBSCRIPTION', 'the tenant has no subscription to change', 'tenantId');
  }
  return state.subscription;
};

const refuseFree = (tier: string, message: string): void => {
  if (tier === 'free') throw new DomainError('FREE_TIER_NOT_SUBSCRIBABLE', message, 'tier');
};

/** The events after `decided`, decided on the state those lead to. */
const then = (
  state: OpenAccount,
  decided: readonly AccountEvent[],
  next: (after: OpenAccount) => AccountEvent[],
): AccountEvent[] => [...decided, ...next(decided.reduce(evolveAccount, state) as OpenAccount)];

/** Dunning ends once nothing is owed any more. */
const endDunningIfSettled = (state: OpenAccount, at: string): AccountEvent[] =>
  state.dunning && unpaidInvoiceIds(state).length === 0
    ? [
        {
          type: 'DunningEnded',
          data: { invoiceId: state.dunning.invoiceId, endedAt: at, suspended: state.dunning.suspended },
        },
      ]
    : [];

/** When the provider or the ledger said it; a request's answer carries no time of its own. */
const sourceAt = (source: SnapshotSource, now: string): string =>
  source.kind === 'provider_event' ? source.createdAt : source.kind === 'ledger' ? source.at : now;

const startDunning = (
  state: OpenAccount,
  invoiceId: string,
  failedAt: string,
  graceDays: number,
): AccountEvent[] =>
  state.dunning
    ? []
    : [
        {
          type: 'DunningStarted',
          data: {
            invoiceId,
            startedAt: failedAt,
            graceEndsAt: new Date(Date.parse(failedAt) + graceDays * DAY_MS).toISOString(),
          },
        },
      ];

/** A card is good through the last day of its expiry month (UTC). */
const expired = (card: LedgerCard, now: string): boolean => {
  const at = new Date(now);
  return card.expYear * 12 + card.expMonth < at.getUTCFullYear() * 12 + at.getUTCMonth() + 1;
};

/** Why the card on file cannot be charged at `now`, or undefined when it can. */
const declineReason = (state: OpenAccount, now: string): string | undefined => {
  if (!state.card) return 'no card on file';
  if (expired(state.card, now)) return 'card expired';
  return state.card.last4 === DECLINING_CARD_LAST4 ? 'card declined' : undefined;
};

const goodCard = (state: OpenAccount, now: string): boolean => declineReason(state, now) === undefined;

/** Every owed invoice charged to a good card on file, at once. */
const chargeOpenInvoices = (state: OpenAccount, now: string): AccountEvent[] => {
  if (!goodCard(state, now)) return [];
  const payments: AccountEvent[] = unpaidInvoiceIds(state).flatMap((invoiceId) => {
    const invoice = state.invoices.get(invoiceId);
    return invoice
      ? [
          {
            type: 'PaymentReceived' as const,
            data: {
              invoiceId,
              amountPaidCents: invoice.amountDueCents - invoice.amountPaidCents,
              paidAt: now,
            },
          },
        ]
      : [];
  });
  return then(state, payments, (after) => (payments.length > 0 ? endDunningIfSettled(after, now) : []));
};

/**
 * A live ledger subscription goes on into the next month, unless it was cancelled at this one's end; a trial
 * that is over by then becomes a paid subscription.
 */
const rollSubscription = (state: OpenAccount, period: string, now: string): AccountEvent[] => {
  const subscription = state.subscription;
  const { end } = periodBounds(period);
  if (!isLive(subscription) || Date.parse(subscription.currentPeriodEnd) > end.getTime()) return [];
  const nextEnd = periodBounds(nextPeriod(period)).end.toISOString();
  const rolled: SubscriptionSnapshot = subscription.cancelAtPeriodEnd
    ? { ...subscription, status: 'canceled' }
    : {
        ...subscription,
        currentPeriodStart: end.toISOString(),
        currentPeriodEnd: nextEnd,
        status:
          subscription.status === 'trialing' &&
          Date.parse(subscription.trialEndsAt ?? subscription.currentPeriodEnd) <= end.getTime()
            ? 'active'
            : subscription.status,
      };
  return [
    {
      type: 'SubscriptionRecorded',
      data: { subscription: rolled, source: { kind: 'ledger', at: end.toISOString() }, recordedAt: now },
    },
  ];
};

/**
 * A ledger month's invoice from the account's tier stretches and the month's metered usage: what
 * IssueLedgerInvoice records at the month's end, and what the console projects before it (the same function, so
 * the two agree to the cent when nothing changes before the month ends).
 */
export const monthInvoiceOf = (
  state: OpenAccount,
  usage: {
    readonly tenantId: string;
    readonly period: string;
    readonly callSeconds: number;
    readonly llmTokens: number;
  },
  issuedAt: string,
): InvoiceSnapshot => {
  const { tenantId, period } = usage;
  const end = periodBounds(period).end;
  // Usage is priced at the tier in force when the month ended, even if it changed since.
  const usageTier = tierAt(state, new Date(end.getTime() - 1).toISOString());
  // A month that ends on the free tier bills no usage: free tenants are blocked at their caps, never charged,
  // and the human-call minutes that are not blocked must not put a free account without a card into dunning.
  const billed = usageTier === 'free' ? { callSeconds: 0, llmTokens: 0 } : usage;
  return ledgerInvoiceOf({
    tenantId,
    period,
    segments: segmentsUntil(state, end.toISOString()),
    usageTier,
    callSeconds: billed.callSeconds,
    llmTokens: billed.llmTokens,
    issuedAt,
  });
};

const issueLedgerInvoice = (
  state: AccountState,
  data: Extract<AccountCommand, { type: 'IssueLedgerInvoice' }>['data'],
  metadata: CommandMetadata,
): AccountEvent[] => {
  // Nothing to invoice is not an error: the worker closes every month of every ledger account.
  if (state.status === 'none' || state.customer?.provider !== 'ledger') return [];
  const { tenantId, period, callSeconds, llmTokens, graceDays } = data;
  if (state.invoices.has(ledgerInvoiceId(tenantId, period))) return [];
  const now = metadata.now.toISOString();
  const invoice = monthInvoiceOf(state, { tenantId, period, callSeconds, llmTokens }, now);
  const recorded: AccountEvent = {
    type: 'InvoiceRecorded',
    data: { invoice, source: { kind: 'ledger', at: now } },
  };
  const { invoiceId, totalCents } = invoice;
  const charge = (after: OpenAccount): AccountEvent[] => {
    if (totalCents === 0 || goodCard(after, now)) {
      const paid: AccountEvent = {
        type: 'PaymentReceived',
        data: { invoiceId, amountPaidCents: totalCents, paidAt: now },
      };
      return then(after, [paid], (settled) => endDunningIfSettled(settled, now));
    }
    const failed: AccountEvent = {
      type: 'PaymentFailed',
      data: {
        invoiceId,
        amountDueCents: totalCents,
        attempt: 1,
        failedAt: now,
        reason: declineReason(after, now) ?? 'card declined',
      },
    };
    return [failed, ...startDunning(after, invoiceId, now, graceDays)];
  };
  return then(state, [recorded], (after) =>
    then(after, charge(after), (charged) => rollSubscription(charged, period, now)),
  );
};

export const decideAccount = (command: AccountCommand, state: AccountState): AccountEvent[] => {
  const now = command.metadata.now.toISOString();
  switch (command.type) {
    case 'OpenBillingAccount': {
      if (state.status !== 'none') {
        throw new DomainError('BILLING_ACCOUNT_EXISTS', 'the billing account is already open', 'tenantId');
      }
      const { billingEmail, companyName } = command.data;
      return [{ type: 'BillingAccountOpened', data: { billingEmail, companyName } }];
    }
    case 'UpdateBillingContact': {
      const account = open(state);
      const { billingEmail, companyName } = command.data;
      if (account.billingEmail === billingEmail && account.companyName === companyName) return [];
      return [{ type: 'BillingContactUpdated', data: { billingEmail, companyName } }];
    }
    case 'LinkBillingCustomer': {
      const account = open(state);
      const { provider, customerId } = command.data;
      if (account.customer) {
        if (account.customer.provider === provider && account.customer.customerId === customerId) return [];
        throw new DomainError(
          'CUSTOMER_ALREADY_LINKED',
          `the account is already linked to ${account.customer.provider} customer ${account.customer.customerId}`,
          'customerId',
        );
      }
      return [{ type: 'BillingCustomerLinked', data: { provider, customerId } }];
    }
    case 'StartSubscription': {
      const account = open(state);
      const { tier, trialDays } = command.data;
      refuseFree(tier, 'the free tier needs no subscription');
      if (isLive(account.subscription) || account.startPending) {
        throw new DomainError(
          'SUBSCRIPTION_EXISTS',
          account.startPending
            ? 'a subscription is being started'
            : `the tenant already has a ${account.subscription?.tier ?? ''} subscription: change its tier instead`,
        );
      }
      // A trial is for trying the product: once per account, not again after a cancellation.
      if (trialDays > 0 && account.hadSubscription) {
        throw new DomainError(
          'TRIAL_ALREADY_USED',
          'this account already had a subscription: a free trial is granted once',
          'trialDays',
        );
      }
      return [{ type: 'SubscriptionRequested', data: { tier, trialDays } }];
    }
    case 'ChangeSubscriptionTier': {
      const subscription = live(open(state));
      const to = command.data.tier;
      if (subscription.tier === to) return [];
      refuseFree(to, 'to move to the free tier, cancel the subscription');
      return [{ type: 'SubscriptionTierChangeRequested', data: { from: subscription.tier, to } }];
    }
    case 'CancelSubscription': {
      const subscription = live(open(state));
      if (subscription.cancelAtPeriodEnd) return [];
      return [{ type: 'SubscriptionCancellationRequested', data: {} }];
    }
    case 'UpdateLedgerPaymentMethod': {
      const account = open(state);
      if (account.customer && account.customer.provider !== 'ledger') {
        throw new DomainError(
          'USE_PROVIDER_PORTAL',
          `the payment method of a ${account.customer.provider} account is changed in its customer portal`,
          'card',
        );
      }
      const { card } = command.data;
      const updated: AccountEvent[] = sameSnapshot(account.card, card)
        ? []
        : [{ type: 'LedgerPaymentMethodUpdated', data: { card } }];
      return then(account, updated, (after) => chargeOpenInvoices(after, now));
    }
    case 'RecordSubscription': {
      const account = open(state);
      const { subscription, source } = command.data;
      if (account.subscription && sameSnapshot(account.subscription, subscription)) return [];
      // Webhooks arrive out of order: a description older than one already recorded is stale. So is the worker's
      // answer to a request made before that description: it may be recorded long after the provider moved on.
      const describedAt =
        source.kind === 'provider_event'
          ? source.createdAt
          : source.kind === 'request'
            ? source.requestedAt
            : undefined;
      if (
        describedAt !== undefined &&
        account.lastProviderEventAt !== undefined &&
        Date.parse(describedAt) < Date.parse(account.lastProviderEventAt)
      ) {
        return [];
      }
      // The end of an earlier subscription, described late, does not end the one the tenant has now.
      if (
        isLive(account.subscription) &&
        !isLive(subscription) &&
        account.subscription.subscriptionId !== subscription.subscriptionId
      ) {
        return [];
      }
      return [{ type: 'SubscriptionRecorded', data: { subscription, source, recordedAt: now } }];
    }
    case 'RecordSubscriptionRequestFailure': {
      open(state);
      const { requestEventId, reason } = command.data;
      return [{ type: 'SubscriptionRequestFailed', data: { requestEventId, reason } }];
    }
    case 'RecordInvoice': {
      const account = open(state);
      const { invoice, source } = command.data;
      const known = account.invoices.get(invoice.invoiceId);
      if (known && sameSnapshot(known, invoice)) return [];
      // A late description from before the payment or the write-off: a paid invoice stays paid, a voided one void.
      if (isPaid(account, invoice.invoiceId) && invoice.status !== 'paid') return [];
      if (isStaleInvoice(account, invoice)) return [];
      const recorded: AccountEvent = { type: 'InvoiceRecorded', data: { invoice, source } };
      return then(account, [recorded], (after) => endDunningIfSettled(after, sourceAt(source, now)));
    }
    case 'RecordPayment': {
      const account = open(state);
      const { invoiceId, amountPaidCents, paidAt } = command.data;
      if (account.paid.has(invoiceId)) return [];
      const paid: AccountEvent = { type: 'PaymentReceived', data: { invoiceId, amountPaidCents, paidAt } };
      return then(account, [paid], (after) => endDunningIfSettled(after, paidAt));
    }
    case 'RecordPaymentFailure': {
      const account = open(state);
      const { invoiceId, amountDueCents, attempt, failedAt, nextAttemptAt, reason, graceDays } = command.data;
      if (
        account.failures.has(`${invoiceId}#${attempt}`) ||
        isPaid(account, invoiceId) ||
        isWrittenOff(account, invoiceId)
      ) {
        return [];
      }
      const failed: AccountEvent = {
        type: 'PaymentFailed',
        data: {
          invoiceId,
          amountDueCents,
          attempt,
          failedAt,
          ...(nextAttemptAt !== undefined && { nextAttemptAt }),
          ...(reason !== undefined && { reason }),
        },
      };
      return [failed, ...startDunning(account, invoiceId, failedAt, graceDays)];
    }
    case 'ExpireDunningGrace': {
      const { dunning } = open(state);
      if (!dunning || dunning.suspended) return [];
      if (command.metadata.now.getTime() < Date.parse(dunning.graceEndsAt)) {
        throw new DomainError(
          'GRACE_NOT_OVER',
          `the grace period ends at ${dunning.graceEndsAt}`,
          'tenantId',
        );
      }
      return [{ type: 'DunningGraceExpired', data: { invoiceId: dunning.invoiceId, expiredAt: now } }];
    }
    case 'IssueLedgerInvoice':
      return issueLedgerInvoice(state, command.data, command.metadata);
  }
};

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  initialState: () => ({ status: 'none' }),
  decide: decideAccount,
  evolve: evolveAccount,
};
