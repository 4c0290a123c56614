/**
 * The LLM port: one turn of a tool-calling conversation. Adapters: OpenAI (and any OpenAI-compatible server by
 * base URL: llama.cpp, Ollama, vLLM), Anthropic, and the offline dialogue engine. The gateway owns the tools:
 * a model only asks for them, the gateway runs them and sends their results back in the next request.
 */

/** JSON Schema of a tool's arguments (an object schema), as both OpenAI and Anthropic accept it. */
export type JsonSchemaObject = {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, unknown>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
};

export interface ToolSpec {
  /** 1-64 of letters, digits, "_" or "-" (what OpenAI and Anthropic both allow). */
  readonly name: string;
  readonly description: string;
  readonly parameters: JsonSchemaObject;
}

export interface ToolCallRequest {
  /** The model's id for this call; the matching tool message carries it back. */
  readonly id: string;
  readonly name: string;
  readonly arguments: Readonly<Record<string, unknown>>;
}

export type ChatMessage =
  | { readonly role: 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string; readonly toolCalls?: readonly ToolCallRequest[] }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly name: string; readonly content: string };

export interface LlmRequest {
  /**
   * Tenant, department and agent prompts, personality, tone and call scripts, already put together: the same on
   * every call of the agent, so that a server's prompt cache keeps it (and the tools) across calls.
   */
  readonly system: string;
  /**
   * The call's situation: who calls, a campaign lead's variables, open or closed and when the business opens,
   * when the call started (to the minute, in the business's zone), a supervisor's notes. Kept out of `system`;
   * each adapter places it where it costs the cache least (prompt-placement.ts), with the reply language.
   */
  readonly context?: string;
  readonly messages: readonly ChatMessage[];
  readonly tools: readonly ToolSpec[];
  /** BCP 47 language the caller speaks now; the reply must be in it. */
  readonly language: string;
  /** The tenant's languages, first is the default. */
  readonly languages: readonly string[];
  /** "now" for relative dates ("tomorrow at 3"), and the tenant's IANA time zone. */
  readonly now: Date;
  readonly timeZone: string;
  readonly signal?: AbortSignal;
  /**
   * Told each complete sentence of the reply as a streaming model writes it, so that speech can start on the
   * first one. Only sentences that read as speech are given (never tool-call JSON or markup); the response's
   * `streamed` says how many of `text`'s leading sentences (as splitSentences cuts them) were given.
   */
  readonly onSentence?: (sentence: string) => void;
  /**
   * Told once, when the first token of the answer arrives (a streamed text or tool-call delta, or a body that was
   * not streamed after all): the time to first token. Adapters that never stream (the offline engine, Anthropic's)
   * do not call it; their first token comes with the whole answer.
   */
  readonly onFirstToken?: () => void;
  /**
   * Epoch ms: the answer must be in by then (a caller waits on the line: a Twilio webhook at most 15 s). An
   * adapter gives up with reason 'timeout' when it cannot, retries only within it, and the turn falls back.
   */
  readonly deadline?: number;
  /**
   * The turn already fell back once (a response marked `fallback`): its later rounds go straight to the
   * fallback, which answers at once, instead of waiting for the primary again. Honoured by withFallback.
   */
  readonly preferFallback?: boolean;
}

export interface LlmUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface LlmResponse {
  /** What to say to the caller; may accompany tool calls (a filler line such as "One moment..."). */
  readonly text: string;
  readonly toolCalls: readonly ToolCallRequest[];
  /** The model that answered, as the provider names it. */
  readonly model: string;
  readonly usage: LlmUsage;
  /** 0-1, when the engine knows how sure it is of what the caller meant; undefined for LLMs that do not say. */
  readonly confidence?: number;
  /** How many leading sentences of `text` (splitSentences) already went to the request's onSentence; 0 when omitted. */
  readonly streamed?: number;
  /** Answered by withFallback's fallback, not by the primary (which failed, is cooling down or was skipped). */
  readonly fallback?: true;
  /**
   * The engine has no good answer (nothing found for the question, a line it did not understand) and says so:
   * a model that leads with the offline engine (withAssistant) asks its assistant instead.
   */
  readonly unsure?: true;
}

export interface LanguageModel {
  /** For logs and the AiReplied event's model when the provider gives none. */
  readonly name: string;
  respond(request: LlmRequest): Promise<LlmResponse>;
  /**
   * Fills the server's prompt cache with this request's prefix (system prompt, tools, messages so far) while the
   * caller hears something else, so the turn that follows reads only what was added. Asks for one token, not
   * streamed, not retried, within the model's timeout. An adapter rejects on failure; withFallback's (what
   * createLanguageModel and tenant models give) logs it and always resolves, and skips a primary that is
   * cooling down. Never counted as a fallback. The offline engine has none.
   */
  warm?(request: LlmRequest): Promise<void>;
}

/** Why a provider's turn failed: counted per provider, logged and shown on the health page. */
export const LLM_FAILURE_REASONS = [
  'timeout',
  'first-token-timeout',
  'unreachable',
  'http-error',
  'malformed',
  'empty-reply',
  'not-speech',
] as const;
export type LlmFailureReason = (typeof LLM_FAILURE_REASONS)[number];

/** A provider failed (network, HTTP status, malformed answer); the gateway falls back to the offline engine. */
export class LlmUnavailableError extends Error {
  readonly reason: LlmFailureReason;
  constructor(
    readonly provider: string,
    message: string,
    options?: { cause?: unknown; reason?: LlmFailureReason },
  ) {
    super(`${provider}: ${message}`, options);
    this.name = 'LlmUnavailableError';
    this.reason = options?.reason ?? 'malformed';
  }
}

/**
 * Lines the gateway itself writes into the conversation as `user` messages, for things the caller did not
 * say. Models read them as plain text; the offline engine recognises them by these exact strings.
 */
export const GATEWAY_NOTES = {
  silence: '(The caller said nothing.)',
  nobodyFree: '(The caller waited but nobody from the team was free to answer.)',
} as const;
