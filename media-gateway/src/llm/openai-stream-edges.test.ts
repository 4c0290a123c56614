import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractRequest, withSentences } from './contract.js';
import { createOpenAiModel, type OpenAiModelOptions } from './openai.js';
import { LlmUnavailableError, type LlmResponse } from './port.js';
import { startOpenAiStandIn, type OpenAiStandIn } from './testing/openai-stand-in.js';

// Edges of the streamed wire format, against a local stand-in serving chat.completion.chunk events as OpenAI
// documents them (raw bodies where a server cuts, omits or varies a field).
const STAND_IN = 'OpenAI adapter, stream edges, against a local stand-in';

const sse = (...chunks: object[]): string => chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('');
const chunk = (delta: object, finish: string | null = null) => ({
  id: 'chatcmpl-edge',
  object: 'chat.completion.chunk',
  model: 'qwen2.5-1.5b-instruct',
  choices: [{ index: 0, delta, finish_reason: finish }],
});
const DONE = 'data: [DONE]\n\n';
const stream = (body: string) =>
  ({ kind: 'raw', status: 200, contentType: 'text/event-stream', body }) as const;

const outcomeOf = async (answer: Promise<LlmResponse>): Promise<LlmResponse | Error> =>
  answer.then(
    (response) => response,
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );

describe(STAND_IN, () => {
  let server: OpenAiStandIn;
  beforeAll(async () => {
    server = await startOpenAiStandIn();
  });
  afterAll(() => server.close());
  const model = (options: Partial<OpenAiModelOptions> = {}) =>
    createOpenAiModel({ baseURL: server.baseURL, model: 'qwen2.5-1.5b-instruct', maxRetries: 0, ...options });
  const hello = () => contractRequest({ messages: [{ role: 'user', content: 'Hi.' }] });

  it('applies no first-token budget to an answer that is not streamed: only the whole-turn timeout', async () => {
    // 600 ms to the whole (error) answer: past a 200 ms first-token budget, well within the 5 s turn.
    server.script({ kind: 'stall', ms: 600 });
    const outcome = await outcomeOf(
      model({ stream: false, firstTokenMs: 200, timeoutMs: 5_000 }).respond(hello()),
    );
    expect(outcome).toBeInstanceOf(LlmUnavailableError);
    expect((outcome as LlmUnavailableError).reason).toBe('http-error');
  });

  it.each([
    [
      'cut by length',
      sse(chunk({ content: 'Your appointment is on Tuesday. I will book it for' }), chunk({}, 'length')) +
        DONE,
    ],
    [
      'ended without a finish reason',
      sse(chunk({ content: 'Your appointment is on Tuesday. I will book it for' })),
    ],
  ])('never says the unfinished last words of a stream %s', async (_, body) => {
    server.script(stream(body));
    const streaming = withSentences(hello());
    const response = await model().respond(streaming.request);
    expect(streaming.given).toEqual(['Your appointment is on Tuesday.']);
    expect(response).toMatchObject({ text: 'Your appointment is on Tuesday.', streamed: 1 });
  });

  it('fails a stream cut by length before any sentence ended: nothing to say', async () => {
    server.script(stream(sse(chunk({ content: 'We are open from' }), chunk({}, 'length')) + DONE));
    const outcome = await outcomeOf(model().respond(withSentences(hello()).request));
    expect((outcome as LlmUnavailableError).reason).toBe('empty-reply');
  });

  it('takes a streamed tool call without an index (older Ollama) as the call at its position', async () => {
    server.script(
      stream(
        sse(
          chunk({
            tool_calls: [
              {
                id: 'a',
                type: 'function',
                function: { name: 'escalate_to_human', arguments: '{"reason":"x"}' },
              },
            ],
          }),
          chunk({}, 'tool_calls'),
        ) + DONE,
      ),
    );
    const response = await model().respond(hello());
    expect(response.toolCalls).toEqual([{ id: 'a', name: 'escalate_to_human', arguments: { reason: 'x' } }]);
  });

  it("rethrows an error of the gateway's onSentence as it is: a bug, not a provider outage", async () => {
    server.script(stream(sse(chunk({ content: 'Hello there. How are you? ' }), chunk({}, 'stop')) + DONE));
    const bug = new TypeError('bug in the gateway');
    const outcome = await outcomeOf(
      model().respond({
        ...hello(),
        onSentence: () => {
          throw bug;
        },
      }),
    );
    expect(outcome).toBe(bug);
  });

  it('streams the retry of an attempt that reached markup and then broke', async () => {
    server.script(
      {
        kind: 'reply',
        text: '{"name": "escalate_to_human", "arguments": {"reason": "x"}}',
        pace: { cutAfter: 3 },
      },
      { kind: 'reply', text: 'Hello again. How can I help?' },
    );
    const streaming = withSentences(hello());
    const response = await model({ maxRetries: 1 }).respond(streaming.request);
    expect(streaming.given).toEqual(['Hello again.', 'How can I help?']);
    expect(response.streamed).toBe(2);
  });
});
