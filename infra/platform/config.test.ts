import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';

const stripe = {
  PAYMENTS: 'stripe',
  STRIPE_SECRET_KEY: 'sk_test_config',
  STRIPE_WEBHOOK_SECRET: 'whsec_config',
  STRIPE_PRICES: JSON.stringify({
    starter: 'price_starter',
    professional: 'price_professional',
    enterprise: 'price_enterprise',
  }),
};

describe('the Stripe settings', () => {
  it('reads the price of each paid tier', () =>
    expect(configFromEnv(stripe).payments.stripe?.prices).toEqual({
      starter: 'price_starter',
      professional: 'price_professional',
      enterprise: 'price_enterprise',
    }));

  it('refuses to start without a price for every paid tier, naming STRIPE_PRICES and the tiers missing', () => {
    const { STRIPE_PRICES: _prices, ...withoutPrices } = stripe;
    expect(() => configFromEnv(withoutPrices)).toThrow(
      /PAYMENTS=stripe needs STRIPE_PRICES.*starter, professional, enterprise/,
    );
    expect(() =>
      configFromEnv({
        ...stripe,
        STRIPE_PRICES: JSON.stringify({ starter: 'price_starter', professional: 'price_professional' }),
      }),
    ).toThrow(/PAYMENTS=stripe needs STRIPE_PRICES.*: enterprise$/);
    // The ledger needs no prices.
    expect(configFromEnv({}).payments.provider).toBe('ledger');
  });

  it("reads each tier's own metered prices", () => {
    const metered = {
      starter: { call_seconds: 'price_starter_seconds', llm_tokens: 'price_starter_tokens' },
      professional: { call_seconds: 'price_pro_seconds' },
    };
    const config = configFromEnv({ ...stripe, STRIPE_METERED_PRICES: JSON.stringify(metered) });
    expect(config.payments.stripe?.meteredPrices).toEqual(metered);
    expect(configFromEnv(stripe).payments.stripe?.meteredPrices).toEqual({});
  });

  it('refuses one set of metered prices for every tier, an unknown tier and a value that is no price', () => {
    for (const metered of [
      { call_seconds: 'price_seconds', llm_tokens: 'price_tokens' },
      { free: { call_seconds: 'price_seconds' } },
      { starter: { call_seconds: 'prod_seconds' } },
      { starter: { minutes: 'price_seconds' } },
    ]) {
      expect(() => configFromEnv({ ...stripe, STRIPE_METERED_PRICES: JSON.stringify(metered) })).toThrow(
        /invalid setting STRIPE_METERED_PRICES/,
      );
    }
  });
});
