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
  readonly timeoutMs?: number;
  readonly log: (message: string) => void;
}

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
  connection: Connection,
  secrets: Secrets,
  deps: TenantModelsDeps,
): LanguageModel | undefined => {
  const { settings } = connection;
  const timeout = deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {};
  switch (settings.kind) {
    case 'openai': {
      const apiKey = secrets['apiKey'];
      if (apiKey === undefined) return undefined;
      return createOpenAiModel({
        apiKey,
        model: settings.model ?? DEFAULT_MODELS.openai,
        ...(deps.apiUrls.openai !== undefined && { baseURL: deps.apiUrls.openai }),
        ...timeout,
      });
    }
    case 'anthropic': {
      const apiKey = secrets['apiKey'];
      if (apiKey === undefined) return undefined;
      return createAnthropicModel({
        apiKey,
        model: settings.model ?? DEFAULT_MODELS.anthropic,
        ...(deps.apiUrls.anthropic !== undefined && { baseURL: deps.apiUrls.anthropic }),
        ...timeout,
      });
    }
    case 'openai_compatible':
      return createOpenAiModel({
        ...(secrets['apiKey'] !== undefined && { apiKey: secrets['apiKey'] }),
        baseURL: settings.baseUrl,
        model: settings.model,
        name: `openai-compatible:${settings.model}`,
        fetch: deps.fetch,
        ...timeout,
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
        const own = build(connection, secrets, deps);
        if (own !== undefined) {
          const where = `tenant ${tenantId}, ${connection.kind} connection ${connection.connectionId}`;
          model = withFallback(own, platform, (message) => log(`${where}: ${redact(message, secrets)}`));
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

  return {
    modelFor: (tenantId) => ({
      get name() {
        return current(tenantId).name;
      },
      respond: async (request) => {
        await connections.catchUp();
        return current(tenantId).respond(request);
      },
    }),
  };
};
