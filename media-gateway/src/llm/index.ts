import { z } from 'zod';
import { createAnthropicModel } from './anthropic.js';
import { withAssistant } from './assistant.js';
import { withFallback } from './fallback.js';
import { DEFAULT_MODELS } from './models.js';
import { createOpenAiModel } from './openai.js';
import type { LanguageModel } from './port.js';
import { llmBudgets } from './tenant-models.js';

export * from './port.js';
export { createAnthropicModel, type AnthropicModelOptions } from './anthropic.js';
export { createOpenAiModel, type OpenAiModelOptions } from './openai.js';
export { withFallback } from './fallback.js';
export { withAssistant } from './assistant.js';
export { DEFAULT_MODELS } from './models.js';
export { splitSentences, completeSentences } from './sentences.js';
export { textToolCalls } from './text-tool-calls.js';
export { isMarkup, checkedReply } from './reply-check.js';
export {
  createTenantModels,
  llmBudgets,
  MODEL_KINDS,
  type TenantModels,
  type TenantModelsDeps,
} from './tenant-models.js';

/** Which model answers calls; read from configuration (environment), so validated. */
export const LanguageModelConfig = z.object({
  provider: z.enum(['offline', 'openai', 'anthropic', 'openai-compatible']),
  apiKey: z.string().min(1).optional(),
  baseURL: z.url().optional(),
  model: z.string().min(1).optional(),
  /** The whole turn, retries and streaming included. */
  timeoutMs: z.number().int().positive().optional(),
  /** Until the first token of a streamed answer (OpenAI-compatible servers). */
  firstTokenMs: z.number().int().positive().optional(),
  maxRetries: z.number().int().nonnegative().optional(),
  /** Stream the answer so speech starts on its first sentence (OpenAI-compatible servers; true when omitted). */
  stream: z.boolean().optional(),
  /** Replies capped at this many tokens: a phone reply is a few sentences, and a small model rambles. */
  maxTokens: z.number().int().min(16).max(4096).optional(),
  /** A failed provider is skipped for this long, the fallback answering at once; 0: never (see withFallback). */
  cooldownMs: z.number().int().nonnegative().optional(),
  /** lead: the model answers every turn (the offline engine when it fails); assist: see withAssistant. */
  mode: z.enum(['lead', 'assist']).optional(),
});
export type LanguageModelConfig = z.infer<typeof LanguageModelConfig>;

/**
 * How the platform's provider clients reach their servers: `fetch` (the platform's traced one, which sends the
 * current span as a traceparent) instead of the SDK's own.
 */
export interface ProviderTransport {
  readonly fetch?: typeof fetch;
}

/**
 * The gateway's language model: the offline engine as it is, or a remote provider backed by it, so that a
 * provider outage is answered offline instead of leaving the caller in silence; in assist mode the offline
 * engine leads and the provider answers only what it cannot (withAssistant).
 */
export const createLanguageModel = (
  config: LanguageModelConfig,
  offline: LanguageModel,
  log?: (message: string) => void,
  transport: ProviderTransport = {},
): LanguageModel => {
  const parsed = LanguageModelConfig.safeParse(config);
  if (!parsed.success) throw new Error(`LLM configuration: ${z.prettifyError(parsed.error)}`);
  const model = remoteModel(parsed.data, offline, log, transport);
  return parsed.data.mode === 'assist' && model !== offline ? withAssistant(offline, model, log) : model;
};

/** The provider's model backed by the offline engine (the offline engine alone for provider "offline"). */
const remoteModel = (
  config: LanguageModelConfig,
  offline: LanguageModel,
  log: ((message: string) => void) | undefined,
  transport: ProviderTransport,
): LanguageModel => {
  const primary = providerModel(config, transport);
  if (primary === undefined) return offline;
  const { cooldownMs } = llmBudgets(config);
  return withFallback(primary, offline, log, { ...(cooldownMs !== undefined && { cooldownMs }) });
};

/** The configured provider's own model, with nothing behind it; none for provider "offline". */
const providerModel = (
  config: LanguageModelConfig,
  { fetch }: ProviderTransport,
): LanguageModel | undefined => {
  const { provider, apiKey, baseURL, model } = config;
  const { cooldownMs: _cooldown, ...budgetsAndStreaming } = llmBudgets(config);
  const streaming = { ...budgetsAndStreaming, ...(fetch !== undefined && { fetch }) };
  // Anthropic's adapter does not stream: no first-token budget, no stream switch.
  const { timeoutMs, maxRetries, maxTokens } = streaming;
  const budgets = {
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(maxRetries !== undefined && { maxRetries }),
    ...(maxTokens !== undefined && { maxTokens }),
    ...(fetch !== undefined && { fetch }),
  };
  const needKey = (): string => {
    if (apiKey === undefined) throw new Error(`LLM provider "${provider}" needs an API key (apiKey)`);
    return apiKey;
  };
  switch (provider) {
    case 'offline':
      return undefined;
    case 'openai':
      return createOpenAiModel({
        apiKey: needKey(),
        baseURL,
        model: model ?? DEFAULT_MODELS.openai,
        ...streaming,
      });
    case 'anthropic':
      return createAnthropicModel({
        apiKey: needKey(),
        baseURL,
        model: model ?? DEFAULT_MODELS.anthropic,
        ...budgets,
      });
    case 'openai-compatible': {
      if (baseURL === undefined) {
        throw new Error(
          'LLM provider "openai-compatible" needs the server\'s baseURL, e.g. http://127.0.0.1:11434/v1',
        );
      }
      // No default: each local server has its own models (Ollama's "llama3.2", a vLLM checkpoint path, ...).
      if (model === undefined) throw new Error('LLM provider "openai-compatible" needs the model to ask for');
      return createOpenAiModel({ apiKey, baseURL, model, name: `openai-compatible:${model}`, ...streaming });
    }
  }
};

/**
 * The configured provider's model alone, for work that only a model can do and that has no offline answer
 * (translating an article for a caller): undefined with provider "offline".
 */
export const createProviderModel = (
  config: LanguageModelConfig,
  transport: ProviderTransport = {},
): LanguageModel | undefined => {
  const parsed = LanguageModelConfig.safeParse(config);
  if (!parsed.success) throw new Error(`LLM configuration: ${z.prettifyError(parsed.error)}`);
  return providerModel(parsed.data, transport);
};
