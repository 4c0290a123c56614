import { describe, expect, it } from 'vitest';
import { ledgerInvoiceOf, type SubscriptionSnapshot } from '@ccp/schemas';
import { projectedInvoice, tierTable } from './pricing.js';

const subscription = (overrides: Partial<SubscriptionSnapshot> = {}): SubscriptionSnapshot => ({
  subscriptionId: 'sub_ledger_acme',
  tier: 'starter',
  status: 'active',
  currentPeriodStart: '2026-11-01T00:00:00.000Z',
  currentPeriodEnd: '2026-12-01T00:00:00.000Z',
  cancelAtPeriodEnd: false,
  ...overrides,
});

describe('the projected invoice', () => {
  it('is the whole month fee of a subscription that started before the month', () => {
    const projected = projectedInvoice({
      period: '2026-12',
      subscription: subscription({ currentPeriodStart: '2026-12-01T00:00:00.000Z' }),
      usageTier: 'starter',
      callSeconds: 0,
      llmTokens: 0,
    });
    expect(projected).toEqual({
      periodStart: '2026-12-01T00:00:00.000Z',
      periodEnd: '2027-01-01T00:00:00.000Z',
      lines: [{ kind: 'subscription', description: 'starter plan, 2026-12', quantity: 1, amountCents: 4900 }],
      totalCents: 4900,
    });
  });

  it('prorates a subscription started this month, and agrees with the ledger to the cent', () => {
    // 16 of 31 days of $399 (205.935 -> 20594 cents), 90 s beyond the 10,000 included minutes at 8 cents a
    // minute (12), and 500,000 tokens beyond the 30 million at $2 per million (100).
    const started = '2026-12-16T00:00:00.000Z';
    const input = {
      period: '2026-12',
      subscription: subscription({ tier: 'professional', currentPeriodStart: started }),
      usageTier: 'professional' as const,
      callSeconds: 10_000 * 60 + 90,
      llmTokens: 30_500_000,
    };
    const projected = projectedInvoice(input);
    const ledger = ledgerInvoiceOf({
      tenantId: 'acme',
      period: '2026-12',
      segments: [{ tier: 'professional', from: started, to: '2027-01-01T00:00:00.000Z', trial: false }],
      usageTier: 'professional',
      callSeconds: input.callSeconds,
      llmTokens: input.llmTokens,
      issuedAt: '2027-01-01T00:05:00.000Z',
    });
    expect(projected.lines.map((l) => l.amountCents)).toEqual([20594, 12, 100]);
    expect(projected.totalCents).toBe(ledger.totalCents);
    expect(projected.lines.map((l) => l.kind)).toEqual(['subscription', 'call_minutes', 'llm_tokens']);
  });

  it('charges no fee during a trial, nor for a lapsed subscription, but still prices the usage', () => {
    for (const lapsed of [
      subscription({ status: 'trialing', trialEndsAt: '2026-12-20T00:00:00.000Z' }),
      subscription({ status: 'canceled' }),
      undefined,
    ]) {
      const projected = projectedInvoice({
        period: '2026-12',
        subscription: lapsed,
        usageTier: 'free',
        callSeconds: 61 * 60,
        llmTokens: 0,
      });
      expect(projected.lines).toEqual([expect.objectContaining({ kind: 'call_minutes', amountCents: 12 })]);
      expect(projected.totalCents).toBe(12);
    }
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
