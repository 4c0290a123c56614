import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlamaServer, type LlamaServer } from '@ccp/infra';
import type { ChatMessage, LlmRequest } from '@ccp/media-gateway';
import { contractRequest, toChatCompletionRequest } from '@ccp/media-gateway/testing';

// The prompt as the shipped model's own chat template renders it (llama-server's /apply-template and /tokenize,
// with the pinned Qwen2.5 model): what a server's prompt cache can reuse from one request to the next. The Qwen
// template writes the tool list after the system message, so a system message that changed by caller or by
// minute made every turn process ~1,300 tokens of tool schemas and the whole history again.

const START_MS = 120_000;
// Building llama-server from source takes minutes of CPU when `npm test` has not prepared it meanwhile.
const PREPARE_MS = 40 * 60_000;

let server: LlamaServer;
beforeAll(async () => {
  server = await startLlamaServer({ startTimeoutMs: START_MS });
}, PREPARE_MS);
afterAll(() => server?.stop());

const post = async (path: string, body: unknown): Promise<unknown> => {
  const root = server.baseURL.replace(/\/v1$/, '');
  const response = await fetch(`${root}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, `${path}: ${response.status}`).toBe(200);
  return response.json();
};

/** The request's prompt as the server's template renders it, in tokens. */
const tokens = async (request: LlmRequest): Promise<number[]> => {
  const { messages, tools } = toChatCompletionRequest(server.model, request);
  const { prompt } = (await post('/apply-template', { messages, tools })) as { prompt: string };
  const { tokens: ids } = (await post('/tokenize', { content: prompt })) as { tokens: number[] };
  return ids;
};

const shared = (a: readonly number[], b: readonly number[]): number => {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n += 1;
  return n;
};

const AGENT = 'You are Ava, an AI voice agent answering the phone for Bright Smile Dental.\nTone: friendly';
const context = (caller: string, startedAt: string): string =>
  `Caller: ${caller}\nPeople can take calls now.\nThe call started on Monday, March 2, 2026 at ${startedAt} (America/New_York).`;

describe("the shipped model's chat template and the prompt cache", () => {
  it("renders each turn of a call as the previous turn's prompt and more", async () => {
    const call = { system: AGENT, context: context('Maria Known', '11:00') };
    const history: ChatMessage[] = [];
    const greeting = await tokens(contractRequest({ ...call, messages: [...history] }));
    history.push(
      { role: 'assistant', content: 'Hi Maria, great to hear from you! How can I help today?' },
      { role: 'user', content: 'What are your hours on Saturday?' },
    );
    const first = await tokens(
      contractRequest({ ...call, messages: [...history], now: new Date('2026-03-02T16:01:00Z') }),
    );
    history.push(
      { role: 'assistant', content: 'Saturdays from 9 to 1.' },
      { role: 'user', content: 'Can I book next Saturday at 10?' },
    );
    const later = await tokens(
      contractRequest({ ...call, messages: [...history], now: new Date('2026-03-02T16:04:31Z') }),
    );
    // All of the earlier prompt, its generation prompt included, is the start of the later one.
    expect(shared(greeting, first)).toBe(greeting.length);
    expect(shared(first, later)).toBe(first.length);
  });

  it('renders two calls of the agent alike up to the first user message: system and every tool schema', async () => {
    const a = await tokens(
      contractRequest({ system: AGENT, context: context('Maria Known', '11:00'), messages: [] }),
    );
    const b = await tokens(
      contractRequest({
        system: AGENT,
        context: context('Someone Else', '15:47'),
        language: 'es',
        messages: [{ role: 'user', content: 'Hola, ¿están abiertos?' }],
      }),
    );
    const common = shared(a, b);
    // The tool list alone is over a thousand tokens; the calls differ only in their last hundred or so.
    expect(common).toBeGreaterThan(1_000);
    expect(a.length - common).toBeLessThan(120);
  });
});
