import type { Connection, Secrets } from '../integrations/connections.js';
import type { LiveConnections } from '../integrations/live-connections.js';
import { createAnthropicModel } from './anthropic.js';
import { withFallback } from './fallback.js';
import { DEFAULT_MODELS } from './models.js';
import { createOpenAiModel } from './openai.js';
import type { LanguageModel } from './port.js';

/** The connection kinds that bring a tenant's own language model, in no order of preference. */
export const MODEL_KINDS = ['openai', 'anthropic', 'openai_compatible'] as const;
type ModelKind = (typeof MODEL_KINDS)[number];

export interface TenantModelsDeps {
  readonly connections: LiveConnections;
  /** The platform's own model: tenants without a connection, and any tenant whose provider fails. */
  readonly platform: LanguageModel;
  /** The outbound guard's fetch: an openai_compatible base URL is the tenant's, so it is checked as it is used. */
  readonly fetch: typeof fetch;
  /** Stand-ins (tests) or regional endpoints for OpenAI's and Anthropic's own APIs. */
  readonly apiUrls: { readonly openai?: string; readonly anthropic?: string };
  /** The platform's LLM settings (LLM_TIMEOUT_MS, LLM_FIRST_TOKEN_MS, LLM_MAX_RETRIES, LLM_STREAM), for tenants' models too. */
  readonly timeoutMs?: number;
  readonly firstTokenMs?: number;
  readonly maxRetries?: number;
  readonly stream?: boolean;
  /** Replies capped at this many tokens (LLM_MAX_TOKENS). */
  readonly maxTokens?: number;
  /** A failed tenant's provider is skipped for this long (LLM_COOLDOWN_MS); 0: never. */
  readonly cooldownMs?: number;
  readonly log: (message: string) => void;
}

/** The platform's LLM budgets as TenantModelsDeps takes them, from settings where each may be unset. */
export const llmBudgets = (settings: {
  readonly timeoutMs?: number | undefined;
  readonly firstTokenMs?: number | undefined;
  readonly maxRetries?: number | undefined;
  readonly stream?: boolean | undefined;
  readonly maxTokens?: number | undefined;
  readonly cooldownMs?: number | undefined;
}): Pick<
  TenantModelsDeps,
  'timeoutMs' | 'firstTokenMs' | 'maxRetries' | 'stream' | 'maxTokens' | 'cooldownMs'
> => ({
  ...(settings.timeoutMs !== undefined && { timeoutMs: settings.timeoutMs }),
  ...(settings.firstTokenMs !== undefined && { firstTokenMs: settings.firstTokenMs }),
  ...(settings.maxRetries !== undefined && { maxRetries: settings.maxRetries }),
  ...(settings.stream !== undefined && { stream: settings.stream }),
  ...(settings.maxTokens !== undefined && { maxTokens: settings.maxTokens }),
  ...(settings.cooldownMs !== undefined && { cooldownMs: settings.cooldownMs }),
});

export interface TenantModels {
  /**
   * The model that answers the tenant's calls: its own provider when it connected one, else the platform's. The
   * choice is made again on every turn, so a rotated key or a disabled connection counts from the next turn.
   */
  modelFor(tenantId: string): LanguageModel;
}

const isModelConnection = (c: Connection): c is Connection & { kind: ModelKind } =>
  c.enabled && (MODEL_KINDS as readonly string[]).includes(c.kind);

/** A message without the tenant's secrets in it, whatever a provider chose to echo back. */
const redact = (message: string, secrets: Secrets): string =>
  Object.values(secrets).reduce(
    (text, secret) => (secret.length >= 8 ? text.split(secret).join('[redacted]') : text),
    message,
  );

const build = (
  tenantId: string,
  connection: Connection,
  secrets: Secrets,
  deps: TenantModelsDeps,
): LanguageModel | undefined => {
  const { settings } = connection;
  // Every request through the guard (OpenAI's and Anthropic's own APIs too), under a name of the tenant's: a
  // tenant's model named like the platform's must not be taken for it in logs and errors.
  const common = {
    fetch: deps.fetch,
    ...(deps.timeoutMs !== undefined && { timeoutMs: deps.timeoutMs }),
    ...(deps.maxRetries !== undefined && { maxRetries: deps.maxRetries }),
    ...(deps.maxTokens !== undefined && { maxTokens: deps.maxTokens }),
  };
  // Anthropic's adapter does not stream, so it has no first-token budget.
  const streaming = {
    ...common,
    ...(deps.firstTokenMs !== undefined && { firstTokenMs: deps.firstTokenMs }),
    ...(deps.stream !== undefined && { stream: deps.stream }),
  };
  const nameOf = (provider: string, model: string) => `tenant:${tenantId}:${provider}:${model}`;
  switch (settings.kind) {
    case 'openai': {
      const apiKey = secrets['apiKey'];
      if (apiKey === undefined) return undefined;
      const model = settings.model ?? DEFAULT_MODELS.openai;
      return createOpenAiModel({
        apiKey,
        model,
        name: nameOf('openai', model),
        ...(deps.apiUrls.openai !== undefined && { baseURL: deps.apiUrls.openai }),
        ...streaming,
      });
    }
    case 'anthropic': {
      const apiKey = secrets['apiKey'];
      if (apiKey === undefined) return undefined;
      const model = settings.model ?? DEFAULT_MODELS.anthropic;
      return createAnthropicModel({
        apiKey,
        model,
        name: nameOf('anthropic', model),
        ...(deps.apiUrls.anthropic !== undefined && { baseURL: deps.apiUrls.anthropic }),
        ...common,
      });
    }
    case 'openai_compatible':
      return createOpenAiModel({
        ...(secrets['apiKey'] !== undefined && { apiKey: secrets['apiKey'] }),
        baseURL: settings.baseUrl,
        model: settings.model,
        name: nameOf('openai-compatible', settings.model),
        ...streaming,
      });
    default:
      return undefined;
  }
};

interface Cached {
  readonly connectionId: string;
  readonly version: number;
  readonly model: LanguageModel;
}

export const createTenantModels = (deps: TenantModelsDeps): TenantModels => {
  const { connections, platform, log } = deps;
  // One client per tenant, rebuilt when its connection changes (a new version): a client holds its key.
  const cache = new Map<string, Cached>();

  const current = (tenantId: string): LanguageModel => {
    const view = connections.view;
    const connection = view.connections(tenantId).find(isModelConnection);
    if (connection === undefined) {
      cache.delete(tenantId);
      return platform;
    }
    const cached = cache.get(tenantId);
    if (cached?.connectionId === connection.connectionId && cached.version === connection.version) {
      return cached.model;
    }
    const secrets = view.secretsOf(connection);
    let model: LanguageModel = platform;
    if (secrets === undefined) {
      log(
        `llm: tenant ${tenantId}: the secrets of ${connection.kind} connection ${connection.connectionId} cannot be opened; the platform's model answers`,
      );
    } else {
      try {
        const own = build(tenantId, connection, secrets, deps);
        if (own !== undefined) {
          const where = `tenant ${tenantId}, ${connection.kind} connection ${connection.connectionId}`;
          // Not on the platform's health page: a tenant's wrong key does not degrade the platform.
          model = withFallback(own, platform, (message) => log(`${where}: ${redact(message, secrets)}`), {
            health: false,
            ...(deps.cooldownMs !== undefined && { cooldownMs: deps.cooldownMs }),
          });
        }
      } catch (error) {
        log(
          `llm: tenant ${tenantId}: ${connection.kind} connection ${connection.connectionId} unusable: ${redact(String(error), secrets)}; the platform's model answers`,
        );
      }
    }
    cache.set(tenantId, { connectionId: connection.connectionId, version: connection.version, model });
    return model;
  };

  // One read of the log at a time, shared by the turns that arrive meanwhile; a failed read is logged and the
  // view is used as it is (the platform's model answers a tenant it does not know yet), never failing a turn.
  let reading: Promise<void> | undefined;
  const catchUp = (): Promise<void> => {
    reading ??= connections
      .catchUp()
      .catch((error: unknown) => log(`llm: the connections could not be read: ${String(error)}`))
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };

  return {
    modelFor: (tenantId) => ({
      get name() {
        return current(tenantId).name;
      },
      respond: async (request) => {
        await catchUp();
        return current(tenantId).respond(request);
      },
      // Whichever model answers the tenant's next turn is the one to warm; the offline engine has nothing to warm.
      warm: async (request) => {
        await catchUp();
        await current(tenantId).warm?.(request);
      },
    }),
  };
};
