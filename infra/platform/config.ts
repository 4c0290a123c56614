import { resolve } from 'node:path';
import { z } from 'zod';
import { PLAN_TIERS } from '@ccp/schemas';
import { preparedSentenceEncoder, type SentenceEncoderFiles } from '../embeddings/sentence-encoder.js';
import {
  INTEGRATION_APIS,
  type IntegrationApi,
  type MediaGatewaySettings,
  type PlatformConfig,
  outboundAllowFromEnv,
  TRACES_SAMPLERS,
} from '@ccp/command-service';

/** The OpenAI model used when LLM_MODEL (or, for intents, INTENT_MODEL) is not set. */
const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';

const PriceId = z.string().regex(/^price_\w+$/, 'a Stripe price id, price_...');
/** A tier's metered prices: each tier has its own, so Stripe bills only the usage beyond what it includes. */
const MeteredPrices = z.strictObject({ call_seconds: PriceId, llm_tokens: PriceId }).partial();
/** A setting holding JSON, parsed and checked; absent is an empty object. */
const JsonOf = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return text === undefined ? {} : (JSON.parse(text) as unknown);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

const Env = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DATA_DIR: z.string().default('.data'),
  EVENT_STORE: z.enum(['sqlite', 'eventstoredb']).default('sqlite'),
  EVENTSTORE_URL: z.string().optional(),
  SUPER_ADMIN_EMAIL: z.email().default('admin@customercare.local'),
  SUPER_ADMIN_PASSWORD: z.string().min(10).optional(),
  SEED_DEMO: z.enum(['true', 'false']).default('true'),
  CCP_MASTER_KEY: z.string().optional(),
  BUS: z.enum(['embedded', 'kafka']).default('embedded'),
  KAFKA_BROKERS: z.string().optional(),
  SCHEMA_REGISTRY_URL: z.url().optional(),
  READ_STORE: z.enum(['chdb', 'clickhouse']).default('chdb'),
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  STREAM_PROCESSING: z.enum(['true', 'false']).default('true'),
  OPENAI_API_KEY: z.string().min(1).optional(),
  LLM_BASE_URL: z.url().optional(),
  LLM_MODEL: z.string().min(1).optional(),
  LLM_PROVIDER: z.enum(['offline', 'openai', 'anthropic', 'openai-compatible']).optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  // Must cover one uncached prompt (a new call's whole system prompt): 8.2 s for a 1.5B model on 2 CPU cores.
  LLM_FIRST_TOKEN_MS: z.coerce.number().int().min(200).max(600_000).default(15_000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
  LLM_STREAM: z.enum(['true', 'false']).default('true'),
  LLM_FILLER_MS: z.coerce.number().int().min(0).max(10_000).default(1500),
  LLM_COOLDOWN_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
  // Twilio waits at most 15 s for a webhook's answer: the turn's model requests must be done well before.
  LLM_GATHER_TURN_MS: z.coerce.number().int().min(2000).max(14_000).default(10_000),
  LLM_MAX_TOKENS: z.coerce.number().int().min(16).max(4096).default(300),
  LLM_MODE: z.enum(['lead', 'assist']).default('lead'),
  // auto: knowledge is found by meaning too once the sentence encoder is prepared (npm start does it); off: by words.
  KNOWLEDGE_EMBEDDINGS: z.enum(['auto', 'off']).default('auto'),
  INTENT_PROVIDER: z.enum(['offline', 'openai']).default('offline'),
  INTENT_MODEL: z.string().min(1).default(DEFAULT_OPENAI_MODEL),
  MEDIA_GATEWAY: z.enum(['true', 'false']).default('true'),
  PUBLIC_URL: z.url().optional(),
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-f]{32}$/, 'AC followed by 32 hex digits')
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  TWILIO_API_URL: z.url().optional(),
  STT_PROVIDER: z.enum(['machine-voice', 'whisper', 'google']).default('machine-voice'),
  TTS_PROVIDER: z.enum(['machine-voice', 'openai']).default('machine-voice'),
  END_OF_SPEECH_MS: z.coerce.number().int().min(100).max(5000).default(500),
  DEMO_CLOCK: z.enum(['true', 'false']).default('false'),
  GOOGLE_CALENDAR_API_URL: z.url().optional(),
  GOOGLE_SERVICE_ACCOUNT_FILE: z.string().min(1).optional(),
  GOOGLE_CALENDAR_TOKEN: z.string().min(1).optional(),
  GOOGLE_CALENDAR_POLL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(60),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'smtp://user:pass@host:port or smtps://...')
    .optional(),
  REPORT_EMAIL_FROM: z.email().default('reports@customercare.local'),
  MESSAGE_EMAIL_FROM: z.email().default('appointments@customercare.local'),
  MESSAGING_TEST_PAUSE_AT: z.enum(['before-send', 'after-send']).optional(),
  RATE_LIMIT_PER_KEY: z.coerce.number().int().min(1).default(3000),
  RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(20000),
  OUTBOUND_ALLOW: z.string().optional(),
  PAYMENTS: z.enum(['ledger', 'stripe']).default('ledger'),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_/, 'a Stripe secret key, sk_... or rk_...')
    .optional(),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_/, 'the webhook signing secret, whsec_...')
    .optional(),
  STRIPE_API_URL: z.url().optional(),
  STRIPE_PRICES: JsonOf(
    z.strictObject({ starter: PriceId, professional: PriceId, enterprise: PriceId }).partial(),
  ),
  STRIPE_METERED_PRICES: JsonOf(
    z
      .strictObject({ starter: MeteredPrices, professional: MeteredPrices, enterprise: MeteredPrices })
      .partial(),
  ),
  STRIPE_METER_CALL_SECONDS: z.string().min(1).max(100).default('ccp_call_seconds'),
  STRIPE_METER_LLM_TOKENS: z.string().min(1).max(100).default('ccp_llm_tokens'),
  BILLING_GRACE_DAYS: z.coerce.number().int().min(0).max(90).default(14),
  BILLING_MAX_TRIAL_DAYS: z.coerce.number().int().min(0).max(90).default(14),
  BILLING_CLOSE_DELAY_MINUTES: z.coerce.number().int().min(0).max(1440).default(10),
  INTEGRATION_API_URLS: JsonOf(
    z.strictObject(
      Object.fromEntries(
        INTEGRATION_APIS.map((api) => [api, z.url({ protocol: /^https?$/ }).optional()]),
      ) as Record<IntegrationApi, z.ZodOptional<z.ZodURL>>,
    ),
  ),
  INTEGRATION_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  INTEGRATION_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  INTEGRATION_CONNECTION_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  INTEGRATION_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
  // A scrape token is a password: long enough not to be guessed, and printable (it travels in a header).
  METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{16,512}$/, '16 to 512 printable characters, no spaces')
    .optional(),
  // The collector's OTLP/HTTP base address (spans go to <endpoint>/v1/traces); unset, tracing is off.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_SERVICE_NAME: z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, '1 to 128 printable characters, no spaces')
    .default('customercare-pro'),
  // Which traces are kept (the OpenTelemetry SDK's names); a typo stops start-up rather than falling back.
  OTEL_TRACES_SAMPLER: z.enum(TRACES_SAMPLERS).default('parentbased_always_on'),
  // The *traceidratio samplers' share of new traces; ignored by the others, as the SDK does.
  // (An empty value is refused, not read as 0: that would keep nothing.)
  OTEL_TRACES_SAMPLER_ARG: z
    .string()
    .refine((v) => v.trim() !== '' && Number(v) >= 0 && Number(v) <= 1, 'a number from 0 to 1')
    .transform(Number)
    .optional(),
});

/** Reads the platform's settings from the environment; a bad value stops start-up with the variable named. */
/** The sentence encoder's files when they were prepared (infra/embeddings); nothing otherwise. */
const withSentenceEncoder = (): { sentenceEncoder?: SentenceEncoderFiles } => {
  const files = preparedSentenceEncoder();
  return files ? { sentenceEncoder: files } : {};
};

export const configFromEnv = (env: NodeJS.ProcessEnv = process.env): PlatformConfig => {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid setting ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const e = parsed.data;
  if (e.EVENT_STORE === 'eventstoredb' && !e.EVENTSTORE_URL) {
    throw new Error('EVENT_STORE=eventstoredb needs EVENTSTORE_URL (e.g. esdb://localhost:2113?tls=false)');
  }
  if (e.BUS === 'kafka' && (!e.KAFKA_BROKERS || !e.SCHEMA_REGISTRY_URL)) {
    throw new Error('BUS=kafka needs KAFKA_BROKERS (host:port,...) and SCHEMA_REGISTRY_URL');
  }
  if (e.READ_STORE === 'clickhouse' && !e.CLICKHOUSE_URL) {
    throw new Error('READ_STORE=clickhouse needs CLICKHOUSE_URL (e.g. http://localhost:8123)');
  }
  if (e.PAYMENTS === 'stripe' && (!e.STRIPE_SECRET_KEY || !e.STRIPE_WEBHOOK_SECRET)) {
    throw new Error('PAYMENTS=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET (and STRIPE_PRICES)');
  }
  // Without a tier's price a subscription to it would fail only when a tenant asks for it: refuse to start instead.
  const unpriced = PLAN_TIERS.filter((tier) => tier !== 'free' && e.STRIPE_PRICES[tier] === undefined);
  if (e.PAYMENTS === 'stripe' && unpriced.length > 0) {
    throw new Error(
      `PAYMENTS=stripe needs STRIPE_PRICES (JSON, the recurring price id of each paid tier, e.g. ` +
        `{"starter":"price_...","professional":"price_...","enterprise":"price_..."}); missing: ${unpriced.join(', ')}`,
    );
  }
  if ((e.TWILIO_ACCOUNT_SID === undefined) !== (e.TWILIO_AUTH_TOKEN === undefined)) {
    throw new Error('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together');
  }
  const provider =
    e.LLM_PROVIDER ??
    (e.ANTHROPIC_API_KEY
      ? 'anthropic'
      : e.OPENAI_API_KEY
        ? e.LLM_BASE_URL
          ? 'openai-compatible'
          : 'openai'
        : 'offline');
  if (provider === 'anthropic' && !e.ANTHROPIC_API_KEY)
    throw new Error('LLM_PROVIDER=anthropic needs ANTHROPIC_API_KEY');
  if (provider === 'openai' && !e.OPENAI_API_KEY) throw new Error('LLM_PROVIDER=openai needs OPENAI_API_KEY');
  if (provider === 'openai-compatible' && !e.LLM_BASE_URL) {
    throw new Error(
      'LLM_PROVIDER=openai-compatible needs LLM_BASE_URL (e.g. http://localhost:11434/v1 for Ollama)',
    );
  }
  if (e.INTENT_PROVIDER === 'openai' && !e.OPENAI_API_KEY) {
    throw new Error('INTENT_PROVIDER=openai needs OPENAI_API_KEY (or INTENT_PROVIDER=offline, the default)');
  }
  if ((e.STT_PROVIDER === 'whisper' || e.TTS_PROVIDER === 'openai') && !e.OPENAI_API_KEY) {
    throw new Error('STT_PROVIDER=whisper and TTS_PROVIDER=openai need OPENAI_API_KEY');
  }
  // A shifted clock is for simulated callers on the embedded demo: never where real callers or shared stores are.
  if (
    e.DEMO_CLOCK === 'true' &&
    (e.EVENT_STORE !== 'sqlite' ||
      e.BUS !== 'embedded' ||
      e.READ_STORE !== 'chdb' ||
      (e.TWILIO_ACCOUNT_SID !== undefined && e.TWILIO_API_URL === undefined))
  ) {
    throw new Error(
      'DEMO_CLOCK=true is for the embedded demo profile only (sqlite, embedded bus, chdb, no real Twilio account)',
    );
  }
  const dataDir = resolve(e.DATA_DIR);
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir,
    eventStore:
      e.EVENT_STORE === 'sqlite'
        ? { kind: 'sqlite', dataDir }
        : { kind: 'eventstoredb', url: e.EVENTSTORE_URL ?? '' },
    superAdmin: {
      email: e.SUPER_ADMIN_EMAIL,
      ...(e.SUPER_ADMIN_PASSWORD && { password: e.SUPER_ADMIN_PASSWORD }),
    },
    seedDemo: e.SEED_DEMO === 'true',
    ...(e.CCP_MASTER_KEY && { masterKey: e.CCP_MASTER_KEY }),
    bus:
      e.BUS === 'kafka'
        ? {
            kind: 'kafka',
            brokers: (e.KAFKA_BROKERS ?? '').split(','),
            registryUrl: e.SCHEMA_REGISTRY_URL ?? '',
          }
        : { kind: 'embedded' },
    readStore:
      e.READ_STORE === 'clickhouse'
        ? {
            kind: 'clickhouse',
            url: e.CLICKHOUSE_URL ?? '',
            ...(e.CLICKHOUSE_USER && { username: e.CLICKHOUSE_USER }),
            ...(e.CLICKHOUSE_PASSWORD && { password: e.CLICKHOUSE_PASSWORD }),
          }
        : { kind: 'chdb', dataDir },
    streamProcessing: e.STREAM_PROCESSING === 'true',
    rateLimits: { perCredential: e.RATE_LIMIT_PER_KEY, perAddress: e.RATE_LIMIT_PER_IP },
    outboundAllow: outboundAllowFromEnv(e.OUTBOUND_ALLOW),
    payments: {
      provider: e.PAYMENTS,
      graceDays: e.BILLING_GRACE_DAYS,
      maxTrialDays: e.BILLING_MAX_TRIAL_DAYS,
      closeDelayMinutes: e.BILLING_CLOSE_DELAY_MINUTES,
      ...(e.PAYMENTS === 'stripe' &&
        e.STRIPE_SECRET_KEY &&
        e.STRIPE_WEBHOOK_SECRET && {
          stripe: {
            secretKey: e.STRIPE_SECRET_KEY,
            webhookSecret: e.STRIPE_WEBHOOK_SECRET,
            ...(e.STRIPE_API_URL && { apiUrl: e.STRIPE_API_URL }),
            prices: e.STRIPE_PRICES,
            meteredPrices: e.STRIPE_METERED_PRICES,
            meterEvents: { call_seconds: e.STRIPE_METER_CALL_SECONDS, llm_tokens: e.STRIPE_METER_LLM_TOKENS },
          },
        }),
    },
    ...(e.SMTP_URL && { reportEmail: { url: e.SMTP_URL, from: e.REPORT_EMAIL_FROM } }),
    ...(e.METRICS_TOKEN !== undefined && { metricsToken: e.METRICS_TOKEN }),
    ...(e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined && {
      tracing: {
        endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
        serviceName: e.OTEL_SERVICE_NAME,
        sampler: e.OTEL_TRACES_SAMPLER,
        samplerRatio: e.OTEL_TRACES_SAMPLER_ARG ?? 1,
      },
    }),
    mediaGateway: {
      enabled: e.MEDIA_GATEWAY === 'true',
      ...(e.PUBLIC_URL && { publicUrl: e.PUBLIC_URL }),
      ...(e.TWILIO_ACCOUNT_SID &&
        e.TWILIO_AUTH_TOKEN && {
          twilio: {
            accountSid: e.TWILIO_ACCOUNT_SID,
            authToken: e.TWILIO_AUTH_TOKEN,
            ...(e.TWILIO_API_URL && { apiUrl: e.TWILIO_API_URL }),
          },
        }),
      conversationModel: {
        provider,
        ...(provider === 'anthropic'
          ? { apiKey: e.ANTHROPIC_API_KEY, ...(e.LLM_MODEL && { model: e.LLM_MODEL }) }
          : provider === 'offline'
            ? {}
            : {
                apiKey: e.OPENAI_API_KEY,
                model: e.LLM_MODEL ?? DEFAULT_OPENAI_MODEL,
                ...(e.LLM_BASE_URL && { baseURL: e.LLM_BASE_URL }),
              }),
        timeoutMs: e.LLM_TIMEOUT_MS,
        firstTokenMs: e.LLM_FIRST_TOKEN_MS,
        maxRetries: e.LLM_MAX_RETRIES,
        stream: e.LLM_STREAM === 'true',
        fillerMs: e.LLM_FILLER_MS,
        cooldownMs: e.LLM_COOLDOWN_MS,
        gatherTurnMs: e.LLM_GATHER_TURN_MS,
        maxTokens: e.LLM_MAX_TOKENS,
        mode: e.LLM_MODE,
      },
      speechToText: e.STT_PROVIDER,
      textToSpeech: e.TTS_PROVIDER,
      ...(e.KNOWLEDGE_EMBEDDINGS === 'auto' && withSentenceEncoder()),
      ...(e.OPENAI_API_KEY && { openaiApiKey: e.OPENAI_API_KEY }),
      endOfSpeechMs: e.END_OF_SPEECH_MS,
      demoClock: e.DEMO_CLOCK === 'true',
      integrations: {
        apiUrls: e.INTEGRATION_API_URLS,
        attemptTimeoutMs: e.INTEGRATION_TIMEOUT_MS,
        concurrency: e.INTEGRATION_CONCURRENCY,
        perConnectionConcurrency: e.INTEGRATION_CONNECTION_CONCURRENCY,
        retryBaseMs: e.INTEGRATION_RETRY_BASE_MS,
      },
      messaging: {
        ...(e.SMTP_URL && { smtpUrl: e.SMTP_URL }),
        emailFrom: e.MESSAGE_EMAIL_FROM,
        ...(e.MESSAGING_TEST_PAUSE_AT && { testPauseAt: e.MESSAGING_TEST_PAUSE_AT }),
      },
      ...((e.GOOGLE_SERVICE_ACCOUNT_FILE ?? e.GOOGLE_CALENDAR_TOKEN) !== undefined && {
        googleCalendar: {
          ...(e.GOOGLE_CALENDAR_API_URL && { apiUrl: e.GOOGLE_CALENDAR_API_URL }),
          ...(e.GOOGLE_SERVICE_ACCOUNT_FILE && { serviceAccountFile: e.GOOGLE_SERVICE_ACCOUNT_FILE }),
          ...(e.GOOGLE_CALENDAR_TOKEN && { accessToken: e.GOOGLE_CALENDAR_TOKEN }),
          pollSeconds: e.GOOGLE_CALENDAR_POLL_SECONDS,
        },
      }),
    },
    // The intent classifier asks OpenAI itself, never the conversation's server (LLM_BASE_URL): a local model
    // serving calls may not support its structured output, and is busy enough with the calls.
    ...(e.INTENT_PROVIDER === 'openai' &&
      e.OPENAI_API_KEY && { llm: { apiKey: e.OPENAI_API_KEY, model: e.INTENT_MODEL } }),
  };
};

/** Which adapter each port runs on, for the health page and the tenants' integrations page: names, no secrets. */
/** A Twilio account at Twilio's own API: its callers are people, not the simulator. */
const realTwilioAccount = (settings: MediaGatewaySettings): boolean =>
  settings.enabled && settings.twilio !== undefined && settings.twilio.apiUrl === undefined;

/**
 * What would reach real callers as the simulator's machine voice (modem tones). Start-up prints these loudly
 * rather than refusing: speech-gather calls use Twilio's own recognizer and voices, so such a configuration is
 * sound for them and wrong only for numbers set to Media Streams (`/twilio/voice?mode=stream`).
 */
export const speechWarnings = (config: PlatformConfig): string[] => {
  const settings = config.mediaGateway;
  if (!realTwilioAccount(settings)) return [];
  const machine = [
    ...(settings.speechToText === 'machine-voice' ? ['STT_PROVIDER=machine-voice'] : []),
    ...(settings.textToSpeech === 'machine-voice' ? ['TTS_PROVIDER=machine-voice'] : []),
  ];
  if (machine.length === 0) return [];
  return [
    `TWILIO_ACCOUNT_SID is set (a real Twilio account) with ${machine.join(', ')}: a number whose voice ` +
      'webhook is /twilio/voice?mode=stream (Media Streams) would answer real callers with the simulator’s ' +
      'machine voice. Set STT_PROVIDER=whisper or google and TTS_PROVIDER=openai (with OPENAI_API_KEY), or use ' +
      'speech gather (/twilio/voice) only.',
  ];
};

export const enginesOf = (config: PlatformConfig): Record<string, string> => {
  // On the health page: the machine voice with real callers is a fault, not just an adapter name.
  const machineNote = realTwilioAccount(config.mediaGateway)
    ? ' (simulator only: not for real callers on Media Streams)'
    : '';
  const speech = (adapter: string): string => (adapter === 'machine-voice' ? adapter + machineNote : adapter);
  return {
    eventStore: config.eventStore.kind,
    bus: config.bus.kind,
    readStore: config.readStore.kind,
    telephony: config.mediaGateway.twilio ? 'twilio' : 'local carrier (simulator)',
    conversation: config.mediaGateway.conversationModel.provider,
    // Its own setting since calls' model and intents' model parted: say which one labels the intents.
    intents: config.llm ? `openai:${config.llm.model}` : 'local classifier',
    speechToText: speech(config.mediaGateway.speechToText),
    textToSpeech: speech(config.mediaGateway.textToSpeech),
    email: config.reportEmail ? 'smtp' : 'not configured',
  };
};
