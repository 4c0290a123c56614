import { z } from 'zod';
import { isPlainObject } from '../tool-arguments.js';
import {
  startScriptedServer,
  type RenderedAnswer,
  type ScriptedServer,
  type ScriptedServerOptions,
  type WireFormat,
} from './scripted-server.js';

/**
 * A local stand-in speaking the OpenAI chat-completions wire format (POST /v1/chat/completions), as OpenAI
 * documents it and as llama.cpp, Ollama and vLLM serve it. Requests are held to the documented schema, strictly:
 * an unknown field or a misplaced one (a camelCase toolCallId, a tool message without tool_call_id) is a 400, as
 * OpenAI answers "Unrecognized request argument" and "Missing required parameter".
 */

const ToolName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'tool names are 1-64 of a-z, A-Z, 0-9, _ and -');
const Text = z.union([z.string(), z.array(z.strictObject({ type: z.literal('text'), text: z.string() }))]);

const ToolCall = z.strictObject({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.strictObject({
    name: ToolName,
    // A JSON text, never the object itself.
    arguments: z.string().refine((text) => {
      try {
        return isPlainObject(JSON.parse(text));
      } catch {
        return false;
      }
    }, 'function.arguments must be a JSON object encoded as a string'),
  }),
});

const Message = z.discriminatedUnion('role', [
  z.strictObject({ role: z.literal('system'), content: Text, name: z.string().optional() }),
  z.strictObject({ role: z.literal('developer'), content: Text, name: z.string().optional() }),
  z.strictObject({ role: z.literal('user'), content: Text, name: z.string().optional() }),
  z
    .strictObject({
      role: z.literal('assistant'),
      content: Text.nullish(),
      tool_calls: z.array(ToolCall).min(1).optional(),
      name: z.string().optional(),
      refusal: z.string().nullish(),
    })
    .refine((m) => m.content != null || m.tool_calls !== undefined, {
      message: "an assistant message needs 'content' or 'tool_calls'",
    }),
  z.strictObject({ role: z.literal('tool'), content: Text, tool_call_id: z.string().min(1) }),
]);

const Tool = z.strictObject({
  type: z.literal('function'),
  function: z.strictObject({
    name: ToolName,
    description: z.string().optional(),
    parameters: z.looseObject({ type: z.literal('object') }).optional(),
    strict: z.boolean().nullish(),
  }),
});

const ToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.strictObject({ type: z.literal('function'), function: z.strictObject({ name: ToolName }) }),
]);

export const ChatCompletionRequest = z
  .strictObject({
    model: z.string().min(1),
    messages: z.array(Message).min(1),
    tools: z.array(Tool).min(1).optional(),
    tool_choice: ToolChoice.optional(),
    parallel_tool_calls: z.boolean().optional(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    n: z.literal(1).nullish(),
    stop: z.union([z.string(), z.array(z.string())]).nullish(),
    seed: z.number().int().nullish(),
    user: z.string().optional(),
    response_format: z.looseObject({ type: z.string() }).optional(),
    stream: z.boolean().nullish(),
    stream_options: z.strictObject({ include_usage: z.boolean().optional() }).nullish(),
  })
  .superRefine((body, ctx) => {
    if (body.stream_options != null && body.stream !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['stream_options'],
        message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      });
    }
    if (body.tool_choice !== undefined && body.tools === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['tool_choice'],
        message: 'tool_choice is only allowed with tools',
      });
    }
    const { messages } = body;
    messages.forEach((message, i) => {
      if (message.role === 'assistant' && message.tool_calls) {
        const unanswered = new Set(message.tool_calls.map((call) => call.id));
        for (let j = i + 1; j < messages.length; j += 1) {
          const next = messages[j];
          if (next?.role !== 'tool') break;
          unanswered.delete(next.tool_call_id);
        }
        if (unanswered.size > 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['messages', i],
            message:
              "An assistant message with 'tool_calls' must be followed by tool messages responding to each " +
              `'tool_call_id'. Without a response: ${[...unanswered].join(', ')}`,
          });
        }
      }
      if (message.role === 'tool') {
        let k = i - 1;
        while (messages[k]?.role === 'tool') k -= 1;
        const call = messages[k];
        if (call?.role !== 'assistant' || !call.tool_calls?.some((c) => c.id === message.tool_call_id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['messages', i],
            message: "Messages with role 'tool' must be a response to a preceding message with 'tool_calls'",
          });
        }
      }
    });
  });
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

/**
 * llama-cpp-python's chat templates (and older llama.cpp ones) join message contents as strings: an assistant
 * message whose content is null or missing, which OpenAI itself accepts beside tool_calls, fails there with a 500.
 * The stand-in refuses it the same way, so an adapter that works here works on those servers too.
 */
const missingContent = (json: unknown): string | undefined => {
  const messages =
    isPlainObject(json) && Array.isArray(json['messages']) ? (json['messages'] as unknown[]) : [];
  const index = messages.findIndex(
    (m) =>
      isPlainObject(m) && m['role'] === 'assistant' && (m['content'] === null || m['content'] === undefined),
  );
  return index < 0 ? undefined : `messages[${index}]: can only concatenate str (not "NoneType") to str`;
};

const textOf = (content: z.infer<typeof Text> | null | undefined): string =>
  typeof content === 'string' ? content : (content ?? []).map((part) => part.text).join('');

const errorType = (status: number): string =>
  status === 401
    ? 'authentication_error'
    : status === 429
      ? 'rate_limit_exceeded'
      : status >= 500
        ? 'server_error'
        : 'invalid_request_error';

/** Pieces as a model emits tokens: a word with its space, or a few characters of a JSON text. */
const words = (text: string): string[] => text.match(/\S+\s*|\s+/g) ?? [];
const pieces = (text: string, size = 7): string[] =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

/**
 * The answer as chat.completion.chunk events, as OpenAI documents them: the role first, then content and
 * tool-call deltas (arguments in pieces, by index), a last chunk with the finish reason, and with
 * stream_options.include_usage a final chunk with no choices and the usage (every other chunk has usage null).
 */
const chunksOf = (answer: RenderedAnswer, request: ChatCompletionRequest, sequence: number): string[] => {
  const withUsage = request.stream_options?.include_usage === true;
  const model = (answer.kind === 'malformed_tool_call' ? undefined : answer.model) ?? request.model;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    JSON.stringify({
      id: `chatcmpl-standin-${sequence}`,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(withUsage && { usage: null }),
    });
  const calls =
    answer.kind === 'tool_calls'
      ? answer.calls.map((call) => ({ ...call, json: JSON.stringify(call.arguments) }))
      : answer.kind === 'malformed_tool_call'
        ? [{ id: 'call_bad', name: answer.name, json: '{"query": "open' }]
        : [];
  const text = answer.kind === 'malformed_tool_call' ? '' : (answer.text ?? '');
  const usage = answer.kind === 'malformed_tool_call' ? undefined : answer.usage;
  const finish = answer.kind === 'reply' ? 'stop' : answer.kind === 'tool_calls' ? 'tool_calls' : 'length';
  return [
    chunk({ role: 'assistant', content: calls.length > 0 && text === '' ? null : '', refusal: null }),
    ...words(text).map((word) => chunk({ content: word })),
    ...calls.flatMap((call, index) => [
      chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
      ...pieces(call.json).map((piece) => chunk({ tool_calls: [{ index, function: { arguments: piece } }] })),
    ]),
    chunk({}, finish),
    ...(withUsage && usage
      ? [
          JSON.stringify({
            id: `chatcmpl-standin-${sequence}`,
            object: 'chat.completion.chunk',
            created: Math.floor(Date.now() / 1000),
            model,
            system_fingerprint: null,
            choices: [],
            usage: {
              prompt_tokens: usage.input,
              completion_tokens: usage.output,
              total_tokens: usage.input + usage.output,
            },
          }),
        ]
      : []),
  ];
};

export const openAiWireFormat: WireFormat<ChatCompletionRequest> = {
  basePath: '/v1',
  path: '/v1/chat/completions',
  checkHeaders: (headers) => {
    if (!/^Bearer \S+$/.test(headers.authorization ?? '')) {
      return {
        status: 401,
        body: {
          error: {
            message: "You didn't provide an API key (Authorization: Bearer <key>).",
            type: 'invalid_request_error',
            param: null,
            code: null,
          },
        },
      };
    }
    return undefined;
  },
  parse: (json) => {
    const templateFailure = missingContent(json);
    if (templateFailure !== undefined) return { ok: false, status: 500, reason: templateFailure };
    const parsed = ChatCompletionRequest.safeParse(json);
    return parsed.success
      ? { ok: true, body: parsed.data }
      : { ok: false, reason: z.prettifyError(parsed.error) };
  },
  summarize: (body) => ({
    system: body.messages
      .filter((m) => m.role === 'system' || m.role === 'developer')
      .map((m) => textOf(m.content))
      .join('\n'),
    toolNames: (body.tools ?? []).map((tool) => tool.function.name),
    userTexts: body.messages.filter((m) => m.role === 'user').map((m) => textOf(m.content)),
    toolCalls: body.messages.flatMap((m) =>
      m.role === 'assistant'
        ? (m.tool_calls ?? []).map((call) => ({
            id: call.id,
            name: call.function.name,
            arguments: JSON.parse(call.function.arguments) as Record<string, unknown>,
          }))
        : [],
    ),
    toolResults: body.messages.flatMap((m) =>
      m.role === 'tool' ? [{ toolCallId: m.tool_call_id, content: textOf(m.content) }] : [],
    ),
  }),
  render: (answer, request, sequence) => {
    const usage = (u: { input: number; output: number } | undefined) =>
      u && {
        usage: { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output },
      };
    const completion = (message: Record<string, unknown>, finishReason: string, extra: object) => ({
      status: 200,
      body: {
        id: `chatcmpl-standin-${sequence}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        choices: [{ index: 0, finish_reason: finishReason, logprobs: null, message }],
        ...extra,
      },
    });
    switch (answer.kind) {
      case 'reply':
        return completion({ role: 'assistant', content: answer.text, refusal: null }, 'stop', {
          model: answer.model ?? request.model,
          ...usage(answer.usage),
        });
      case 'tool_calls':
        return completion(
          {
            role: 'assistant',
            content: answer.text ?? null,
            refusal: null,
            tool_calls: answer.calls.map((call) => ({
              id: call.id,
              type: 'function',
              function: { name: call.name, arguments: JSON.stringify(call.arguments) },
            })),
          },
          'tool_calls',
          { model: answer.model ?? request.model, ...usage(answer.usage) },
        );
      case 'malformed_tool_call':
        // Cut off mid-string, as a model that ran out of tokens leaves it.
        return completion(
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_bad',
                type: 'function',
                function: { name: answer.name, arguments: '{"query": "open' },
              },
            ],
          },
          'length',
          { model: request.model },
        );
    }
  },
  renderStream: (answer, request, sequence) =>
    request.stream === true ? chunksOf(answer, request, sequence) : undefined,
  streamEnd: '[DONE]',
  error: (status, message) => ({
    status,
    body: { error: { message, type: errorType(status), param: null, code: null } },
  }),
};

export type OpenAiStandIn = ScriptedServer<ChatCompletionRequest>;

export const startOpenAiStandIn = (options?: ScriptedServerOptions): Promise<OpenAiStandIn> =>
  startScriptedServer(openAiWireFormat, options);
