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

/** Any failure of a provider call, as the error the gateway falls back on, with what went wrong and where. */
export const unavailable = (
  provider: string,
  error: unknown,
  context: { readonly sdk: SdkErrorClasses; readonly endpoint: string; readonly timeoutMs: number },
): LlmUnavailableError => {
  if (error instanceof LlmUnavailableError) return error;
  const { sdk, endpoint, timeoutMs } = context;
  // Timeout before connection: the SDKs' timeout class extends their connection class.
  if (error instanceof sdk.APIConnectionTimeoutError) {
    return new LlmUnavailableError(provider, `no answer from ${endpoint} within ${timeoutMs} ms`, {
      cause: error,
    });
  }
  if (error instanceof sdk.APIConnectionError) {
    return new LlmUnavailableError(provider, `cannot reach ${endpoint}: ${rootCause(error)}`, {
      cause: error,
    });
  }
  if (error instanceof sdk.APIError && error.status !== undefined) {
    return new LlmUnavailableError(provider, `HTTP ${error.status} from ${endpoint}: ${error.message}`, {
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new LlmUnavailableError(provider, `failed calling ${endpoint}: ${reason}`, { cause: error });
};
