import { LlmUnavailableError } from './port.js';

type ErrorClass = abstract new (...args: never[]) => Error;

/** The error classes both the openai and @anthropic-ai/sdk packages export under these names. */
export interface SdkErrorClasses {
  readonly APIError: abstract new (...args: never[]) => Error & { readonly status: number | undefined };
  readonly APIConnectionError: ErrorClass;
  readonly APIConnectionTimeoutError: ErrorClass;
}

/** The innermost useful reason of a network failure (fetch wraps ECONNREFUSED two causes deep). */
const rootCause = (error: unknown): string => {
  let current: unknown = error;
  let reason = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined; depth += 1) {
    current = current.cause;
    if (current instanceof Error) {
      const code = (current as Error & { code?: unknown }).code;
      reason = typeof code === 'string' ? `${code} (${current.message})` : current.message;
    }
  }
  return reason;
};

/** Codes of a connection that failed or broke mid-answer (undici and Node's own). */
const NETWORK_CODES =
  /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|UND_ERR_\w+)/;

/** A stream cut off mid-answer reaches us as fetch's "terminated" or a socket error, not as an SDK class. */
const isNetworkFailure = (error: unknown): boolean =>
  error instanceof Error && (error.message === 'terminated' || NETWORK_CODES.test(rootCause(error)));

/** Any failure of a provider call, as the error the gateway falls back on, with what went wrong, where and why. */
export const unavailable = (
  provider: string,
  error: unknown,
  context: { readonly sdk: SdkErrorClasses; readonly endpoint: string; readonly timeoutMs: number },
): LlmUnavailableError => {
  if (error instanceof LlmUnavailableError) return error;
  const { sdk, endpoint, timeoutMs } = context;
  // Timeout before connection: the SDKs' timeout class extends their connection class.
  if (error instanceof sdk.APIConnectionTimeoutError) {
    return timedOut(provider, endpoint, timeoutMs, error);
  }
  if (error instanceof sdk.APIConnectionError || isNetworkFailure(error)) {
    return new LlmUnavailableError(provider, `cannot reach ${endpoint}: ${rootCause(error)}`, {
      cause: error,
      reason: 'unreachable',
    });
  }
  if (error instanceof sdk.APIError && error.status !== undefined) {
    return new LlmUnavailableError(provider, `HTTP ${error.status} from ${endpoint}: ${error.message}`, {
      cause: error,
      reason: 'http-error',
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new LlmUnavailableError(provider, `failed calling ${endpoint}: ${reason}`, {
    cause: error,
    reason: 'malformed',
  });
};

/** The whole request took longer than its budget. */
export const timedOut = (
  provider: string,
  endpoint: string,
  timeoutMs: number,
  cause?: unknown,
): LlmUnavailableError =>
  new LlmUnavailableError(provider, `no answer from ${endpoint} within ${timeoutMs} ms`, {
    cause,
    reason: 'timeout',
  });

/** Nothing of the answer (no text, no tool call) came within the time-to-first-token budget. */
export const noFirstToken = (provider: string, endpoint: string, firstTokenMs: number): LlmUnavailableError =>
  new LlmUnavailableError(provider, `no first token from ${endpoint} within ${firstTokenMs} ms`, {
    reason: 'first-token-timeout',
  });
