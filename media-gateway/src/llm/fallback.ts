import { LlmUnavailableError, type LanguageModel } from './port.js';
import { recordFallback, recordProviderFailure, recordProviderSuccess } from './provider-failures.js';

export interface FallbackOptions {
  /**
   * Whether the primary's failures go to the platform's health page (the default). A tenant's own provider
   * sets false: its wrong key is the tenant's to fix and must not mark the platform degraded (its fallbacks are
   * logged, not counted).
   */
  readonly health?: boolean;
}

/**
 * A remote model backed by another (the offline engine): when the primary is unavailable, the fallback answers
 * the same request, so a provider outage never leaves a caller in silence. Other errors (a caller who hung up,
 * a bug) are not outages and propagate.
 */
export const withFallback = (
  primary: LanguageModel,
  fallback: LanguageModel,
  log?: (message: string) => void,
  options: FallbackOptions = {},
): LanguageModel => {
  const health = options.health ?? true;
  return {
    name: primary.name,
    respond: async (request) => {
      try {
        const response = await primary.respond(request);
        if (health) recordProviderSuccess('llm', primary.name);
        return response;
      } catch (error) {
        if (!(error instanceof LlmUnavailableError) || request.signal?.aborted) throw error;
        // Kept for the health page too: a wrong key or a slow server must not hide behind the fallback's answers.
        if (health) {
          recordProviderFailure('llm', primary.name, error);
          recordFallback('llm', primary.name, error.reason);
        }
        // The error's message starts with the provider's name, already said at the start of the line.
        const prefix = `${error.provider}: `;
        const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
        log?.(`llm: ${primary.name} failed (${error.reason}): ${detail}; ${fallback.name} answers instead`);
        return fallback.respond(request);
      }
    },
  };
};
