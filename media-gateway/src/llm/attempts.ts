import { setTimeout as delay } from 'node:timers/promises';
import { SentenceFeed } from './openai-stream.js';
import { LlmUnavailableError, type LlmRequest, type LlmResponse, type ToolSpec } from './port.js';
import { noFirstToken, timedOut, unavailable, type SdkErrorClasses } from './provider-errors.js';
import { checkedReply } from './reply-check.js';
import { textToolCalls } from './text-tool-calls.js';
import { TurnBudget } from './turn-budget.js';

/**
 * One model turn over HTTP, the same for every adapter: one budget for the whole turn (retries included), the
 * first-token budget while streaming, retries of a failed attempt only while nothing was said, and the reply
 * checked before it counts. The SDKs' own retries stay off (they would retry past the turn's deadline, and
 * retry a half-spoken answer).
 */

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RETRIES = 1;
/** A phone reply is a few sentences; the cap bounds latency and cost when a model rambles (LLM_MAX_TOKENS). */
export const DEFAULT_MAX_TOKENS = 300;
/** Short: a caller is waiting, and a second failure is answered by the fallback anyway. */
const RETRY_DELAY_MS = 200;

export interface TurnOptions {
  readonly name: string;
  readonly endpoint: string;
  readonly sdk: SdkErrorClasses;
  readonly timeoutMs: number;
  /** Only for a streamed answer; undefined when the answer is not streamed. */
  readonly firstTokenMs?: number;
  readonly maxRetries: number;
}

/** HTTP statuses worth a second try: the server was busy or failed, not the request. */
const isRetryable = (failure: LlmUnavailableError, sdk: SdkErrorClasses): boolean => {
  if (failure.reason === 'unreachable') return true;
  const status = failure.cause instanceof sdk.APIError ? failure.cause.status : undefined;
  return status !== undefined && (status === 408 || status === 409 || status === 429 || status >= 500);
};

/**
 * The reply checked; a reply that turned to markup after sentences the caller already heard is those sentences
 * (and the calls written in it): failed, it could be neither retried nor replaced (a fallback's answer would not
 * continue what was said), and the caller would hear silence after its first words.
 */
const checkedAfterSentences = (
  name: string,
  answer: LlmResponse,
  tools: readonly ToolSpec[],
  feed: SentenceFeed,
): LlmResponse => {
  try {
    return checkedReply(name, answer, tools);
  } catch (error) {
    if (!(error instanceof LlmUnavailableError) || error.reason !== 'not-speech' || feed.given === 0)
      throw error;
    const written = textToolCalls(
      answer.text,
      tools.map((tool) => tool.name),
    );
    return checkedReply(
      name,
      {
        ...answer,
        text: feed.sentences.join(' '),
        streamed: feed.given,
        toolCalls: [...answer.toolCalls, ...written.calls],
      },
      tools,
    );
  }
};

/** One HTTP attempt, its answer not yet checked. */
export type Attempt = (budget: TurnBudget, feed: SentenceFeed) => Promise<LlmResponse>;

export const respondWithin = async (
  request: LlmRequest,
  tools: readonly ToolSpec[],
  options: TurnOptions,
  attempt: Attempt,
): Promise<LlmResponse> => {
  const { name, endpoint, sdk, timeoutMs, firstTokenMs, maxRetries } = options;
  const budget = new TurnBudget(
    request.signal,
    timeoutMs,
    firstTokenMs,
    request.deadline,
    request.onFirstToken,
  );
  // What the turn was given, for the error: the request's deadline may leave less than timeoutMs.
  const givenMs = budget.remainingMs;
  const context = { sdk, endpoint, timeoutMs };
  const toolNames = tools.map((tool) => tool.name);
  /** The error the turn ends with: the caller's own abort as it is, everything else as an outage. */
  const failureOf = (error: unknown): unknown => {
    switch (budget.cause) {
      case 'caller':
        return error;
      case 'deadline':
        return timedOut(name, endpoint, givenMs, error);
      case 'first-token':
        return noFirstToken(name, endpoint, firstTokenMs ?? 0);
      default:
        return unavailable(name, error, context);
    }
  };
  try {
    for (let retries = 0; ; retries += 1) {
      const attemptStarted = Date.now();
      const feed = new SentenceFeed(request.onSentence, toolNames);
      try {
        const answer = await attempt(budget, feed);
        return checkedAfterSentences(
          name,
          request.onSentence === undefined || firstTokenMs === undefined
            ? answer
            : { ...answer, streamed: feed.given },
          tools,
          feed,
        );
      } catch (error) {
        // The gateway's own onSentence failed: its bug, not the provider's outage.
        const bug = feed.callbackFailure;
        if (bug !== undefined) throw bug.error;
        const failure = failureOf(error);
        if (!(failure instanceof LlmUnavailableError)) throw failure;
        // Once a sentence was said, a second answer would not continue it.
        if (
          budget.cause !== undefined ||
          retries >= maxRetries ||
          feed.given > 0 ||
          !isRetryable(failure, sdk) ||
          // A retry that cannot finish in the time left would only make the caller wait for the fallback.
          budget.remainingMs < RETRY_DELAY_MS + (Date.now() - attemptStarted)
        ) {
          throw failure;
        }
        await delay(RETRY_DELAY_MS, undefined, { signal: budget.signal }).catch((aborted: unknown) => {
          throw failureOf(aborted);
        });
      }
    }
  } finally {
    budget.dispose();
  }
};
