import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractRequest } from './contract.js';
import { createLanguageModel, createProviderModel } from './index.js';
import type { LanguageModel } from './port.js';
import { startAnthropicStandIn, type AnthropicStandIn } from './testing/anthropic-stand-in.js';
import { startOpenAiStandIn, type OpenAiStandIn } from './testing/openai-stand-in.js';

const offline: LanguageModel = {
  name: 'offline',
  respond: async () => ({
    text: 'offline answers',
    toolCalls: [],
    model: 'offline',
    usage: { promptTokens: 0, completionTokens: 0 },
  }),
};

describe('createLanguageModel (remote providers are local stand-ins speaking their wire formats)', () => {
  let openai: OpenAiStandIn;
  let anthropic: AnthropicStandIn;
  beforeAll(async () => {
    openai = await startOpenAiStandIn();
    anthropic = await startAnthropicStandIn();
  });
  afterAll(async () => {
    await openai.close();
    await anthropic.close();
  });

  it('uses the offline engine as it is', () => {
    expect(createLanguageModel({ provider: 'offline' }, offline)).toBe(offline);
  });

  it('asks OpenAI for gpt-4o-mini by default, and falls back to the offline engine', async () => {
    const model = createLanguageModel(
      { provider: 'openai', apiKey: 'sk-test', baseURL: openai.baseURL },
      offline,
    );
    openai.script({ kind: 'reply', text: 'Hi from OpenAI.', usage: { input: 1, output: 1 } });
    expect((await model.respond(contractRequest())).text).toBe('Hi from OpenAI.');
    expect(openai.received.at(-1)?.body.model).toBe('gpt-4o-mini');
    openai.script({ kind: 'error', status: 401, message: 'Incorrect API key provided' });
    expect((await model.respond(contractRequest())).text).toBe('offline answers');
  });

  it('asks Anthropic for claude-3-5-haiku-latest by default, and falls back to the offline engine', async () => {
    const model = createLanguageModel(
      { provider: 'anthropic', apiKey: 'sk-ant', baseURL: anthropic.baseURL },
      offline,
    );
    anthropic.script({ kind: 'reply', text: 'Hi from Claude.', usage: { input: 1, output: 1 } });
    expect((await model.respond(contractRequest())).text).toBe('Hi from Claude.');
    expect(anthropic.received.at(-1)?.body.model).toBe('claude-3-5-haiku-latest');
    anthropic.script(
      { kind: 'error', status: 529, message: 'Overloaded' },
      { kind: 'error', status: 529, message: 'Overloaded' },
    );
    expect((await model.respond(contractRequest())).text).toBe('offline answers');
  });

  it('talks to an OpenAI-compatible server without a key, asking for the configured model', async () => {
    const model = createLanguageModel(
      { provider: 'openai-compatible', baseURL: openai.baseURL, model: 'llama3.2' },
      offline,
    );
    expect(model.name).toBe('openai-compatible:llama3.2');
    openai.script({ kind: 'reply', text: 'Hi from Ollama.' });
    expect(await model.respond(contractRequest())).toMatchObject({
      text: 'Hi from Ollama.',
      usage: { promptTokens: 0, completionTokens: 0 },
    });
    expect(openai.received.at(-1)?.body.model).toBe('llama3.2');
  });

  it('in assist mode asks the server only what the offline engine is unsure of', async () => {
    let unsure = false;
    const lead: LanguageModel = {
      name: 'offline',
      respond: async () => ({
        text: unsure ? 'I do not have that information.' : 'offline answers',
        toolCalls: [],
        model: 'offline',
        usage: { promptTokens: 0, completionTokens: 0 },
        ...(unsure && { unsure: true as const }),
      }),
    };
    const model = createLanguageModel(
      { provider: 'openai-compatible', baseURL: openai.baseURL, model: 'qwen', mode: 'assist' },
      lead,
    );
    expect(model.name).toBe('offline+openai-compatible:qwen');
    const asked = openai.received.length;
    expect((await model.respond(contractRequest())).text).toBe('offline answers');
    expect(openai.received.length).toBe(asked);
    unsure = true;
    openai.script({ kind: 'reply', text: 'Parking is behind the building.' });
    expect((await model.respond(contractRequest())).text).toBe('Parking is behind the building.');
    expect(openai.received.length).toBe(asked + 1);
    expect(createLanguageModel({ provider: 'offline', mode: 'assist' }, lead)).toBe(lead);
  });

  it('sends the reply cap, skips a failed server for the cooldown, and warms its cache', async () => {
    const model = createLanguageModel(
      {
        provider: 'openai-compatible',
        baseURL: openai.baseURL,
        model: 'qwen-cooldown',
        maxTokens: 64,
        cooldownMs: 60_000,
        maxRetries: 0,
      },
      offline,
    );
    openai.script({ kind: 'reply', text: 'Hello.' });
    await model.warm?.(contractRequest());
    expect(openai.received.at(-1)?.body).toMatchObject({ model: 'qwen-cooldown', max_tokens: 1 });
    await model.respond(contractRequest());
    expect(openai.received.at(-1)?.body.max_tokens).toBe(64);
    openai.script({ kind: 'error', status: 500, message: 'boom' });
    expect(await model.respond(contractRequest())).toMatchObject({ text: 'offline answers', fallback: true });
    const asked = openai.received.length;
    expect((await model.respond(contractRequest())).text).toBe('offline answers');
    await model.warm?.(contractRequest());
    expect(openai.received.length).toBe(asked);
  });

  it('answers a tool-only assistant turn and its tool result from the provider, not the fallback', async () => {
    const model = createLanguageModel(
      { provider: 'openai-compatible', baseURL: openai.baseURL, model: 'qwen2.5-1.5b-instruct' },
      offline,
    );
    openai.script({ kind: 'reply', text: 'We are open 9 to 5.' });
    const response = await model.respond(
      contractRequest({
        messages: [
          { role: 'user', content: 'When are you open?' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'call_1', name: 'search_knowledge_base', arguments: { query: 'hours' } }],
          },
          { role: 'tool', toolCallId: 'call_1', name: 'search_knowledge_base', content: '{"results":[]}' },
        ],
      }),
    );
    expect(response.text).toBe('We are open 9 to 5.');
    expect(openai.refused).toEqual([]);
  });

  it('passes the time budgets, retries and streaming settings to the adapters', async () => {
    const local = (settings: { firstTokenMs?: number; maxRetries?: number; stream?: boolean }) =>
      createLanguageModel(
        { provider: 'openai-compatible', baseURL: openai.baseURL, model: 'llama3.2', ...settings },
        offline,
      );
    openai.script({ kind: 'reply', text: 'Too slow.', pace: { firstTokenMs: 3_000 } });
    const started = Date.now();
    expect((await local({ firstTokenMs: 200 }).respond(contractRequest())).text).toBe('offline answers');
    expect(Date.now() - started).toBeLessThan(1_500);

    openai.script({ kind: 'reply', text: 'Whole.' });
    expect((await local({ stream: false }).respond(contractRequest())).text).toBe('Whole.');
    expect(openai.received.at(-1)?.body.stream).toBeUndefined();

    openai.script({ kind: 'error', status: 503, message: 'busy' }, { kind: 'reply', text: 'Not asked.' });
    const before = openai.received.length;
    expect((await local({ maxRetries: 0 }).respond(contractRequest())).text).toBe('offline answers');
    expect(openai.received.length - before).toBe(1);
    openai.clear();

    anthropic.script(
      { kind: 'error', status: 529, message: 'Overloaded' },
      { kind: 'reply', text: 'Not asked.', usage: { input: 1, output: 1 } },
    );
    const claude = createLanguageModel(
      {
        provider: 'anthropic',
        apiKey: 'sk-ant',
        baseURL: anthropic.baseURL,
        maxRetries: 0,
        timeoutMs: 2_000,
      },
      offline,
    );
    expect((await claude.respond(contractRequest())).text).toBe('offline answers');
    anthropic.clear();
    expect(() => createLanguageModel({ provider: 'openai', apiKey: 'k', timeoutMs: -1 }, offline)).toThrow(
      /LLM configuration: .*timeoutMs/s,
    );
  });

  it("sends every provider's requests through the transport's fetch (the platform's traced one)", async () => {
    const asked: string[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      asked.push(input instanceof Request ? input.url : String(input));
      return globalThis.fetch(input, init);
    };
    openai.script({ kind: 'reply', text: 'Via the transport.', usage: { input: 1, output: 1 } });
    const viaOpenAi = createLanguageModel(
      { provider: 'openai', apiKey: 'sk-test', baseURL: openai.baseURL },
      offline,
      undefined,
      { fetch },
    );
    expect((await viaOpenAi.respond(contractRequest())).text).toBe('Via the transport.');
    anthropic.script({ kind: 'reply', text: 'Claude via the transport.', usage: { input: 1, output: 1 } });
    const viaAnthropic = createProviderModel(
      { provider: 'anthropic', apiKey: 'sk-ant-test', baseURL: anthropic.baseURL },
      { fetch },
    );
    expect((await viaAnthropic?.respond(contractRequest()))?.text).toBe('Claude via the transport.');
    expect(asked).toEqual([
      expect.stringContaining(`${openai.baseURL.replace(/\/v1$/, '')}`),
      expect.stringContaining(new URL(anthropic.baseURL).host),
    ]);
  });

  it('says clearly what a provider is missing', () => {
    expect(() => createLanguageModel({ provider: 'openai' }, offline)).toThrow(
      'LLM provider "openai" needs an API key',
    );
    expect(() => createLanguageModel({ provider: 'anthropic', model: 'claude-sonnet-4-5' }, offline)).toThrow(
      'LLM provider "anthropic" needs an API key',
    );
    expect(() => createLanguageModel({ provider: 'openai-compatible', model: 'llama3.2' }, offline)).toThrow(
      /needs the server's baseURL/,
    );
    expect(() =>
      createLanguageModel({ provider: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1' }, offline),
    ).toThrow(/needs the model/);
    expect(() =>
      createLanguageModel(
        { provider: 'gemini' } as unknown as Parameters<typeof createLanguageModel>[0],
        offline,
      ),
    ).toThrow(/LLM configuration: .*provider/s);
  });
});
