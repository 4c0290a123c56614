import { describe, expect, it } from 'vitest';
import { accountDecider, fold, type AccountEvent, type OpenAccount } from '@ccp/command-service';
import type { SubscriptionSnapshot } from '@ccp/schemas';
import { projectedInvoice, tierTable } from './pricing.js';

const subscription = (overrides: Partial<SubscriptionSnapshot> = {}): SubscriptionSnapshot => ({
  subscriptionId: 'sub_ledger_acme',
  tier: 'starter',
  status: 'active',
  currentPeriodStart: '2026-12-01T00:00:00.000Z',
  currentPeriodEnd: '2027-01-01T00:00:00.000Z',
  cancelAtPeriodEnd: false,
  ...overrides,
});
const recorded = (snapshot: SubscriptionSnapshot, at: string): AccountEvent => ({
  type: 'SubscriptionRecorded',
  data: { subscription: snapshot, source: { kind: 'ledger', at } },
});
/** The account as these events make it, through the billing account decider's own evolve. */
const accountAfter = (...events: AccountEvent[]): OpenAccount => {
  const opened: AccountEvent[] = [
    { type: 'BillingAccountOpened', data: { billingEmail: 'billing@acme.test', companyName: 'Acme' } },
    { type: 'BillingCustomerLinked', data: { provider: 'ledger', customerId: 'cus_ledger_acme' } },
  ];
  const state = fold(accountDecider, [...opened, ...events]);
  if (state.status !== 'open') throw new Error('the account is not open');
  return state;
};
const project = (account: OpenAccount | undefined, callSeconds = 0, llmTokens = 0) =>
  projectedInvoice({
    tenantId: 'acme',
    period: '2026-12',
    account,
    callSeconds,
    llmTokens,
    now: new Date('2026-12-24T12:00:00Z'),
  });
const amounts = (invoice: ReturnType<typeof project>) => invoice.lines.map((l) => [l.kind, l.amountCents]);

describe('the projected invoice', () => {
  it("prorates a subscription that started during the month and prices usage beyond the tier's", () => {
    const account = accountAfter(
      recorded(
        subscription({ tier: 'professional', currentPeriodStart: '2026-12-12T00:00:00.000Z' }),
        '2026-12-12T00:00:00.000Z',
      ),
    );
    // 20 of December's 31 days of $399; 90 s beyond 10,000 minutes at 8¢/min; 0.5 M tokens beyond 30 M at $2/M.
    const projected = project(account, 10_000 * 60 + 90, 30_500_000);
    expect(amounts(projected)).toEqual([
      ['subscription', 25742],
      ['call_minutes', 12],
      ['llm_tokens', 100],
    ]);
    expect(projected.totalCents).toBe(25854);
  });

  it('charges a trial nothing and the paid days after it', () => {
    const trial = subscription({
      status: 'trialing',
      currentPeriodStart: '2026-12-03T00:00:00.000Z',
      trialEndsAt: '2026-12-10T00:00:00.000Z',
    });
    // 22 of 31 days of $49, from the end of the trial.
    expect(amounts(project(accountAfter(recorded(trial, '2026-12-03T00:00:00.000Z'))))).toEqual([
      ['subscription', 3477],
    ]);
  });

  it('prorates each tier of a month with a change, and prices usage at the tier the month ends on', () => {
    const account = accountAfter(
      recorded(subscription(), '2026-12-01T00:00:00.000Z'),
      recorded(subscription({ tier: 'enterprise' }), '2026-12-20T00:00:00.000Z'),
    );
    // Starter for 19 days, enterprise for 12; enterprise includes no usage: 10 minutes at 6¢.
    expect(amounts(project(account, 600))).toEqual([
      ['subscription', 3003],
      ['subscription', 96774],
      ['call_minutes', 60],
    ]);
  });

  it('bills nothing without an account, and no usage to a month that ends on the free tier', () => {
    expect(project(undefined, 61 * 60).lines).toEqual([]);
    const lapsed = accountAfter(
      recorded(subscription(), '2026-12-01T00:00:00.000Z'),
      recorded(subscription({ status: 'canceled' }), '2026-12-16T00:00:00.000Z'),
    );
    expect(amounts(project(lapsed, 61 * 60))).toEqual([['subscription', 2371]]);
  });
});

describe('the tier table', () => {
  it('lists every tier in cents with what it includes', () => {
    expect(tierTable()).toContainEqual({
      tier: 'enterprise',
      monthlyFeeCents: 250_000,
      perMinuteCents: 6,
      perMillionTokensCents: 150,
      includedMinutes: null,
      includedTokens: null,
    });
    expect(tierTable().map((t) => t.tier)).toEqual(['free', 'starter', 'professional', 'enterprise']);
  });
});
