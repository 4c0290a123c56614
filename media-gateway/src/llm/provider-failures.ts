import { providerErrorKindOf, type ProviderErrorKind, type ProviderErrorPort } from '@ccp/command-service';
import { LlmUnavailableError } from './port.js';

/**
 * The last failure of each remote provider (LLM, speech-to-text, text-to-speech), for the platform health page.
 * Every provider falls back on failure (the offline engine answers instead), so a wrong key would otherwise show
 * only as a log line while callers quietly get the fallback. Kept in the process: the one-process platform's
 * query API reads what its media gateway recorded.
 */

export type ProviderPort = 'llm' | 'stt' | 'tts';
export type ProviderFailureKind = ProviderErrorKind;

export interface ProviderFailure {
  readonly port: ProviderPort;
  readonly provider: string;
  readonly kind: ProviderFailureKind;
  /** The provider's HTTP status, when it answered with one. */
  readonly status?: number;
  /**
   * Why a model's turn failed (an LlmUnavailableError's reason: timeout, empty-reply, not-speech, …). Without an
   * HTTP status, `kind` says only "unreachable"; this says what happened.
   */
  readonly reason?: string;
  readonly message: string;
  /** ISO 8601. */
  readonly at: string;
  /** A later request to the same provider succeeded. */
  readonly recovered: boolean;
}

const failures = new Map<string, ProviderFailure>();
const keyOf = (port: ProviderPort, provider: string): string => `${port}:${provider}`;

/** The HTTP status an SDK error (or one it wraps) carries: openai and @anthropic-ai/sdk put it in `status`. */
const statusOf = (error: unknown): number | undefined => {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const status = (current as Error & { status?: unknown }).status;
    if (typeof status === 'number' && Number.isInteger(status)) return status;
    current = current.cause;
  }
  return undefined;
};

/** gRPC status codes (Google Speech) that mean the same as the HTTP ones. */
const GRPC_UNAUTHENTICATED = 16;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_RESOURCE_EXHAUSTED = 8;
const grpcKindOf = (error: unknown): ProviderFailureKind | undefined => {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  if (code === GRPC_UNAUTHENTICATED || code === GRPC_PERMISSION_DENIED) return 'auth';
  if (code === GRPC_RESOURCE_EXHAUSTED) return 'rate-limit';
  return undefined;
};

/** How a provider failed, from what its error carries (an HTTP status, a gRPC code); nothing: unreachable. */
export const failureKindOf = (error: unknown): ProviderFailureKind =>
  grpcKindOf(error) ?? providerErrorKindOf(statusOf(error));

/** Every failure of every provider since the process started, by port, provider and kind (for the metrics). */
const errorCounts = new Map<
  string,
  {
    readonly port: ProviderErrorPort;
    readonly provider: string;
    readonly kind: ProviderFailureKind;
    count: number;
  }
>();

/** Counts a provider's failed request; recordProviderFailure does so too. */
const countProviderError = (port: ProviderErrorPort, provider: string, error: unknown): void => {
  const kind = failureKindOf(error);
  const key = `${port}\u0000${provider}\u0000${kind}`;
  const entry = errorCounts.get(key) ?? { port, provider, kind, count: 0 };
  entry.count += 1;
  errorCounts.set(key, entry);
};

/** The counts of countProviderError, read at each scrape. */
export const providerErrorCounts = (): readonly {
  readonly port: ProviderErrorPort;
  readonly provider: string;
  readonly kind: ProviderFailureKind;
  readonly count: number;
}[] => [...errorCounts.values()].map((entry) => ({ ...entry }));

/** Records a provider's failure (the one its caller falls back on). */
export const recordProviderFailure = (
  port: ProviderPort,
  provider: string,
  error: unknown,
  now: Date = new Date(),
): ProviderFailure => {
  const status = statusOf(error);
  countProviderError(port, provider, error);
  const failure: ProviderFailure = {
    port,
    provider,
    kind: failureKindOf(error),
    ...(status !== undefined && { status }),
    ...(error instanceof LlmUnavailableError && { reason: error.reason }),
    // Bounded: provider messages can echo request details.
    message: (error instanceof Error ? error.message : String(error)).slice(0, 300),
    at: now.toISOString(),
    recovered: false,
  };
  failures.set(keyOf(port, provider), failure);
  return failure;
};

/** A provider answered: its last failure stays listed, marked recovered. */
export const recordProviderSuccess = (port: ProviderPort, provider: string): void => {
  const key = keyOf(port, provider);
  const last = failures.get(key);
  if (last !== undefined && !last.recovered) failures.set(key, { ...last, recovered: true });
};

/** Each provider's last failure, newest first. */
export const providerFailures = (): ProviderFailure[] =>
  [...failures.values()].sort((a, b) => b.at.localeCompare(a.at));

/**
 * How often calls fell back from a provider, and why (an LlmUnavailableError's reason: timeout, empty-reply, …).
 * The last failure alone hides a provider that fails one turn in three: each fallback is counted since start.
 */
export interface ProviderFallbacks {
  readonly port: ProviderPort;
  readonly provider: string;
  readonly total: number;
  readonly byReason: Readonly<Record<string, number>>;
  readonly lastReason: string;
  /** ISO 8601. */
  readonly lastAt: string;
}

const fallbacks = new Map<string, ProviderFallbacks>();

/** Counts one fallback from a provider (its caller answered with the offline engine instead). */
export const recordFallback = (
  port: ProviderPort,
  provider: string,
  reason: string,
  now: Date = new Date(),
): void => {
  const key = keyOf(port, provider);
  const byReason = { ...fallbacks.get(key)?.byReason };
  byReason[reason] = (byReason[reason] ?? 0) + 1;
  fallbacks.set(key, {
    port,
    provider,
    total: (fallbacks.get(key)?.total ?? 0) + 1,
    byReason,
    lastReason: reason,
    lastAt: now.toISOString(),
  });
};

/** Each provider's fallbacks since the process started, the most recent first. */
export const providerFallbacks = (): ProviderFallbacks[] =>
  [...fallbacks.values()].sort((a, b) => b.lastAt.localeCompare(a.lastAt));
