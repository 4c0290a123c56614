import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../llm/port.js';
import { render, say, voiceFor } from '../dialogue/phrases.js';
import { gateEffect, lastExchange, slotArgument, type GateInput } from './confirmation-gate.js';
import { confirmationQuestion, slotReadBack, type EffectTool } from './guards/index.js';

/*
 * The confirmation gate's decision alone: an effect runs on the caller's "yes" to a reply that read its slot
 * back, or to the gateway's own question of the reply before (the pending confirmation); nothing else lets it.
 */

const SLOT = '2026-03-03T15:00:00-05:00';
const NOW = new Date('2026-03-02T16:00:00.000Z');

const input = (messages: ChatMessage[], extra: Partial<GateInput> = {}): GateInput => ({
  tool: 'book_appointment',
  startsAt: SLOT,
  messages,
  pending: undefined,
  lineCount: 2,
  timeZone: 'America/New_York',
  language: 'en',
  now: NOW,
  ...extra,
});

const exchange = (reply: string, caller: string): ChatMessage[] => [
  { role: 'user', content: 'A cleaning on Tuesday at 3 pm please.' },
  { role: 'assistant', content: reply },
  { role: 'user', content: caller },
];

describe('the confirmation gate', () => {
  it('lets the effect run on "yes" to a reply that read the slot back', () => {
    const decision = gateEffect(
      input(exchange('That is Tuesday, March 3 at 3 PM. Shall I book it?', 'Yes.')),
    );
    expect(decision.run).toBe(true);
  });

  it('holds it back on "yes" to a reply that read back no slot, or another one, and says what to ask', () => {
    for (const reply of [
      'Sure, what name is it under?',
      'That is Tuesday, March 3 at 4 PM. Shall I book it?',
    ]) {
      const decision = gateEffect(input(exchange(reply, 'Yes.')));
      expect(decision.run).toBe(false);
      if (decision.run) continue;
      expect(decision.result.status).toBe('needs_confirmation');
      expect(decision.result.say).toContain(decision.result.readBack);
      expect(decision.pending).toEqual({
        tool: 'book_appointment',
        startsAt: SLOT,
        afterLine: 2,
        question: decision.result.say,
      });
    }
  });

  it('holds it back when the caller does not say yes, whatever was read back', () => {
    const decision = gateEffect(
      input(exchange('That is Tuesday, March 3 at 3 PM. Shall I book it?', 'No, Friday.')),
    );
    expect(decision.run).toBe(false);
  });

  it('lets it run on "yes" to the question the gateway asked in the reply before, for the same tool and slot', () => {
    // A question that reads no slot back itself: only the pending confirmation lets the booking run.
    const question = 'Shall I book it?';
    const pending = {
      tool: 'book_appointment',
      startsAt: '2026-03-03T20:00:00.000Z',
      afterLine: 1,
      question,
    } as const;
    const messages = exchange(`Okay. ${question}`, 'Yes please.');
    expect(gateEffect(input(messages, { pending })).run).toBe(true);
    // Asked two replies ago, or for a cancellation: not this booking's confirmation.
    expect(gateEffect(input(messages, { pending: { ...pending, afterLine: 0 } })).run).toBe(false);
    expect(gateEffect(input(messages, { pending: { ...pending, tool: 'cancel_appointment' } })).run).toBe(
      false,
    );
  });

  it("does not take a yes to a later reply (a silence prompt) for a yes to the gateway's question", () => {
    const question = 'Just to confirm: Tuesday, March 3 at 3:00 PM. Shall I book it?';
    const messages: ChatMessage[] = [
      { role: 'user', content: 'A cleaning on Tuesday at 3 pm please.' },
      { role: 'assistant', content: question },
      { role: 'user', content: '(The caller said nothing.)' },
      { role: 'assistant', content: 'Are you still there?' },
      { role: 'user', content: "Yes, I'm here." },
    ];
    // A silence counts no caller line: the question was asked after line 1 and the caller's yes is line 2.
    const pending = { tool: 'book_appointment', startsAt: SLOT, afterLine: 1, question } as const;
    expect(gateEffect(input(messages, { pending })).run).toBe(false);
  });

  it("reads the whole reply before the caller's line, across its rounds, and only valid slots", () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Tuesday at 3?' },
      {
        role: 'assistant',
        content: 'Let me look.',
        toolCalls: [{ id: 'f1', name: 'find_free_slots', arguments: {} }],
      },
      { role: 'tool', toolCallId: 'f1', name: 'find_free_slots', content: '{}' },
      { role: 'assistant', content: 'Tuesday at 3 PM is free.' },
      { role: 'user', content: 'Great, yes.' },
    ];
    expect(lastExchange(messages)).toEqual({
      callerLine: 'Great, yes.',
      replyBefore: 'Let me look. Tuesday at 3 PM is free.',
    });
    expect(lastExchange([])).toEqual({ callerLine: undefined, replyBefore: '' });
    expect(slotArgument({ startsAt: SLOT })).toBe(SLOT);
    expect(slotArgument({ startsAt: 'next tuesday' })).toBeUndefined();
  });

  it('counts a yes only to a question that asks for this very effect on the slot', () => {
    const held: [EffectTool, string, string][] = [
      ['cancel_appointment', 'You have a cleaning on Tuesday at 3 PM. Would you like to keep it?', 'Yes.'],
      ['book_appointment', 'Tuesday, March 3 at 3 PM is free. Do you have dental insurance?', 'Yes.'],
      [
        'book_appointment',
        'Tuesday, March 3 at 3 PM is already taken, sorry. Would you like the next free time?',
        'Yes please.',
      ],
      ['reschedule_appointment', 'Just to confirm: Tuesday, March 3 at 3:00 PM. Shall I book it?', 'Yes.'],
      ['cancel_appointment', 'Just to confirm: Tuesday, March 3 at 3:00 PM. Shall I book it?', 'Yes.'],
      ['book_appointment', 'Tuesday, March 3 at 3 PM. Shall I book it or cancel it?', 'Yes.'],
      ['book_appointment', 'Shall I book Tuesday, March 3 at 3 PM? Great, and your name?', 'Yes.'],
    ];
    for (const [tool, reply, caller] of held) {
      expect(gateEffect(input(exchange(reply, caller), { tool })).run, `${tool}: ${reply}`).toBe(false);
    }
  });

  it("lets the gateway's own question and the offline engine's confirmations (both tones, EN and ES) run their effect", () => {
    const zone = 'America/New_York';
    const when = { at: new Date(SLOT), timeZone: zone };
    const from = { at: new Date('2026-03-02T19:00:00Z'), timeZone: zone };
    const asked: [EffectTool, string][] = [];
    for (const language of ['en', 'es'] as const) {
      for (const tone of ['professional', 'friendly']) {
        const voice = voiceFor(`Tone: ${tone}`, language, zone);
        asked.push(
          [
            'book_appointment',
            render([say.confirmBooking({ service: 'Cleaning', when, name: 'Ana' })], voice),
          ],
          [
            'reschedule_appointment',
            render([say.confirmReschedule({ service: 'Cleaning', from, to: when })], voice),
          ],
          ['cancel_appointment', render([say.confirmCancel({ service: 'Cleaning', when })], voice)],
          ['book_appointment', render([say.closedThen({ when, move: false })], voice)],
          ['reschedule_appointment', render([say.closedThen({ when, move: true })], voice)],
        );
      }
      for (const tool of ['book_appointment', 'reschedule_appointment', 'cancel_appointment'] as const) {
        asked.push([tool, confirmationQuestion(tool, slotReadBack(SLOT, zone, language), language)]);
      }
    }
    for (const [tool, reply] of asked) {
      const yes = reply.includes('¿') ? 'Sí.' : 'Yes.';
      expect(gateEffect(input(exchange(reply, yes), { tool })).run, `${tool}: ${reply}`).toBe(true);
      for (const other of ['book_appointment', 'reschedule_appointment', 'cancel_appointment'] as const) {
        if (other === tool) continue;
        expect(gateEffect(input(exchange(reply, yes), { tool: other })).run, `${other}: ${reply}`).toBe(
          false,
        );
      }
    }
  });
});
