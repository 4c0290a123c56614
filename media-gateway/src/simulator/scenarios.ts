import { hangUp, press, say, silence, type Caller, type CallerTurn, type HearingContext } from './caller.js';

/**
 * Named callers for demos, tests and the benchmark. Each is written from the caller's side: it listens for what
 * any agent would say (English or Spanish) and answers from the demo content it is given — no knowledge of the
 * platform's internals. `check` says afterwards whether the caller heard what the scenario is about.
 */

export interface DemoContent {
  readonly callerName: string;
  readonly phone?: string;
  /** FAQ: the question, and what a right answer mentions. */
  readonly question?: string;
  readonly expectedAnswer?: RegExp;
  /** Booking. */
  readonly service?: string;
  readonly when?: string;
  /** After hours: the message left. */
  readonly message?: string;
  /** IVR: the key to press, or the option to say. */
  readonly menuDigit?: string;
  readonly menuChoice?: string;
  /** Spanish: what the caller asks, and what a Spanish answer mentions. */
  readonly spanishQuestion?: string;
  readonly expectedSpanishAnswer?: RegExp;
}

export const SCENARIO_NAMES = [
  'faq',
  'book',
  'angry',
  'after-hours',
  'ivr-dtmf',
  'ivr-voice',
  'spanish',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface Scenario {
  readonly name: ScenarioName;
  readonly caller: Caller;
  /** What went wrong from the caller's point of view (empty: the call did what the scenario is about). */
  check(heard: readonly string[]): string[];
}

// What agents say, in English and Spanish.
export const HEARD = {
  greeting:
    /\b(how (can|may) i help|what can i do for you|how can we help|en qu[eé] (le )?puedo ayudar|c[oó]mo (le )?puedo ayudar)/i,
  name: /\b(your (full )?name|who am i speaking|name (please|for the booking)|(su|tu) nombre|c[oó]mo se llama)/i,
  service:
    /\b(what (service|kind of|type of)|which service|which (one )?would you like|reason for (your|the) (visit|appointment)|what is the appointment for|what would you like to book|qu[eé] servicio|cu[aá]l desea|para qu[eé] quieres la cita)/i,
  when: /\b(what (day|date|time)|which (day|date)|when would|when do you|qu[eé] d[ií]a|cu[aá]ndo|a qu[eé] hora)/i,
  phone: /\b(phone number|callback number|number (we|i) can reach|n[uú]mero de tel[eé]fono)/i,
  confirm:
    /\b(confirm|is (that|this) (right|correct)|shall i (book|go ahead|move it|cancel it)|should i book|¿?(lo )?confirmo|es correcto)|¿(te |se )?la (reservo|cancelo|paso|cambio)\b|¿lo hago\?/i,
  anythingElse: /\b(anything else|something else|help you with anything|algo m[aá]s)/i,
  menu: /\b(press|dial|marque|pulse|oprima)\b/i,
  transfer:
    /\b(transfer|connect(ing)? you|put you through|a (member of (our|the) )?(team|person|human|agent|colleague)|representative|hold|le (comunico|paso)|un agente|espere)/i,
  message:
    /\b(leave (a|your) message|after the (tone|beep)|closed|deje (un|su) mensaje|estamos cerrados|fuera de horario)/i,
  /** Nobody can take the call (closed, or every person busy): the caller may leave word instead. */
  nobody: /\b(nobody (is free|can take)|closed|nadie (puede atender|disponible|libre)|estamos cerrados)/i,
  offerMessage: /\b(leave a message\?|dejar un mensaje\?)/i,
  messageTaken: /\b(passed your message|taken your message|le he pasado su mensaje|pas[eé] tu mensaje)/i,
  feedback: /\b(how would you rate this call|c[oó]mo valora esta llamada)/i,
  goodbye:
    /\b(goodbye|good bye|bye|have a (nice|great|good) (day|evening)|adi[oó]s|hasta luego|que tenga (un )?buen)/i,
  spanish: /[áéíóúñ¿¡]|\b(hola|gracias|usted|horario|buenos|buenas)\b/i,
} as const;

type Rule = {
  readonly when: RegExp | ((context: HearingContext) => boolean);
  readonly then: (context: HearingContext) => CallerTurn;
  /** Rules fire once unless told otherwise. */
  readonly repeat?: boolean;
};

/**
 * A caller that reacts to the newest agent lines: the first rule that matches answers; a goodbye ends the call;
 * nothing new to react to means waiting (silence) a couple of times, then hanging up.
 */
const policyCaller = (
  rules: readonly Rule[],
  options: { readonly patience?: number; readonly maxTurns?: number } = {},
): Caller => {
  const fired = new Set<Rule>();
  const failures: string[] = [];
  let quiet = 0;
  let turns = 0;
  const next = (context: HearingContext): CallerTurn => {
    turns += 1;
    if (turns > (options.maxTurns ?? 30)) {
      failures.push(`the conversation went on for ${options.maxTurns ?? 30} turns`);
      return hangUp();
    }
    const recent = context.sinceLastTurn;
    // The call's end: a satisfied caller rates it rather than starting over with its opening line.
    if (recent.some((line) => HEARD.feedback.test(line))) return press('5');
    for (const rule of rules) {
      if (fired.has(rule)) continue;
      const hit =
        typeof rule.when === 'function'
          ? rule.when(context)
          : recent.some((line) => (rule.when as RegExp).test(line));
      if (hit) {
        if (rule.repeat !== true) fired.add(rule);
        quiet = 0;
        return rule.then(context);
      }
    }
    if (recent.some((line) => HEARD.goodbye.test(line))) return hangUp();
    quiet += 1;
    return quiet > (options.patience ?? 2) ? hangUp() : silence();
  };
  return { next, failures };
};

const requireHeard = (heard: readonly string[], pattern: RegExp | undefined, what: string): string[] =>
  pattern === undefined || heard.some((line) => pattern.test(line))
    ? []
    : [`never heard ${what} (${String(pattern)})`];

const first = (context: HearingContext) => context.sinceLastTurn.length > 0;

export const scenario = (name: ScenarioName, content: DemoContent): Scenario => {
  const thanks = (text = "No, that's all. Thank you, goodbye.") => ({
    when: HEARD.anythingElse,
    then: () => say(text),
  });
  switch (name) {
    case 'faq': {
      const question = content.question ?? 'What are your opening hours?';
      return {
        name,
        caller: policyCaller([
          { when: HEARD.greeting, then: () => say(question) },
          { when: HEARD.name, then: () => say(content.callerName) },
          thanks(),
          {
            when: (c) =>
              content.expectedAnswer !== undefined &&
              c.sinceLastTurn.some((l) => content.expectedAnswer?.test(l) ?? false),
            then: () => say('Great, thank you. Goodbye.'),
          },
          // An agent that just listens without a greeting still gets the question.
          { when: first, then: () => say(question) },
        ]),
        check: (heard) => requireHeard(heard, content.expectedAnswer, 'the answer'),
      };
    }
    case 'book':
      return {
        name,
        caller: policyCaller([
          // Asked again when the agent offers another time (the practice closed then): still yes.
          { when: HEARD.confirm, then: () => say('Yes, that is correct.'), repeat: true },
          { when: HEARD.name, then: () => say(content.callerName) },
          { when: HEARD.service, then: () => say(content.service ?? 'a consultation') },
          { when: HEARD.when, then: () => say(content.when ?? 'next Tuesday at 10 am') },
          { when: HEARD.phone, then: () => say(content.phone ?? '555 123 4567') },
          thanks(),
          {
            when: HEARD.greeting,
            then: () => say(`I'd like to book ${content.service ?? 'an appointment'}, please.`),
          },
          {
            when: first,
            then: () => say(`I'd like to book ${content.service ?? 'an appointment'}, please.`),
          },
        ]),
        check: (heard) =>
          requireHeard(
            heard,
            /\b(booked|confirmed|scheduled|reserv|see you|cita)/i,
            'a booking confirmation',
          ),
      };
    case 'angry':
      return {
        name,
        caller: policyCaller(
          [
            // Once the agent hands over, the caller waits for the person.
            { when: HEARD.transfer, then: () => silence(10), repeat: true },
            // Nobody there (closed, or every person busy): the complaint is left as a message instead.
            {
              when: (c) => c.sinceLastTurn.some((l) => HEARD.nobody.test(l) && HEARD.offerMessage.test(l)),
              then: () => say('Yes, please tell them that I was charged twice and I want my money back.'),
            },
            thanks('No. Just make sure someone calls me. Goodbye.'),
            {
              when: HEARD.greeting,
              then: () =>
                say(
                  'This is ridiculous! You charged me twice and nobody helps. I want to talk to a real person, now!',
                ),
            },
            {
              when: first,
              then: () => say('No! Stop it. Get me a human being, a real person, right now!'),
              repeat: true,
            },
          ],
          { patience: 1 },
        ),
        // The goal is a person dealing with the complaint: handed over now, or, when nobody can take the
        // call, the complaint left for the team.
        check: (heard) =>
          heard.some((line) => HEARD.nobody.test(line)) && heard.some((line) => HEARD.messageTaken.test(line))
            ? []
            : requireHeard(heard, HEARD.transfer, 'a hand-over to a person'),
      };
    case 'after-hours': {
      const message =
        content.message ??
        `Hi, this is ${content.callerName}, please call me back tomorrow about my appointment.`;
      return {
        name,
        caller: policyCaller([
          { when: (c) => c.listening === 'record', then: () => say(message) },
          { when: HEARD.message, then: () => say(message) },
          { when: HEARD.name, then: () => say(content.callerName) },
          { when: HEARD.phone, then: () => say(content.phone ?? '555 123 4567') },
          thanks(),
          { when: first, then: () => say(message) },
        ]),
        // The goal is the message left: asked for it (closed, voicemail) or told it was passed on (an open
        // practice's agent takes a message as well).
        check: (heard) =>
          heard.some((line) => HEARD.messageTaken.test(line))
            ? []
            : requireHeard(heard, HEARD.message, 'that the office is closed or to leave a message'),
      };
    }
    case 'ivr-dtmf':
    case 'ivr-voice': {
      const choose = (): CallerTurn =>
        name === 'ivr-dtmf' ? press(content.menuDigit ?? '1') : say(content.menuChoice ?? 'appointments');
      return {
        name,
        caller: policyCaller([
          { when: HEARD.menu, then: choose },
          { when: HEARD.greeting, then: () => say(content.question ?? 'What are your opening hours?') },
          thanks(),
          { when: first, then: choose },
        ]),
        // The menu, then an agent of the chosen department taking the call (open or closed): a menu that
        // leads to a message-only greeting the caller cannot answer is not the goal.
        check: (heard) => {
          const afterMenu = heard.slice(heard.findIndex((line) => HEARD.menu.test(line)) + 1);
          return [
            ...requireHeard(heard, HEARD.menu, 'a menu'),
            ...(heard.some((line) => HEARD.menu.test(line))
              ? requireHeard(afterMenu, HEARD.greeting, 'an agent take the call after the menu')
              : []),
          ];
        },
      };
    }
    case 'spanish': {
      const question =
        content.spanishQuestion ?? 'Hola, ¿hablan español? Quisiera saber su horario, por favor.';
      return {
        name,
        caller: policyCaller([
          {
            when: (c) =>
              c.sinceLastTurn.some((l) =>
                (content.expectedSpanishAnswer ?? /horario|abrimos|abierto|lunes/i).test(l),
              ),
            then: () => say('Muchas gracias. Adiós.', { language: 'es-ES' }),
          },
          {
            when: HEARD.anythingElse,
            then: () => say('No, eso es todo. Gracias, adiós.', { language: 'es-ES' }),
          },
          { when: first, then: () => say(question, { language: 'es-ES' }) },
        ]),
        check: (heard) => [
          ...requireHeard(heard, HEARD.spanish, 'any Spanish'),
          ...requireHeard(heard, content.expectedSpanishAnswer, 'the answer in Spanish'),
        ],
      };
    }
  }
};
