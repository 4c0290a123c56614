import { describe, it } from 'vitest';
import {
  CancelSubscription,
  ChangeSubscriptionTier,
  ExpireDunningGrace,
  LinkBillingCustomer,
  OpenBillingAccount,
  RecordInvoice,
  RecordPayment,
  RecordPaymentFailure,
  RecordSubscription,
  StartSubscription,
  UpdateBillingContact,
  UpdateLedgerPaymentMethod,
} from '@ccp/schemas';
import { DeciderSpecification, command, refusedWith } from '../testing.js';
import { accountDecider } from './account.js';
import {
  decliningCard,
  dunningStarted,
  failed,
  fromProvider,
  goodCard,
  invoice,
  key,
  linkedLedger,
  linkedStripe,
  opened,
  recorded,
  subscription,
} from './fixtures.js';

const given = DeciderSpecification.for(accountDecider);
const at = (iso: string) => ({ now: new Date(iso) });
const contact = { ...key, billingEmail: 'billing@acme.test', companyName: 'Acme Inc' };
const active = recorded(subscription(), '2026-03-01T00:00:00.000Z');

describe('billing account: opening and contact', () => {
  it('opens once', () => {
    given([]).when(command(OpenBillingAccount, contact)).then(opened);
    given([opened])
      .when(command(OpenBillingAccount, contact))
      .thenThrows(refusedWith('BILLING_ACCOUNT_EXISTS', 'tenantId'));
  });

  it('changes the contact, and restating it is nothing', () => {
    given([opened])
      .when(command(UpdateBillingContact, { ...contact, companyName: 'Acme Holdings' }))
      .then({
        type: 'BillingContactUpdated',
        data: { billingEmail: 'billing@acme.test', companyName: 'Acme Holdings' },
      });
    given([opened]).when(command(UpdateBillingContact, contact)).thenNothingHappened();
  });

  it('refuses everything else on an account that is not open', () => {
    for (const refused of [
      command(UpdateBillingContact, contact),
      command(StartSubscription, { ...key, tier: 'starter' }),
      command(CancelSubscription, key),
      command(LinkBillingCustomer, { ...key, provider: 'ledger', customerId: 'cus_ledger_acme' }),
      command(ExpireDunningGrace, key),
    ]) {
      given([]).when(refused).thenThrows(refusedWith('BILLING_ACCOUNT_NOT_OPEN'));
    }
  });

  it('links the provider customer once; the same link again is nothing, another one refused', () => {
    const link = { ...key, provider: 'ledger', customerId: 'cus_ledger_acme' } as const;
    given([opened]).when(command(LinkBillingCustomer, link)).then(linkedLedger);
    given([opened, linkedLedger]).when(command(LinkBillingCustomer, link)).thenNothingHappened();
    given([opened, linkedLedger])
      .when(command(LinkBillingCustomer, { ...link, provider: 'stripe', customerId: 'cus_9' }))
      .thenThrows(refusedWith('CUSTOMER_ALREADY_LINKED', 'customerId'));
  });
});

describe('billing account: subscription requests', () => {
  it('asks for a subscription with its trial', () =>
    given([opened])
      .when(command(StartSubscription, { ...key, tier: 'professional', trialDays: 14 }))
      .then({ type: 'SubscriptionRequested', data: { tier: 'professional', trialDays: 14 } }));

  it('grants a trial once per account: not after an earlier subscription, even one cancelled', () => {
    const withTrial = command(StartSubscription, { ...key, tier: 'starter', trialDays: 14 });
    const canceled = recorded(subscription({ status: 'canceled' }), '2026-04-01T00:00:00Z');
    const trialOver = recorded(
      subscription({ status: 'trialing', trialEndsAt: '2026-03-15T00:00:00.000Z' }),
      '2026-03-01T00:00:00Z',
    );
    given([opened, active, canceled])
      .when(withTrial)
      .thenThrows(refusedWith('TRIAL_ALREADY_USED', 'trialDays'));
    given([opened, trialOver, canceled])
      .when(withTrial)
      .thenThrows(refusedWith('TRIAL_ALREADY_USED', 'trialDays'));
    // Without a trial the tenant may subscribe again.
    given([opened, trialOver, canceled])
      .when(command(StartSubscription, { ...key, tier: 'starter', trialDays: 0 }))
      .then({ type: 'SubscriptionRequested', data: { tier: 'starter', trialDays: 0 } });
    // A request the provider refused for good used no trial.
    given([
      opened,
      { type: 'SubscriptionRequested', data: { tier: 'starter', trialDays: 14 } },
      { type: 'SubscriptionRequestFailed', data: { requestEventId: 'evt-req', reason: 'card declined' } },
    ])
      .when(withTrial)
      .then({ type: 'SubscriptionRequested', data: { tier: 'starter', trialDays: 14 } });
  });

  it('refuses a subscription to the free tier', () =>
    given([opened])
      .when(command(StartSubscription, { ...key, tier: 'free' }))
      .thenThrows(refusedWith('FREE_TIER_NOT_SUBSCRIBABLE', 'tier')));

  it('refuses a second start while one is pending or live, and allows one after a cancellation', () => {
    const start = command(StartSubscription, { ...key, tier: 'starter' });
    const requested = { type: 'SubscriptionRequested', data: { tier: 'starter', trialDays: 0 } } as const;
    given([opened, requested]).when(start).thenThrows(refusedWith('SUBSCRIPTION_EXISTS'));
    given([opened, active]).when(start).thenThrows(refusedWith('SUBSCRIPTION_EXISTS'));
    for (const status of ['trialing', 'past_due'] as const) {
      given([opened, recorded(subscription({ status }), '2026-03-01T00:00:00.000Z')])
        .when(start)
        .thenThrows(refusedWith('SUBSCRIPTION_EXISTS'));
    }
    given([opened, requested, active, recorded(subscription({ status: 'canceled' }), '2026-04-01T00:00:00Z')])
      .when(start)
      .then(requested);
  });

  it('changes the tier of a live subscription only, never to free, and the same tier is nothing', () => {
    const change = (tier: 'free' | 'starter' | 'professional') =>
      command(ChangeSubscriptionTier, { ...key, tier });
    given([opened]).when(change('professional')).thenThrows(refusedWith('NO_SUBSCRIPTION'));
    given([opened, active])
      .when(change('professional'))
      .then({ type: 'SubscriptionTierChangeRequested', data: { from: 'starter', to: 'professional' } });
    given([opened, active]).when(change('starter')).thenNothingHappened();
    given([opened, active])
      .when(change('free'))
      .thenThrows(refusedWith('FREE_TIER_NOT_SUBSCRIBABLE', 'tier'));
  });

  it('cancels at the period end once', () => {
    given([opened]).when(command(CancelSubscription, key)).thenThrows(refusedWith('NO_SUBSCRIPTION'));
    given([opened, active])
      .when(command(CancelSubscription, key))
      .then({ type: 'SubscriptionCancellationRequested', data: {} });
    given([opened, recorded(subscription({ cancelAtPeriodEnd: true }), '2026-03-05T00:00:00Z')])
      .when(command(CancelSubscription, key))
      .thenNothingHappened();
  });
});

describe('billing account: provider snapshots', () => {
  const record = (snapshot = subscription(), createdAt = '2026-03-05T00:00:00.000Z', eventId = 'evt_2') =>
    command(
      RecordSubscription,
      { ...key, subscription: snapshot, source: { kind: 'provider_event', eventId, createdAt } },
      at('2026-03-05T00:00:01.000Z'),
    );

  it('records a subscription with the time it was recorded', () =>
    given([opened, linkedStripe])
      .when(record())
      .then({
        type: 'SubscriptionRecorded',
        data: {
          subscription: subscription(),
          source: { kind: 'provider_event', eventId: 'evt_2', createdAt: '2026-03-05T00:00:00.000Z' },
          recordedAt: '2026-03-05T00:00:01.000Z',
        },
      }));

  it('records nothing for a snapshot identical to the current one', () =>
    given([opened, linkedStripe, fromProvider(subscription(), 'evt_1', '2026-03-04T00:00:00.000Z')])
      .when(record(subscription(), '2026-03-06T00:00:00.000Z'))
      .thenNothingHappened());

  it('ignores a provider event older than the last one recorded (webhooks arrive out of order)', () =>
    given([
      opened,
      linkedStripe,
      fromProvider(subscription({ tier: 'professional' }), 'evt_3', '2026-03-06T00:00:00.000Z'),
    ])
      .when(record(subscription({ tier: 'starter' }), '2026-03-05T00:00:00.000Z'))
      .thenNothingHappened());

  it("ignores the worker's late answer to a request older than a provider event already recorded", () => {
    const answer = (requestedAt: string) =>
      command(
        RecordSubscription,
        {
          ...key,
          subscription: subscription({ tier: 'professional' }),
          source: { kind: 'request', requestEventId: 'evt-req-2', requestedAt },
        },
        at('2026-03-07T00:00:00.000Z'),
      );
    // Stripe described the subscription as cancelled after the change was asked for.
    const newer = fromProvider(
      subscription({ cancelAtPeriodEnd: true }),
      'evt_5',
      '2026-03-06T00:00:00.000Z',
    );
    given([opened, linkedStripe, newer]).when(answer('2026-03-05T00:00:00.000Z')).thenNothingHappened();
    given([opened, linkedStripe, newer])
      .when(answer('2026-03-06T00:00:01.000Z'))
      .then({
        type: 'SubscriptionRecorded',
        data: {
          subscription: subscription({ tier: 'professional' }),
          source: { kind: 'request', requestEventId: 'evt-req-2', requestedAt: '2026-03-06T00:00:01.000Z' },
          recordedAt: '2026-03-07T00:00:00.000Z',
        },
      });
  });

  it('ignores the late end of a subscription that is no longer the current one', () =>
    given([
      opened,
      linkedStripe,
      fromProvider(subscription({ subscriptionId: 'sub_2' }), 'evt_4', '2026-03-04T00:00:00Z'),
    ])
      .when(record(subscription({ subscriptionId: 'sub_1', status: 'canceled' }), '2026-03-05T00:00:00Z'))
      .thenNothingHappened());

  const recordInvoice = (snapshot = invoice()) =>
    command(RecordInvoice, {
      ...key,
      invoice: snapshot,
      source: { kind: 'provider_event', eventId: 'evt_in', createdAt: '2026-03-01T02:00:00Z' },
    });
  const invoiceRecorded = (snapshot = invoice()) =>
    ({
      type: 'InvoiceRecorded',
      data: {
        invoice: snapshot,
        source: { kind: 'provider_event', eventId: 'evt_in', createdAt: '2026-03-01T02:00:00.000Z' },
      },
    }) as const;

  it('records an invoice, and the same invoice again is nothing', () => {
    given([opened, linkedStripe]).when(recordInvoice()).then(invoiceRecorded());
    given([opened, linkedStripe, invoiceRecorded()]).when(recordInvoice()).thenNothingHappened();
  });

  it('never takes a paid invoice back to open', () => {
    const paid = invoice({ status: 'paid', amountPaidCents: 4900 });
    given([opened, linkedStripe, invoiceRecorded(paid)])
      .when(recordInvoice())
      .thenNothingHappened();
    given([
      opened,
      linkedStripe,
      invoiceRecorded(),
      {
        type: 'PaymentReceived',
        data: { invoiceId: 'in_1', amountPaidCents: 4900, paidAt: '2026-03-02T00:00:00Z' },
      },
    ])
      .when(recordInvoice())
      .thenNothingHappened();
    given([opened, linkedStripe, invoiceRecorded()]).when(recordInvoice(paid)).then(invoiceRecorded(paid));
  });
});

describe('billing account: payments and dunning', () => {
  const failure = (attempt = 1, invoiceId = 'in_1') =>
    command(RecordPaymentFailure, {
      ...key,
      invoiceId,
      amountDueCents: 4900,
      attempt,
      failedAt: '2026-03-01T02:00:00Z',
      nextAttemptAt: '2026-03-04T02:00:00Z',
      reason: 'Your card was declined.',
      graceDays: 7,
    });
  const inDunning = [
    opened,
    linkedStripe,
    failed('in_1', '2026-03-01T02:00:00.000Z'),
    dunningStarted('in_1', '2026-03-01T02:00:00.000Z', '2026-03-08T02:00:00.000Z'),
  ];
  const graceExpired = {
    type: 'DunningGraceExpired',
    data: { invoiceId: 'in_1', expiredAt: '2026-03-08T02:00:00.000Z' },
  } as const;
  const payment = (invoiceId = 'in_1') =>
    command(RecordPayment, { ...key, invoiceId, amountPaidCents: 4900, paidAt: '2026-03-09T00:00:00Z' });
  const received = (invoiceId = 'in_1') =>
    ({
      type: 'PaymentReceived',
      data: { invoiceId, amountPaidCents: 4900, paidAt: '2026-03-09T00:00:00.000Z' },
    }) as const;

  it('starts dunning with the grace period at the first failure', () =>
    given([opened, linkedStripe])
      .when(failure())
      .then([
        {
          type: 'PaymentFailed',
          data: {
            invoiceId: 'in_1',
            amountDueCents: 4900,
            attempt: 1,
            failedAt: '2026-03-01T02:00:00.000Z',
            nextAttemptAt: '2026-03-04T02:00:00.000Z',
            reason: 'Your card was declined.',
          },
        },
        dunningStarted('in_1', '2026-03-01T02:00:00.000Z', '2026-03-08T02:00:00.000Z'),
      ]));

  it('records a later attempt without starting dunning again; the same attempt again is nothing', () => {
    given(inDunning)
      .when(failure(2))
      .then({
        type: 'PaymentFailed',
        data: {
          invoiceId: 'in_1',
          amountDueCents: 4900,
          attempt: 2,
          failedAt: '2026-03-01T02:00:00.000Z',
          nextAttemptAt: '2026-03-04T02:00:00.000Z',
          reason: 'Your card was declined.',
        },
      });
    given(inDunning).when(failure(1)).thenNothingHappened();
  });

  it('ignores a failure of an invoice that is paid', () =>
    given([opened, linkedStripe, received()]).when(failure(1)).thenNothingHappened());

  it('expires the grace only once it is over, and only once', () => {
    const expire = (now: string) => command(ExpireDunningGrace, key, at(now));
    given(inDunning).when(expire('2026-03-08T01:59:59Z')).thenThrows(refusedWith('GRACE_NOT_OVER'));
    given(inDunning).when(expire('2026-03-08T02:00:00Z')).then(graceExpired);
    given([...inDunning, graceExpired])
      .when(expire('2026-03-09T00:00:00Z'))
      .thenNothingHappened();
    given([opened]).when(expire('2026-03-09T00:00:00Z')).thenNothingHappened();
  });

  it('ends dunning when the last unpaid invoice is paid, saying whether the tenant was suspended', () => {
    given([...inDunning, graceExpired])
      .when(payment())
      .then([
        received(),
        {
          type: 'DunningEnded',
          data: { invoiceId: 'in_1', endedAt: '2026-03-09T00:00:00.000Z', suspended: true },
        },
      ]);
    given(inDunning)
      .when(payment())
      .then([
        received(),
        {
          type: 'DunningEnded',
          data: { invoiceId: 'in_1', endedAt: '2026-03-09T00:00:00.000Z', suspended: false },
        },
      ]);
  });

  it('keeps dunning while another invoice is unpaid, and a payment recorded twice counts once', () => {
    given([...inDunning, failed('in_2', '2026-03-02T00:00:00.000Z')])
      .when(payment())
      .then(received());
    given([...inDunning, received()])
      .when(payment())
      .thenNothingHappened();
  });

  describe('an invoice written off (void, uncollectible)', () => {
    const source = {
      kind: 'provider_event',
      eventId: 'evt_void',
      createdAt: '2026-03-09T00:00:00.000Z',
    } as const;
    const opened1 = { type: 'InvoiceRecorded', data: { invoice: invoice(), source } } as const;
    const writeOff = (status: 'void' | 'uncollectible', invoiceId = 'in_1') =>
      command(RecordInvoice, { ...key, invoice: invoice({ invoiceId, status }), source });
    const writtenOff = (status: 'void' | 'uncollectible', invoiceId = 'in_1') =>
      ({ type: 'InvoiceRecorded', data: { invoice: invoice({ invoiceId, status }), source } }) as const;
    const ended = (suspended: boolean) =>
      ({
        type: 'DunningEnded',
        data: { invoiceId: 'in_1', endedAt: '2026-03-09T00:00:00.000Z', suspended },
      }) as const;

    it('ends dunning when nothing else is owed, saying whether the tenant was suspended', () => {
      for (const status of ['void', 'uncollectible'] as const) {
        given([...inDunning, opened1])
          .when(writeOff(status))
          .then([writtenOff(status), ended(false)]);
        given([...inDunning, opened1, graceExpired])
          .when(writeOff(status))
          .then([writtenOff(status), ended(true)]);
      }
    });

    it('keeps dunning while another invoice is owed, and ends it when that one is paid', () => {
      const second = [failed('in_2', '2026-03-02T00:00:00.000Z')];
      given([...inDunning, ...second])
        .when(writeOff('uncollectible'))
        .then(writtenOff('uncollectible'));
      given([...inDunning, ...second, writtenOff('uncollectible')])
        .when(payment('in_2'))
        .then([received('in_2'), ended(false)]);
    });

    it('is not reopened by a late description, and its late payment failure starts no dunning', () => {
      given([opened, linkedStripe, writtenOff('void')])
        .when(command(RecordInvoice, { ...key, invoice: invoice(), source }))
        .thenNothingHappened();
      given([opened, linkedStripe, writtenOff('uncollectible')])
        .when(command(RecordInvoice, { ...key, invoice: invoice(), source }))
        .thenNothingHappened();
      given([opened, linkedStripe, writtenOff('void')])
        .when(failure(1))
        .thenNothingHappened();
      // An uncollectible invoice can still be paid.
      const paid = invoice({ status: 'paid', amountPaidCents: 4900 });
      given([opened, linkedStripe, writtenOff('uncollectible')])
        .when(command(RecordInvoice, { ...key, invoice: paid, source }))
        .then({ type: 'InvoiceRecorded', data: { invoice: paid, source } });
    });
  });

  it('pays the open invoices of a ledger account with a working card, ending dunning', () => {
    const open = {
      type: 'InvoiceRecorded',
      data: { invoice: invoice(), source: { kind: 'ledger', at: '2026-03-01T01:00:00.000Z' } },
    } as const;
    const now = at('2026-03-03T00:00:00.000Z');
    given([opened, linkedLedger, open, failed('in_1', '2026-03-01T01:00:00.000Z'), inDunning[3]!])
      .when(command(UpdateLedgerPaymentMethod, { ...key, card: goodCard }, now))
      .then([
        { type: 'LedgerPaymentMethodUpdated', data: { card: goodCard } },
        {
          type: 'PaymentReceived',
          data: { invoiceId: 'in_1', amountPaidCents: 4900, paidAt: '2026-03-03T00:00:00.000Z' },
        },
        {
          type: 'DunningEnded',
          data: { invoiceId: 'in_1', endedAt: '2026-03-03T00:00:00.000Z', suspended: false },
        },
      ]);
    given([opened, linkedLedger, open])
      .when(command(UpdateLedgerPaymentMethod, { ...key, card: decliningCard }, now))
      .then({ type: 'LedgerPaymentMethodUpdated', data: { card: decliningCard } });
    given([opened, { type: 'LedgerPaymentMethodUpdated', data: { card: goodCard } }])
      .when(command(UpdateLedgerPaymentMethod, { ...key, card: goodCard }, now))
      .thenNothingHappened();
  });

  it('charges nothing to an expired card', () => {
    const open = {
      type: 'InvoiceRecorded',
      data: { invoice: invoice(), source: { kind: 'ledger', at: '2026-03-01T01:00:00.000Z' } },
    } as const;
    const expired = { ...goodCard, expMonth: 2, expYear: 2026 };
    given([opened, linkedLedger, open, failed('in_1', '2026-03-01T01:00:00.000Z')])
      .when(command(UpdateLedgerPaymentMethod, { ...key, card: expired }, at('2026-03-03T00:00:00.000Z')))
      .then({ type: 'LedgerPaymentMethodUpdated', data: { card: expired } });
  });

  it('sends Stripe accounts to the provider portal for their card', () =>
    given([opened, linkedStripe])
      .when(command(UpdateLedgerPaymentMethod, { ...key, card: goodCard }))
      .thenThrows(refusedWith('USE_PROVIDER_PORTAL', 'card')));
});
