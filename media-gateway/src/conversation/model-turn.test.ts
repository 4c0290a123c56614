import { afterEach, describe, expect, it } from 'vitest';
import type { LlmRequest, LlmResponse, ToolCallRequest } from '../llm/port.js';
import {
  checkingLine,
  confirmationQuestion,
  noAnswerLine,
  notDoneLine,
  slotReadBack,
} from './guards/index.js';
import { SCRIPTED_CALL, scriptedCall, type Script, type ScriptedCall } from './testing/scripted-call.js';
import { TENANT } from '../testing/fixture.js';

/*
 * The AI's turn with a model that invents: facts nothing supports are not said (the gateway looks them up, or
 * says it does not know), actions no tool did are not claimed, and a booking, move or cancellation runs only
 * after the caller said yes to its slot read back.
 */

const ZONE = 'America/New_York';
/** Tuesday after the fixture's Monday, 3 PM in New York: the practice is open. */
const TUESDAY_3PM = '2026-03-03T15:00:00-05:00';
const TUESDAY_4PM = '2026-03-03T16:00:00-05:00';
const FRIDAY_3PM = '2026-03-06T15:00:00-05:00';

let call: ScriptedCall | undefined;
afterEach(async () => {
  await call?.close();
  call = undefined;
});

const open = async (script: Script): Promise<ScriptedCall> => {
  call = await scriptedCall(script);
  return call;
};

/** The model's answers to the requests after the greeting, in order; then silence. */
const inOrder = (...steps: Partial<LlmResponse>[]): Script => {
  return () => steps.shift() ?? { text: '' };
};

const hear = (c: ScriptedCall, line: number, text: string) =>
  c.session.hearLine(line, { text, confidence: 0.9 });

const book = (id: string, startsAt: string): ToolCallRequest => ({
  id,
  name: 'book_appointment',
  arguments: { service: 'Cleaning', startsAt, customerName: 'Ana Diaz' },
});

const lastMessage = (request: LlmRequest | undefined) => request?.messages[request.messages.length - 1];

describe('the facts guard', () => {
  it('does not say a price nothing supports: says it is checking, looks the question up and answers again', async () => {
    const c = await open(
      inOrder(
        { text: 'A cleaning costs $80.' },
        { text: "I don't have our prices, but we are open Monday to Friday from 8 am to 6 pm." },
      ),
    );
    const question = 'How much is a cleaning and what are your opening hours?';
    const turn = await hear(c, 1, question);
    const said = turn.lines.join(' ');
    expect(said).not.toContain('$80');
    expect(turn.lines[0]).toBe(checkingLine('en'));
    expect(said).toContain('from 8 am to 6 pm');
    const tools = await c.tools();
    expect(tools.map((t) => [t.name, t.status, t.arguments])).toEqual([
      ['search_knowledge_base', 'succeeded', { query: question }],
    ]);
    // The model's next round saw the lookup's result, which holds the hours it then said.
    const seen = lastMessage(c.requests[2]);
    expect(seen?.role).toBe('tool');
    expect(seen?.role === 'tool' && seen.content).toContain('8 am to 6 pm');
    expect((await c.replies()).at(-1)).toBe(said);
  });

  it('says it does not know when the model invents again after the lookup, and looks up only once', async () => {
    const c = await open(() => ({ text: 'A cleaning costs $80. Anything else?' }));
    const turn = await hear(c, 1, 'How much is a cleaning?');
    expect(turn.lines).toEqual([checkingLine('en'), `${noAnswerLine('en')} Anything else?`]);
    expect((await c.tools()).map((t) => t.name)).toEqual(['search_knowledge_base']);
    // The greeting's request, the first answer and the one after the lookup: no third round.
    expect(c.requests).toHaveLength(3);
  });

  it('says a fact the caller gave', async () => {
    const c = await open(inOrder({ text: 'Thanks, so your number is 555-010-4477.' }));
    const turn = await hear(c, 1, 'My number is 555-010-4477, call me back please.');
    expect(turn.lines).toEqual(['Thanks, so your number is 555-010-4477.']);
    expect(await c.tools()).toEqual([]);
  });
});

describe('the claim guard', () => {
  it('replaces "I have booked you in" when nothing was booked', async () => {
    const c = await open(inOrder({ text: "Great, I've booked you in. See you then!" }));
    const turn = await hear(c, 1, 'Can I come in for a cleaning?');
    expect(turn.lines).toEqual([`${notDoneLine('booked', 'en')} See you then!`]);
    expect(await c.appointments()).toEqual([]);
  });

  it('replaces "I\'ll book that" when the reply makes no booking', async () => {
    const c = await open(inOrder({ text: "Perfect, I'll book that for you now." }));
    const turn = await hear(c, 1, 'A cleaning on Tuesday at 3 pm please, I am Ana Diaz.');
    expect(turn.lines).toEqual([notDoneLine('booked', 'en')]);
  });

  it('keeps a promise the reply keeps with its own tool call, and the outcome the tool made true', async () => {
    const c = await open(
      inOrder(
        {
          text: "I'll take a message for the team.",
          toolCalls: [{ id: 'm1', name: 'take_message', arguments: { message: 'Call Ana about billing' } }],
        },
        { text: "I've passed your message on to the team." },
      ),
    );
    const turn = await hear(c, 1, 'Please tell them to call me about my bill.');
    expect(turn.lines).toEqual([
      "I'll take a message for the team.",
      "I've passed your message on to the team.",
    ]);
  });
});

describe('the confirmation gate', () => {
  it('stops a booking made straight after the caller named a time and reads the slot back itself', async () => {
    const c = await open(inOrder({ text: 'One moment.', toolCalls: [book('b1', TUESDAY_3PM)] }));
    const turn = await hear(c, 1, 'A cleaning on Tuesday at 3 pm, my name is Ana Diaz.');
    const question = confirmationQuestion('book_appointment', slotReadBack(TUESDAY_3PM, ZONE, 'en'), 'en');
    expect(turn.lines.at(-1)).toBe(question);
    expect(await c.appointments()).toEqual([]);
    const [recorded] = await c.tools();
    expect(recorded?.status).toBe('failed');
    expect(recorded?.result).toMatchObject({ status: 'needs_confirmation', say: question });
    // The turn ends on the question: the model is not asked again until the caller answers.
    expect(c.requests).toHaveLength(2);
  });

  it('books once the caller says yes to the slot read back', async () => {
    const c = await open(
      inOrder(
        { toolCalls: [book('b1', TUESDAY_3PM)] },
        { toolCalls: [book('b2', TUESDAY_3PM)] },
        { text: "You're booked." },
      ),
    );
    await hear(c, 1, 'A cleaning on Tuesday at 3 pm, my name is Ana Diaz.');
    const turn = await hear(c, 2, 'Yes please.');
    expect(turn.lines).toEqual(["You're booked."]);
    expect((await c.appointments()).map((a) => Date.parse(a.startsAt))).toEqual([Date.parse(TUESDAY_3PM)]);
    expect((await c.tools()).map((t) => t.status)).toEqual(['failed', 'succeeded']);
  });

  it('books on "yes" to its question after a restart, from the question as recorded', async () => {
    const c = await open(
      inOrder(
        { toolCalls: [book('b1', TUESDAY_3PM)] },
        { toolCalls: [book('b2', TUESDAY_3PM)] },
        { text: 'Done.' },
      ),
    );
    await hear(c, 1, 'A cleaning on Tuesday at 3 pm, my name is Ana Diaz.');
    const resumed = await c.restart();
    const turn = await resumed.hearLine(2, { text: 'Yes.', confidence: 0.9 });
    expect(turn.lines).toEqual(['Done.']);
    expect((await c.appointments()).map((a) => Date.parse(a.startsAt))).toEqual([Date.parse(TUESDAY_3PM)]);
  });

  it('does not book when the caller answers "no, Friday", and reads the slot back again', async () => {
    const c = await open(
      inOrder({ toolCalls: [book('b1', TUESDAY_3PM)] }, { toolCalls: [book('b2', TUESDAY_3PM)] }),
    );
    await hear(c, 1, 'A cleaning on Tuesday at 3 pm, my name is Ana Diaz.');
    const turn = await hear(c, 2, 'No, Friday.');
    expect(await c.appointments()).toEqual([]);
    expect(turn.lines.at(-1)).toBe(
      confirmationQuestion('book_appointment', slotReadBack(TUESDAY_3PM, ZONE, 'en'), 'en'),
    );
  });

  it('does not book on a "yes" that answered a silence prompt after its question, and asks again', async () => {
    const c = await open(
      inOrder(
        { toolCalls: [book('b1', TUESDAY_3PM)] },
        { text: 'Are you still there?' },
        { toolCalls: [book('b2', TUESDAY_3PM)] },
      ),
    );
    const question = confirmationQuestion('book_appointment', slotReadBack(TUESDAY_3PM, ZONE, 'en'), 'en');
    const asked = await hear(c, 1, 'A cleaning on Tuesday at 3 pm, my name is Ana Diaz.');
    expect(asked.lines.at(-1)).toBe(question);
    const prompt = await c.session.hear({ text: '', confidence: 0 });
    expect(prompt.lines).toEqual(['Are you still there?']);
    // "Yes, I'm here" answers "Are you still there?", not the slot read back a reply earlier.
    const turn = await hear(c, 2, "Yes, I'm here.");
    expect(await c.appointments()).toEqual([]);
    expect(turn.lines.at(-1)).toBe(question);
    expect((await c.tools()).map((t) => t.status)).toEqual(['failed', 'failed']);
  });

  it('books at once after "yes" to the model reading the slot back, but not at another time', async () => {
    const readBack = 'To confirm: a cleaning on Tuesday, March 3 at 3 PM for Ana Diaz. Shall I book it?';
    const c = await open(
      inOrder(
        { text: readBack },
        { toolCalls: [book('b1', TUESDAY_4PM)] },
        { text: readBack },
        { toolCalls: [book('b2', TUESDAY_3PM)] },
        { text: 'All set.' },
      ),
    );
    await hear(c, 1, 'A cleaning on Tuesday at 3 pm, my name is Ana Diaz.');
    // The caller agreed to 3 PM; the model books 4 PM: held back, and the caller hears 4 PM read back.
    const wrong = await hear(c, 2, 'Yes.');
    expect(wrong.lines.at(-1)).toContain(slotReadBack(TUESDAY_4PM, ZONE, 'en'));
    expect(await c.appointments()).toEqual([]);
    await hear(c, 3, 'No, three o clock.');
    const right = await hear(c, 4, "Yes, that's right.");
    expect(right.lines).toEqual(['All set.']);
    expect((await c.appointments()).map((a) => Date.parse(a.startsAt))).toEqual([Date.parse(TUESDAY_3PM)]);
  });

  it('reads back the appointment a cancellation is on, and runs none of the calls after it', async () => {
    const steps: Partial<LlmResponse>[] = [
      { toolCalls: [book('b1', FRIDAY_3PM)] },
      { toolCalls: [book('b2', FRIDAY_3PM)] },
      { text: "You're booked." },
    ];
    const c = await open(() => steps.shift() ?? { text: '' });
    await hear(c, 1, 'A cleaning on Friday at 3 pm, my name is Ana Diaz.');
    await hear(c, 2, 'Yes.');
    const { appointmentId } = (await c.tools()).at(-1)?.result as { appointmentId: string };
    steps.push({
      toolCalls: [
        { id: 'c1', name: 'cancel_appointment', arguments: { appointmentId, reason: 'caller asked' } },
        { id: 'e1', name: 'end_call', arguments: { reason: 'done' } },
      ],
    });
    const turn = await hear(c, 3, 'Actually, cancel it.');
    expect(turn.lines.at(-1)).toBe(
      confirmationQuestion('cancel_appointment', slotReadBack(FRIDAY_3PM, ZONE, 'en'), 'en'),
    );
    // end_call came after the held-back cancellation: not run, so the call goes on for the caller's answer.
    expect(turn.next).toEqual({ kind: 'listen' });
    expect((await c.tools()).slice(-2).map((t) => [t.name, t.status])).toEqual([
      ['cancel_appointment', 'failed'],
      ['end_call', 'failed'],
    ]);
    const cancelled = (await c.fixture.store.readAll()).filter((e) => e.type === 'AppointmentCancelled');
    expect(cancelled).toEqual([]);
  });

  it('runs one effect per caller line: a yes books once, however many rounds or calls the model makes', async () => {
    const c = await open(
      inOrder(
        { toolCalls: [book('b1', TUESDAY_3PM)] },
        { toolCalls: [book('b2', TUESDAY_3PM)] },
        { toolCalls: [book('b3', TUESDAY_3PM), book('b4', TUESDAY_3PM)] },
        { text: "You're booked." },
      ),
    );
    await hear(c, 1, 'A cleaning on Tuesday at 3 pm, my name is Ana Diaz.');
    const turn = await hear(c, 2, 'Yes please.');
    expect(turn.lines).toEqual(["You're booked."]);
    expect((await c.appointments()).map((a) => Date.parse(a.startsAt))).toEqual([Date.parse(TUESDAY_3PM)]);
    expect((await c.tools()).map((t) => t.status)).toEqual(['failed', 'succeeded', 'failed', 'failed']);
    const scheduled = (await c.fixture.store.readAll()).filter((e) => e.type === 'AppointmentScheduled');
    expect(scheduled).toHaveLength(1);
  });

  it('runs one effect per caller line for two calls in the same reply', async () => {
    const c = await open(
      inOrder(
        { toolCalls: [book('b1', TUESDAY_3PM)] },
        { toolCalls: [book('b2', TUESDAY_3PM), book('b3', TUESDAY_3PM)] },
        { text: 'ok' },
      ),
    );
    await hear(c, 1, 'A cleaning on Tuesday at 3 pm, my name is Ana Diaz.');
    await hear(c, 2, 'Yes.');
    expect(await c.appointments()).toHaveLength(1);
    expect((await c.tools()).map((t) => t.status)).toEqual(['failed', 'succeeded', 'failed']);
  });

  it('makes the lookup it owes before asking to confirm a booking of the same reply', async () => {
    const c = await open(inOrder({ text: 'A cleaning costs $80.', toolCalls: [book('b1', TUESDAY_3PM)] }));
    const turn = await hear(c, 1, 'How much is a cleaning? Book me Tuesday at 3 pm, Ana Diaz.');
    expect(turn.lines).toEqual([
      checkingLine('en'),
      confirmationQuestion('book_appointment', slotReadBack(TUESDAY_3PM, ZONE, 'en'), 'en'),
    ]);
    expect((await c.tools()).map((t) => [t.name, t.status])).toEqual([
      ['search_knowledge_base', 'succeeded'],
      ['book_appointment', 'failed'],
    ]);
  });

  it('does not say a booking was made at a time no booking of the call has', async () => {
    const c = await open(
      inOrder(
        { toolCalls: [book('b1', TUESDAY_3PM)] },
        { toolCalls: [book('b2', TUESDAY_3PM)] },
        { text: "I've booked Tuesday, March 3 at 3 PM for you." },
        { text: "I've booked Friday, March 6 at 3 PM for you as well." },
        { text: 'Your booking is confirmed for 3 PM.' },
      ),
    );
    await hear(c, 1, 'A cleaning on Tuesday at 3 pm, my name is Ana Diaz.');
    expect((await hear(c, 2, 'Yes.')).lines).toEqual(["I've booked Tuesday, March 3 at 3 PM for you."]);
    expect((await hear(c, 3, 'Book me Friday at 3 pm too.')).lines).toEqual([notDoneLine('booked', 'en')]);
    expect((await hear(c, 4, 'What time was it again?')).lines).toEqual([
      'Your booking is confirmed for 3 PM.',
    ]);
  });
});

describe('a turn whose model stops answering', () => {
  it('apologises, and the history holds each line once', async () => {
    let round = 0;
    const c = await open(() => {
      round += 1;
      if (round === 1) {
        return {
          text: 'Let me look that up.',
          toolCalls: [{ id: 'k1', name: 'search_knowledge_base', arguments: { query: 'parking' } }],
        };
      }
      if (round === 2) throw new Error('no model');
      return { text: 'Anything else?' };
    });
    const turn = await hear(c, 1, 'Is there parking?');
    expect(turn.lines[0]).toBe('Let me look that up.');
    await hear(c, 2, 'Thanks.');
    const shown = (c.requests.at(-1)?.messages ?? [])
      .filter((m) => m.role === 'assistant')
      .map((m) => m.content)
      .join(' ');
    expect(shown.split('Let me look that up.')).toHaveLength(2);
  });
});

describe('replies that read the instructions back', () => {
  // Seen with a 0.5B model: "The business is in the America/Chicago time zone; say times in it." as an answer.
  it('never says the platform’s instructions; the fallback answers the turn, and the history holds no empty reply', async () => {
    const c = await open((request) =>
      request.preferFallback === true
        ? { text: 'There is free parking behind the building.', fallback: true }
        : { text: `The business is in the ${ZONE} time zone; say times in it.` },
    );
    const turn = await hear(c, 1, 'Is there parking?');
    expect(turn.lines).toEqual(['There is free parking behind the building.']);
    const retry = c.requests.at(-1);
    expect(retry?.preferFallback).toBe(true);
    expect(retry?.messages.filter((m) => m.role === 'assistant' && m.content === '')).toEqual([]);
    expect((await c.replies()).at(-1)).toBe('There is free parking behind the building.');
  });

  it('says a tool’s description read back as an answer to nobody', async () => {
    const c = await open((request) =>
      request.preferFallback === true
        ? { text: 'You can cancel up to a day before at no charge.', fallback: true }
        : {
            text: 'The cancellation policy is to hand the call to a person in the department, with a summary so they need not ask again.',
          },
    );
    const turn = await hear(c, 1, 'What is your cancellation policy?');
    expect(turn.lines.join(' ')).not.toContain('hand the call');
  });
});

describe('a caller who hangs up while the AI speaks', () => {
  // A streamed turn still running when the call ended used to be refused (RecordAiReply after CallEnded), so
  // what the caller heard was missing from the call's record.
  it('records what the caller heard before the call ended, before CallEnded, once', async () => {
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const c = await open(async (request) => {
      request.onSentence?.('Happy to help with that.');
      await gate;
      return { text: 'Happy to help with that. Is there anything else?', streamed: 1 };
    });
    const heard: string[] = [];
    let first = () => undefined as void;
    const spoken = new Promise<void>((resolve) => {
      first = resolve;
    });
    const turn = c.session.hear({ text: 'When do you open?', confidence: 0.9 }, (line) => {
      heard.push(line);
      first();
    });
    await spoken;
    await c.session.end('abandoned');
    release();
    await turn;
    expect(heard[0]).toBe('Happy to help with that.');
    expect((await c.replies()).at(-1)).toBe('Happy to help with that.');
    const types = (await c.fixture.events(`call-${TENANT}.${SCRIPTED_CALL}`)).map((e) => e.type);
    expect(types.filter((t) => t === 'AiReplied')).toHaveLength(2);
    expect(types.lastIndexOf('AiReplied')).toBeLessThan(types.indexOf('CallEnded'));
  });
});
