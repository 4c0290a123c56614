import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicModel } from './anthropic.js';
import { contractRequest } from './contract.js';
import { createOpenAiModel } from './openai.js';
import { LlmUnavailableError } from './port.js';
import { startAnthropicStandIn, type AnthropicStandIn } from './testing/anthropic-stand-in.js';
import { startOpenAiStandIn, type OpenAiStandIn } from './testing/openai-stand-in.js';

// A benchmark against llama.cpp on 2 cores: a 510-token greeting (no max_tokens sent), turns past Twilio's 15 s
// (each request waited its own budget), and every turn reading the whole prompt anew. Local stand-ins speaking
// the chat-completions and Messages wire formats answer here.

describe('OpenAI adapter against a local stand-in speaking the chat-completions wire format: turn limits', () => {
  let server: OpenAiStandIn;
  beforeAll(async () => {
    server = await startOpenAiStandIn();
  });
  afterAll(() => server.close());
  const model = (
    options: { maxTokens?: number; stream?: boolean; timeoutMs?: number; maxRetries?: number } = {},
  ) => createOpenAiModel({ apiKey: 'sk-test', baseURL: server.baseURL, model: 'gpt-4o-mini', ...options });

  it('caps the reply with max_tokens, streamed or not (300 unless set)', async () => {
    server.script(
      { kind: 'reply', text: 'Hello.', usage: { input: 1, output: 1 } },
      { kind: 'reply', text: 'Hello.', usage: { input: 1, output: 1 } },
    );
    await model().respond(contractRequest());
    expect(server.received.at(-1)?.body).toMatchObject({ max_tokens: 300, stream: true });
    await model({ maxTokens: 64, stream: false }).respond(contractRequest());
    expect(server.received.at(-1)?.body).toMatchObject({ max_tokens: 64 });
    expect(server.refused).toEqual([]);
  });

  it('gives up with reason timeout at the request deadline, well before its own timeout', async () => {
    server.script({ kind: 'stall', ms: 5_000 });
    const started = Date.now();
    const failure = await model({ timeoutMs: 30_000 })
      .respond(contractRequest({ deadline: started + 300 }))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LlmUnavailableError);
    expect((failure as LlmUnavailableError).reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('does not retry when the retry cannot finish before the deadline', async () => {
    server.script({ kind: 'stall', ms: 400 });
    const before = server.received.length;
    const started = Date.now();
    // The stall ends with a 504 (retryable) after 400 ms; 250 ms are left, less than the attempt took.
    await expect(
      model({ maxRetries: 1 }).respond(contractRequest({ deadline: started + 650 })),
    ).rejects.toBeInstanceOf(LlmUnavailableError);
    expect(server.received.length - before).toBe(1);
  });

  it('warms the cache with one unstreamed request of one token, with the same system and tools', async () => {
    server.script({ kind: 'reply', text: 'Hel', usage: { input: 900, output: 1 } });
    const before = server.received.length;
    const request = contractRequest({ messages: [{ role: 'user', content: 'Hi' }] });
    await model().warm?.(request);
    expect(server.received.length - before).toBe(1);
    const warmed = server.received.at(-1)?.body;
    expect(warmed).toMatchObject({ max_tokens: 1 });
    expect(warmed?.stream ?? false).toBe(false);
    server.script({ kind: 'reply', text: 'Hello.', usage: { input: 1, output: 1 } });
    await model({ stream: false }).respond(request);
    const asked = server.received.at(-1)?.body;
    expect(warmed?.messages).toEqual(asked?.messages);
    expect(warmed?.tools).toEqual(asked?.tools);
    expect(server.refused).toEqual([]);
  });

  it('rejects a failed warm-up without retrying it', async () => {
    server.script({ kind: 'error', status: 503, message: 'loading model' });
    const before = server.received.length;
    await expect(model({ maxRetries: 3 }).warm?.(contractRequest())).rejects.toBeInstanceOf(
      LlmUnavailableError,
    );
    expect(server.received.length - before).toBe(1);
  });
});

describe('Anthropic adapter against a local stand-in speaking the Messages wire format: turn limits', () => {
  let server: AnthropicStandIn;
  beforeAll(async () => {
    server = await startAnthropicStandIn();
  });
  afterAll(() => server.close());

  it('caps the reply at 300 tokens unless set, and gives up at the request deadline', async () => {
    const model = createAnthropicModel({ apiKey: 'sk-ant-test', baseURL: server.baseURL, model: 'claude' });
    server.script(
      { kind: 'reply', text: 'Hello.', usage: { input: 1, output: 1 } },
      { kind: 'stall', ms: 5_000 },
    );
    await model.respond(contractRequest());
    expect(server.received.at(-1)?.body).toMatchObject({ max_tokens: 300 });
    const started = Date.now();
    await expect(model.respond(contractRequest({ deadline: started + 300 }))).rejects.toMatchObject({
      reason: 'timeout',
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
