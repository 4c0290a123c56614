import Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
} from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import {
  LlmUnavailableError,
  type ChatMessage,
  type LanguageModel,
  type LlmRequest,
  type LlmResponse,
} from './port.js';
import { DEFAULT_MAX_RETRIES, DEFAULT_MAX_TOKENS, DEFAULT_TIMEOUT_MS, respondWithin } from './attempts.js';
import { systemPromptFor } from './system-prompt.js';
import { isPlainObject } from './tool-arguments.js';

export interface AnthropicModelOptions {
  readonly apiKey: string;
  /** The API root without /v1 (the SDK adds /v1/messages); Anthropic's when omitted. */
  readonly baseURL?: string;
  readonly model: string;
  /** A phone reply is a few sentences; the cap bounds latency and cost when a model rambles (LLM_MAX_TOKENS). */
  readonly maxTokens?: number;
  /** The whole turn, retries included; a caller is waiting on the line. */
  readonly timeoutMs?: number;
  /** Retries of a failed attempt (unreachable, 408, 409, 429, 5xx) within the turn's time; 1 when omitted. */
  readonly maxRetries?: number;
  /** For logs and errors; "anthropic:<model>" when omitted. */
  readonly name?: string;
  /** The outbound guard's fetch; the SDK's own when omitted. */
  readonly fetch?: typeof fetch;
}

/**
 * Anthropic wants the conversation to open with a user turn; the greeting is asked for before the caller has
 * said anything, so the model is told what happened instead.
 */
export const CALL_CONNECTED = '(The call has just been connected.)';

type Role = 'user' | 'assistant';
interface Turn {
  readonly role: Role;
  readonly content: ContentBlockParam[];
}

const blocksOf = (message: ChatMessage): { role: Role; blocks: ContentBlockParam[] } => {
  // Anthropic rejects empty text blocks, so a line with nothing said adds no block.
  const text = (content: string): ContentBlockParam[] =>
    content.trim() === '' ? [] : [{ type: 'text', text: content }];
  switch (message.role) {
    case 'user':
      return { role: 'user', blocks: text(message.content) };
    case 'assistant':
      return {
        role: 'assistant',
        blocks: [
          ...text(message.content),
          ...(message.toolCalls ?? []).map((call): ContentBlockParam => ({
            type: 'tool_use',
            id: call.id,
            name: call.name,
            input: { ...call.arguments },
          })),
        ],
      };
    case 'tool':
      return {
        role: 'user',
        blocks: [{ type: 'tool_result', tool_use_id: message.toolCallId, content: message.content }],
      };
  }
};

/**
 * The conversation as Anthropic requires it: roles alternate, starting with the user. Tool results are user
 * content, so consecutive results (and a caller line right after them) merge into one user turn, with the
 * tool_result blocks first as the API demands.
 */
export const toAnthropicMessages = (messages: readonly ChatMessage[]): MessageParam[] => {
  const turns: Turn[] = [];
  for (const message of messages) {
    const { role, blocks } = blocksOf(message);
    if (blocks.length === 0) continue;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  }
  if (turns[0]?.role !== 'user')
    turns.unshift({ role: 'user', content: [{ type: 'text', text: CALL_CONNECTED }] });
  return turns.map(({ role, content }) => ({
    role,
    content:
      role === 'user'
        ? [
            ...content.filter((b) => b.type === 'tool_result'),
            ...content.filter((b) => b.type !== 'tool_result'),
          ]
        : content,
  }));
};

/**
 * The messages request for one turn (pure, so the mapping is testable without a server). No temperature: API
 * version 2026-10-21, which this SDK sends, rejects sampling parameters.
 */
export const toMessagesRequest = (
  model: string,
  maxTokens: number,
  request: LlmRequest,
): MessageCreateParamsNonStreaming => ({
  model,
  max_tokens: maxTokens,
  system: systemPromptFor(request),
  messages: toAnthropicMessages(request.messages),
  ...(request.tools.length > 0 && {
    tools: request.tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      input_schema: {
        type: 'object' as const,
        properties: { ...tool.parameters.properties },
        ...(tool.parameters.required !== undefined && { required: [...tool.parameters.required] }),
        ...(tool.parameters.additionalProperties !== undefined && {
          additionalProperties: tool.parameters.additionalProperties,
        }),
      },
    })),
    tool_choice: { type: 'auto' as const },
  }),
});

/** What we read of a message; other block kinds (thinking, server tools) are not ours and are skipped. */
const AnthropicMessage = z.object({
  model: z.string().min(1),
  content: z.array(z.looseObject({ type: z.string() })),
  usage: z.object({
    input_tokens: z.number().int().nonnegative(),
    output_tokens: z.number().int().nonnegative(),
  }),
});
const TextBlock = z.object({ type: z.literal('text'), text: z.string() });
const ToolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown(),
});

/** The port's response from a message body; throws LlmUnavailableError on anything malformed. */
export const fromMessage = (provider: string, body: unknown): LlmResponse => {
  // The SDKs hand back a body that is not JSON as text.
  if (typeof body === 'string') {
    throw new LlmUnavailableError(provider, `the answer is not JSON: ${body.slice(0, 120)}`);
  }
  const parsed = AnthropicMessage.safeParse(body);
  if (!parsed.success) {
    throw new LlmUnavailableError(provider, `malformed message: ${z.prettifyError(parsed.error)}`);
  }
  const texts: string[] = [];
  const toolCalls: LlmResponse['toolCalls'][number][] = [];
  for (const raw of parsed.data.content) {
    if (raw.type === 'text') {
      const block = TextBlock.safeParse(raw);
      if (!block.success) throw new LlmUnavailableError(provider, 'malformed text block');
      if (block.data.text.trim() !== '') texts.push(block.data.text.trim());
    } else if (raw.type === 'tool_use') {
      const block = ToolUseBlock.safeParse(raw);
      if (!block.success) throw new LlmUnavailableError(provider, 'malformed tool_use block');
      const { id, name, input } = block.data;
      if (!isPlainObject(input)) {
        throw new LlmUnavailableError(provider, `malformed input for tool ${name}: not a JSON object`);
      }
      toolCalls.push({ id, name, arguments: input });
    }
  }
  const { model, usage } = parsed.data;
  return {
    text: texts.join(' '),
    toolCalls,
    model,
    usage: { promptTokens: usage.input_tokens, completionTokens: usage.output_tokens },
  };
};

/** The LLM port over Anthropic's Messages API. */
export const createAnthropicModel = (options: AnthropicModelOptions): LanguageModel => {
  const name = options.name ?? `anthropic:${options.model}`;
  if (options.apiKey === '') throw new Error(`${name}: Anthropic needs an API key (apiKey)`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const client = new Anthropic({
    // Passed explicitly so the SDK never goes looking for credentials in the environment or on disk.
    apiKey: options.apiKey,
    ...(options.baseURL !== undefined && { baseURL: options.baseURL }),
    timeout: timeoutMs,
    // Retried in respondWithin, within the turn's time: the SDK's retries would each get timeoutMs again.
    maxRetries: 0,
    ...(options.fetch !== undefined && { fetch: options.fetch }),
  });
  // Not streamed: no first-token budget, only the whole turn's.
  const turn = {
    name,
    endpoint: client.baseURL,
    sdk: Anthropic,
    timeoutMs,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
  };
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;

  return {
    name,
    respond: (request) =>
      respondWithin(request, request.tools, turn, async (budget) => {
        const body: unknown = await client.messages.create(
          toMessagesRequest(options.model, maxTokens, request),
          { signal: budget.signal },
        );
        return fromMessage(name, body);
      }),
  };
};
