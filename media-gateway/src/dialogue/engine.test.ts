import { describe, expect, it } from 'vitest';
import { createOfflineDialogueEngine } from './engine.js';
import { createKnowledgeIndex, type KnowledgeDocument } from './knowledge-index.js';
import { GatewayDriver, type FakeTool } from './testing/gateway-driver.js';

const DOCS: KnowledgeDocument[] = [
  {
    id: 'article:hours',
    kind: 'article',
    title: 'Opening hours',
    text: 'We are open Monday to Friday from 8 AM to 6 PM, and Saturdays from 9 AM to 1 PM. We are closed on Sundays. On public holidays the emergency line takes calls from 7 AM.',
    tags: ['hours'],
    language: 'en',
  },
  {
    id: 'article:cleaning',
    kind: 'article',
    title: 'Teeth cleaning price',
    text: 'A standard cleaning costs 90 dollars and takes about 45 minutes. Most insurance plans cover it in full.',
    tags: ['pricing'],
    language: 'en',
  },
  {
    id: 'article:horario',
    kind: 'article',
    title: 'Horario de atención',
    text: 'Abrimos de lunes a viernes de 8 a 18 horas y los sábados de 9 a 13 horas. Los domingos está cerrado.',
    tags: ['horario'],
    language: 'es',
  },
  {
    id: 'article:limpieza',
    kind: 'article',
    title: 'Precio de la limpieza dental',
    text: 'Una limpieza dental cuesta 90 dólares. La mayoría de los seguros la cubren.',
    tags: ['precios'],
    language: 'es',
  },
  {
    id: 'objection:sales:0',
    kind: 'objection',
    title: 'It is too expensive',
    text: 'I understand. Our membership plan spreads the cost at 20 dollars a month, and the first checkup is free.',
    tags: ['Membership'],
    language: 'en',
  },
];

const index = createKnowledgeIndex(DOCS);

/** The gateway's search tool over a real index, as knowledge.ts wires it. */
const searchTool: FakeTool = (args, language) => ({
  results: index.search(String(args['query']), { language, limit: 3 }).map((r) => ({
    id: r.id,
    kind: r.kind,
    title: r.title,
    text: r.text,
    score: r.score,
  })),
});

const APPOINTMENTS = [
  { appointmentId: 'apt-1', service: 'cleaning', startsAt: '2025-03-11T19:00:00.000Z', status: 'scheduled' },
  { appointmentId: 'apt-2', service: 'checkup', startsAt: '2025-03-13T14:30:00.000Z', status: 'scheduled' },
  { appointmentId: 'apt-0', service: 'filling', startsAt: '2025-03-04T15:00:00.000Z', status: 'scheduled' },
];

const baseTools = (overrides: Record<string, FakeTool> = {}): Record<string, FakeTool> => ({
  search_knowledge_base: searchTool,
  book_appointment: (a) => ({
    appointmentId: 'apt-new',
    startsAt: new Date(String(a['startsAt'])).toISOString(),
    status: 'scheduled',
  }),
  reschedule_appointment: (a) => ({
    appointmentId: a['appointmentId'],
    startsAt: new Date(String(a['startsAt'])).toISOString(),
  }),
  cancel_appointment: (a) => ({ appointmentId: a['appointmentId'], status: 'cancelled' }),
  lookup_caller_history: () => ({ calls: [], appointments: APPOINTMENTS, tickets: [] }),
  open_ticket: () => ({ ticketId: 'tkt-1' }),
  take_message: () => ({ ticketId: 'tkt-2' }),
  schedule_callback: (a) => ({ callbackAt: new Date(String(a['at'])).toISOString() }),
  escalate_to_human: () => ({ queued: true, departmentId: 'front-desk' }),
  end_call: () => ({}),
  ...overrides,
});

const SYSTEM = [
  'You are Ada, an AI voice agent answering the phone for Smile Dental.',
  'Now: 2025-03-07T15:00:00.000Z (the business is in the America/New_York time zone; say times in it).',
  'Tone: professional',
].join('\n');

/** Friday, March 7 2025, 10:00 in New York (EST, UTC-5); clocks go to EDT (UTC-4) on Sunday, March 9. */
const NOW = new Date('2025-03-07T15:00:00Z');

const driver = (
  options: { tools?: Record<string, FakeTool>; language?: string; system?: string; timeZone?: string } = {},
) =>
  new GatewayDriver({
    engine: createOfflineDialogueEngine(),
    tools: options.tools ?? baseTools(),
    system: options.system ?? SYSTEM,
    now: NOW,
    timeZone: options.timeZone ?? 'America/New_York',
    language: options.language ?? 'en',
    languages: ['en', 'es'],
  });

describe('offline dialogue engine: questions', () => {
  it('answers an English FAQ from the knowledge base, then closes when the caller is done', async () => {
    const call = driver();
    const greeting = await call.greet();
    expect(greeting.text).toMatch(/how may i help/i);
    expect(greeting.tools).toEqual([]);

    const answer = await call.hear('Hi, what are your opening hours on Saturday?');
    expect(answer.tools.map((t) => t.name)).toEqual(['search_knowledge_base']);
    expect(answer.tools[0]?.args['query']).toBe('Hi, what are your opening hours on Saturday?');
    expect(answer.text).toContain('Saturdays from 9 AM to 1 PM');
    // Phone length: the sentence that answers, not the whole article.
    expect(answer.text).not.toContain('emergency');
    expect(answer.text).toMatch(/anything else/i);
    expect(answer.confidence).toBeGreaterThanOrEqual(0.9);
    const final = answer.responses[answer.responses.length - 1];
    expect(final?.confidence).toBeGreaterThan(0.5);

    const bye = await call.hear("No, that's all, thank you.");
    expect(bye.text).toMatch(/goodbye/i);
    expect(bye.tools.map((t) => t.name)).toEqual(['end_call']);
    expect(bye.hungUp).toBe(true);
  });

  it('answers a Spanish FAQ in Spanish', async () => {
    const call = driver({ language: 'es' });
    expect((await call.greet()).text).toMatch(/¿En qué puedo ayudarle/);
    const answer = await call.hear('Hola, ¿cuál es su horario?');
    expect(answer.tools[0]?.name).toBe('search_knowledge_base');
    expect(answer.text).toContain('Abrimos de lunes a viernes');
    expect(answer.text).toMatch(/¿Hay algo más en lo que pueda ayudarle\?/);
    const price = await call.hear('¿Cuánto cuesta una limpieza?');
    expect(price.text).toContain('90 dólares');
  });

  it('reads the sentence of an article that answers the question', async () => {
    const call = driver();
    const turn = await call.hear('Is the emergency line open on public holidays?');
    expect(turn.text).toContain('On public holidays the emergency line takes calls from 7 AM.');
    expect(turn.text).not.toContain('Monday to Friday');
  });

  it('answers a Spanish caller from an English article when no Spanish one covers it, introduced in Spanish', async () => {
    const call = driver({ language: 'es' });
    const turn = await call.hear('¿La línea de emergencias abre en días festivos?');
    expect(turn.text).toMatch(
      /solo la tengo en inglés: On public holidays the emergency line takes calls from 7 AM\./,
    );
    expect(turn.text).toMatch(/¿Hay algo más en lo que pueda ayudarle\?/);
  });

  it('says it may not be what was asked when the article shares only part of the question', async () => {
    const call = driver();
    const weak = await call.hear('my kid is scared of the dentist, do you do cleanings for children?');
    expect(weak.text).toMatch(
      /not sure that's exactly what you're asking\. Here's what I have: A standard cleaning/,
    );
    const strong = await call.hear('How much does a teeth cleaning cost?');
    expect(strong.text).not.toMatch(/not sure/);
    expect(strong.text).toContain('A standard cleaning costs 90 dollars');
  });

  it('says so when nothing matches, offers a person or a message, and reports low confidence', async () => {
    const call = driver();
    const turn = await call.hear("What's the weather like on Mars today?");
    expect(turn.tools.map((t) => t.name)).toEqual(['search_knowledge_base']);
    expect(turn.text).toMatch(/don't have that information/);
    expect(turn.text).toMatch(/connect you with a person, or take a message/);
    const last = turn.responses[turn.responses.length - 1];
    expect(last?.confidence).toBeLessThan(0.35);
    // Nothing found is the one answer an assisting model (withAssistant) may improve on; the search was sure.
    expect(last?.unsure).toBe(true);
    expect(turn.responses[0]?.unsure).toBeUndefined();
    // "A message, please" takes the message route.
    const choice = await call.hear('A message please');
    expect(choice.text).toMatch(/what message would you like to leave/i);
    const taken = await call.hear('Please ask the office whether you have a weather station');
    expect(taken.tools.map((t) => t.name)).toEqual(['take_message']);
    expect(taken.tools[0]?.args['message']).toMatch(/weather station/);
    expect(taken.text).toMatch(/passed your message/);
  });

  it('asks to rephrase a line it cannot understand, with low confidence', async () => {
    const call = driver();
    const turn = await call.hear('uh blorp');
    expect(turn.tools).toEqual([]);
    expect(turn.text).toMatch(/another way/);
    expect(turn.confidence).toBeLessThan(0.35);
  });

  it('uses an objection answer from the knowledge base for a sales objection', async () => {
    const call = driver();
    const turn = await call.hear("Honestly that's way too expensive for me.");
    expect(turn.tools.map((t) => t.name)).toEqual(['search_knowledge_base']);
    expect(turn.text).toContain('20 dollars a month');
  });
});

describe('offline dialogue engine: appointments', () => {
  it('books over several turns, one question at a time, in the tenant time zone across the DST change', async () => {
    const call = driver();
    await call.greet();
    const t1 = await call.hear("Hi, I'd like to make an appointment.");
    expect(t1.tools).toEqual([]);
    expect(t1.text).toMatch(/what is the appointment for\?$/i);
    const t2 = await call.hear('A cleaning, please.');
    expect(t2.text).toMatch(/what day and time/i);
    const t3 = await call.hear('Tuesday');
    expect(t3.text).toMatch(/at what time/i);
    const t4 = await call.hear('at 3pm');
    expect(t4.text).toMatch(/your name/i);
    const t5 = await call.hear('My name is Ana López.');
    // Tuesday March 11 at 15:00 New York time is EDT (UTC-4) although "now" is EST.
    expect(t5.text).toBe(
      'To confirm: cleaning on Tuesday, March 11 at 3 PM, under the name Ana López. Shall I book it?',
    );
    expect(t5.tools).toEqual([]);
    const t6 = await call.hear('Yes, that is correct.');
    expect(t6.tools).toHaveLength(1);
    expect(t6.tools[0]?.name).toBe('book_appointment');
    expect(t6.tools[0]?.args).toEqual({
      service: 'cleaning',
      startsAt: '2025-03-11T15:00:00-04:00',
      customerName: 'Ana López',
    });
    expect(new Date(String(t6.tools[0]?.args['startsAt'])).toISOString()).toBe('2025-03-11T19:00:00.000Z');
    expect(t6.text).toMatch(/You're booked for Tuesday, March 11 at 3 PM\. Is there anything else/);
  });

  it('takes every slot said at once, and after a refused time asks for another', async () => {
    let attempts = 0;
    const call = driver({
      tools: baseTools({
        book_appointment: (a) =>
          (attempts += 1) === 1
            ? { error: 'that time is already taken' }
            : {
                appointmentId: 'apt-9',
                startsAt: new Date(String(a['startsAt'])).toISOString(),
                status: 'scheduled',
              },
      }),
    });
    const t1 = await call.hear('This is John Carter, can I book a haircut tomorrow at 10am?');
    expect(t1.text).toBe(
      'To confirm: haircut on Saturday, March 8 at 10 AM, under the name John Carter. Shall I book it?',
    );
    const t2 = await call.hear('yes please');
    expect(t2.tools[0]?.args['startsAt']).toBe('2025-03-08T10:00:00-05:00');
    expect(t2.text).toMatch(/couldn't book that time\. What other day or time/);
    const t3 = await call.hear('How about 11 instead?');
    expect(t3.text).toMatch(/haircut on Saturday, March 8 at 11 AM/);
    const t4 = await call.hear('yes');
    expect(t4.tools[0]?.args['startsAt']).toBe('2025-03-08T11:00:00-05:00');
    expect(t4.text).toMatch(/booked for Saturday, March 8 at 11 AM/);
  });

  it('reads "tomorrow at 3pm" in the tenant zone (Madrid, Tokyo)', async () => {
    for (const [timeZone, iso] of [
      ['Europe/Madrid', '2025-03-08T15:00:00+01:00'],
      ['Asia/Tokyo', '2025-03-09T15:00:00+09:00'],
    ] as const) {
      const call = driver({ timeZone });
      await call.hear('My name is Kim. I want to book a massage tomorrow at 3pm');
      const turn = await call.hear('yes');
      expect(turn.tools[0]?.args['startsAt']).toBe(iso);
    }
  });

  it('reschedules: looks the caller up, picks the appointment by its day, confirms, moves it', async () => {
    const call = driver();
    const t1 = await call.hear('I need to move my appointment on Tuesday to Friday at 10am.');
    expect(t1.tools.map((t) => t.name)).toEqual(['lookup_caller_history']);
    expect(t1.text).toMatch(
      /move your cleaning from Tuesday, March 11 at 3 PM to Friday, March 14 at 10 AM\. Shall I do that\?/,
    );
    const t2 = await call.hear('Yes.');
    expect(t2.tools).toEqual([
      {
        name: 'reschedule_appointment',
        args: { appointmentId: 'apt-1', startsAt: '2025-03-14T10:00:00-04:00' },
        result: { appointmentId: 'apt-1', startsAt: '2025-03-14T14:00:00.000Z' },
      },
    ]);
    expect(t2.text).toMatch(/now on Friday, March 14 at 10 AM/);
  });

  it('cancels in Spanish, asking which appointment when there are several', async () => {
    const call = driver({ language: 'es' });
    const t1 = await call.hear('Quiero cancelar mi cita.');
    expect(t1.tools.map((t) => t.name)).toEqual(['lookup_caller_history']);
    // The past appointment is not offered.
    expect(t1.text).toMatch(/Veo 2 citas: cleaning el martes 11 de marzo a las 3 de la tarde, o checkup/);
    expect(t1.text).toMatch(/¿A cuál se refiere\?/);
    const t2 = await call.hear('La del jueves.');
    expect(t2.text).toBe(
      'Para confirmar, ¿desea cancelar su cita de checkup el jueves 13 de marzo a las 10:30 de la mañana?',
    );
    const t3 = await call.hear('Sí, por favor.');
    expect(t3.tools.map((t) => [t.name, t.args['appointmentId']])).toEqual([['cancel_appointment', 'apt-2']]);
    expect(t3.text).toMatch(/^Su cita ha sido cancelada\. ¿Hay algo más/);
  });

  it('keeps the appointment when the caller says no at the confirmation', async () => {
    const call = driver({
      tools: baseTools({
        lookup_caller_history: () => ({ calls: [], appointments: APPOINTMENTS.slice(0, 1), tickets: [] }),
      }),
    });
    const t1 = await call.hear('Please cancel my appointment.');
    expect(t1.text).toMatch(/cancel your cleaning on Tuesday, March 11 at 3 PM\?/);
    const t2 = await call.hear('No, actually keep it.');
    expect(t2.tools).toEqual([]);
    expect(t2.text).toMatch(/left it as it was/);
  });
});

describe('offline dialogue engine: people, messages, complaints', () => {
  it('hands over to a person with a summary of what was tried', async () => {
    const call = driver();
    await call.hear('Do you do dental implants for horses?');
    const turn = await call.hear('Let me talk to a real person.');
    expect(turn.tools.map((t) => t.name)).toEqual(['escalate_to_human']);
    expect(turn.tools[0]?.args['reason']).toBe('caller_request');
    const summary = String(turn.tools[0]?.args['summary']);
    expect(summary).toContain('dental implants for horses');
    expect(summary).toMatch(/nothing found/);
    expect(turn.text).toMatch(/connecting you with a member of our team now/);
  });

  it('takes a message and schedules the call back when nobody can take the call', async () => {
    const call = driver({
      tools: baseTools({ escalate_to_human: () => ({ queued: false, reason: 'after_hours' }) }),
    });
    const t1 = await call.hear('I want to speak to someone.');
    expect(t1.text).toMatch(/We're closed right now.*leave a message\?/);
    const t2 = await call.hear('Yes.');
    expect(t2.text).toMatch(/What message would you like to leave\?/);
    const t3 = await call.hear(
      'Tell Dr. Smith that my tooth still hurts after the filling, and please call me back tomorrow at 9am.',
    );
    expect(t3.tools.map((t) => t.name)).toEqual(['take_message', 'schedule_callback']);
    expect(t3.tools[0]?.args['message']).toMatch(/^my tooth still hurts after the filling/);
    expect(t3.tools[1]?.args['at']).toBe('2025-03-08T09:00:00-05:00');
    expect(t3.text).toMatch(/passed your message.*call you back on Saturday, March 8 at 9 AM/);
  });

  it('apologises for a complaint and opens a ticket when the caller wants one', async () => {
    const call = driver();
    const t1 = await call.hear("This is ridiculous, I've been waiting three weeks for my refund!");
    expect(t1.text).toMatch(/very sorry.*open a ticket/);
    const t2 = await call.hear('Yes, do that.');
    expect(t2.tools.map((t) => [t.name, t.args['priority']])).toEqual([['open_ticket', 'high']]);
    expect(String(t2.tools[0]?.args['description'])).toContain('three weeks for my refund');
    expect(t2.text).toMatch(/opened a ticket/);
  });

  it('says goodbye and ends the call, and has nothing more to say after end_call', async () => {
    const call = driver();
    const turn = await call.hear('Thanks, goodbye!');
    expect(turn.tools.map((t) => t.name)).toEqual(['end_call']);
    expect(turn.text).toBe('Thank you for calling. Goodbye.');
    expect(turn.responses).toHaveLength(2);
    expect(turn.responses[1]?.text).toBe('');
    expect(turn.responses[1]?.toolCalls).toEqual([]);
  });
});

describe('offline dialogue engine: language, tone, the port', () => {
  it('follows a caller who switches from English to Spanish mid-call, and mid-booking', async () => {
    const call = driver();
    const t1 = await call.hear('I want to book a cleaning.');
    expect(t1.text).toMatch(/What day and time/);
    // The gateway detected Spanish and passes the new language.
    const t2 = await call.hear('Perdón, mejor en español. El martes a las 3 de la tarde.', 'es');
    expect(t2.text).toBe('¿Me dice su nombre, por favor?');
    const t3 = await call.hear('Me llamo Lucía Fernández.');
    expect(t3.text).toBe(
      'Para confirmar: cleaning el martes 11 de marzo a las 3 de la tarde, a nombre de Lucía Fernández. ¿La reservo?',
    );
    const t4 = await call.hear('Sí.');
    expect(t4.tools[0]?.args).toMatchObject({
      startsAt: '2025-03-11T15:00:00-04:00',
      customerName: 'Lucía Fernández',
    });
    expect(t4.text).toMatch(/Su cita quedó reservada para el martes 11 de marzo/);
    const t5 = await call.hear('¿Cuánto cuesta una limpieza?');
    expect(t5.text).toContain('Una limpieza dental cuesta 90 dólares.');
  });

  it('says the Greeting line as written and speaks in the tone of the Tone line', async () => {
    const system = `${SYSTEM.replace('Tone: professional', 'Tone: friendly')}\nGreeting: Hi, Smile Dental, Ada speaking!`;
    const call = driver({ system, language: 'es' });
    expect((await call.greet()).text).toBe('Hi, Smile Dental, Ada speaking!');
    // Friendly in Spanish is "tú", not "usted".
    expect((await call.hear('Quiero reservar una cita')).text).toBe('¡Claro! ¿Para qué quieres la cita?');
  });

  it('is stateless: a fresh engine given the history continues the same conversation', async () => {
    const call = driver();
    await call.hear('I want to book a cleaning on Tuesday at 3pm.');
    const again = await createOfflineDialogueEngine().respond({
      system: SYSTEM,
      messages: [...call.messages, { role: 'user', content: 'Ana López' }],
      tools: Object.keys(baseTools()).map((name) => ({
        name,
        description: name,
        parameters: { type: 'object', properties: {} },
      })),
      language: 'en',
      languages: ['en'],
      now: NOW,
      timeZone: 'America/New_York',
    });
    expect(again.text).toMatch(/cleaning on Tuesday, March 11 at 3 PM, under the name Ana López/);
    const once = await call.respondOnce();
    const twice = await call.respondOnce();
    expect(twice).toEqual(once);
  });

  it('asks only for tools the gateway offers', async () => {
    const call = driver({ tools: { take_message: () => ({ ticketId: 't' }) } });
    const turn = await call.hear('I want to book an appointment for a cleaning.');
    expect(turn.tools).toEqual([]);
    expect(turn.text).toMatch(/can't do that on this line, but I can take a message/);
  });

  it('names itself, counts usage as words / 0.75, and stops when aborted', async () => {
    const engine = createOfflineDialogueEngine();
    expect(engine.name).toBe('offline-dialogue');
    const response = await engine.respond({
      system: 'Tone: calm',
      messages: [{ role: 'user', content: 'hello there' }],
      tools: [],
      language: 'en',
      languages: ['en'],
      now: NOW,
      timeZone: 'UTC',
    });
    expect(response.model).toBe('offline-dialogue-1');
    expect(response.text).toBe('Hello. How may I help you?');
    // Prompt: "Tone: calm" + "hello there" = 4 words; reply: 6 words.
    expect(response.usage).toEqual({
      promptTokens: Math.ceil(4 / 0.75),
      completionTokens: Math.ceil(6 / 0.75),
    });
    const aborted = new AbortController();
    aborted.abort();
    await expect(
      engine.respond({
        system: '',
        messages: [],
        tools: [],
        language: 'en',
        languages: ['en'],
        now: NOW,
        timeZone: 'UTC',
        signal: aborted.signal,
      }),
    ).rejects.toThrow();
  });
});

describe('offline dialogue engine: lines the gateway writes itself', () => {
  it('checks on a silent caller, and offers a message when the queue timed out', async () => {
    const call = driver();
    const silent = await call.hear('(The caller said nothing.)');
    expect(silent.text).toBe('Are you still there?');
    const waited = await call.hear('(The caller waited but nobody from the team was free to answer.)');
    expect(waited.text).toMatch(/nobody is free .* leave a message\?/);
    const message = await call.hear('Yes, please tell the team my invoice number 4411 is wrong.');
    expect(message.tools.map((t) => t.name)).toEqual(['take_message']);
    expect(message.tools[0]?.args['message']).toBe('my invoice number 4411 is wrong.');
  });
});
