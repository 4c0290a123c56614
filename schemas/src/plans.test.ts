import { describe, expect, it } from 'vitest';
import { billableMinutes, billingPeriodOf, PLAN_LIMITS, usageCapOf } from './plans.js';
import { PLAN_TIERS } from './primitives.js';

describe('plans', () => {
  it('free and starter round each call up to the next whole minute', () => {
    for (const tier of ['free', 'starter'] as const) {
      expect([1, 59, 60, 61, 119, 3540].map((s) => billableMinutes(tier, s))).toEqual([1, 1, 1, 2, 2, 59]);
    }
  });

  it('professional and enterprise bill by the second with a 6-second minimum', () => {
    for (const tier of ['professional', 'enterprise'] as const) {
      expect(billableMinutes(tier, 1)).toBe(0.1);
      expect(billableMinutes(tier, 6)).toBe(0.1);
      expect(billableMinutes(tier, 7)).toBeCloseTo(7 / 60, 12);
      expect(billableMinutes(tier, 90)).toBe(1.5);
    }
  });

  it('a call that never connected is not billed on any plan', () => {
    for (const tier of PLAN_TIERS) expect(billableMinutes(tier, 0)).toBe(0);
  });

  it('caps minutes and tokens on every tier but enterprise, and says what happens at the cap', () => {
    expect(usageCapOf('free', 'call_minutes')).toBe(PLAN_LIMITS.free.includedMinutesPerMonth);
    expect(usageCapOf('starter', 'llm_tokens')).toBe(PLAN_LIMITS.starter.llmTokensPerMonth);
    expect(PLAN_TIERS.map((tier) => PLAN_LIMITS[tier].atUsageCap)).toEqual([
      'block_ai',
      'block_ai',
      'overage_billed',
      null,
    ]);
    expect(usageCapOf('enterprise', 'call_minutes')).toBeNull();
    expect(usageCapOf('enterprise', 'llm_tokens')).toBeNull();
    // A tier with a cap has a rule for it, and only such a tier.
    for (const tier of PLAN_TIERS) {
      const capped = usageCapOf(tier, 'call_minutes') !== null || usageCapOf(tier, 'llm_tokens') !== null;
      expect(PLAN_LIMITS[tier].atUsageCap !== null).toBe(capped);
    }
  });

  it('billing periods are UTC calendar months', () => {
    expect(billingPeriodOf(new Date('2024-03-31T23:59:59.999Z'))).toBe('2024-03');
    expect(billingPeriodOf(new Date('2024-04-01T00:30:00+02:00'))).toBe('2024-03');
    expect(billingPeriodOf(new Date('2024-12-01T00:00:00Z'))).toBe('2024-12');
  });
});
