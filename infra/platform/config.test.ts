import { describe, expect, it } from 'vitest';
import { configFromEnv, enginesOf } from './config.js';

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

describe('the language model settings', () => {
  it('has defaults for the timeouts, retries, streaming and the filler line', () =>
    expect(configFromEnv({}).mediaGateway.conversationModel).toEqual({
      provider: 'offline',
      timeoutMs: 30_000,
      firstTokenMs: 15_000,
      maxRetries: 1,
      stream: true,
      fillerMs: 1500,
      cooldownMs: 20_000,
      gatherTurnMs: 10_000,
      maxTokens: 300,
      mode: 'lead',
    }));

  it('reads them for a local server', () =>
    expect(
      configFromEnv({
        LLM_PROVIDER: 'openai-compatible',
        LLM_BASE_URL: 'http://127.0.0.1:8081/v1',
        LLM_MODEL: 'qwen2.5-1.5b-instruct',
        LLM_TIMEOUT_MS: '120000',
        LLM_FIRST_TOKEN_MS: '20000',
        LLM_MAX_RETRIES: '0',
        LLM_STREAM: 'false',
        LLM_FILLER_MS: '0',
        LLM_COOLDOWN_MS: '0',
        LLM_GATHER_TURN_MS: '12000',
        LLM_MAX_TOKENS: '128',
        LLM_MODE: 'assist',
      }).mediaGateway.conversationModel,
    ).toEqual({
      provider: 'openai-compatible',
      apiKey: undefined,
      baseURL: 'http://127.0.0.1:8081/v1',
      model: 'qwen2.5-1.5b-instruct',
      timeoutMs: 120_000,
      firstTokenMs: 20_000,
      maxRetries: 0,
      stream: false,
      fillerMs: 0,
      cooldownMs: 0,
      gatherTurnMs: 12_000,
      maxTokens: 128,
      mode: 'assist',
    }));

  it('refuses values out of range, naming the setting', () => {
    for (const [name, value] of [
      ['LLM_TIMEOUT_MS', '999'],
      ['LLM_TIMEOUT_MS', '600001'],
      ['LLM_FIRST_TOKEN_MS', '199'],
      ['LLM_MAX_RETRIES', '6'],
      ['LLM_MAX_RETRIES', '1.5'],
      ['LLM_STREAM', 'yes'],
      ['LLM_FILLER_MS', '-1'],
      ['LLM_FILLER_MS', '10001'],
      ['LLM_COOLDOWN_MS', '-1'],
      ['LLM_COOLDOWN_MS', '600001'],
      ['LLM_GATHER_TURN_MS', '1999'],
      ['LLM_GATHER_TURN_MS', '14001'],
      ['LLM_MAX_TOKENS', '15'],
      ['LLM_MAX_TOKENS', '4097'],
      ['LLM_MODE', 'follow'],
      ['INTENT_PROVIDER', 'anthropic'],
    ] as const) {
      expect(() => configFromEnv({ [name]: value })).toThrow(new RegExp(`invalid setting ${name}`));
    }
  });
});

describe("the intent classifier's provider", () => {
  // An OpenAI key used to send every caller's line to the intent classifier at LLM_BASE_URL too: a local
  // server serving calls, asked for structured output it may not support.
  it('stays offline with a key and a local conversation server', () => {
    const config = configFromEnv({
      OPENAI_API_KEY: 'sk-local-anything',
      LLM_BASE_URL: 'http://127.0.0.1:8081/v1',
      LLM_PROVIDER: 'openai-compatible',
      LLM_MODEL: 'qwen2.5-1.5b-instruct',
    });
    expect(config.mediaGateway.conversationModel.provider).toBe('openai-compatible');
    expect(config.llm).toBeUndefined();
    expect(configFromEnv({ OPENAI_API_KEY: 'sk-test' }).llm).toBeUndefined();
  });

  it('asks OpenAI itself when INTENT_PROVIDER=openai, never LLM_BASE_URL', () => {
    expect(
      configFromEnv({
        INTENT_PROVIDER: 'openai',
        OPENAI_API_KEY: 'sk-test',
        LLM_BASE_URL: 'http://127.0.0.1:8081/v1',
        LLM_MODEL: 'qwen2.5-1.5b-instruct',
      }).llm,
    ).toEqual({ apiKey: 'sk-test', model: 'gpt-4o-mini' });
    expect(
      configFromEnv({ INTENT_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test', INTENT_MODEL: 'gpt-4.1-nano' })
        .llm,
    ).toEqual({ apiKey: 'sk-test', model: 'gpt-4.1-nano' });
  });

  it('names the intent classifier among the engines', () => {
    expect(enginesOf(configFromEnv({ OPENAI_API_KEY: 'sk-test' })).intents).toBe('local classifier');
    expect(enginesOf(configFromEnv({ INTENT_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test' })).intents).toBe(
      'openai:gpt-4o-mini',
    );
  });

  it('refuses INTENT_PROVIDER=openai without OPENAI_API_KEY', () =>
    expect(() => configFromEnv({ INTENT_PROVIDER: 'openai' })).toThrow(
      /INTENT_PROVIDER=openai needs OPENAI_API_KEY/,
    ));
});

describe('the metrics scrape token', () => {
  it('is off unless METRICS_TOKEN is set', () => {
    expect(configFromEnv({}).metricsToken).toBeUndefined();
    expect(configFromEnv({ METRICS_TOKEN: 'a-scrape-token-of-24-chars' }).metricsToken).toBe(
      'a-scrape-token-of-24-chars',
    );
  });

  it('refuses a token a scraper could guess or a header could not carry, naming the setting', () => {
    expect(() => configFromEnv({ METRICS_TOKEN: 'short' })).toThrow(/invalid setting METRICS_TOKEN/);
    expect(() => configFromEnv({ METRICS_TOKEN: 'sixteen chars with spaces' })).toThrow(/METRICS_TOKEN/);
    expect(() => configFromEnv({ METRICS_TOKEN: 'x'.repeat(513) })).toThrow(/METRICS_TOKEN/);
  });
});

describe('the tracing settings', () => {
  it('are off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; the service name defaults to customercare-pro', () => {
    expect(configFromEnv({}).tracing).toBeUndefined();
    expect(configFromEnv({ OTEL_SERVICE_NAME: 'ignored-without-endpoint' }).tracing).toBeUndefined();
    expect(configFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).tracing).toEqual({
      endpoint: 'http://127.0.0.1:4318',
      serviceName: 'customercare-pro',
      // Every trace by default: the e2e tests read whole traces.
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
    });
    expect(
      configFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example:4318', OTEL_SERVICE_NAME: 'ccp-eu' })
        .tracing?.serviceName,
    ).toBe('ccp-eu');
  });

  it('refuses an endpoint that is no http(s) URL and a service name with spaces, naming the setting', () => {
    expect(() => configFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' })).toThrow(
      /invalid setting OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    expect(() => configFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://127.0.0.1:4317' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    expect(() =>
      configFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SERVICE_NAME: 'a b' }),
    ).toThrow(/invalid setting OTEL_SERVICE_NAME/);
  });

  it('take a sampler and its ratio by the OpenTelemetry names, and refuse a sampler or ratio it does not know', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(
      configFromEnv({
        ...endpoint,
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.05',
      }).tracing,
    ).toMatchObject({ sampler: 'parentbased_traceidratio', samplerRatio: 0.05 });
    expect(configFromEnv({ ...endpoint, OTEL_TRACES_SAMPLER: 'always_off' }).tracing?.sampler).toBe(
      'always_off',
    );
    expect(() => configFromEnv({ ...endpoint, OTEL_TRACES_SAMPLER: 'parentbased_ratio' })).toThrow(
      /invalid setting OTEL_TRACES_SAMPLER: /,
    );
    for (const ratio of ['1.5', '-0.1', 'half', '']) {
      expect(() =>
        configFromEnv({ ...endpoint, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: ratio }),
      ).toThrow(/invalid setting OTEL_TRACES_SAMPLER_ARG: a number from 0 to 1/);
    }
  });
});
