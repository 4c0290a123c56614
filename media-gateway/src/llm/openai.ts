import OpenAI from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_TOKENS,
  DEFAULT_TIMEOUT_MS,
  respondWithin,
  type Attempt,
} from './attempts.js';
import { fromChunkStream, toolCallOf } from './openai-stream.js';
import {
  LlmUnavailableError,
  type ChatMessage,
  type LanguageModel,
  type LlmRequest,
  type LlmResponse,
} from './port.js';
import { placeForChat } from './prompt-placement.js';
import { timedOut, unavailable } from './provider-errors.js';
import { TurnBudget } from './turn-budget.js';

export interface OpenAiModelOptions {
  /**
   * Required by OpenAI itself. OpenAI-compatible local servers (llama.cpp, Ollama, vLLM) take any value, so it
   * may be left out when baseURL is set and a placeholder is sent.
   */
  readonly apiKey?: string;
  /** An OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 for Ollama; OpenAI's API when omitted. */
  readonly baseURL?: string;
  readonly model: string;
  /** The whole turn, retries and streaming included; a caller is waiting on the line. */
  readonly timeoutMs?: number;
  /**
   * Until the first of a streamed answer (text or tool call): a server that has not started by then is given up
   * on, so the caller is answered by the fallback instead. Must cover one uncached prompt. An answer that is not
   * streamed has only the whole-turn timeout.
   */
  readonly firstTokenMs?: number;
  /** Retries of a failed attempt (unreachable, 408, 409, 429, 5xx), only while nothing was said yet. */
  readonly maxRetries?: number;
  /** Streams the answer so speech can start on its first sentence (true when omitted). */
  readonly stream?: boolean;
  /** Replies capped at this many tokens, sent as max_tokens (OpenAI, llama.cpp, Ollama and vLLM honour it). */
  readonly maxTokens?: number;
  /** For logs and errors; "openai:<model>" when omitted. */
  readonly name?: string;
  /** The outbound guard's fetch, for a tenant-set base URL; the SDK's own when omitted (the platform's). */
  readonly fetch?: typeof fetch;
}

/** Above an uncached prompt on a CPU (8.2 s measured for a 1.5B model on 2 cores), which has no first token yet. */
export const DEFAULT_FIRST_TOKEN_MS = 15_000;
/** Local servers ignore the key, but the SDK refuses to start without one and Ollama expects a Bearer header. */
const PLACEHOLDER_KEY = 'local-no-key';
/** Low: a phone agent should say the same thing the same way, and call tools with exact arguments. */
const TEMPERATURE = 0.2;

const toOpenAiMessage = (message: ChatMessage): ChatCompletionMessageParam => {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: message.content };
    case 'assistant':
      if (message.toolCalls === undefined || message.toolCalls.length === 0) {
        return { role: 'assistant', content: message.content };
      }
      return {
        role: 'assistant',
        // Never null: llama.cpp's and llama-cpp-python's chat templates fail on it (HTTP 500); OpenAI takes ''.
        content: message.content,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        })),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
};

/** The chat-completions request for one turn (pure, so the mapping is testable without a server). */
export const toChatCompletionRequest = (
  model: string,
  request: LlmRequest,
): ChatCompletionCreateParamsNonStreaming => {
  // The call context goes into the first user message, not the system message: see prompt-placement.ts.
  const { system, messages } = placeForChat(request);
  return {
    model,
    temperature: TEMPERATURE,
    messages: [{ role: 'system', content: system }, ...messages.map(toOpenAiMessage)],
    // OpenAI rejects an empty tools array and a tool_choice without tools.
    ...(request.tools.length > 0 && {
      tools: request.tools.map((tool) => ({
        type: 'function' as const,
        function: {
          name: tool.name,
          description: tool.description,
          parameters: { ...tool.parameters },
        },
      })),
      tool_choice: 'auto' as const,
    }),
  };
};

/** The same request, streamed, with the usage in the last chunk (servers that ignore it report none). */
export const toStreamingRequest = (
  model: string,
  request: LlmRequest,
): ChatCompletionCreateParamsStreaming => ({
  ...toChatCompletionRequest(model, request),
  stream: true,
  stream_options: { include_usage: true },
});

/** What we read of a completion; validated because local servers vary and any server can send garbage. */
const Completion = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                id: z.string().nullish(),
                type: z.literal('function').optional(),
                function: z.object({ name: z.string().min(1), arguments: z.string() }),
              }),
            )
            .nullish(),
        }),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().int().nonnegative(),
      completion_tokens: z.number().int().nonnegative(),
    })
    .nullish(),
});

/** The port's response from a completion body; throws LlmUnavailableError on anything malformed. */
export const fromChatCompletion = (provider: string, body: unknown, requestedModel: string): LlmResponse => {
  // The SDKs hand back a body that is not JSON as text.
  if (typeof body === 'string') {
    throw new LlmUnavailableError(provider, `the answer is not JSON: ${body.slice(0, 120)}`);
  }
  const parsed = Completion.safeParse(body);
  if (!parsed.success) {
    throw new LlmUnavailableError(provider, `malformed chat completion: ${z.prettifyError(parsed.error)}`);
  }
  const { choices, usage, model } = parsed.data;
  const message = choices[0]?.message;
  if (message === undefined) throw new LlmUnavailableError(provider, 'chat completion without a choice');
  const toolCalls = (message.tool_calls ?? []).map((call) =>
    toolCallOf(provider, { id: call.id ?? '', ...call.function }),
  );
  return {
    text: message.content ?? '',
    toolCalls,
    model: model || requestedModel,
    // Local servers often report no usage: nothing is billed for them.
    usage: { promptTokens: usage?.prompt_tokens ?? 0, completionTokens: usage?.completion_tokens ?? 0 },
  };
};

/** The LLM port over OpenAI chat completions, or any OpenAI-compatible server by baseURL. */
export const createOpenAiModel = (options: OpenAiModelOptions): LanguageModel => {
  const name = options.name ?? `openai:${options.model}`;
  if ((options.apiKey === undefined || options.apiKey === '') && options.baseURL === undefined) {
    throw new Error(
      `${name}: OpenAI needs an API key (apiKey); only an OpenAI-compatible server given by baseURL can do without one`,
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const firstTokenMs = options.firstTokenMs ?? DEFAULT_FIRST_TOKEN_MS;
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const stream = options.stream ?? true;
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const client = new OpenAI({
    apiKey: options.apiKey || PLACEHOLDER_KEY,
    ...(options.baseURL !== undefined && { baseURL: options.baseURL }),
    timeout: timeoutMs,
    // Retried here instead, and only while nothing has been said: the SDK would retry a half-spoken answer.
    maxRetries: 0,
    // Failures are reported as LlmUnavailableError, with their cause; the SDK's console lines would repeat them.
    logLevel: 'off',
    ...(options.fetch !== undefined && { fetch: options.fetch }),
  });
  const endpoint = client.baseURL;
  // No first-token budget for an answer that is not streamed: its first token arrives with its last.
  const turn = {
    name,
    endpoint,
    sdk: OpenAI,
    timeoutMs,
    maxRetries,
    ...(stream && { firstTokenMs }),
  };

  /** One HTTP attempt; the answer not yet checked. */
  const attempt =
    (request: LlmRequest): Attempt =>
    async (budget, feed) => {
      const signal = budget.signal;
      if (!stream) {
        const body: unknown = await client.chat.completions.create(
          { ...toChatCompletionRequest(options.model, request), max_tokens: maxTokens },
          { signal },
        );
        return fromChatCompletion(name, body, options.model);
      }
      const { data, response } = await client.chat.completions
        .create({ ...toStreamingRequest(options.model, request), max_tokens: maxTokens }, { signal })
        .withResponse();
      // A server that ignores stream: true answers with one JSON body (or an error page): read it as such.
      if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
        const text = await response.text();
        budget.firstToken();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON: fromChatCompletion says so, with the start of the text.
        }
        return fromChatCompletion(name, body, options.model);
      }
      return fromChunkStream(name, data, options.model, {
        firstToken: () => budget.firstToken(),
        feed,
        signal,
      });
    };

  return {
    name,
    respond: (request) => respondWithin(request, request.tools, turn, attempt(request)),
    // The same prefix as the turn's own request (system, tools, messages), so the server caches exactly it; one
    // token of answer is enough to make it read the prompt. Checked for nothing: its answer is never said.
    warm: async (request) => {
      const budget = new TurnBudget(request.signal, timeoutMs, undefined, request.deadline);
      try {
        await client.chat.completions.create(
          { ...toChatCompletionRequest(options.model, request), max_tokens: 1 },
          { signal: budget.signal },
        );
      } catch (error) {
        throw budget.cause === 'deadline'
          ? timedOut(name, endpoint, timeoutMs, error)
          : unavailable(name, error, { sdk: OpenAI, endpoint, timeoutMs });
      } finally {
        budget.dispose();
      }
    },
  };
};
