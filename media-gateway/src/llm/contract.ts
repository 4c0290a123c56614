import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_SPECS } from '../conversation/tools.js';
import {
  LlmUnavailableError,
  type ChatMessage,
  type LanguageModel,
  type LlmRequest,
  type LlmResponse,
  type ToolSpec,
} from './port.js';
import { isMarkup } from './reply-check.js';
import { splitSentences } from './sentences.js';
import { isPlainObject } from './tool-arguments.js';
import type { ReceivedTurn, ScriptedAnswer } from './testing/scripted-server.js';

/**
 * The contract every LanguageModel honours, in two parts:
 * - languageModelContract: what any model does with a realistic request (remote adapters, the offline dialogue
 *   engine): a well-formed answer, text or tool calls, tools named only among those offered, usage counted.
 * - scriptedLanguageModelContract: what a remote adapter does with a provider, proven against a local stand-in
 *   speaking that provider's wire format, which answers what the test scripts and checks what it receives.
 */

const NOW = new Date('2026-03-10T15:00:00Z');
const SYSTEM =
  'You are Ava, an AI voice agent answering the phone for Bright Smile Dental. Short sentences, one question at a time.';

const tools = (...names: string[]): ToolSpec[] => TOOL_SPECS.filter((tool) => names.includes(tool.name));

export const contractRequest = (overrides: Partial<LlmRequest> = {}): LlmRequest => ({
  system: SYSTEM,
  messages: [],
  tools: TOOL_SPECS,
  language: 'en',
  languages: ['en', 'es'],
  now: NOW,
  timeZone: 'America/New_York',
  ...overrides,
});

/** What every answer must be, whatever the model: the gateway relies on each of these. */
export const expectWellFormed = (response: LlmResponse, request: LlmRequest): void => {
  expect(typeof response.text).toBe('string');
  expect(response.model).toMatch(/\S/);
  for (const count of [response.usage.promptTokens, response.usage.completionTokens]) {
    expect(Number.isInteger(count) && count >= 0, `usage ${count}`).toBe(true);
  }
  if (response.confidence !== undefined) {
    expect(response.confidence).toBeGreaterThanOrEqual(0);
    expect(response.confidence).toBeLessThanOrEqual(1);
  }
  const offered = request.tools.map((tool) => tool.name);
  for (const call of response.toolCalls) {
    expect(call.id).toMatch(/\S/);
    expect(offered).toContain(call.name);
    expect(isPlainObject(call.arguments)).toBe(true);
  }
  expect(response.text.trim() !== '' || response.toolCalls.length > 0, 'says something or calls a tool').toBe(
    true,
  );
  expect(isMarkup(response.text), `speech, not markup: ${response.text}`).toBe(false);
};

/** A request whose streamed sentences are recorded, and the check that they are the reply's leading ones. */
export const withSentences = (
  request: LlmRequest,
): { request: LlmRequest; given: string[]; expectStreamed(response: LlmResponse): void } => {
  const given: string[] = [];
  return {
    request: { ...request, onSentence: (sentence) => given.push(sentence) },
    given,
    expectStreamed: (response) => {
      expect(given).toEqual(splitSentences(response.text).slice(0, response.streamed ?? 0));
    },
  };
};

export interface LanguageModelFixture {
  readonly model: LanguageModel;
  close(): Promise<void>;
}

export interface LanguageModelContractOptions {
  /** Per case; a real model on a CPU takes seconds a turn. Vitest's configured timeout when omitted. */
  readonly testTimeoutMs?: number;
  /** A tiny real model's empty or markup reply, refused by the reply check (the caller hears none), passes. */
  readonly refusedRepliesKeepIt?: boolean;
}

const REFUSED_REPLIES: readonly string[] = ['empty-reply', 'not-speech'];

/**
 * The generic part: any LanguageModel, no scripting, so it also runs against a real server with a small model.
 * It asserts only what any working model does: a well-formed answer that is speech or tool calls, tools only
 * among those offered, usage counted, streamed sentences that are the reply's own.
 */
export const languageModelContract = (
  adapter: string,
  open: () => Promise<LanguageModelFixture>,
  options: LanguageModelContractOptions = {},
): void => {
  // Unset, vitest's configured timeout applies (a real-server run sets its own).
  const timeout = options.testTimeoutMs === undefined ? {} : { timeout: options.testTimeoutMs };
  describe(`language model contract: ${adapter}`, timeout, () => {
    let fixture: LanguageModelFixture;
    beforeAll(async () => {
      fixture = await open();
    }, options.testTimeoutMs);
    afterAll(() => fixture.close());

    const ask = async (request: LlmRequest): Promise<LlmResponse | undefined> => {
      const streaming = withSentences(request);
      let response: LlmResponse;
      try {
        response = await fixture.model.respond(streaming.request);
      } catch (error) {
        const refused = error instanceof LlmUnavailableError && REFUSED_REPLIES.includes(error.reason);
        if (!(refused && options.refusedRepliesKeepIt === true)) throw error;
        expect(streaming.given.filter((sentence) => isMarkup(sentence))).toEqual([]);
        console.log(`[${adapter}] reply refused (${error.reason}): ${error.message}`);
        return undefined;
      }
      expectWellFormed(response, request);
      streaming.expectStreamed(response);
      return response;
    };

    it('greets when the call connects, before the caller has said anything', async () => {
      await ask(contractRequest());
    });

    it('greets with speech when no tool is offered', async () => {
      const response = await ask(contractRequest({ tools: [] }));
      if (response === undefined) return;
      expect(response.toolCalls).toEqual([]);
      expect(response.text).toMatch(/\p{L}/u);
    });

    it('answers a caller line with text or tool calls, naming only the tools offered', async () => {
      await ask(
        contractRequest({
          tools: tools('search_knowledge_base', 'escalate_to_human'),
          messages: [
            { role: 'assistant', content: 'Thank you for calling Bright Smile Dental, this is Ava.' },
            { role: 'user', content: "Hi, I'd like to book a teeth cleaning tomorrow at 3 pm." },
          ],
        }),
      );
    });

    it('answers after a tool result', async () => {
      await ask(
        contractRequest({
          messages: [
            { role: 'user', content: 'What are your opening hours?' },
            {
              role: 'assistant',
              content: '',
              toolCalls: [
                { id: 'call_kb1', name: 'search_knowledge_base', arguments: { query: 'opening hours' } },
              ],
            },
            {
              role: 'tool',
              toolCallId: 'call_kb1',
              name: 'search_knowledge_base',
              content: JSON.stringify({
                results: [{ title: 'Opening hours', text: 'We are open Monday to Friday, 9 am to 5 pm.' }],
              }),
            },
          ],
        }),
      );
    });

    it('calls no tool when none is offered', async () => {
      const response = await ask(
        contractRequest({ tools: [], messages: [{ role: 'user', content: 'Hello, is anyone there?' }] }),
      );
      expect(response?.toolCalls ?? []).toEqual([]);
    });
  });
};

/** A remote adapter with its stand-in. */
export interface ScriptedFixture {
  readonly server: {
    script(...answers: ScriptedAnswer[]): void;
    /** Drops scripted answers nobody asked for. */
    clear(): void;
    readonly received: readonly { readonly turn: ReceivedTurn }[];
    /** Requests the stand-in refused as breaking the provider's wire format. */
    readonly refused: readonly string[];
  };
  /** The adapter pointed at the stand-in. */
  model(options?: { readonly timeoutMs?: number }): LanguageModel;
  /** The adapter pointed at a loopback port nobody listens on. */
  unreachable(): Promise<LanguageModel>;
  close(): Promise<void>;
}

const BOOKING = {
  service: 'Teeth cleaning',
  startsAt: '2026-03-11T15:00:00-04:00',
  customerName: 'Dana Reyes',
  durationMinutes: 30,
  notes: 'Prefers Dr. Lee; "sensitive" gums',
};

/** A conversation with one finished tool round, then a second round whose results go back now. */
const conversationWithToolResults: readonly ChatMessage[] = [
  { role: 'assistant', content: 'Thank you for calling Bright Smile Dental, this is Ava.' },
  { role: 'user', content: 'Do you take Delta Dental insurance?' },
  {
    role: 'assistant',
    content: '',
    toolCalls: [
      { id: 'call_kb1', name: 'search_knowledge_base', arguments: { query: 'Delta Dental insurance' } },
    ],
  },
  {
    role: 'tool',
    toolCallId: 'call_kb1',
    name: 'search_knowledge_base',
    content: '{"results":[{"title":"Insurance","text":"We accept Delta Dental."}]}',
  },
  { role: 'assistant', content: 'Yes, we accept Delta Dental.' },
  { role: 'user', content: "Great. Book me a cleaning tomorrow at 3, I'm Dana Reyes." },
  {
    role: 'assistant',
    content: 'One moment while I book that.',
    toolCalls: [
      { id: 'call_book1', name: 'book_appointment', arguments: BOOKING },
      { id: 'call_hist1', name: 'lookup_caller_history', arguments: {} },
    ],
  },
  {
    role: 'tool',
    toolCallId: 'call_book1',
    name: 'book_appointment',
    content: '{"ok":true,"appointmentId":"apt-77"}',
  },
  { role: 'tool', toolCallId: 'call_hist1', name: 'lookup_caller_history', content: '{"calls":[]}' },
];

/** The part that needs a provider: scripted answers from a stand-in speaking the provider's wire format. */
export const scriptedLanguageModelContract = (
  adapter: string,
  setup: () => Promise<ScriptedFixture>,
): void => {
  describe(`language model contract, scripted: ${adapter}`, () => {
    let fixture: ScriptedFixture;
    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(() => fixture.close());

    const lastTurn = (): ReceivedTurn | undefined => fixture.server.received.at(-1)?.turn;

    it('returns the reply text, the model the provider names and the usage it reports', async () => {
      fixture.server.script({
        kind: 'reply',
        text: 'Hello! How can I help you today?',
        usage: { input: 412, output: 9 },
        model: 'scripted-model-2026-01-01',
      });
      const request = contractRequest({ messages: [{ role: 'user', content: 'Hi there.' }] });
      const response = await fixture.model().respond(request);
      expect(response).toEqual({
        text: 'Hello! How can I help you today?',
        toolCalls: [],
        model: 'scripted-model-2026-01-01',
        usage: { promptTokens: 412, completionTokens: 9 },
      });
      expectWellFormed(response, request);
      expect(fixture.server.refused).toEqual([]);
      const turn = lastTurn();
      expect(turn?.system).toContain(SYSTEM);
      expect(turn?.toolNames).toEqual(TOOL_SPECS.map((tool) => tool.name));
      // A chat-completions adapter puts the call context in front of the first line (prompt-placement.ts).
      expect(turn?.userTexts.at(-1)).toMatch(/(^|\n)Hi there\.$/);
    });

    it('tells the model which language to reply in', async () => {
      fixture.server.script({
        kind: 'reply',
        text: '¡Claro! ¿En qué le puedo ayudar?',
        usage: { input: 1, output: 1 },
      });
      await fixture
        .model()
        .respond(
          contractRequest({ language: 'es', messages: [{ role: 'user', content: '¿Hablan español?' }] }),
        );
      // In the system prompt (Anthropic) or with the call context in the first user message (chat completions).
      const turn = lastTurn();
      expect([turn?.system ?? '', turn?.userTexts[0] ?? ''].join('\n')).toMatch(/Reply in Spanish\.(\)|$)/m);
    });

    it('returns tool calls with their arguments parsed, and the line said meanwhile', async () => {
      fixture.server.script({
        kind: 'tool_calls',
        text: 'One moment while I book that.',
        calls: [
          { id: 'call_book1', name: 'book_appointment', arguments: BOOKING },
          { id: 'call_hist1', name: 'lookup_caller_history', arguments: {} },
        ],
        usage: { input: 530, output: 61 },
      });
      const request = contractRequest({
        messages: conversationWithToolResults.slice(0, 6),
      });
      const response = await fixture.model().respond(request);
      expectWellFormed(response, request);
      expect(response.text).toBe('One moment while I book that.');
      expect(response.toolCalls).toEqual([
        { id: 'call_book1', name: 'book_appointment', arguments: BOOKING },
        { id: 'call_hist1', name: 'lookup_caller_history', arguments: {} },
      ]);
      expect(response.usage).toEqual({ promptTokens: 530, completionTokens: 61 });
      expect(fixture.server.refused).toEqual([]);
    });

    it('sends tool results back in the provider format, and gets the answer that follows', async () => {
      fixture.server.script({
        kind: 'reply',
        text: "You're booked for a cleaning tomorrow at 3 pm.",
        usage: { input: 640, output: 14 },
      });
      const response = await fixture
        .model()
        .respond(contractRequest({ messages: conversationWithToolResults }));
      expect(response.text).toBe("You're booked for a cleaning tomorrow at 3 pm.");
      expect(response.toolCalls).toEqual([]);
      expect(fixture.server.refused).toEqual([]);
      const turn = lastTurn();
      expect(turn?.toolCalls).toEqual([
        { id: 'call_kb1', name: 'search_knowledge_base', arguments: { query: 'Delta Dental insurance' } },
        { id: 'call_book1', name: 'book_appointment', arguments: BOOKING },
        { id: 'call_hist1', name: 'lookup_caller_history', arguments: {} },
      ]);
      expect(turn?.toolResults).toEqual([
        {
          toolCallId: 'call_kb1',
          content: '{"results":[{"title":"Insurance","text":"We accept Delta Dental."}]}',
        },
        { toolCallId: 'call_book1', content: '{"ok":true,"appointmentId":"apt-77"}' },
        { toolCallId: 'call_hist1', content: '{"calls":[]}' },
      ]);
      // The last two: a stand-in may see an opening line the adapter adds where its provider needs one.
      expect(turn?.userTexts.slice(-2)).toEqual([
        'Do you take Delta Dental insurance?',
        "Great. Book me a cleaning tomorrow at 3, I'm Dana Reyes.",
      ]);
    });

    it('answers a history with a tool-only assistant turn (llama-cpp-python refuses content: null)', async () => {
      fixture.server.script({ kind: 'reply', text: 'We are open 9 to 5.', usage: { input: 50, output: 7 } });
      const response = await fixture.model().respond(
        contractRequest({
          messages: [
            { role: 'user', content: 'What are your opening hours?' },
            {
              role: 'assistant',
              content: '',
              toolCalls: [{ id: 'call_kb1', name: 'search_knowledge_base', arguments: { query: 'hours' } }],
            },
            {
              role: 'tool',
              toolCallId: 'call_kb1',
              name: 'search_knowledge_base',
              content: '{"results":[{"title":"Hours","text":"Open 9 to 5."}]}',
            },
          ],
        }),
      );
      expect(fixture.server.refused).toEqual([]);
      expect(response.text).toBe('We are open 9 to 5.');
      expect(lastTurn()?.toolResults).toEqual([
        { toolCallId: 'call_kb1', content: '{"results":[{"title":"Hours","text":"Open 9 to 5."}]}' },
      ]);
    });

    it('reports an empty answer as LlmUnavailableError with reason empty-reply', async () => {
      fixture.server.script({ kind: 'reply', text: '', usage: { input: 300, output: 0 } });
      const outcome = await fixture
        .model()
        .respond(contractRequest())
        .catch((error: unknown) => error);
      expect(outcome).toBeInstanceOf(LlmUnavailableError);
      expect((outcome as LlmUnavailableError).reason).toBe('empty-reply');
    });

    it('returns a tool call the model wrote as text (Qwen/Hermes <tool_call>) as a tool call', async () => {
      fixture.server.script({
        kind: 'reply',
        text: `<tool_call>\n{"name": "book_appointment", "arguments": ${JSON.stringify(BOOKING)}}\n</tool_call>`,
        usage: { input: 530, output: 61 },
      });
      const request = contractRequest({ messages: conversationWithToolResults.slice(0, 6) });
      const response = await fixture.model().respond(request);
      expectWellFormed(response, request);
      expect(response.text).toBe('');
      expect(response.toolCalls).toEqual([
        { id: expect.stringMatching(/\S/), name: 'book_appointment', arguments: BOOKING },
      ]);
    });

    it('gives streamed sentences to onSentence in order, and says how many in streamed', async () => {
      const text = 'Hello there! We are open today until 5 p.m. on the dot. How can I help you?';
      fixture.server.script({ kind: 'reply', text, usage: { input: 20, output: 19 } });
      const streaming = withSentences(contractRequest({ messages: [{ role: 'user', content: 'Hi.' }] }));
      const response = await fixture.model().respond(streaming.request);
      expect(response.text).toBe(text);
      streaming.expectStreamed(response);
    });

    it('reports a provider error as LlmUnavailableError, retrying once at most', async () => {
      fixture.server.script({ kind: 'error', status: 401, message: 'invalid x-api-key' });
      await expect(fixture.model().respond(contractRequest())).rejects.toMatchObject({
        name: 'LlmUnavailableError',
        reason: 'http-error',
      });
      const before = fixture.server.received.length;
      fixture.server.script(
        { kind: 'error', status: 500, message: 'internal error' },
        { kind: 'error', status: 500, message: 'internal error' },
        { kind: 'error', status: 500, message: 'internal error' },
      );
      await expect(fixture.model().respond(contractRequest())).rejects.toThrow(/HTTP 500/);
      expect(fixture.server.received.length - before).toBeLessThanOrEqual(2);
      fixture.server.clear();
    });

    it('reports a malformed answer as LlmUnavailableError', async () => {
      fixture.server.script({ kind: 'malformed_tool_call', name: 'search_knowledge_base' });
      await expect(fixture.model().respond(contractRequest())).rejects.toMatchObject({
        name: 'LlmUnavailableError',
        reason: 'malformed',
      });
      fixture.server.script({
        kind: 'raw',
        status: 200,
        contentType: 'text/html',
        body: '<html>Bad gateway</html>',
      });
      await expect(fixture.model().respond(contractRequest())).rejects.toThrow(/not JSON: <html>Bad gateway/);
      fixture.server.script({
        kind: 'raw',
        status: 200,
        contentType: 'application/json',
        body: '{"unexpected":true}',
      });
      await expect(fixture.model().respond(contractRequest())).rejects.toThrow(LlmUnavailableError);
      fixture.server.script({
        kind: 'raw',
        status: 200,
        contentType: 'application/json',
        body: '{"choices": [',
      });
      await expect(fixture.model().respond(contractRequest())).rejects.toThrow(LlmUnavailableError);
    });

    it('reports an unreachable server as LlmUnavailableError', async () => {
      const model = await fixture.unreachable();
      await expect(model.respond(contractRequest())).rejects.toThrow(/cannot reach .*ECONNREFUSED/);
      await expect(model.respond(contractRequest())).rejects.toMatchObject({
        name: 'LlmUnavailableError',
        reason: 'unreachable',
      });
    });

    it(
      'reports a server that does not answer in time as LlmUnavailableError',
      { timeout: 15_000 },
      async () => {
        fixture.server.script({ kind: 'stall', ms: 3_000 }, { kind: 'stall', ms: 3_000 });
        const slow = fixture.model({ timeoutMs: 300 });
        await expect(slow.respond(contractRequest())).rejects.toThrow(/within 300 ms/);
        fixture.server.clear();
        fixture.server.script({ kind: 'stall', ms: 3_000 }, { kind: 'stall', ms: 3_000 });
        await expect(slow.respond(contractRequest())).rejects.toMatchObject({ reason: 'timeout' });
        fixture.server.clear();
      },
    );

    it('lets a caller who hung up abort the request, which is no outage', async () => {
      fixture.server.script({ kind: 'stall', ms: 3_000 });
      const hangUp = new AbortController();
      setTimeout(() => hangUp.abort(), 100);
      const outcome = await fixture
        .model()
        .respond(contractRequest({ signal: hangUp.signal }))
        .then(
          () => 'answered',
          (error: unknown) => error,
        );
      expect(outcome).toBeInstanceOf(Error);
      expect(outcome).not.toBeInstanceOf(LlmUnavailableError);
    });
  });
};
