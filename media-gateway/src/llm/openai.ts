import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import {
  LlmUnavailableError,
  type ChatMessage,
  type LanguageModel,
  type LlmRequest,
  type LlmResponse,
  type ToolCallRequest,
} from './port.js';
import { unavailable } from './provider-errors.js';
import { systemPromptFor } from './system-prompt.js';
import { parseToolArguments } from './tool-arguments.js';

export interface OpenAiModelOptions {
  /**
   * Required by OpenAI itself. OpenAI-compatible local servers (llama.cpp, Ollama, vLLM) take any value, so it
   * may be left out when baseURL is set and a placeholder is sent.
   */
  readonly apiKey?: string;
  /** An OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1 for Ollama; OpenAI's API when omitted. */
  readonly baseURL?: string;
  readonly model: string;
  /** Per HTTP attempt; a caller is waiting on the line, so it is short. */
  readonly timeoutMs?: number;
  /** For logs and errors; "openai:<model>" when omitted. */
  readonly name?: string;
  /** The outbound guard's fetch, for a tenant-set base URL; the SDK's own when omitted (the platform's). */
  readonly fetch?: typeof fetch;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
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
        // OpenAI's own shape for a tool-only turn is a null content, which every compatible server accepts.
        content: message.content === '' ? null : message.content,
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
): ChatCompletionCreateParamsNonStreaming => ({
  model,
  temperature: TEMPERATURE,
  messages: [{ role: 'system', content: systemPromptFor(request) }, ...request.messages.map(toOpenAiMessage)],
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
  const toolCalls = (message.tool_calls ?? []).map((call): ToolCallRequest => {
    const args = parseToolArguments(call.function.arguments);
    if (args === undefined) {
      throw new LlmUnavailableError(
        provider,
        `malformed arguments for tool ${call.function.name}: not a JSON object: ${call.function.arguments.slice(0, 200)}`,
      );
    }
    // Some local servers send no id; the tool result only has to carry back the same one.
    return { id: call.id || `call_${randomUUID()}`, name: call.function.name, arguments: args };
  });
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
  const client = new OpenAI({
    apiKey: options.apiKey || PLACEHOLDER_KEY,
    ...(options.baseURL !== undefined && { baseURL: options.baseURL }),
    timeout: timeoutMs,
    // One retry at most: the caller is waiting, and the offline engine answers when this fails.
    maxRetries: 1,
    ...(options.fetch !== undefined && { fetch: options.fetch }),
  });
  const context = { sdk: OpenAI, endpoint: client.baseURL, timeoutMs };

  return {
    name,
    respond: async (request) => {
      let body: unknown;
      try {
        body = await client.chat.completions.create(toChatCompletionRequest(options.model, request), {
          ...(request.signal !== undefined && { signal: request.signal }),
        });
      } catch (error) {
        // The caller hung up: nobody needs an answer, from this model or a fallback.
        if (request.signal?.aborted) throw error;
        throw unavailable(name, error, context);
      }
      return fromChatCompletion(name, body, options.model);
    },
  };
};
