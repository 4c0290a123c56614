import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntentClassifier } from './intent-classifier.js';
import { createLlmIntentClassifier } from './llm-intent.js';

/**
 * A stand-in for an OpenAI-compatible server on loopback, speaking the documented chat-completions wire format
 * (OpenAI itself cannot be reached from here). It answers what the test queues and records each request.
 */
const startStandIn = async () => {
  const requests: Record<string, unknown>[] = [];
  const answers: string[] = [];
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    requests.push({ path: req.url, auth: req.headers.authorization, ...(JSON.parse(body) as object) });
    const content = answers.shift() ?? '{}';
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 0,
        model: 'test-model',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
        usage: { prompt_tokens: 50, completion_tokens: 8, total_tokens: 58 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { requests, answers, url: `http://127.0.0.1:${port}/v1`, close: () => server.close() };
};

describe('LLM intent classifier', () => {
  let standIn: Awaited<ReturnType<typeof startStandIn>>;
  const fallback: IntentClassifier = { classify: async () => ({ intent: 'other', confidence: 0.1 }) };
  const classifier = () =>
    createLlmIntentClassifier({
      apiKey: 'sk-test',
      baseURL: standIn.url,
      model: 'test-model',
      intents: ['book_appointment', 'complaint', 'other'],
      fallback: async () => fallback,
    });
  beforeAll(async () => {
    standIn = await startStandIn();
  });
  afterAll(() => standIn.close());

  it('asks for one of the known intents under a JSON schema and returns the answer', async () => {
    standIn.answers.push('{"intent":"book_appointment","confidence":0.93}');
    expect(await classifier().classify('can I come in on Tuesday')).toEqual({
      intent: 'book_appointment',
      confidence: 0.93,
    });
    const request = standIn.requests.at(-1) as {
      path: string;
      auth: string;
      model: string;
      messages: { role: string; content: string }[];
      response_format: { json_schema: { schema: { properties: { intent: { enum: string[] } } } } };
    };
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.auth).toBe('Bearer sk-test');
    expect(request.model).toBe('test-model');
    expect(request.messages.at(-1)).toEqual({ role: 'user', content: 'can I come in on Tuesday' });
    expect(request.response_format.json_schema.schema.properties.intent.enum).toEqual([
      'book_appointment',
      'complaint',
      'other',
    ]);
  });

  it('falls back to the local classifier when the answer breaks the contract', async () => {
    standIn.answers.push('{"intent":"launch_rocket","confidence":2}');
    expect(await classifier().classify('hello')).toEqual({ intent: 'other', confidence: 0.1 });
    standIn.answers.push('not json');
    expect(await classifier().classify('hello')).toEqual({ intent: 'other', confidence: 0.1 });
  });
});
