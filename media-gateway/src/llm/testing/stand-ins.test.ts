import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicStandIn, type AnthropicStandIn } from './anthropic-stand-in.js';
import { startOpenAiStandIn, type OpenAiStandIn } from './openai-stand-in.js';

// The stand-ins are what the adapters are proven against, so they must refuse what the real providers refuse:
// each case here is a mapping mistake an adapter could make.

const post = async (url: string, headers: Record<string, string>, body: unknown) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('local stand-in speaking the OpenAI chat-completions wire format', () => {
  let server: OpenAiStandIn;
  const auth = { authorization: 'Bearer sk-test' };
  const call = {
    id: 'call_1',
    type: 'function',
    function: { name: 'lookup_caller_history', arguments: '{}' },
  };
  const withMessages = (...messages: unknown[]) => ({
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }, ...messages],
  });
  const send = (body: unknown, headers: Record<string, string> = auth) =>
    post(`${server.baseURL}/chat/completions`, headers, body);
  beforeAll(async () => {
    server = await startOpenAiStandIn({
      idle: { kind: 'reply', text: 'ok', usage: { input: 1, output: 1 } },
    });
  });
  afterAll(() => server.close());

  it('answers a documented request and records it', async () => {
    const { status, body } = await send(
      withMessages(
        { role: 'assistant', content: '', tool_calls: [call] },
        { role: 'tool', tool_call_id: 'call_1', content: '{}' },
      ),
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'ok' } }] });
    expect(server.received.at(-1)?.turn.toolResults).toEqual([{ toolCallId: 'call_1', content: '{}' }]);
  });

  it.each([
    [
      'a tool message without tool_call_id',
      /tool_call_id/,
      withMessages({ role: 'assistant', content: '', tool_calls: [call] }, { role: 'tool', content: '{}' }),
    ],
    [
      'a camelCase toolCallId',
      /Unrecognized key: "toolCallId"/,
      withMessages(
        { role: 'assistant', content: '', tool_calls: [call] },
        { role: 'tool', toolCallId: 'call_1', content: '{}' },
      ),
    ],
    [
      'tool calls left unanswered',
      /must be followed by tool messages/,
      withMessages({ role: 'assistant', content: '', tool_calls: [call] }, { role: 'user', content: 'and?' }),
    ],
    [
      'a tool result for an unknown call',
      /must be a response to a preceding message/,
      withMessages(
        { role: 'assistant', content: '', tool_calls: [call] },
        { role: 'tool', tool_call_id: 'call_9', content: '{}' },
      ),
    ],
    [
      'arguments as an object',
      /function\.arguments/,
      withMessages({
        role: 'assistant',
        content: '',
        tool_calls: [{ ...call, function: { name: 'x', arguments: {} } }],
      }),
    ],
    [
      'a tool without its function wrapper',
      /Unrecognized keys: "name", "parameters"/,
      { ...withMessages(), tools: [{ name: 'x', parameters: { type: 'object', properties: {} } }] },
    ],
    ['an empty tools list', /at tools/, { ...withMessages(), tools: [] }],
    [
      'tool_choice without tools',
      /tool_choice is only allowed with tools/,
      { ...withMessages(), tool_choice: 'auto' },
    ],
    ['an unknown field', /Unrecognized key: "toolChoice"/, { ...withMessages(), toolChoice: 'auto' }],
  ])('refuses %s with a 400', async (_, reason, request) => {
    const { status, body } = await send(request);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(server.refused.at(-1)).toMatch(reason);
  });

  it.each([
    ['null', null],
    ['missing', undefined],
  ])(
    "refuses an assistant message whose content is %s with a 500, as llama-cpp-python's chat template fails",
    async (_, content) => {
      const { status, body } = await send(
        withMessages(
          { role: 'assistant', content, tool_calls: [call] },
          { role: 'tool', tool_call_id: 'call_1', content: '{}' },
        ),
      );
      expect(status).toBe(500);
      expect(body).toMatchObject({ error: { type: 'server_error' } });
      expect(server.refused.at(-1)).toMatch(
        /messages\[1\]: can only concatenate str \(not "NoneType"\) to str/,
      );
    },
  );

  it('streams server-sent chat.completion.chunk events, usage last when asked for, then [DONE]', async () => {
    server.script({ kind: 'reply', text: 'Hello there. Bye.', usage: { input: 5, output: 4 } });
    const response = await fetch(`${server.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ ...withMessages(), stream: true, stream_options: { include_usage: true } }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text()).split('\n\n').filter((event) => event !== '');
    expect(events.every((event) => event.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice(6)) as Record<string, unknown>);
    expect(chunks.every((chunk) => chunk['object'] === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]).toMatchObject({ choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] });
    const text = chunks
      .flatMap((chunk) =>
        (chunk['choices'] as { delta: { content?: string } }[]).map((c) => c.delta.content ?? ''),
      )
      .join('');
    expect(text).toBe('Hello there. Bye.');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 4 } });
    expect(chunks.at(-2)).toMatchObject({ choices: [{ finish_reason: 'stop' }], usage: null });
  });

  it('refuses stream_options without stream with a 400', async () => {
    const { status } = await send({ ...withMessages(), stream_options: { include_usage: true } });
    expect(status).toBe(400);
    expect(server.refused.at(-1)).toMatch(/only allowed when 'stream' is enabled/);
  });

  it('refuses a request without a Bearer key with a 401', async () => {
    expect((await send(withMessages(), {})).status).toBe(401);
  });
});

describe('local stand-in speaking the Anthropic Messages wire format', () => {
  let server: AnthropicStandIn;
  const headers = { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2026-10-21' };
  const use = { type: 'tool_use', id: 'toolu_1', name: 'lookup_caller_history', input: {} };
  const result = { type: 'tool_result', tool_use_id: 'toolu_1', content: '{}' };
  const withMessages = (...messages: unknown[]) => ({ model: 'm', max_tokens: 100, messages });
  const send = (body: unknown, h: Record<string, string> = headers) =>
    post(`${server.baseURL}/v1/messages`, h, body);
  beforeAll(async () => {
    server = await startAnthropicStandIn({
      idle: { kind: 'reply', text: 'ok', usage: { input: 1, output: 1 } },
    });
  });
  afterAll(() => server.close());

  it('answers a documented request, with the key as x-api-key or Bearer, and records it', async () => {
    const request = withMessages(
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [use] },
      { role: 'user', content: [result, { type: 'text', text: 'thanks' }] },
    );
    const { status, body } = await send(request);
    expect(status).toBe(200);
    expect(body).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'ok' }] });
    expect(server.received.at(-1)?.turn.toolResults).toEqual([{ toolCallId: 'toolu_1', content: '{}' }]);
    const bearer = { authorization: 'Bearer sk-ant-test', 'anthropic-version': '2026-10-21' };
    expect((await send(request, bearer)).status).toBe(200);
  });

  it.each([
    [
      'an assistant turn first',
      /first message must use the user role/,
      withMessages({ role: 'assistant', content: 'hello' }),
    ],
    [
      'two user turns in a row',
      /roles must alternate/,
      withMessages({ role: 'user', content: 'a' }, { role: 'user', content: 'b' }),
    ],
    [
      'an empty text block',
      /text content blocks must be non-empty/,
      withMessages({ role: 'user', content: [{ type: 'text', text: '' }] }),
    ],
    [
      'a tool_use without its result',
      /without tool_result blocks immediately after: toolu_1/,
      withMessages(
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [use] },
        { role: 'user', content: 'and?' },
      ),
    ],
    [
      'a tool_result for an unknown tool_use',
      /unexpected tool_use_id toolu_9/,
      withMessages(
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [use] },
        { role: 'user', content: [result, { ...result, tool_use_id: 'toolu_9' }] },
      ),
    ],
    [
      'text before a tool_result',
      /tool_result blocks must come first/,
      withMessages(
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [use] },
        { role: 'user', content: [{ type: 'text', text: 'x' }, result] },
      ),
    ],
    [
      'a tool result as a tool role',
      /at messages\[2\]\.role/,
      withMessages(
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [use] },
        { role: 'tool', content: '{}' },
      ),
    ],
    [
      'an OpenAI-style tool',
      /input_schema/,
      {
        ...withMessages({ role: 'user', content: 'hi' }),
        tools: [{ name: 'x', parameters: { type: 'object' } }],
      },
    ],
    [
      'a system message in the list',
      /at messages\[0\]\.role/,
      withMessages({ role: 'system', content: 'be kind' }, { role: 'user', content: 'hi' }),
    ],
    [
      'a temperature (removed in 2026-10-21)',
      /Unrecognized key: "temperature"/,
      { ...withMessages({ role: 'user', content: 'hi' }), temperature: 0.2 },
    ],
    ['no max_tokens', /max_tokens/, { model: 'm', messages: [{ role: 'user', content: 'hi' }] }],
  ])('refuses %s with a 400', async (_, reason, request) => {
    const { status, body } = await send(request);
    expect(status).toBe(400);
    expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(server.refused.at(-1)).toMatch(reason);
  });

  it('accepts a temperature on API version 2023-06-01', async () => {
    const request = { ...withMessages({ role: 'user', content: 'hi' }), temperature: 0.2 };
    expect((await send(request, { ...headers, 'anthropic-version': '2023-06-01' })).status).toBe(200);
  });

  it('refuses a request without anthropic-version (400) or without a key (401)', async () => {
    const request = withMessages({ role: 'user', content: 'hi' });
    expect((await send(request, { 'x-api-key': 'k' })).status).toBe(400);
    expect((await send(request, { 'anthropic-version': '2026-10-21' })).status).toBe(401);
  });
});
