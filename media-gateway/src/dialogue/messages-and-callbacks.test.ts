import { describe, expect, it } from 'vitest';
import { createOfflineDialogueEngine } from './engine.js';
import { GatewayDriver, type FakeTool } from './testing/gateway-driver.js';

/*
 * Messages and call backs once the caller asked for one: a caller who only asks to leave a message is asked for
 * it and the next line is the message; a call back asked for is scheduled (what it is about is its reason), at
 * the time said in words callers use ("this afternoon", "any time after 2").
 */

/** Friday, March 7 2025, 10:00 in New York (EST). */
const NOW = new Date('2025-03-07T15:00:00Z');
const SYSTEM =
  'You are Ada, an AI voice agent answering the phone for Birch Street Bikes.\nTone: professional';

const tools: Record<string, FakeTool> = {
  take_message: () => ({ ticketId: 'tkt-1' }),
  schedule_callback: (a) => ({ callbackAt: new Date(String(a['at'])).toISOString() }),
  end_call: () => ({}),
};

const driver = (language = 'en') =>
  new GatewayDriver({
    engine: createOfflineDialogueEngine(),
    tools,
    system: SYSTEM,
    now: NOW,
    timeZone: 'America/New_York',
    language,
    languages: ['en', 'es'],
  });

describe('offline engine: messages', () => {
  it('asks for the message when the caller only asks to leave one, and takes the next line as it', async () => {
    const call = driver();
    await call.greet();
    const asked = await call.hear('Hello, may I leave word for Jonas? He serviced my bike in the spring.');
    expect(asked.tools).toEqual([]);
    expect(asked.text).toMatch(/what message would you like to leave/i);
    const taken = await call.hear(
      'The rear wheel rubs on the frame when I climb hills, and I can drop the bike in on Thursday.',
    );
    // "Thursday" is when the bike comes in, not a call back.
    expect(taken.tools.map((t) => t.name)).toEqual(['take_message']);
    expect(taken.tools[0]?.args['message']).toMatch(/^The rear wheel rubs on the frame/);
    expect(taken.tools[0]?.args['message']).toMatch(/may I leave word for Jonas/);
    expect(taken.text).toMatch(/passed your message/);
  });

  it('asks for it after "I want to leave a message for …" or a vague "about something", in Spanish too', async () => {
    const en = driver();
    await en.greet();
    const asked = await en.hear('I would like to leave a message for the workshop manager.');
    expect(asked.tools).toEqual([]);
    expect(asked.text).toMatch(/what message/i);

    const es = driver('es');
    await es.greet();
    const pedido = await es.hear('Quisiera dejar un recado sobre mi encargo, falta algo en la bolsa.');
    expect(pedido.tools).toEqual([]);
    expect(pedido.text).toMatch(/qué mensaje desea dejar/i);
    const taken = await es.hear('Llegó la tarta sin las velas, por favor tráiganlas.');
    expect(taken.tools[0]?.args['message']).toMatch(/^Llegó la tarta sin las velas/);
  });

  it('asks for the message after a request that only announces it', async () => {
    for (const line of [
      'Could you let the team know something for me?',
      'Can I leave a voicemail for Jonas?',
      '¿Le puedo dejar un recado a Marta?',
    ]) {
      const call = driver(line.startsWith('¿') ? 'es' : 'en');
      await call.greet();
      const asked = await call.hear(line);
      expect(asked.tools).toEqual([]);
      expect(asked.text).toMatch(/what message|qué mensaje/i);
    }
  });

  it('files nothing when the caller drops the message', async () => {
    const call = driver();
    await call.greet();
    await call.hear('Can I leave a message for Jonas?');
    const dropped = await call.hear('Oh, never mind, I will call him later.');
    expect(dropped.tools).toEqual([]);
    expect(dropped.text).toMatch(/anything else/i);
  });

  it('takes a message said in the same line', async () => {
    const call = driver();
    await call.greet();
    const taken = await call.hear(
      'I want to leave a message, my bike is ready to be picked up from my garage.',
    );
    expect(taken.tools.map((t) => t.name)).toEqual(['take_message']);
    expect(taken.tools[0]?.args['message']).toBe('my bike is ready to be picked up from my garage.');
  });
});

describe('offline engine: call backs', () => {
  it('schedules the call back asked for "this afternoon" at 3 PM, and leaves what it is about as a message', async () => {
    const call = driver();
    await call.greet();
    const turn = await call.hear('Could someone call me back this afternoon about my repair estimate?');
    expect(turn.tools.map((t) => t.name)).toEqual(['take_message', 'schedule_callback']);
    expect(turn.tools[0]?.args['message']).toMatch(/repair estimate/);
    expect(turn.tools[1]?.args['at']).toBe('2025-03-07T15:00:00-05:00');
    expect(turn.tools[1]?.args['reason']).toMatch(/repair estimate/);
    expect(turn.text).toMatch(/passed your message.*call you back/);

    // No time said: asked for after the message.
    const untimed = driver();
    await untimed.greet();
    const asked = await untimed.hear('Can somebody call me back about my repair estimate?');
    expect(asked.tools.map((t) => t.name)).toEqual(['take_message']);
    expect(asked.text).toMatch(/passed your message.*when (should|would)/i);
    const at = await untimed.hear('tomorrow at 11');
    expect(at.tools[0]).toMatchObject({
      name: 'schedule_callback',
      args: { at: '2025-03-08T11:00:00-05:00' },
    });
  });

  it('reads "any time after 2" as the time, and "tomorrow afternoon" as the answer to when', async () => {
    const after = driver();
    await after.greet();
    const turn = await after.hear(
      'Please call me back when you know the price. Any time after 2 works for me.',
    );
    expect(turn.tools[0]).toMatchObject({
      name: 'schedule_callback',
      args: { at: '2025-03-07T14:00:00-05:00' },
    });

    const asked = driver();
    await asked.greet();
    const when = await asked.hear('Can you call me back, please?');
    expect(when.text).toMatch(/when should we call you back|when would you like us to call/i);
    const at = await asked.hear('tomorrow afternoon');
    expect(at.tools[0]).toMatchObject({
      name: 'schedule_callback',
      args: { at: '2025-03-08T15:00:00-05:00' },
    });

    // No time in particular: soon, an hour from now.
    const soon = driver();
    await soon.greet();
    await soon.hear('Can you call me back, please?');
    const before = driver();
    await before.greet();
    const turn5 = await before.hear('Could someone call me back before 5 about my invoice?');
    expect(turn5.tools.find((t) => t.name === 'schedule_callback')?.args['at']).toBe(
      '2025-03-07T16:00:00-05:00',
    );

    const whenever = await soon.hear('Whenever, as soon as you can.');
    expect(whenever.tools[0]?.args['at']).toBe('2025-03-07T11:00:00-05:00');
  });
});
