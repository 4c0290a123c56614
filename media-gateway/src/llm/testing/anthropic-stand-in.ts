import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import {
  startScriptedServer,
  type ScriptedServer,
  type ScriptedServerOptions,
  type WireFormat,
} from './scripted-server.js';

/**
 * A local stand-in speaking the Anthropic Messages wire format (POST /v1/messages), API versions 2023-06-01 and
 * 2026-10-21 (what @anthropic-ai/sdk 1.x sends). Requests are held to the documented schema, strictly: an unknown
 * field is a 400 ("Extra inputs are not permitted"), and so are the conversation rules: a user turn first, roles
 * alternating, every tool_use answered by a tool_result in the next user turn, tool_result blocks before any
 * text there, no empty text blocks.
 */

export const API_VERSIONS = ['2023-06-01', '2026-10-21'] as const;

const ToolName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'tool names are 1-64 of a-z, A-Z, 0-9, _ and -');
const ToolUseId = z.string().regex(/^[a-zA-Z0-9_-]+$/, 'tool use ids are of a-z, A-Z, 0-9, _ and -');
const CacheControl = z.strictObject({ type: z.literal('ephemeral'), ttl: z.string().optional() }).nullish();

const TextBlock = z.strictObject({
  type: z.literal('text'),
  text: z.string().min(1, 'text content blocks must be non-empty'),
  cache_control: CacheControl,
  citations: z.array(z.unknown()).nullish(),
});
const ToolUseBlock = z.strictObject({
  type: z.literal('tool_use'),
  id: ToolUseId,
  name: ToolName,
  input: z.record(z.string(), z.unknown()),
  cache_control: CacheControl,
});
const ToolResultBlock = z.strictObject({
  type: z.literal('tool_result'),
  tool_use_id: ToolUseId,
  content: z.union([z.string(), z.array(TextBlock)]).optional(),
  is_error: z.boolean().optional(),
  cache_control: CacheControl,
});

const UserMessage = z.strictObject({
  role: z.literal('user'),
  content: z.union([z.string().min(1), z.array(z.union([TextBlock, ToolResultBlock])).min(1)]),
});
const AssistantMessage = z.strictObject({
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(z.union([TextBlock, ToolUseBlock])).min(1)]),
});
const Message = z.discriminatedUnion('role', [UserMessage, AssistantMessage]);

const Tool = z.strictObject({
  type: z.literal('custom').optional(),
  name: ToolName,
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal('object') }),
  cache_control: CacheControl,
});
const ToolChoice = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.strictObject({
    type: z.literal('tool'),
    name: ToolName,
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('none') }),
]);

const baseFields = {
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(Message).min(1),
  system: z.union([z.string(), z.array(TextBlock)]).optional(),
  tools: z.array(Tool).optional(),
  tool_choice: ToolChoice.optional(),
  stop_sequences: z.array(z.string()).optional(),
  metadata: z.strictObject({ user_id: z.string().nullish() }).optional(),
  stream: z.literal(false).optional(),
};
// 2026-10-21 removed the sampling parameters: sending them is a 400 even at their defaults.
const sampling = {
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().nonnegative().optional(),
};

type Msg = z.infer<typeof Message>;
type Block = Exclude<Msg['content'], string>[number];
const blocks = (message: Msg): Block[] =>
  typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;

const conversationRules = (messages: readonly Msg[], ctx: z.RefinementCtx): void => {
  if (messages[0]?.role !== 'user') {
    ctx.addIssue({
      code: 'custom',
      path: ['messages', 0],
      message: 'the first message must use the user role',
    });
  }
  messages.forEach((message, i) => {
    const previous = messages[i - 1];
    if (previous?.role === message.role) {
      ctx.addIssue({
        code: 'custom',
        path: ['messages', i],
        message: 'roles must alternate between user and assistant',
      });
    }
    const mine = blocks(message);
    if (message.role === 'assistant') {
      const next = messages[i + 1];
      const answered = new Set(
        next ? blocks(next).flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : [])) : [],
      );
      const unanswered = mine.flatMap((b) => (b.type === 'tool_use' && !answered.has(b.id) ? [b.id] : []));
      if (next && unanswered.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['messages', i],
          message: `tool_use ids were found without tool_result blocks immediately after: ${unanswered.join(', ')}`,
        });
      }
      return;
    }
    const offered = new Set(
      previous ? blocks(previous).flatMap((b) => (b.type === 'tool_use' ? [b.id] : [])) : [],
    );
    mine.forEach((block, j) => {
      if (block.type !== 'tool_result') return;
      if (!offered.has(block.tool_use_id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['messages', i, 'content', j],
          message: `unexpected tool_use_id ${block.tool_use_id}: each tool_result needs a tool_use in the previous message`,
        });
      }
      if (mine.slice(0, j).some((b) => b.type !== 'tool_result')) {
        ctx.addIssue({
          code: 'custom',
          path: ['messages', i, 'content', j],
          message: 'tool_result blocks must come first in the content array, before any text',
        });
      }
    });
  });
};

const requestSchemas = {
  '2023-06-01': z.strictObject({ ...baseFields, ...sampling }),
  '2026-10-21': z.strictObject(baseFields),
};
export type MessagesRequest = z.infer<(typeof requestSchemas)['2023-06-01']>;

const versionOf = (headers: IncomingHttpHeaders): (typeof API_VERSIONS)[number] | undefined =>
  API_VERSIONS.find((v) => v === headers['anthropic-version']);

const textOf = (content: string | readonly { text: string }[] | undefined): string =>
  typeof content === 'string' ? content : (content ?? []).map((b) => b.text).join('');

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

export const anthropicWireFormat: WireFormat<MessagesRequest> = {
  basePath: '',
  path: '/v1/messages',
  checkHeaders: (headers) => {
    if (versionOf(headers) === undefined) {
      const message = `anthropic-version: must be one of ${API_VERSIONS.join(', ')}, got ${String(headers['anthropic-version'])}`;
      return anthropicWireFormat.error(400, message);
    }
    // The key travels as x-api-key (documented since 2023) or as a Bearer token (what SDK 1.x sends).
    const bearer = /^Bearer \S+$/.test(headers.authorization ?? '');
    if (!bearer && !headers['x-api-key']) {
      return anthropicWireFormat.error(401, 'x-api-key header or Authorization: Bearer is required');
    }
    return undefined;
  },
  parse: (json, headers) => {
    const schema = requestSchemas[versionOf(headers) ?? '2026-10-21'];
    const parsed = schema.superRefine((body, ctx) => conversationRules(body.messages, ctx)).safeParse(json);
    return parsed.success
      ? { ok: true, body: parsed.data }
      : { ok: false, reason: z.prettifyError(parsed.error) };
  },
  summarize: (body) => {
    const all = body.messages.flatMap((m) => blocks(m).map((b) => ({ role: m.role, block: b })));
    return {
      system: textOf(body.system),
      toolNames: (body.tools ?? []).map((tool) => tool.name),
      userTexts: all.flatMap(({ role, block }) =>
        role === 'user' && block.type === 'text' ? [block.text] : [],
      ),
      toolCalls: all.flatMap(({ block }) =>
        block.type === 'tool_use' ? [{ id: block.id, name: block.name, arguments: block.input }] : [],
      ),
      toolResults: all.flatMap(({ block }) =>
        block.type === 'tool_result'
          ? [{ toolCallId: block.tool_use_id, content: textOf(block.content) }]
          : [],
      ),
    };
  },
  render: (answer, request, sequence) => {
    const message = (
      content: unknown[],
      stopReason: string,
      model: string,
      usage = { input: 0, output: 0 },
    ) => ({
      status: 200,
      body: {
        id: `msg_standin_${sequence}`,
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage: {
          input_tokens: usage.input,
          output_tokens: usage.output,
          cache_creation_input_tokens: null,
          cache_read_input_tokens: null,
        },
      },
    });
    const text = (t: string | undefined) => (t ? [{ type: 'text', text: t, citations: null }] : []);
    switch (answer.kind) {
      case 'reply':
        return message(text(answer.text), 'end_turn', answer.model ?? request.model, answer.usage);
      case 'tool_calls':
        return message(
          [
            ...text(answer.text),
            ...answer.calls.map((call) => ({
              type: 'tool_use',
              id: call.id,
              name: call.name,
              input: call.arguments,
              caller: { type: 'direct' },
            })),
          ],
          'tool_use',
          answer.model ?? request.model,
          answer.usage,
        );
      case 'malformed_tool_call':
        return message(
          [
            {
              type: 'tool_use',
              id: 'toolu_bad',
              name: answer.name,
              input: '{"query": "open',
              caller: { type: 'direct' },
            },
          ],
          'tool_use',
          request.model,
        );
    }
  },
  error: (status, message) => ({
    status,
    body: {
      type: 'error',
      error: { type: ERROR_TYPES[status] ?? 'api_error', message },
      request_id: 'req_standin',
    },
  }),
};

export type AnthropicStandIn = ScriptedServer<MessagesRequest>;

export const startAnthropicStandIn = (options?: ScriptedServerOptions): Promise<AnthropicStandIn> =>
  startScriptedServer(anthropicWireFormat, options);
