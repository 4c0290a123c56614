import { LlmUnavailableError, type LanguageModel, type LlmFailureReason, type LlmResponse } from './port.js';
import { recordFallback, recordProviderFailure, recordProviderSuccess } from './provider-failures.js';

export interface FallbackOptions {
  /**
   * Whether the primary's failures go to the platform's health page (the default). A tenant's own provider
   * sets false: its wrong key is the tenant's to fix and must not mark the platform degraded (its fallbacks are
   * logged, not counted).
   */
  readonly health?: boolean;
  /**
   * After the primary fails, it is skipped for this long (the fallback answers at once), then one request
   * probes it; 0: never skipped (LLM_COOLDOWN_MS).
   */
  readonly cooldownMs?: number;
}

/** A slow or broken server would make every caller wait its full budget before the fallback answers. */
export const DEFAULT_COOLDOWN_MS = 20_000;

/**
 * The primary's state: closed (asked), open (skipped until `until`, the fallback answers), or probing (one
 * request asks it again after the cooldown; the others keep getting the fallback until it answers).
 */
type Breaker =
  | { readonly state: 'closed' }
  | { readonly state: 'open'; readonly until: number; readonly reason: LlmFailureReason }
  | { readonly state: 'probing'; readonly reason: LlmFailureReason };

/**
 * A remote model backed by another (the offline engine): when the primary is unavailable, the fallback answers
 * the same request, so a provider outage never leaves a caller in silence. Other errors (a caller who hung up,
 * a bug) are not outages and propagate. A failed primary is skipped for a cooldown (a circuit breaker, one per
 * instance: a tenant's model has its own), logged once when skipping starts and once when it answers again.
 */
/**
 * What says the server itself is down or overloaded, so every call would wait on it: the breaker opens. A bad
 * reply (empty, markup, malformed) is one answer's fault: that turn falls back, the next asks the model again.
 */
const SERVER_DOWN: ReadonlySet<LlmFailureReason> = new Set([
  'timeout',
  'first-token-timeout',
  'unreachable',
  'http-error',
]);

export const withFallback = (
  primary: LanguageModel,
  fallback: LanguageModel,
  log?: (message: string) => void,
  options: FallbackOptions = {},
): LanguageModel => {
  const health = options.health ?? true;
  const cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
  let breaker: Breaker = { state: 'closed' };

  /** Whether this request goes to the primary; a cooldown that is over lets this one probe. */
  const asksPrimary = (): boolean => {
    if (breaker.state === 'closed') return true;
    if (breaker.state === 'open' && Date.now() >= breaker.until) {
      breaker = { state: 'probing', reason: breaker.reason };
      return true;
    }
    return false;
  };
  const skipping = (): boolean =>
    breaker.state === 'probing' || (breaker.state === 'open' && Date.now() < breaker.until);

  const answeredByFallback = async (request: Parameters<LanguageModel['respond']>[0]) => {
    const response: LlmResponse = await fallback.respond(request);
    return { ...response, fallback: true as const };
  };

  const failed = (error: LlmUnavailableError, probe: boolean): void => {
    // Kept for the health page too: a wrong key or a slow server must not hide behind the fallback's answers.
    if (health) {
      recordProviderFailure('llm', primary.name, error);
      recordFallback('llm', primary.name, error.reason);
    }
    // The error's message starts with the provider's name, already said at the start of the line.
    const prefix = `${error.provider}: `;
    const detail = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    const skipped =
      cooldownMs > 0 && SERVER_DOWN.has(error.reason)
        ? `; ${probe ? 'skipped again' : 'skipped'} for ${cooldownMs / 1000} s`
        : '';
    log?.(
      `llm: ${primary.name} failed (${error.reason}): ${detail}; ${fallback.name} answers instead${skipped}`,
    );
    if (cooldownMs > 0 && SERVER_DOWN.has(error.reason)) {
      breaker = { state: 'open', until: Date.now() + cooldownMs, reason: error.reason };
    } else if (probe) {
      // A probe answered, badly: the server is up, so the next request asks it again.
      breaker = { state: 'closed' };
    }
  };

  return {
    name: primary.name,
    respond: async (request) => {
      // No time left for the primary: asking it would count a failure it had no chance to avoid.
      const late = request.deadline !== undefined && request.deadline <= Date.now();
      if (request.preferFallback === true || late) return answeredByFallback(request);
      if (!asksPrimary()) {
        // Counted under the failure that opened the breaker: each caller turn the fallback answered shows.
        if (health && breaker.state !== 'closed') recordFallback('llm', primary.name, breaker.reason);
        return answeredByFallback(request);
      }
      const probe = breaker.state === 'probing';
      try {
        const response = await primary.respond(request);
        if (health) recordProviderSuccess('llm', primary.name);
        if (probe) {
          breaker = { state: 'closed' };
          log?.(`llm: ${primary.name} answers again`);
        }
        return response;
      } catch (error) {
        if (!(error instanceof LlmUnavailableError) || request.signal?.aborted) {
          // No verdict on the primary: the next request probes it.
          if (probe && breaker.state === 'probing')
            breaker = { state: 'open', until: 0, reason: breaker.reason };
          throw error;
        }
        failed(error, probe);
        return answeredByFallback(request);
      }
    },
    ...(primary.warm !== undefined && {
      warm: async (request) => {
        if (skipping()) return;
        try {
          await primary.warm?.(request);
        } catch (error) {
          log?.(
            `llm: ${primary.name} warm-up failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      },
    }),
  };
};
