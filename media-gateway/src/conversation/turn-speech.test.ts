import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatMessage, LlmRequest, LlmResponse } from '../llm/port.js';
import { checkingLine, fillerLine, indexEvidence, notDoneLine } from './guards/index.js';
import { scriptedCall, type Script, type ScriptedCall } from './testing/scripted-call.js';
import { turnRecord } from './turn-guard.js';
import { TurnSpeech } from './turn-speech.js';

/*
 * The AI's turn on a media stream: each sentence the model streams is said as soon as the guards let it (the
 * rest of the reply after it ends), nothing twice and never markup; a model slow to say anything gets one filler
 * line, a fast one none.
 */

let call: ScriptedCall | undefined;
afterEach(async () => {
  await call?.close();
  call = undefined;
});

const open = async (script: Script, fillerMs?: number): Promise<ScriptedCall> => {
  call = await scriptedCall(script, fillerMs !== undefined ? { fillerMs } : {});
  return call;
};

/** Hears a caller line on a media stream: what is said goes to `said` as it is said. */
const hearStreamed = async (c: ScriptedCall, text: string) => {
  const said: string[] = [];
  const turn = await c.session.hear({ text, confidence: 0.9 }, (line) => said.push(line));
  return { said, turn };
};

/** A streaming model: each sentence given to onSentence in turn, a little apart, then the whole reply. */
const streams =
  (sentences: readonly string[], rest: string, reply: Partial<LlmResponse> = {}, gapMs = 5) =>
  async (request: LlmRequest, seen?: (i: number) => void): Promise<Partial<LlmResponse>> => {
    for (const [i, sentence] of sentences.entries()) {
      request.onSentence?.(sentence);
      await sleep(gapMs);
      seen?.(i);
    }
    return { text: [...sentences, rest].join(' ').trim(), streamed: sentences.length, ...reply };
  };

describe('a streamed turn', () => {
  it('says each sentence as it is streamed, before the reply ends, and the rest once it does', async () => {
    const heardWhileStreaming: string[][] = [];
    let said: string[] = [];
    const model = streams(['Sure thing.', 'Let me see what we have.'], 'What day suits you?');
    const c = await open((request) => model(request, () => heardWhileStreaming.push([...said])));
    said = [];
    const turn = await c.session.hear({ text: 'I need a cleaning.', confidence: 0.9 }, (line) =>
      said.push(line),
    );
    expect(heardWhileStreaming).toEqual([['Sure thing.'], ['Sure thing.', 'Let me see what we have.']]);
    expect(said).toEqual(['Sure thing.', 'Let me see what we have.', 'What day suits you?']);
    expect(turn.lines).toEqual(said);
    expect(c.requests.at(-1)?.onSentence).toBeTypeOf('function');
    expect((await c.replies()).at(-1)).toBe('Sure thing. Let me see what we have. What day suits you?');
  });

  it('says nothing twice when the reply does not count the sentences it streamed', async () => {
    const model = streams(['Sure thing.', 'One second.'], 'What day suits you?', { streamed: 0 });
    const c = await open((request) => model(request));
    const { said } = await hearStreamed(c, 'I need a cleaning.');
    expect(said).toEqual(['Sure thing.', 'One second.', 'What day suits you?']);
  });

  it('says no sentence streamed after the reply ended', async () => {
    const c = await open(async (request) => {
      setTimeout(() => request.onSentence?.('A late sentence.'), 10);
      return { text: 'Happy to help.' };
    });
    const { said } = await hearStreamed(c, 'Hi.');
    await sleep(50);
    expect(said).toEqual(['Happy to help.']);
  });

  it('never says markup, streamed or not', async () => {
    const markup = '{"name": "escalate_to_human", "arguments": {"reason": "caller_request"}}';
    const model = streams(['Of course.', markup], `<tool_call>${markup}</tool_call>`);
    const c = await open((request) => model(request));
    const { said } = await hearStreamed(c, 'Can I talk to someone?');
    expect(said).toEqual(['Of course.']);
  });

  it('holds a streamed promise until the reply ends: kept with its tool call, replaced without', async () => {
    const message = { id: 'm1', name: 'take_message', arguments: { message: 'Call Ana back' } };
    const replies = [
      streams(["I'll take a message for the team."], '', { toolCalls: [message] }),
      streams(['Done.'], ''),
      streams(["I'll take a message for the team."], 'Anything else?'),
    ];
    const c = await open((request) => (replies.shift() ?? streams([], ''))(request));
    const kept = await hearStreamed(c, 'Tell them to call me.');
    expect(kept.said).toEqual(["I'll take a message for the team.", 'Done.']);
    const replaced = await hearStreamed(c, 'And tell them I said hi.');
    expect(replaced.said).toEqual([`${notDoneLine('message_taken', 'en')} Anything else?`]);
  });

  it('stops at a streamed fact nothing supports: what came before is said, then "let me check" and the lookup', async () => {
    const replies = [
      streams(['Good question.', 'A cleaning costs $80.', 'Shall I book one?'], ''),
      streams(["I'm afraid I don't have our prices."], ''),
    ];
    const c = await open((request) => (replies.shift() ?? streams([], ''))(request));
    const { said } = await hearStreamed(c, 'How much is a cleaning?');
    expect(said).toEqual(['Good question.', checkingLine('en'), "I'm afraid I don't have our prices."]);
    expect((await c.tools()).map((t) => t.name)).toEqual(['search_knowledge_base']);
  });
});

describe('the filler line', () => {
  it('is said once when the model is slow to say anything, however many rounds it takes', async () => {
    let round = 0;
    const c = await open(async () => {
      round += 1;
      await sleep(120);
      return round === 1
        ? { toolCalls: [{ id: 'h1', name: 'lookup_caller_history', arguments: {} }] }
        : { text: 'I see no earlier calls.' };
    }, 30);
    const { said } = await hearStreamed(c, 'Did I call before?');
    expect(said).toEqual([fillerLine('en'), 'I see no earlier calls.']);
    // It was said, so it is on record; it is not in what the model is shown it said.
    expect((await c.replies()).at(-1)).toBe(`${fillerLine('en')} I see no earlier calls.`);
    const shown = c.requests
      .at(-1)
      ?.messages.filter((m) => m.role === 'assistant')
      .map((m) => m.content);
    expect(shown?.join(' ')).not.toContain(fillerLine('en'));
  });

  it('is not said when the model answers in time, and no timer is left behind', async () => {
    const c = await open(async () => ({ text: 'Happy to help.' }), 80);
    const { said } = await hearStreamed(c, 'Hi.');
    await sleep(150);
    expect(said).toEqual(['Happy to help.']);
  });

  it('is not said without a media stream (the whole reply is said at once anyway)', async () => {
    const c = await open(async () => {
      await sleep(100);
      return { text: 'Happy to help.' };
    }, 20);
    const turn = await c.session.hearLine(1, { text: 'Hi.', confidence: 0.9 });
    expect(turn.lines).toEqual(['Happy to help.']);
    expect(c.requests.at(-1)?.onSentence).toBeUndefined();
  });
});

describe('a reply that is not what was streamed', () => {
  it('is not said on top of the sentences already said (a fallback after a failed stream), and the turn listens', async () => {
    const streamedThenFellBack = async (request: LlmRequest): Promise<Partial<LlmResponse>> => {
      request.onSentence?.('Sure, I can help you with a cleaning.');
      request.onSentence?.('What day works best for you?');
      await sleep(5);
      // The primary model failed after these; the offline engine answered the same request from the start.
      return {
        text: 'Hello! How can I help you today?',
        toolCalls: [{ id: 'e1', name: 'end_call', arguments: { reason: 'done' } }],
      };
    };
    let first = true;
    const c = await open(async (request) => {
      if (!first) return { text: 'Tuesday works.' };
      first = false;
      return streamedThenFellBack(request);
    });
    const { said, turn } = await hearStreamed(c, 'I need a cleaning.');
    expect(said).toEqual(['Sure, I can help you with a cleaning.', 'What day works best for you?']);
    expect(turn.next).toEqual({ kind: 'listen' });
    expect(await c.tools()).toEqual([]);
    expect((await c.replies()).at(-1)).toBe(said.join(' '));
    // One request for the turn, and the model is next shown what the caller heard.
    expect(c.requests).toHaveLength(2);
    await hearStreamed(c, 'Tuesday.');
    const shown = c.requests
      .at(-1)
      ?.messages.filter((m) => m.role === 'assistant')
      .map((m) => m.content);
    expect(shown?.at(-1)).toBe(said.join(' '));
  });

  it("drops the failed reply's held sentences when nothing was said yet, and says the fallback's reply alone", async () => {
    const c = await open(async (request) => {
      // The primary streams a claim (held until the reply ends) and more, then fails; the offline engine answers.
      request.onSentence?.("Great, you're all booked.");
      request.onSentence?.('See you on Tuesday!');
      await sleep(5);
      return { text: 'Sure, what day works for you?', fallback: true };
    });
    const { said, turn } = await hearStreamed(c, 'Can I book a cleaning?');
    expect(said).toEqual(['Sure, what day works for you?']);
    expect(turn.lines).toEqual(['Sure, what day works for you?']);
    expect((await c.replies()).at(-1)).toBe('Sure, what day works for you?');
  });
});

describe('a promise of the reply', () => {
  it('is said only once its tool call succeeded, not when the gate holds it or the tool fails', async () => {
    const steps: Partial<LlmResponse>[] = [
      {
        text: "I'll book that now.",
        toolCalls: [
          {
            id: 'b1',
            name: 'book_appointment',
            arguments: {
              service: 'Cleaning',
              startsAt: '2026-03-03T15:00:00-05:00',
              customerName: 'Ana Diaz',
            },
          },
        ],
      },
      {
        text: "I'll take a message for the team.",
        toolCalls: [{ id: 'm1', name: 'take_message', arguments: {} }],
      },
      { text: 'Sorry about that.' },
    ];
    const c = await open(() => steps.shift() ?? { text: '' });
    const booking = await hearStreamed(c, 'A cleaning on Tuesday at 3 pm, my name is Ana Diaz.');
    expect(booking.said.join(' ')).not.toContain("I'll book that now.");
    expect(booking.said.at(-1)).toContain('Shall I book it?');
    // The message tool refused its empty arguments: the promise is dropped, the next reply tells.
    const message = await hearStreamed(c, 'No. Take a message instead.');
    expect(message.said).toEqual(['Sorry about that.']);
  });

  it('failed, is dropped and the next reply said; kept, is in the message with its call, before the result', async () => {
    const promise = "I'll take a message for the team.";
    const takeMessage = (args: Record<string, unknown>) => ({
      text: promise,
      toolCalls: [{ id: `m${String(args['message'] ?? 0)}`, name: 'take_message', arguments: args }],
    });
    const steps = [takeMessage({}), takeMessage({ message: 'Call Ana back' })];
    // Like the offline engine: a history that ends with its own words has nothing new to answer.
    const c = await open((request) => {
      const last = request.messages.at(-1);
      if (last?.role === 'assistant') return { text: '' };
      if (last?.role === 'tool')
        return { text: last.content.includes('error') ? 'What is the message?' : 'Done.' };
      return steps.shift() ?? { text: '' };
    });
    const failed = await hearStreamed(c, 'Tell them to call me.');
    expect(failed.said).toEqual(['What is the message?']);
    const kept = await hearStreamed(c, 'Call Ana back.');
    expect(kept.said).toEqual([promise, 'Done.']);
    const [withCall] = (c.requests.at(-1)?.messages ?? []).filter(
      (m) => m.role === 'assistant' && m.toolCalls?.[0]?.id === 'mCall Ana back',
    );
    expect(withCall?.content).toBe(promise);
    expect(c.requests.at(-1)?.messages.at(-1)?.role).toBe('tool');
  });
});

describe('the evidence', () => {
  it('is indexed once a round, and again only when the history grew', () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'How much is a cleaning?' }];
    const indexed: (readonly string[])[] = [];
    const speech = new TurnSpeech({
      language: 'en',
      fillerMs: 0,
      record: () =>
        turnRecord('You answer for Acme Dental.', messages, new Set(), {
          timeZone: 'America/New_York',
          now: new Date('2026-03-02T16:00:00Z'),
        }),
      indexEvidence: (evidence) => {
        indexed.push(evidence);
        return indexEvidence(evidence);
      },
    });
    const reply = (text: string): LlmResponse => ({
      text,
      toolCalls: [],
      model: 'scripted',
      usage: { promptTokens: 1, completionTokens: 1 },
    });
    speech.beginRound(false);
    speech.streamed('Good question.');
    speech.streamed('Let me see.');
    speech.endResponse(reply('Good question. Let me see. One moment please. Thanks for waiting.'));
    expect(indexed).toHaveLength(1);
    speech.beginRound(false);
    speech.endResponse(reply('Still here. Almost there.'));
    expect(indexed).toHaveLength(1);
    messages.push({
      role: 'tool',
      toolCallId: 'k1',
      name: 'search_knowledge_base',
      content: 'A cleaning is $80.',
    });
    speech.beginRound(false);
    speech.endResponse(reply('A cleaning is $80. Anything else?'));
    expect(indexed).toHaveLength(2);
    expect(indexed[1]).toContain('A cleaning is $80.');
    // Judged against the index built: the price the lookup gave is said.
    expect(speech.lines.at(-1)).toBe('A cleaning is $80. Anything else?');
  });
});
