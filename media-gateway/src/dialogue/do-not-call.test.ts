import { describe, expect, it } from 'vitest';
import { createOfflineDialogueEngine } from './engine.js';
import { asksNotToBeCalled } from './do-not-call.js';
import { GatewayDriver, type FakeTool } from './testing/gateway-driver.js';

describe('do-not-call requests', () => {
  it.each([
    "Please don't call me again.",
    'Do not call this number anymore',
    'Stop calling me!',
    'Take me off your list, please.',
    'Remove my number from your calling list',
    'Put me on your do not call list',
    'No me llamen más, por favor.',
    'No vuelvan a llamarme.',
    'Quítenme de su lista.',
    'Dejen de llamarme',
  ])('recognises "%s"', (line) => {
    expect(asksNotToBeCalled(line)).toBe(true);
  });

  it.each([
    'Can you call me back tomorrow?',
    "I'd like you to call me at 3 pm",
    'What is on your list of services?',
    'Llámeme mañana por la tarde',
    'No, gracias, está bien así',
    "Don't worry, I will call you",
  ])('does not take "%s" for one', (line) => {
    expect(asksNotToBeCalled(line)).toBe(false);
  });

  const tools = (calls: string[]): Record<string, FakeTool> => ({
    add_to_do_not_call: () => {
      calls.push('add_to_do_not_call');
      return { listed: '+15557654321' };
    },
    end_call: () => ({}),
    search_knowledge_base: () => ({ results: [] }),
  });

  it.each([
    ['en', "Please don't call me again", /we will not call you again/i],
    ['es', 'No me llamen más', /no le volveremos a llamar/i],
  ])('the offline engine lists the number, confirms and ends the call (%s)', async (language, line, said) => {
    const calls: string[] = [];
    const call = new GatewayDriver({
      engine: createOfflineDialogueEngine(),
      tools: tools(calls),
      system: 'You are Ada, calling for Smile Dental.\nTone: professional',
      now: new Date('2025-03-07T15:00:00Z'),
      timeZone: 'America/New_York',
      language,
      languages: ['en', 'es'],
    });
    await call.greet();
    const turn = await call.hear(line);
    expect(turn.tools.map((t) => t.name)).toEqual(['add_to_do_not_call', 'end_call']);
    expect(calls).toEqual(['add_to_do_not_call']);
    expect(turn.text).toMatch(said);
  });
});
