import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractRequest, languageModelContract, scriptedLanguageModelContract } from './contract.js';
import { createOpenAiModel } from './openai.js';
import { startOpenAiStandIn, type OpenAiStandIn } from './testing/openai-stand-in.js';
import { unreachableURL } from './testing/scripted-server.js';

// OpenAI cannot be reached from tests: every test here talks to a local stand-in speaking the OpenAI
// chat-completions wire format, as OpenAI documents it and llama.cpp, Ollama and vLLM serve it.
const STAND_IN = 'OpenAI adapter against a local stand-in speaking the chat-completions wire format';

scriptedLanguageModelContract(STAND_IN, async () => {
  const server = await startOpenAiStandIn();
  return {
    server,
    model: (options) =>
      createOpenAiModel({ apiKey: 'sk-test', baseURL: server.baseURL, model: 'gpt-4o-mini', ...options }),
    unreachable: async () =>
      createOpenAiModel({ apiKey: 'sk-test', baseURL: await unreachableURL('/v1'), model: 'gpt-4o-mini' }),
    close: () => server.close(),
  };
});

languageModelContract(STAND_IN, async () => {
  const server = await startOpenAiStandIn({
    idle: { kind: 'reply', text: 'Thanks for calling, how can I help?', usage: { input: 300, output: 9 } },
  });
  return {
    model: createOpenAiModel({ apiKey: 'sk-test', baseURL: server.baseURL, model: 'gpt-4o-mini' }),
    close: () => server.close(),
  };
});

describe(`${STAND_IN}: wire details`, () => {
  let server: OpenAiStandIn;
  beforeAll(async () => {
    server = await startOpenAiStandIn();
  });
  afterAll(() => server.close());
  const model = () => createOpenAiModel({ apiKey: 'sk-test', baseURL: server.baseURL, model: 'gpt-4o-mini' });

  it('sends the system prompt alone, the call context and language before the first line, function tools, tool_choice auto, a low temperature and the conversation in OpenAI form', async () => {
    server.script({ kind: 'reply', text: 'Done.', usage: { input: 1, output: 1 } });
    const request = contractRequest({
      system: 'You are Ava.',
      context: 'Caller: Maria Known',
      language: 'pt-BR',
      messages: [
        { role: 'user', content: 'Quero marcar uma limpeza.' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'search_knowledge_base', arguments: { query: 'limpeza' } }],
        },
        { role: 'tool', toolCallId: 'call_1', name: 'search_knowledge_base', content: '{"results":[]}' },
        {
          role: 'assistant',
          content: 'Um momento.',
          toolCalls: [{ id: 'call_2', name: 'lookup_caller_history', arguments: {} }],
        },
        { role: 'tool', toolCallId: 'call_2', name: 'lookup_caller_history', content: '{"calls":[]}' },
      ],
    });
    await model().respond(request);
    expect(server.refused).toEqual([]);
    const { headers, body } = server.received.at(-1)!;
    expect(headers.authorization).toBe('Bearer sk-test');
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.temperature).toBeLessThanOrEqual(0.3);
    expect(body.tool_choice).toBe('auto');
    expect(body.tools?.[0]).toEqual({
      type: 'function',
      function: {
        name: request.tools[0]?.name,
        description: request.tools[0]?.description,
        parameters: request.tools[0]?.parameters,
      },
    });
    expect(body.messages).toEqual([
      { role: 'system', content: 'You are Ava.' },
      {
        role: 'user',
        content:
          '(Call context: Caller: Maria Known\nReply in Brazilian Portuguese.)\n\nQuero marcar uma limpeza.',
      },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'search_knowledge_base', arguments: '{"query":"limpeza"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"results":[]}' },
      {
        role: 'assistant',
        content: 'Um momento.',
        tool_calls: [
          { id: 'call_2', type: 'function', function: { name: 'lookup_caller_history', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_2', content: '{"calls":[]}' },
    ]);
  });

  it('offers no tools and no tool_choice when there are none (OpenAI refuses an empty list)', async () => {
    server.script({ kind: 'reply', text: 'Hello.', usage: { input: 1, output: 1 } });
    await model().respond(contractRequest({ tools: [], messages: [{ role: 'user', content: 'Hi' }] }));
    expect(server.refused).toEqual([]);
    const { body } = server.received.at(-1)!;
    expect(body.tools).toBeUndefined();
    expect(body.tool_choice).toBeUndefined();
  });

  it('serves a local server with no key: a placeholder Bearer, no usage counted as 0, the configured model when none is named', async () => {
    server.script({
      kind: 'raw',
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        object: 'chat.completion',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hola.' } }],
      }),
    });
    const local = createOpenAiModel({
      baseURL: server.baseURL,
      model: 'llama3.2',
      name: 'openai-compatible:llama3.2',
    });
    expect(local.name).toBe('openai-compatible:llama3.2');
    const response = await local.respond(contractRequest({ messages: [{ role: 'user', content: 'Hola' }] }));
    expect(response).toEqual({
      text: 'Hola.',
      toolCalls: [],
      model: 'llama3.2',
      usage: { promptTokens: 0, completionTokens: 0 },
    });
    expect(server.received.at(-1)?.headers.authorization).toMatch(/^Bearer \S+$/);
  });

  it('gives an id to a tool call that has none, and reads empty arguments as no arguments', async () => {
    server.script({
      kind: 'raw',
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        model: 'llama3.2',
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [{ type: 'function', function: { name: 'lookup_caller_history', arguments: '' } }],
            },
          },
        ],
      }),
    });
    const response = await model().respond(
      contractRequest({ messages: [{ role: 'user', content: 'Have I called before?' }] }),
    );
    expect(response.toolCalls).toEqual([
      { id: expect.stringMatching(/^call_\S+/), name: 'lookup_caller_history', arguments: {} },
    ]);
  });

  it('reads tool arguments that are JSON but not an object as malformed', async () => {
    server.script({
      kind: 'raw',
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: 'c1',
                  type: 'function',
                  function: { name: 'search_knowledge_base', arguments: '["hours"]' },
                },
              ],
            },
          },
        ],
      }),
    });
    await expect(model().respond(contractRequest())).rejects.toThrow(
      /malformed arguments for tool search_knowledge_base/,
    );
  });

  it('needs a key for OpenAI itself', () => {
    expect(() => createOpenAiModel({ model: 'gpt-4o-mini' })).toThrow(/needs an API key/);
  });
});
