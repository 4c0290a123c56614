import { describe, expect, it } from 'vitest';
import { createOfflineDialogueEngine } from './engine.js';
import { GatewayDriver, type FakeTool } from './testing/gateway-driver.js';

/*
 * The offline engine booking through a tenant's services (the gateway offers find_free_slots): it asks for free
 * times rather than taking any time said, offers them, reads the caller's pick, offers again when a time is not
 * free or was taken meanwhile, and greets a known caller by name without asking it. The tools' results are
 * scripted as the gateway's booking tools answer (conversation/booking-tools.ts, tested against the real
 * calendars there and in tests/e2e/media-gateway-booking.test.ts).
 */

/** Monday, December 7 2026, 11:00 in New York. */
const NOW = new Date('2026-12-07T16:00:00Z');
const SYSTEM = 'You are Ada, an AI voice agent answering the phone for Cut & Colour.\nTone: professional';

const at = (hhmm: string, day = '2026-12-08') => `${day}T${hhmm}:00-05:00`;
const offer = (hhmm: string, resourceId = 'sam') => ({
  startsAt: at(hhmm),
  endsAt: at(hhmm),
  resourceId,
  serviceIds: ['cut'],
});

/** Free times on Tuesday; a time asked for is offered first among its neighbours when free. */
const FREE = ['09:30', '10:30', '11:30', '14:00', '15:00'];
const findFreeSlots: FakeTool = (args) => {
  const asked = typeof args['time'] === 'string' ? args['time'] : undefined;
  const times = asked
    ? FREE.filter((t) => Math.abs(Number(t.slice(0, 2)) - Number(asked.slice(0, 2))) <= 1).slice(0, 3)
    : FREE.slice(0, 3);
  return { services: ['Haircut'], offers: times.map((t) => offer(t)) };
};

const booked: FakeTool = (a) => ({
  appointmentId: 'apt-new',
  startsAt: new Date(String(a['startsAt'])).toISOString(),
  status: 'scheduled',
});

const driver = (tools: Record<string, FakeTool> = {}, system = SYSTEM, language = 'en') =>
  new GatewayDriver({
    engine: createOfflineDialogueEngine(),
    tools: { find_free_slots: findFreeSlots, book_appointment: booked, end_call: () => ({}), ...tools },
    system,
    now: NOW,
    timeZone: 'America/New_York',
    language,
    languages: ['en', 'es'],
  });

describe('offline engine: booking through services', () => {
  it('asks for free times, offers them, and books the one picked on its resource', async () => {
    const call = driver();
    await call.greet();
    const offered = await call.hear("I'd like to book a haircut tomorrow, please.");
    expect(offered.tools.map((t) => t.name)).toEqual(['find_free_slots']);
    expect(offered.tools[0]?.args).toEqual({
      service: "I'd like to book a haircut tomorrow, please.",
      date: '2026-12-08',
    });
    expect(offered.text).toContain(
      'I have 9:30 AM, 10:30 AM or 11:30 AM on Tuesday, December 8. What time would suit you?',
    );
    const named = await call.hear('10:30 please');
    expect(named.text).toMatch(/your name/i);
    const confirm = await call.hear('Ana Lopez');
    expect(confirm.text).toContain('Haircut on Tuesday, December 8 at 10:30 AM, under the name Ana Lopez');
    const done = await call.hear('Yes, please.');
    expect(done.tools[0]).toMatchObject({
      name: 'book_appointment',
      args: { service: 'Haircut', startsAt: at('10:30'), customerName: 'Ana Lopez', resourceId: 'sam' },
    });
    expect(done.text).toMatch(/booked for Tuesday, December 8 at 10:30 AM/);
  });

  it('offers and books in Spanish', async () => {
    const call = driver({}, SYSTEM, 'es');
    await call.greet();
    const offered = await call.hear('Quiero reservar una cita para un corte de pelo mañana, por favor.');
    expect(offered.tools[0]?.args).toMatchObject({ date: '2026-12-08' });
    expect(offered.text).toContain(
      'Tengo el martes 8 de diciembre a las 9:30, a las 10:30 o a las 11:30 de la mañana. ¿A qué hora le viene mejor?',
    );
    const named = await call.hear('A las 11:30.');
    expect(named.text).toMatch(/su nombre/);
    const confirm = await call.hear('Ana López');
    expect(confirm.text).toContain(
      'Haircut el martes 8 de diciembre a las 11:30 de la mañana, a nombre de Ana López',
    );
  });

  it('takes a time asked for at once when it is free, and offers its neighbours when it is not', async () => {
    const free = driver();
    await free.greet();
    const direct = await free.hear("I'd like to book a haircut tomorrow at 3 pm. My name is Ana Lopez.");
    expect(direct.tools[0]?.args).toMatchObject({ date: '2026-12-08', time: '15:00' });
    expect(direct.text).toMatch(/To confirm: Haircut on Tuesday, December 8 at 3 PM/);

    const afternoon = driver();
    await afternoon.greet();
    const later = await afternoon.hear('Can I book a haircut tomorrow afternoon?');
    expect(later.tools[0]?.args).toMatchObject({ date: '2026-12-08', partOfDay: 'afternoon' });

    const busy = driver();
    await busy.greet();
    const offered = await busy.hear("I'd like to book a haircut tomorrow at 1 pm.");
    expect(offered.text).toContain("I'm sorry, 1 PM on Tuesday, December 8 is not available.");
    expect(offered.text).toContain('I have 2 PM on Tuesday, December 8.');
    // Another time than those offered: free times near it are asked for.
    const again = await busy.hear('How about 11?');
    expect(again.tools[0]?.args).toMatchObject({ date: '2026-12-08', time: '11:00' });
  });

  it('a time taken meanwhile: says so, offers the new times, and books the next pick', async () => {
    let attempts = 0;
    const call = driver({
      book_appointment: (a) => {
        attempts += 1;
        if (attempts > 1) return booked(a, 'en');
        return {
          error: 'slot_taken: another caller booked that time a moment ago',
          services: ['Haircut'],
          offers: [offer('10:30', 'lee'), offer('11:30')],
        };
      },
    });
    await call.greet();
    await call.hear("I'd like to book a haircut tomorrow, please. My name is Ana Lopez.");
    await call.hear('The first one.');
    const refused = await call.hear('Yes.');
    expect(refused.text).toContain(
      "I'm sorry, someone else just booked that time. I have 10:30 AM or 11:30 AM on Tuesday, December 8.",
    );
    const confirm = await call.hear('The first one, please.');
    expect(confirm.text).toMatch(/10:30 AM, under the name Ana Lopez/);
    const done = await call.hear('Yes.');
    expect(done.tools[0]?.args).toMatchObject({ startsAt: at('10:30'), resourceId: 'lee' });
    expect(done.text).toMatch(/booked for/);
  });

  it('a move to a time not free: the free times near it said, and one of them taken as the new time', async () => {
    const call = driver({
      lookup_caller_history: () => ({
        calls: [],
        tickets: [],
        appointments: [
          { appointmentId: 'apt-1', service: 'Haircut', startsAt: at('10:00'), status: 'scheduled' },
        ],
      }),
      reschedule_appointment: (a) =>
        a['startsAt'] === at('15:00')
          ? { appointmentId: 'apt-1', startsAt: new Date(at('15:00')).toISOString(), resourceId: 'lee' }
          : {
              error: 'that time is not free',
              services: ['Haircut'],
              offers: [offer('14:00'), offer('15:00')],
            },
    });
    await call.greet();
    await call.hear('I need to move my appointment on Tuesday to Tuesday at 1 pm.');
    const refused = await call.hear('Yes.');
    expect(refused.text).toContain(
      "I'm sorry, that time is not available. I have 2 PM or 3 PM on Tuesday, December 8. What time would suit you?",
    );
    const confirm = await call.hear('3 pm');
    expect(confirm.text).toMatch(/to Tuesday, December 8 at 3 PM\. Shall I do that\?/);
    const moved = await call.hear('Yes.');
    expect(moved.tools[0]?.args).toEqual({ appointmentId: 'apt-1', startsAt: at('15:00') });
  });

  it('names the services there are when the caller names none of them', async () => {
    const call = driver({
      find_free_slots: () => ({ error: 'no service by that name', services: ['Haircut', 'Colour'] }),
    });
    await call.greet();
    const turn = await call.hear("I'd like to book a massage, please.");
    expect(turn.text).toContain('We offer Haircut or Colour. Which would you like?');
    expect(turn.responses.at(-1)?.unsure).toBeUndefined();
    // Named again in words that match none ("corte de caballero" for "Men's haircut"): the list once more, and
    // unsure, so that an assisting model (LLM_MODE=assist) may read the caller's words.
    const again = await call.hear('A deep tissue one.');
    expect(again.text).toContain('We offer Haircut or Colour. Which would you like?');
    expect(again.responses.at(-1)?.unsure).toBe(true);
  });

  it('greets a known caller by name, in English and Spanish, and does not ask it', async () => {
    const known = `${SYSTEM}\nCaller: Maria Known`;
    const call = driver({}, known);
    expect((await call.greet()).text).toBe(
      'Hello Maria Known, thank you for calling. How may I help you today?',
    );
    await call.hear("I'd like to book a haircut tomorrow, please.");
    const confirm = await call.hear('The second one.');
    expect(confirm.text).toMatch(/under the name Maria Known\. Shall I book it\?/);

    const spanish = driver({}, `${known}\nGreeting: Gracias por llamar a Cut & Colour.`, 'es');
    expect((await spanish.greet()).text).toBe('Hola, Maria Known. Gracias por llamar a Cut & Colour.');
  });
});

describe('offline engine: the caller’s own words for a service, and corrections at the read-back', () => {
  const SERVICES = ['Lock or hinge repair', 'Key cutting', 'Safe opening'];
  /** As the gateway answers: times for the services the words name, else the list of services. */
  const byName: FakeTool = (args) => {
    const said = String(args['service']).toLowerCase().split(/\W+/);
    const named = SERVICES.filter((s) =>
      s
        .toLowerCase()
        .split(/\s+/)
        .some((w) => w.length > 3 && said.includes(w)),
    );
    return named.length === 0
      ? { error: 'no service by that name', services: SERVICES }
      : { services: named, offers: FREE.slice(0, 3).map((t) => offer(t)) };
  };

  it('matches a need said in the caller’s words to a service, asking again by its name', async () => {
    const call = driver({ find_free_slots: byName });
    await call.greet();
    const turn = await call.hear("I'd like to book an appointment to fix the locks on my shed tomorrow.");
    // The words named no service: asked again at once by the name they mean.
    expect(turn.tools.map((t) => t.args['service'])).toEqual([
      "I'd like to book an appointment to fix the locks on my shed tomorrow.",
      'Lock or hinge repair',
    ]);
    expect(turn.tools[1]?.args).toMatchObject({ date: '2026-12-08' });
    expect(turn.text).toBe(
      'One moment while I check our free times. I have 9:30 AM, 10:30 AM or 11:30 AM on Tuesday, December 8. What time would suit you?',
    );
  });

  it('takes the answer to the list of services by its place or its words', async () => {
    const call = driver({ find_free_slots: byName });
    await call.greet();
    const listed = await call.hear("I'd like to book an appointment, please.");
    expect(listed.text).toContain('We offer Lock or hinge repair, Key cutting or Safe opening.');
    const second = await call.hear('The second one.');
    expect(second.tools[0]?.args).toMatchObject({ service: 'Key cutting' });
    expect(second.text).toMatch(/I have 9:30 AM/);
  });

  it('changes only what the caller corrects at the read-back', async () => {
    const call = driver();
    await call.greet();
    await call.hear("I'd like to book a haircut tomorrow, please. My name is Ana Lopez.");
    const readBack = await call.hear('10:30 is good.');
    expect(readBack.text).toContain('Haircut on Tuesday, December 8 at 10:30 AM');
    const corrected = await call.hear('No, 3 pm instead.');
    expect(corrected.tools[0]?.args).toMatchObject({ date: '2026-12-08', time: '15:00' });
    expect(corrected.text).toContain('Haircut on Tuesday, December 8 at 3 PM, under the name Ana Lopez');

    const day = driver();
    await day.greet();
    await day.hear("I'd like to book a haircut tomorrow, please. My name is Ana Lopez.");
    await day.hear('The second one.');
    // Another day: the hour picked from the offers stays.
    const moved = await day.hear('No, Wednesday.');
    expect(moved.tools[0]?.args).toMatchObject({ date: '2026-12-09', time: '10:30' });

    // Another service: asked for at the same day and hour.
    const service = driver();
    await service.greet();
    await service.hear("I'd like to book a haircut tomorrow, please. My name is Ana Lopez.");
    await service.hear('The second one.');
    const colour = await service.hear('No, a colour.');
    expect(colour.tools[0]?.args).toEqual({ service: 'No, a colour.', date: '2026-12-08', time: '10:30' });
  });
});
