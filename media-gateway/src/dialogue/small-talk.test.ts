import { describe, expect, it } from 'vitest';
import { createOfflineDialogueEngine } from './engine.js';
import { GatewayDriver, type FakeTool } from './testing/gateway-driver.js';

/**
 * What the offline engine does with a caller's first words when they are not the clinic's: a pleasantry, a
 * need that is a booking, a transfer to staff, a relay, a ring-back. A hardware store and a tutoring centre,
 * neither of them in the training lines.
 */

const tools = (asked: string[]): Record<string, FakeTool> => {
  const record =
    (name: string, result: unknown): FakeTool =>
    () => {
      asked.push(name);
      return result;
    };
  return {
    search_knowledge_base: record('search_knowledge_base', { results: [] }),
    book_appointment: record('book_appointment', { appointmentId: 'a-1', status: 'scheduled' }),
    escalate_to_human: record('escalate_to_human', { queued: true, departmentId: 'desk' }),
    take_message: record('take_message', { ticketId: 't-1' }),
    schedule_callback: record('schedule_callback', { callbackAt: '2025-03-07T20:00:00.000Z' }),
    end_call: record('end_call', {}),
  };
};

const call = (asked: string[], language = 'en') =>
  new GatewayDriver({
    engine: createOfflineDialogueEngine(),
    tools: tools(asked),
    system: 'You are Kit, answering the phone for Brightside Tutoring.\nTone: friendly',
    now: new Date('2025-03-07T15:00:00Z'),
    timeZone: 'America/New_York',
    language,
    languages: ['en', 'es'],
  });

/** A new call greeted, then the caller's first line heard: the turn, and the tools asked for. */
const firstTurn = async (line: string, language = 'en') => {
  const asked: string[] = [];
  const driver = call(asked, language);
  await driver.greet();
  return { driver, asked, turn: await driver.hear(line) };
};

describe('offline engine: what a new caller wants', () => {
  it.each([
    ['en', "hey there, how's your Friday treating you?", /Thanks, all good here! How can I help/],
    ['es', 'hola, ¿qué tal, cómo te va?', /Muy bien, gracias! ¿En qué te puedo ayudar/],
  ])('answers a pleasantry in kind and looks nothing up (%s)', async (language, line, said) => {
    const { driver, turn } = await firstTurn(line, language);
    expect(turn.tools).toEqual([]);
    expect(turn.text).toMatch(said);
    const next = await driver.hear('ok cool, so how much is a one-hour session?');
    expect(next.tools.map((t) => t.name)).toEqual(['search_knowledge_base']);
  });

  it.each([
    [
      'en',
      'hi, my daughter just started high school and her grades have been slipping',
      /How can I help with that\?/,
    ],
    ['es', 'hola, mi hijo va a presentar el examen de admisión en marzo', /¿En qué te ayudo con eso\?/],
  ])(
    'acknowledges a hello that tells the situation before the request (%s)',
    async (language, line, said) => {
      const { turn } = await firstTurn(line, language);
      expect(turn.tools).toEqual([]);
      expect(turn.text).toMatch(said);
    },
  );

  it('greets back a bare "hello?" rather than looking it up', async () => {
    const { turn } = await firstTurn('hello?');
    expect(turn.tools).toEqual([]);
    expect(turn.text).toBe('Hi! How can I help you?');
  });

  it('reads a question after "yeah" as a question, not a yes', async () => {
    const { turn } = await firstTurn('yeah do you do group classes on weekends');
    expect(turn.tools.map((t) => t.name)).toEqual(['search_knowledge_base']);
  });

  it('starts a booking for a need that names no appointment', async () => {
    const { turn } = await firstTurn(
      "my son's falling behind in algebra, could somebody fit him in next week?",
    );
    expect(turn.tools).toEqual([]);
    expect(turn.text).toMatch(/what would you like to book/i);
  });

  it('hands a request for one of the staff to a person', async () => {
    const { turn } = await firstTurn('could you patch me over to a dog trainer?');
    expect(turn.tools.map((t) => t.name)).toEqual(['escalate_to_human']);
  });

  it('takes "phone me back after 4" as a callback, not a message', async () => {
    const { asked } = await firstTurn('would one of you phone me back after 4?');
    expect(asked).toContain('schedule_callback');
    expect(asked).not.toContain('take_message');
  });
});
