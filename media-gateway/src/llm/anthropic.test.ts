import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_CONNECTED, createAnthropicModel, toAnthropicMessages } from './anthropic.js';
import { contractRequest, languageModelContract, scriptedLanguageModelContract } from './contract.js';
import { LlmUnavailableError } from './port.js';
import { startAnthropicStandIn, type AnthropicStandIn } from './testing/anthropic-stand-in.js';
import { unreachableURL } from './testing/scripted-server.js';

// Anthropic cannot be reached from tests: every test here talks to a local stand-in speaking the Anthropic
// Messages wire format (POST /v1/messages) as Anthropic documents it.
const STAND_IN = 'Anthropic adapter against a local stand-in speaking the Messages wire format';
const MODEL = 'claude-3-5-haiku-latest';

scriptedLanguageModelContract(STAND_IN, async () => {
  const server = await startAnthropicStandIn();
  return {
    server,
    model: (options) =>
      createAnthropicModel({ apiKey: 'sk-ant-test', baseURL: server.baseURL, model: MODEL, ...options }),
    unreachable: async () =>
      createAnthropicModel({ apiKey: 'sk-ant-test', baseURL: await unreachableURL(), model: MODEL }),
    close: () => server.close(),
  };
});

languageModelContract(STAND_IN, async () => {
  const server = await startAnthropicStandIn({
    idle: { kind: 'reply', text: 'Thanks for calling, how can I help?', usage: { input: 300, output: 9 } },
  });
  return {
    model: createAnthropicModel({ apiKey: 'sk-ant-test', baseURL: server.baseURL, model: MODEL }),
    close: () => server.close(),
  };
});

describe(`${STAND_IN}: wire details`, () => {
  let server: AnthropicStandIn;
  beforeAll(async () => {
    server = await startAnthropicStandIn();
  });
  afterAll(() => server.close());
  const model = (maxTokens?: number) =>
    createAnthropicModel({ apiKey: 'sk-ant-test', baseURL: server.baseURL, model: MODEL, maxTokens });

  it('sends the version and key headers, the system prompt top-level, tools with input_schema, and no temperature', async () => {
    server.script({ kind: 'reply', text: 'Hello.', usage: { input: 1, output: 1 } });
    const request = contractRequest({
      system: 'You are Ava.',
      language: 'es',
      messages: [{ role: 'user', content: 'Hola' }],
    });
    await model(300).respond(request);
    expect(server.refused).toEqual([]);
    const { headers, body } = server.received.at(-1)!;
    expect(headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // SDK 1.x sends the key as a Bearer token, older ones as x-api-key: either way it must be this key.
    expect(headers['x-api-key'] ?? headers.authorization?.replace(/^Bearer /, '')).toBe('sk-ant-test');
    expect(body.system).toBe('You are Ava.\n\nReply in Spanish.');
    expect(body.max_tokens).toBe(300);
    expect(body.temperature).toBeUndefined();
    expect(body.tool_choice).toEqual({ type: 'auto' });
    const [tool] = request.tools;
    expect(body.tools?.[0]).toEqual({
      name: tool?.name,
      description: tool?.description,
      input_schema: tool?.parameters,
    });
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hola' }] }]);
  });

  it('puts tool calls in tool_use blocks and merges consecutive tool results into one user turn', async () => {
    server.script({ kind: 'reply', text: 'Booked.', usage: { input: 1, output: 1 } });
    await model().respond(
      contractRequest({
        messages: [
          { role: 'assistant', content: 'Bright Smile Dental, this is Ava.' },
          { role: 'user', content: 'Book me in tomorrow at 3.' },
          {
            role: 'assistant',
            content: 'One moment.',
            toolCalls: [
              { id: 'toolu_1', name: 'book_appointment', arguments: { service: 'Cleaning' } },
              { id: 'toolu_2', name: 'lookup_caller_history', arguments: {} },
            ],
          },
          { role: 'tool', toolCallId: 'toolu_1', name: 'book_appointment', content: '{"ok":true}' },
          { role: 'tool', toolCallId: 'toolu_2', name: 'lookup_caller_history', content: '{"calls":[]}' },
        ],
      }),
    );
    expect(server.refused).toEqual([]);
    expect(server.received.at(-1)?.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: CALL_CONNECTED }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Bright Smile Dental, this is Ava.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Book me in tomorrow at 3.' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'One moment.' },
          { type: 'tool_use', id: 'toolu_1', name: 'book_appointment', input: { service: 'Cleaning' } },
          { type: 'tool_use', id: 'toolu_2', name: 'lookup_caller_history', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '{"ok":true}' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: '{"calls":[]}' },
        ],
      },
    ]);
  });

  it('asks for the greeting with a user turn saying the call connected', async () => {
    server.script({
      kind: 'reply',
      text: 'Bright Smile Dental, this is Ava.',
      usage: { input: 1, output: 1 },
    });
    const response = await model().respond(contractRequest());
    expect(response.text).toBe('Bright Smile Dental, this is Ava.');
    expect(server.refused).toEqual([]);
    expect(server.received.at(-1)?.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: CALL_CONNECTED }] },
    ]);
  });

  it('joins the text blocks of an answer', async () => {
    server.script({
      kind: 'raw',
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-3-5-haiku-20241022',
        content: [
          { type: 'text', text: 'We open at 9.', citations: null },
          { type: 'text', text: ' ', citations: null },
          { type: 'text', text: 'Anything else?', citations: null },
        ],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 20, output_tokens: 8 },
      }),
    });
    const response = await model().respond(
      contractRequest({ messages: [{ role: 'user', content: 'When do you open?' }] }),
    );
    expect(response).toEqual({
      text: 'We open at 9. Anything else?',
      toolCalls: [],
      model: 'claude-3-5-haiku-20241022',
      usage: { promptTokens: 20, completionTokens: 8 },
    });
  });
});

describe('Anthropic message mapping', () => {
  it('drops empty lines, then merges what became consecutive, tool results before text', () => {
    expect(
      toAnthropicMessages([
        { role: 'user', content: 'Hello?' },
        { role: 'assistant', content: '' },
        { role: 'user', content: '(The caller said nothing.)' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'r1', name: 'escalate_to_human', arguments: { reason: 'keyword' } }],
        },
        { role: 'tool', toolCallId: 'r1', name: 'escalate_to_human', content: '{"queued":true}' },
        { role: 'user', content: 'Thanks.' },
      ]),
    ).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Hello?' },
          { type: 'text', text: '(The caller said nothing.)' },
        ],
      },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'r1', name: 'escalate_to_human', input: { reason: 'keyword' } }],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'r1', content: '{"queued":true}' },
          { type: 'text', text: 'Thanks.' },
        ],
      },
    ]);
  });

  it('puts tool results first when the caller spoke while a tool ran', () => {
    expect(
      toAnthropicMessages([
        { role: 'user', content: 'Book me in.' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 't1', name: 'book_appointment', arguments: {} }],
        },
        { role: 'user', content: 'Hello? Still there?' },
        { role: 'tool', toolCallId: 't1', name: 'book_appointment', content: '{"ok":true}' },
      ]).at(-1),
    ).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 't1', content: '{"ok":true}' },
        { type: 'text', text: 'Hello? Still there?' },
      ],
    });
  });

  it('needs a key', () => {
    expect(() => createAnthropicModel({ apiKey: '', model: MODEL })).toThrow(/needs an API key/);
  });
});

describe(`${STAND_IN}: replies checked`, () => {
  let server: AnthropicStandIn;
  beforeAll(async () => {
    server = await startAnthropicStandIn();
  });
  afterAll(() => server.close());
  const model = () => createAnthropicModel({ apiKey: 'sk-ant-test', baseURL: server.baseURL, model: MODEL });

  it('checks the reply: a Llama-style JSON call becomes a call, JSON of a tool not offered is refused', async () => {
    const text = '{"name": "escalate_to_human", "parameters": {"reason": "asked for a person"}}';
    server.script({ kind: 'reply', text, usage: { input: 1, output: 1 } });
    expect(await model().respond(contractRequest())).toMatchObject({
      text: '',
      toolCalls: [{ name: 'escalate_to_human', arguments: { reason: 'asked for a person' } }],
    });
    server.script({ kind: 'reply', text, usage: { input: 1, output: 1 } });
    await expect(model().respond(contractRequest({ tools: [] }))).rejects.toMatchObject({
      name: 'LlmUnavailableError',
      reason: 'not-speech',
    });
  });
});

describe(`${STAND_IN}: the turn's budget`, () => {
  let server: AnthropicStandIn;
  beforeAll(async () => {
    server = await startAnthropicStandIn();
  });
  afterAll(() => server.close());

  it('spends timeoutMs on the whole turn, retries included, and retries itself (not the SDK on top)', async () => {
    // Each attempt fails after 400 ms: with 1,200 ms for the whole turn, the retry (at 600 ms) is cut at the deadline.
    server.script({ kind: 'stall', ms: 400 }, { kind: 'stall', ms: 700 }, { kind: 'stall', ms: 400 });
    const before = server.received.length;
    const started = Date.now();
    const outcome = await createAnthropicModel({
      apiKey: 'sk-ant-test',
      baseURL: server.baseURL,
      model: MODEL,
      timeoutMs: 1_200,
      maxRetries: 1,
    })
      .respond(contractRequest())
      .catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(LlmUnavailableError);
    expect((outcome as LlmUnavailableError).reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_600);
    expect(server.received.length - before).toBe(2);
    server.clear();
  });

  it('makes no retry that cannot finish in the time left: the fallback answers sooner', async () => {
    // The attempt failed after 400 ms; 300 ms are left, less than the retry's delay and another such attempt.
    server.script({ kind: 'stall', ms: 400 }, { kind: 'stall', ms: 400 });
    const before = server.received.length;
    const started = Date.now();
    const outcome = await createAnthropicModel({
      apiKey: 'sk-ant-test',
      baseURL: server.baseURL,
      model: MODEL,
      timeoutMs: 700,
      maxRetries: 1,
    })
      .respond(contractRequest())
      .catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(LlmUnavailableError);
    expect(Date.now() - started).toBeLessThan(650);
    expect(server.received.length - before).toBe(1);
    server.clear();
  });

  it('retries a 500 once (its own retry, the same as the OpenAI adapter), and not with maxRetries 0', async () => {
    const model = (maxRetries: number) =>
      createAnthropicModel({ apiKey: 'sk-ant-test', baseURL: server.baseURL, model: MODEL, maxRetries });
    server.script(
      { kind: 'error', status: 500, message: 'boom' },
      { kind: 'reply', text: 'Second time lucky.' },
    );
    expect((await model(1).respond(contractRequest())).text).toBe('Second time lucky.');
    server.script({ kind: 'error', status: 500, message: 'boom' }, { kind: 'reply', text: 'Never asked.' });
    const before = server.received.length;
    const outcome = await model(0)
      .respond(contractRequest())
      .catch((error: unknown) => error);
    expect((outcome as LlmUnavailableError).reason).toBe('http-error');
    expect(server.received.length - before).toBe(1);
    server.clear();
  });
});
