import type { PaymentProvider, PlanTier } from '@ccp/schemas';
import type { EventStoreConfig } from '../event-store/index.js';
import type { TracingSettings } from '../observability/tracing.js';

/** Where the read side's tables live (READ_STORE=chdb|clickhouse). */
export type ReadStoreConfig =
  | { readonly kind: 'chdb'; readonly dataDir: string; readonly database?: string }
  | {
      readonly kind: 'clickhouse';
      readonly url: string;
      readonly username?: string;
      readonly password?: string;
      readonly database?: string;
    };

export interface PlatformConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly eventStore: EventStoreConfig;
  readonly superAdmin: { readonly email: string; readonly password?: string };
  readonly seedDemo: boolean;
  /** Wraps the per-subject keys of personal data; generated into the data directory when unset. */
  readonly masterKey?: string;
  readonly bus:
    | { readonly kind: 'embedded' }
    | { readonly kind: 'kafka'; readonly brokers: string[]; readonly registryUrl: string };
  readonly readStore: ReadStoreConfig;
  /** Whether this process runs the stream processors (off for a command-only process of the scale profile). */
  readonly streamProcessing: boolean;
  /** An OpenAI-compatible LLM, when a key is set; the offline models are used otherwise. */
  readonly llm?: { readonly apiKey: string; readonly baseURL?: string; readonly model: string };
  readonly mediaGateway: MediaGatewaySettings;
  /** Requests per minute per credential and per client address (token buckets; 429 beyond). */
  readonly rateLimits: { readonly perCredential: number; readonly perAddress: number };
  /** The SMTP server scheduled reports are mailed through; absent, email deliveries fail saying so. */
  readonly reportEmail?: { readonly url: string; readonly from: string };
  /** Non-public address ranges (CIDR) that URLs tenants set may still reach; empty: public addresses only. */
  readonly outboundAllow: readonly string[];
  readonly payments: PaymentsSettings;
  /** The bearer token a scraper sends to GET /metrics (METRICS_TOKEN); absent, the endpoint is off (404). */
  readonly metricsToken?: string;
  /** Where spans are exported (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME); absent, tracing is off. */
  readonly tracing?: TracingSettings;
}

/** Who bills the tenants (PAYMENTS=ledger|stripe) and the platform's billing rules. */
export interface PaymentsSettings {
  readonly provider: PaymentProvider;
  readonly stripe?: StripeSettings;
  /** Days an account may stay unpaid after a failed payment before the tenant is suspended. */
  readonly graceDays: number;
  /** The longest free trial the provider is asked for (a tenant may ask for less, once per account). */
  readonly maxTrialDays: number;
  /** How long after a UTC month ends its meter is closed and (on the ledger) its invoice issued. */
  readonly closeDelayMinutes: number;
}

export interface StripeSettings {
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** Another Stripe API origin (stripe-mock in tests); Stripe's own when absent. */
  readonly apiUrl?: string;
  /** The recurring price of each paid tier; a tier without one cannot be subscribed to through Stripe. */
  readonly prices: Readonly<Partial<Record<PlanTier, string>>>;
  /**
   * Each tier's metered prices, added to its subscriptions (and swapped on a tier change), so Stripe invoices
   * the meters' usage as the console and the ledger price it: graduated prices on the meters, the tier's
   * included amount free and the rest at its own rate. A tier without them is billed no usage through Stripe.
   */
  readonly meteredPrices: Readonly<Partial<Record<PlanTier, StripeMeteredPrices>>>;
  /** The Billing Meters' event names. */
  readonly meterEvents: Readonly<{ call_seconds: string; llm_tokens: string }>;
}

/** A tier's Stripe prices on the two Billing Meters. */
export interface StripeMeteredPrices {
  readonly call_seconds?: string;
  readonly llm_tokens?: string;
}

export interface MediaGatewaySettings {
  readonly enabled: boolean;
  /** Where Twilio reaches the platform, when not at the Host it sends (a tunnel such as ngrok). */
  readonly publicUrl?: string;
  /** A real Twilio account; absent, the embedded local carrier (the simulator's Twilio) stands in. */
  readonly twilio?: { readonly accountSid: string; readonly authToken: string; readonly apiUrl?: string };
  readonly conversationModel: {
    readonly provider: 'offline' | 'openai' | 'anthropic' | 'openai-compatible';
    readonly apiKey?: string;
    readonly baseURL?: string;
    readonly model?: string;
    /** A whole request, retries apart (LLM_TIMEOUT_MS). */
    readonly timeoutMs?: number;
    /** No first token within this: the turn falls back (LLM_FIRST_TOKEN_MS). */
    readonly firstTokenMs?: number;
    /** Retries of a failed request before falling back (LLM_MAX_RETRIES). */
    readonly maxRetries?: number;
    /** Stream replies so speech starts on the first sentence (LLM_STREAM). */
    readonly stream?: boolean;
    /** On a media stream, a short "one moment" when the model has said nothing after this long; 0: never (LLM_FILLER_MS). */
    readonly fillerMs?: number;
    /** A failed model is skipped for this long, the offline engine answering at once; 0: never (LLM_COOLDOWN_MS). */
    readonly cooldownMs?: number;
    /** A gather webhook's whole turn, all its model requests, must be answered within this (LLM_GATHER_TURN_MS). */
    readonly gatherTurnMs?: number;
    /** Replies capped at this many tokens (LLM_MAX_TOKENS). */
    readonly maxTokens?: number;
    /** lead: the model answers every turn; assist: the offline engine does, the model only what it cannot (LLM_MODE). */
    readonly mode?: 'lead' | 'assist';
  };
  readonly speechToText: 'machine-voice' | 'whisper' | 'google';
  readonly textToSpeech: 'machine-voice' | 'openai';
  /**
   * The sentence encoder's files (infra/embeddings prepares them): a question whose words find no article is
   * matched by meaning too. Absent: knowledge is found by words only (KNOWLEDGE_EMBEDDINGS).
   */
  readonly sentenceEncoder?: { readonly model: string; readonly tokenizer: string };
  readonly openaiApiKey?: string;
  readonly endOfSpeechMs: number;
  /**
   * The simulator may place a call "as if" at another time (a signed DemoAt parameter on the call's first
   * webhook): that call's routing and conversation use it. Only on the embedded demo profile.
   */
  readonly demoClock: boolean;
  /**
   * Two-way sync of linked staff calendars with Google Calendar: a service account's key file (staff share their
   * calendars with its address) or a bearer token; absent, calendars cannot be linked to Google.
   */
  readonly googleCalendar?: {
    readonly apiUrl?: string;
    readonly serviceAccountFile?: string;
    readonly accessToken?: string;
    readonly pollSeconds: number;
  };
  /**
   * Messages to contacts: SMS and WhatsApp go through the Twilio account above when there is one (else the
   * embedded outbox); email through this SMTP server when set (else the outbox).
   */
  readonly messaging?: {
    readonly smtpUrl?: string;
    readonly emailFrom: string;
    /** TEST HOOK (MESSAGING_TEST_PAUSE_AT): the delivery worker stops at this point of every attempt. */
    readonly testPauseAt?: 'before-send' | 'after-send';
  };
  /** Deliveries to tenants' connections (webhooks, CRMs, helpdesks, chat) from the event log. */
  readonly integrations: IntegrationsSettings;
}

/** Services whose API address is the platform's, not the tenant's: a stand-in may take their place in tests. */
export const INTEGRATION_APIS = [
  'slack',
  'telegram',
  'hubspot',
  'zendesk',
  'freshdesk',
  'openai',
  'anthropic',
  'google_speech',
] as const;
export type IntegrationApi = (typeof INTEGRATION_APIS)[number];

export interface IntegrationsSettings {
  /**
   * Base URLs that replace the services' own (INTEGRATION_API_URLS), for stand-ins and regional endpoints.
   * Zendesk's and Freshdesk's may hold `{subdomain}` / `{domain}`, filled from the connection.
   */
  readonly apiUrls: Readonly<Partial<Record<IntegrationApi, string>>>;
  /** How long one attempt may take before it counts as timed out (INTEGRATION_TIMEOUT_MS, default 10 s). */
  readonly attemptTimeoutMs: number;
  /** Attempts in flight at once, over every connection (INTEGRATION_CONCURRENCY, default 32). */
  readonly concurrency: number;
  /** Attempts in flight at once to one connection (INTEGRATION_CONNECTION_CONCURRENCY, default 8). */
  readonly perConnectionConcurrency: number;
  /** The first retry's pause; each further one doubles it, with jitter (INTEGRATION_RETRY_BASE_MS, 1 s). */
  readonly retryBaseMs: number;
}
