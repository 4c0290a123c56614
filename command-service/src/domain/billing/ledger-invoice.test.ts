import { describe, expect, it } from 'vitest';
import {
  IssueLedgerInvoice,
  ledgerInvoiceOf,
  RecordSubscription,
  type InvoiceSnapshot,
  type SubscriptionSnapshot,
  type TierSegment,
} from '@ccp/schemas';
import { fold } from '../decider.js';
import { DeciderSpecification, command } from '../testing.js';
import { accountDecider } from './account.js';
import type { AccountEvent } from './account-state.js';
import {
  decliningCard,
  goodCard,
  key,
  linkedLedger,
  linkedStripe,
  opened,
  recorded,
  subscription,
} from './fixtures.js';

/** The ledger's month end: the invoice prorated over the month's tiers, the charge, and the next month. */
const given = DeciderSpecification.for(accountDecider);
const ISSUED = '2026-04-01T00:05:00.000Z';
const issue = (period = '2026-03', usage = { callSeconds: 0, llmTokens: 0 }, now = ISSUED) =>
  command(IssueLedgerInvoice, { ...key, period, ...usage, graceDays: 7 }, { now: new Date(now) });
const withCard: AccountEvent = { type: 'LedgerPaymentMethodUpdated', data: { card: goodCard } };
const march = {
  currentPeriodStart: '2026-03-01T00:00:00.000Z',
  currentPeriodEnd: '2026-04-01T00:00:00.000Z',
};
const april = {
  currentPeriodStart: '2026-04-01T00:00:00.000Z',
  currentPeriodEnd: '2026-05-01T00:00:00.000Z',
};

const segment = (tier: TierSegment['tier'], from: string, to: string, trial = false): TierSegment => ({
  tier,
  from: `${from}T00:00:00.000Z`,
  to: `${to}T00:00:00.000Z`,
  trial,
});
const invoiceOf = (
  segments: TierSegment[],
  usageTier: TierSegment['tier'],
  usage = { callSeconds: 0, llmTokens: 0 },
  period = '2026-03',
  issuedAt = ISSUED,
): InvoiceSnapshot => ledgerInvoiceOf({ tenantId: 'acme', period, segments, usageTier, ...usage, issuedAt });
const invoiceRecorded = (invoice: InvoiceSnapshot, at = ISSUED): AccountEvent => ({
  type: 'InvoiceRecorded',
  data: { invoice, source: { kind: 'ledger', at } },
});
const paid = (invoice: InvoiceSnapshot, at = ISSUED): AccountEvent => ({
  type: 'PaymentReceived',
  data: { invoiceId: invoice.invoiceId, amountPaidCents: invoice.totalCents, paidAt: at },
});
const rolled = (
  snapshot: SubscriptionSnapshot,
  at = '2026-04-01T00:00:00.000Z',
  now = ISSUED,
): AccountEvent => ({
  type: 'SubscriptionRecorded',
  data: { subscription: snapshot, source: { kind: 'ledger', at }, recordedAt: now },
});

describe('ledger invoices', () => {
  it('prorates the fee over a mid-month tier change and prices usage at the tier in force at the end', () => {
    const history = [
      opened,
      linkedLedger,
      withCard,
      recorded(subscription(march), '2026-03-01T00:00:00.000Z'),
      recorded(subscription({ ...march, tier: 'professional' }), '2026-03-16T00:00:00.000Z'),
    ];
    const usage = { callSeconds: 10_000 * 60 + 90, llmTokens: 0 };
    const invoice = invoiceOf(
      [segment('starter', '2026-03-01', '2026-03-16'), segment('professional', '2026-03-16', '2026-04-01')],
      'professional',
      usage,
    );
    // $49 for 15 of 31 days, $399 for 16 of 31 days, 90 s beyond the 10,000 included minutes at $0.08/min.
    expect(invoice.lines.map((line) => line.amountCents)).toEqual([2371, 20594, 12]);
    given(history)
      .when(issue('2026-03', usage))
      .then([
        invoiceRecorded(invoice),
        paid(invoice),
        rolled(subscription({ ...april, tier: 'professional' })),
      ]);
  });

  it('charges nothing for a trial stretch and turns a trial that is over into a paid subscription', () => {
    const trialing = subscription({
      tier: 'professional',
      status: 'trialing',
      currentPeriodStart: '2026-03-10T00:00:00.000Z',
      currentPeriodEnd: '2026-04-01T00:00:00.000Z',
      trialEndsAt: '2026-03-24T00:00:00.000Z',
    });
    const invoice = invoiceOf(
      [
        segment('professional', '2026-03-10', '2026-03-24', true),
        segment('professional', '2026-03-24', '2026-04-01'),
      ],
      'professional',
    );
    expect(invoice.lines.map((line) => line.amountCents)).toEqual([10297]);
    given([opened, linkedLedger, withCard, recorded(trialing, '2026-03-10T00:00:00.000Z')])
      .when(issue())
      .then([invoiceRecorded(invoice), paid(invoice), rolled({ ...trialing, ...april, status: 'active' })]);
  });

  it('carries a trial over the month end: free in its first month, paid from its end in the next', () => {
    const trialing = subscription({
      status: 'trialing',
      currentPeriodStart: '2026-03-25T00:00:00.000Z',
      trialEndsAt: '2026-04-08T00:00:00.000Z',
    });
    const history = [opened, linkedLedger, withCard, recorded(trialing, '2026-03-25T00:00:00.000Z')];
    const marchInvoice = invoiceOf([segment('starter', '2026-03-25', '2026-04-01', true)], 'starter');
    const intoApril = rolled({ ...trialing, ...april });
    given(history)
      .when(issue())
      .then([invoiceRecorded(marchInvoice), paid(marchInvoice), intoApril]);

    const mayIssued = '2026-05-01T00:05:00.000Z';
    const aprilInvoice = invoiceOf(
      [segment('starter', '2026-04-01', '2026-04-08', true), segment('starter', '2026-04-08', '2026-05-01')],
      'starter',
      undefined,
      '2026-04',
      mayIssued,
    );
    // $49 for 23 of 30 days.
    expect(aprilInvoice.totalCents).toBe(3757);
    given([...history, invoiceRecorded(marchInvoice), paid(marchInvoice), intoApril])
      .when(issue('2026-04', undefined, mayIssued))
      .then([
        invoiceRecorded(aprilInvoice, mayIssued),
        paid(aprilInvoice, mayIssued),
        rolled(
          {
            ...trialing,
            status: 'active',
            currentPeriodStart: '2026-05-01T00:00:00.000Z',
            currentPeriodEnd: '2026-06-01T00:00:00.000Z',
          },
          '2026-05-01T00:00:00.000Z',
          mayIssued,
        ),
      ]);
  });

  it('starts dunning when the card on file is declined, or there is none', () => {
    const history = [opened, linkedLedger, recorded(subscription(march), '2026-03-01T00:00:00.000Z')];
    const invoice = invoiceOf([segment('starter', '2026-03-01', '2026-04-01')], 'starter');
    const failedBecause = (reason: string): AccountEvent[] => [
      invoiceRecorded(invoice),
      {
        type: 'PaymentFailed',
        data: { invoiceId: invoice.invoiceId, amountDueCents: 4900, attempt: 1, failedAt: ISSUED, reason },
      },
      {
        type: 'DunningStarted',
        data: { invoiceId: invoice.invoiceId, startedAt: ISSUED, graceEndsAt: '2026-04-08T00:05:00.000Z' },
      },
      rolled(subscription(april)),
    ];
    given([...history, { type: 'LedgerPaymentMethodUpdated', data: { card: decliningCard } }])
      .when(issue())
      .then(failedBecause('card declined'));
    given(history).when(issue()).then(failedBecause('no card on file'));
    // A card is good through the last day of its expiry month: one that ran out in March is declined in April.
    const cardUntil = (expMonth: number, expYear: number): AccountEvent => ({
      type: 'LedgerPaymentMethodUpdated',
      data: { card: { ...goodCard, expMonth, expYear } },
    });
    given([...history, cardUntil(3, 2026)])
      .when(issue())
      .then(failedBecause('card expired'));
    given([...history, cardUntil(12, 2025)])
      .when(issue())
      .then(failedBecause('card expired'));
    given([...history, cardUntil(4, 2026)])
      .when(issue())
      .then([
        invoiceRecorded(invoice),
        {
          type: 'PaymentReceived',
          data: { invoiceId: invoice.invoiceId, amountPaidCents: 4900, paidAt: ISSUED },
        },
        rolled(subscription(april)),
      ]);
  });

  it('ends a subscription cancelled at the period end, and a month with nothing owed is settled at once', () => {
    const cancelling = subscription({ ...march, cancelAtPeriodEnd: true });
    const invoice = invoiceOf([segment('starter', '2026-03-01', '2026-04-01')], 'starter');
    given([opened, linkedLedger, withCard, recorded(cancelling, '2026-03-01T00:00:00.000Z')])
      .when(issue())
      .then([invoiceRecorded(invoice), paid(invoice), rolled({ ...cancelling, status: 'canceled' })]);

    const nothing = invoiceOf([], 'free');
    expect(nothing.totalCents).toBe(0);
    given([opened, linkedLedger])
      .when(issue())
      .then([invoiceRecorded(nothing), paid(nothing)]);
  });

  it('bills no usage for a month that ended on the free tier: free tenants are blocked at their caps', () => {
    // Human calls are not blocked at the free cap: minutes beyond it are not charged either, so a free
    // account with no card is not suspended for them.
    const usage = { callSeconds: 500 * 60, llmTokens: 900_000 };
    const nothing = invoiceOf([], 'free', { callSeconds: 0, llmTokens: 0 });
    expect(nothing.lines).toEqual([]);
    given([opened, linkedLedger])
      .when(issue('2026-03', usage))
      .then([invoiceRecorded(nothing), paid(nothing)]);

    // A subscription that ended during the month: its fee stretch is billed, the month's usage is not.
    const history = [
      opened,
      linkedLedger,
      recorded(subscription(march), '2026-03-01T00:00:00.000Z'),
      recorded(subscription({ ...march, status: 'canceled' }), '2026-03-16T00:00:00.000Z'),
      withCard,
    ];
    const invoice = invoiceOf([segment('starter', '2026-03-01', '2026-03-16')], 'free', {
      callSeconds: 0,
      llmTokens: 0,
    });
    expect(invoice.lines.map((line) => line.kind)).toEqual(['subscription']);
    given(history)
      .when(issue('2026-03', usage))
      .then([invoiceRecorded(invoice), paid(invoice)]);
  });

  it('prices usage at the tier of the month end when the tier changed before the invoice was issued', () => {
    const history = [
      opened,
      linkedLedger,
      withCard,
      recorded(subscription(march), '2026-03-01T00:00:00.000Z'),
      recorded(subscription({ ...march, tier: 'professional' }), '2026-04-01T00:02:00.000Z'),
    ];
    const usage = { callSeconds: 1_000 * 60 + 60, llmTokens: 0 };
    const invoice = invoiceOf([segment('starter', '2026-03-01', '2026-04-01')], 'starter', usage);
    expect(invoice.lines.map((line) => line.amountCents)).toEqual([4900, 10]);
    const events = accountDecider.decide(issue('2026-03', usage), fold(accountDecider, history));
    expect(events.slice(0, 2)).toEqual([invoiceRecorded(invoice), paid(invoice)]);
  });

  it('issues nothing twice, nothing for a Stripe account and nothing for an account that is not open', () => {
    const invoice = invoiceOf([], 'free');
    given([opened, linkedLedger, invoiceRecorded(invoice), paid(invoice)])
      .when(issue())
      .thenNothingHappened();
    given([opened, linkedStripe]).when(issue()).thenNothingHappened();
    given([opened]).when(issue()).thenNothingHappened();
    given([]).when(issue()).thenNothingHappened();
  });

  it('keeps only the stretches of months not invoiced yet', () => {
    const history = [
      opened,
      linkedLedger,
      withCard,
      recorded(subscription(march), '2026-03-01T00:00:00.000Z'),
      recorded(subscription({ ...march, tier: 'professional' }), '2026-03-16T00:00:00.000Z'),
    ];
    const state = fold(accountDecider, [
      ...history,
      ...accountDecider.decide(issue(), fold(accountDecider, history)),
    ]);
    expect(state.status === 'open' && state.stretches).toEqual([]);
    expect(state.status === 'open' && state.current).toEqual({
      tier: 'professional',
      from: '2026-03-16T00:00:00.000Z',
      trialUntil: undefined,
    });
  });

  it('records a rolled or re-described subscription without restarting its stretch', () => {
    const state = fold(accountDecider, [
      opened,
      linkedLedger,
      recorded(subscription(march), '2026-03-01T00:00:00.000Z'),
    ]);
    const again = accountDecider.decide(
      command(
        RecordSubscription,
        {
          ...key,
          subscription: subscription({ ...march, cancelAtPeriodEnd: true }),
          source: { kind: 'request', requestEventId: 'e2' },
        },
        { now: new Date('2026-03-20T00:00:00.000Z') },
      ),
      state,
    );
    const after = fold(accountDecider, [
      opened,
      linkedLedger,
      recorded(subscription(march), '2026-03-01T00:00:00.000Z'),
      ...again,
    ]);
    expect(after.status === 'open' && after.current?.from).toBe('2026-03-01T00:00:00.000Z');
  });
});
