import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractRequest, withSentences } from './contract.js';
import { createOpenAiModel, type OpenAiModelOptions } from './openai.js';
import { LlmUnavailableError, type LlmResponse } from './port.js';
import { startOpenAiStandIn, type OpenAiStandIn } from './testing/openai-stand-in.js';

// Every test here talks to a local stand-in speaking the OpenAI chat-completions wire format, streamed as
// server-sent chat.completion.chunk events the way OpenAI documents them and llama.cpp serves them.
const STAND_IN = 'OpenAI adapter, streaming and time budgets, against a local stand-in';

const reasonOf = async (answer: Promise<LlmResponse>): Promise<string> => {
  const outcome = await answer.then(
    () => 'answered',
    (error: unknown) => error,
  );
  if (!(outcome instanceof LlmUnavailableError))
    throw new Error(`expected an outage, got ${String(outcome)}`);
  return outcome.reason;
};

describe(STAND_IN, () => {
  let server: OpenAiStandIn;
  beforeAll(async () => {
    server = await startOpenAiStandIn();
  });
  afterAll(() => server.close());
  const model = (options: Partial<OpenAiModelOptions> = {}) =>
    createOpenAiModel({ baseURL: server.baseURL, model: 'qwen2.5-1.5b-instruct', ...options });
  const hello = () => contractRequest({ messages: [{ role: 'user', content: 'Hi.' }] });

  it('streams by default, asks for the usage, and gives each sentence as soon as it is written', async () => {
    const text = 'Thanks for calling Bright Smile. This is Ava. How can I help you today?';
    server.script({ kind: 'reply', text, usage: { input: 300, output: 17 }, pace: { chunkMs: 30 } });
    const streaming = withSentences(hello());
    let answered = false;
    const firstSentence = new Promise<boolean>((resolve) => {
      const request = { ...streaming.request };
      streaming.request = {
        ...request,
        onSentence: (sentence) => {
          request.onSentence?.(sentence);
          resolve(answered);
        },
      };
    });
    const response = await model()
      .respond(streaming.request)
      .finally(() => {
        answered = true;
      });
    expect(await firstSentence, 'the first sentence came before the answer ended').toBe(false);
    expect(server.received.at(-1)?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(response).toEqual({
      text,
      toolCalls: [],
      model: 'qwen2.5-1.5b-instruct',
      usage: { promptTokens: 300, completionTokens: 17 },
      streamed: 3,
    });
    expect(streaming.given).toEqual([
      'Thanks for calling Bright Smile.',
      'This is Ava.',
      'How can I help you today?',
    ]);
  });

  it('tells onFirstToken once, when the first delta arrives, well before the answer ends', async () => {
    server.script({ kind: 'reply', text: 'One. Two. Three. Four.', pace: { chunkMs: 40 } });
    const started = performance.now();
    const told: number[] = [];
    await model().respond({ ...hello(), onFirstToken: () => told.push(performance.now() - started) });
    const total = performance.now() - started;
    expect(told).toHaveLength(1);
    expect(told[0]).toBeLessThan(total - 40);
  });

  it('counts no usage when the server ignores include_usage', async () => {
    server.script({ kind: 'reply', text: 'Hello.' });
    expect((await model().respond(hello())).usage).toEqual({ promptTokens: 0, completionTokens: 0 });
  });

  it('holds back a tool call written as text: the speech before it is said, the call is returned', async () => {
    server.script({
      kind: 'reply',
      text: 'Let me check. <tool_call>\n{"name": "search_knowledge_base", "arguments": {"query": "Dr. Lee. Hours"}}\n</tool_call>',
    });
    const streaming = withSentences(hello());
    const response = await model().respond(streaming.request);
    expect(streaming.given).toEqual(['Let me check.']);
    expect(response).toMatchObject({
      text: 'Let me check.',
      streamed: 1,
      toolCalls: [{ name: 'search_knowledge_base', arguments: { query: 'Dr. Lee. Hours' } }],
    });
  });

  it.each([
    { tail: '{"foo": 1}', calls: [] },
    {
      tail: '{"foo": 1} <tool_call>{"name": "search_knowledge_base", "arguments": {"query": "hours"}}</tool_call>',
      calls: ['search_knowledge_base'],
    },
  ])(
    'answers with the sentences said when markup follows them ($tail), not with a failure',
    async ({ tail, calls }) => {
      server.script({ kind: 'reply', text: `Sure, I can help. ${tail}` });
      const streaming = withSentences(hello());
      const before = server.received.length;
      const response = await model().respond(streaming.request);
      expect(streaming.given).toEqual(['Sure, I can help.']);
      expect(response).toMatchObject({ text: 'Sure, I can help.', streamed: 1 });
      expect(response.toolCalls.map((call) => call.name)).toEqual(calls);
      expect(server.received.length - before).toBe(1);
    },
  );

  it('never streams {"name": "escalate_to_human", …} as speech', async () => {
    server.script({
      kind: 'reply',
      text: '{"name": "escalate_to_human", "parameters": {"reason": "The caller asked. Twice."}}',
    });
    const streaming = withSentences(hello());
    const response = await model().respond(streaming.request);
    expect(streaming.given).toEqual([]);
    expect(response).toMatchObject({ text: '', streamed: 0, toolCalls: [{ name: 'escalate_to_human' }] });
  });

  it('asks for one JSON answer with stream: false, which is given to nobody sentence by sentence', async () => {
    server.script({ kind: 'reply', text: 'Hello. Bye.' });
    const streaming = withSentences(hello());
    const response = await model({ stream: false }).respond(streaming.request);
    expect(server.received.at(-1)?.body.stream).toBeUndefined();
    expect(response.text).toBe('Hello. Bye.');
    expect(streaming.given).toEqual([]);
    streaming.expectStreamed(response);
  });

  it('gives up with first-token-timeout on a server that sends headers but no token', async () => {
    server.script({ kind: 'reply', text: 'Too late.', pace: { firstTokenMs: 3_000 } });
    const started = Date.now();
    expect(await reasonOf(model({ firstTokenMs: 200 }).respond(hello()))).toBe('first-token-timeout');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('gives up with timeout on an answer that starts in time but takes longer than the whole budget', async () => {
    const text = 'One two three four five six seven eight nine ten eleven twelve.';
    server.script({ kind: 'reply', text, pace: { chunkMs: 100 } });
    const started = Date.now();
    const streaming = withSentences(hello());
    expect(await reasonOf(model({ timeoutMs: 400, firstTokenMs: 300 }).respond(streaming.request))).toBe(
      'timeout',
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    // The words written before the deadline are no sentence.
    expect(streaming.given).toEqual([]);
  });

  it('retries a 500 once and answers; with maxRetries 0 it does not', async () => {
    server.script(
      { kind: 'error', status: 500, message: 'boom' },
      { kind: 'reply', text: 'Second time lucky.' },
    );
    const before = server.received.length;
    expect((await model().respond(hello())).text).toBe('Second time lucky.');
    expect(server.received.length - before).toBe(2);
    server.script({ kind: 'error', status: 500, message: 'boom' }, { kind: 'reply', text: 'Never asked.' });
    expect(await reasonOf(model({ maxRetries: 0 }).respond(hello()))).toBe('http-error');
    server.clear();
  });

  it('retries a stream cut before anything was said, but not one cut after a sentence was said', async () => {
    server.script(
      { kind: 'reply', text: 'Lost.', pace: { cutAfter: 1 } },
      { kind: 'reply', text: 'Hello again.' },
    );
    expect((await model().respond(hello())).text).toBe('Hello again.');
    server.script(
      { kind: 'reply', text: 'First sentence. Second sentence.', pace: { cutAfter: 4 } },
      { kind: 'reply', text: 'Never asked.' },
    );
    const streaming = withSentences(hello());
    const before = server.received.length;
    expect(await reasonOf(model().respond(streaming.request))).toBe('unreachable');
    expect(streaming.given).toEqual(['First sentence.']);
    expect(server.received.length - before).toBe(1);
    server.clear();
  });

  it('lets a caller who hangs up mid-stream end it, which is no outage', async () => {
    server.script({ kind: 'reply', text: 'One. Two. Three. Four. Five.', pace: { chunkMs: 100 } });
    const hangUp = new AbortController();
    const outcome = await model()
      .respond({ ...hello(), signal: hangUp.signal, onSentence: () => hangUp.abort() })
      .then(
        () => 'answered',
        (error: unknown) => error,
      );
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).not.toBeInstanceOf(LlmUnavailableError);
  });

  it.each([
    [
      'the reason of an HTTP status',
      { kind: 'error', status: 401, message: 'bad key' } as const,
      'http-error',
    ],
    [
      'a malformed stream',
      {
        kind: 'raw',
        status: 200,
        contentType: 'text/event-stream',
        body: 'data: {"choices": 7}\n\n',
      } as const,
      'malformed',
    ],
  ])('reports %s', async (_, answer, reason) => {
    server.script(answer);
    expect(await reasonOf(model().respond(hello()))).toBe(reason);
  });
});
