/**
 * The conversation benchmark's callers: people with a goal (a fact, a booking, a message, a person), written from
 * the caller's side so that any engine's wording works, and each with a check of the call's events and what the
 * caller heard. Used by tests/bench/llm-conversation.ts.
 */
import { z } from 'zod';
import type { EventEnvelope } from '@ccp/schemas';
import {
  HEARD,
  hangUp,
  press,
  reactive,
  say,
  silence,
  type Caller,
  type CallerTurn,
  type CallResult,
  type HearingContext,
} from '@ccp/media-gateway/simulator';

export const CATEGORIES = [
  'knowledge',
  'booking',
  'correction',
  'message',
  'person',
  'small talk',
  'off-topic',
  'spanish',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** A finished call as the checks see it: what the simulator saw, the call's events, the appointments it made. */
export interface CallRecord {
  readonly result: CallResult;
  readonly events: readonly EventEnvelope[];
  /** The AppointmentScheduled start times of the appointments booked on the call (ISO). */
  readonly bookedAt: readonly string[];
  /** Numbers a reply may say: those of the knowledge base and of the caller's own lines. */
  readonly knownNumbers: ReadonlySet<string>;
  readonly timeZone: string;
}

export interface BenchScenario {
  readonly name: string;
  readonly category: Category;
  readonly caller: () => Caller;
  /** What went wrong (empty: the caller's goal was reached). */
  readonly check: (call: CallRecord) => string[];
}

// Runtime shapes of the event fields the checks read: the log is data entering the benchmark.
const ToolData = z.object({ name: z.string(), status: z.string(), result: z.unknown() });
const ReplyData = z.object({
  text: z.string(),
  language: z.string(),
  model: z.string(),
  promptTokens: z.number(),
  completionTokens: z.number(),
});
const UtteranceData = z.object({ speaker: z.string(), text: z.string() });
const MessageData = z.object({ message: z.string() });

const dataOf = <T>(events: readonly EventEnvelope[], type: string, schema: z.ZodType<T>): T[] =>
  events.flatMap((e) => {
    if (e.type !== type) return [];
    const parsed = schema.safeParse(e.data);
    return parsed.success ? [parsed.data] : [];
  });
export const repliesOf = (events: readonly EventEnvelope[]) => dataOf(events, 'AiReplied', ReplyData);
export const toolsOf = (events: readonly EventEnvelope[]) => dataOf(events, 'ToolInvoked', ToolData);

/** Lines an agent says while it works on the answer: not an answer to react to. */
const FILLER =
  /^(one moment|just a moment|let me check|let me look|un momento|d[ée]jame|d[ée]jeme|perm[ií]tame)\b[^.?!]*[.?!]?$/i;
const MESSAGE_ASKED =
  /\b(what (is the |would you like (the|your) )?message|your message|message (would you like|should i)|qu[eé] mensaje|su mensaje)\b/i;

interface Plan {
  /** What the caller says, in order, one line each time the agent has answered. */
  readonly lines: readonly string[];
  /** Heard: the goal is reached and the caller says goodbye. */
  readonly done?: RegExp;
  readonly name?: string;
  readonly service?: string;
  readonly when?: string;
  readonly message?: string;
  /** The answer to a read-back ("Shall I book it?"); default: yes. */
  readonly confirm?: (readBack: string) => string;
  readonly language?: string;
}

const PHONE = '555 123 4567';

/**
 * A caller that follows its plan through whatever the agent says: answers the questions it is asked (name, service,
 * day, phone, message, a read-back), waits on hold when handed over, says its next line when the agent has
 * answered, and says goodbye once its goal was heard.
 */
const planned = (plan: Plan): Caller => {
  const lines = [...plan.lines];
  const sayAs = (text: string): CallerTurn =>
    say(text, plan.language !== undefined ? { language: plan.language } : {});
  const answered = new Map<string, number>();
  /** Each question is answered at most twice: an agent asking a third time is not getting anywhere. */
  const answer = (key: string, text: string | undefined): CallerTurn | undefined => {
    if (text === undefined || (answered.get(key) ?? 0) >= 2) return undefined;
    answered.set(key, (answered.get(key) ?? 0) + 1);
    return sayAs(text);
  };
  let goodbyeSaid = false;
  let quiet = 0;
  const bye = (): CallerTurn => {
    goodbyeSaid = true;
    return sayAs(plan.language === 'es' ? 'Muchas gracias. Adiós.' : "That's all, thank you. Goodbye.");
  };
  const react = (_heard: readonly string[], context: HearingContext): CallerTurn => {
    const recent = context.sinceLastTurn.filter((line) => line.trim() !== '' && !FILLER.test(line.trim()));
    const any = (pattern: RegExp) => recent.some((line) => pattern.test(line));
    if (any(HEARD.feedback)) return press('5');
    if (recent.length === 0) {
      quiet += 1;
      return quiet > 3 ? hangUp() : silence();
    }
    quiet = 0;
    if (goodbyeSaid) return hangUp();
    if (plan.done !== undefined && any(plan.done)) return bye();
    const text = recent.join(' ');
    const turn =
      (HEARD.confirm.test(text)
        ? answer('confirm', plan.confirm?.(text) ?? 'Yes, that is correct.')
        : undefined) ??
      (MESSAGE_ASKED.test(text) ? answer('message', plan.message) : undefined) ??
      (HEARD.name.test(text) ? answer('name', plan.name ?? 'Ana Lopez') : undefined) ??
      (HEARD.service.test(text) ? answer('service', plan.service) : undefined) ??
      (HEARD.when.test(text) ? answer('when', plan.when) : undefined) ??
      (HEARD.phone.test(text) ? answer('phone', PHONE) : undefined) ??
      (HEARD.offerMessage.test(text) ? answer('offer', plan.message && 'Yes, please.') : undefined);
    if (turn !== undefined) return turn;
    if (HEARD.transfer.test(text) && !HEARD.anythingElse.test(text)) return silence(10);
    const line = lines.shift();
    if (line !== undefined) return sayAs(line);
    if (HEARD.goodbye.test(text)) return hangUp();
    return bye();
  };
  return reactive(react, { maxTurns: 16 });
};

/** Agent lines after the caller first said `line` (what answered it). */
const heardAfter = (result: CallResult, line: string): string[] => {
  const at = result.transcript.findIndex((l) => l.speaker === 'caller' && l.text === line);
  return at < 0
    ? []
    : result.transcript.slice(at + 1).flatMap((l) => (l.speaker === 'agent' ? [l.text] : []));
};
const callFailures = (call: CallRecord): string[] => [
  ...call.result.errors.map((e) => `${e.kind}: ${e.message}`),
  ...call.result.failures,
];

/** "Tuesday 15": the weekday and hour of an instant in the clinic's zone. */
const localSlot = (iso: string, timeZone: string) => {
  const part = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-US', { timeZone, ...options }).format(new Date(iso));
  return `${part({ weekday: 'long' })} ${part({ hour: '2-digit', hourCycle: 'h23' })}`;
};

/** The caller's goal heard in an answer to `question`. */
const knowledge = (name: string, question: string, fact: RegExp, category: Category = 'knowledge') => ({
  name,
  category,
  caller: () => planned({ lines: [question], done: fact }),
  check: (call: CallRecord) => [
    ...callFailures(call),
    ...(heardAfter(call.result, question).some((l) => fact.test(l))
      ? []
      : [`no answer with ${String(fact)}`]),
  ],
});

/** Booked once, at the slot the caller chose (weekday and hour in the clinic's zone), after it was read back. */
const bookedAt =
  (weekday: string, hour: number) =>
  (call: CallRecord): string[] => {
    const slots = call.bookedAt.map((iso) => localSlot(iso, call.timeZone));
    const wanted = `${weekday} ${String(hour).padStart(2, '0')}`;
    if (slots.length !== 1 || slots[0] !== wanted)
      return [`booked ${JSON.stringify(slots)}, wanted one at ${wanted}`];
    // The booking came after the caller's yes to a read-back naming the day.
    const order = call.events.flatMap((e) => {
      const tool = e.type === 'ToolInvoked' ? ToolData.safeParse(e.data) : undefined;
      if (tool?.success === true && tool.data.name === 'book_appointment' && tool.data.status === 'succeeded')
        return ['book'];
      const said = e.type === 'UtteranceRecorded' ? UtteranceData.safeParse(e.data) : undefined;
      if (said?.success === true && said.data.speaker === 'caller' && /^(yes|sí)\b/i.test(said.data.text))
        return ['yes'];
      const reply = e.type === 'AiReplied' ? ReplyData.safeParse(e.data) : undefined;
      if (reply?.success === true && new RegExp(`${weekday}|tomorrow`, 'i').test(reply.data.text))
        return ['read-back'];
      return [];
    });
    const book = order.indexOf('book');
    const yes = order.lastIndexOf('yes', book);
    return yes >= 0 && order.lastIndexOf('read-back', yes) >= 0
      ? []
      : [`not read back and confirmed: ${order.join(',')}`];
  };

const booking = (name: string, service: string, when: string, weekday: string, hour: number) => ({
  name,
  category: 'booking' as const,
  caller: () => planned({ lines: [`I'd like to book ${service}, please.`], service, when }),
  check: (call: CallRecord) => [...callFailures(call), ...bookedAt(weekday, hour)(call)],
});

/** Numbers said by the agent that neither the knowledge base nor the caller gave. */
const inventedNumbers = (call: CallRecord): string[] => {
  const callers = call.result.transcript.flatMap((l) => (l.speaker === 'caller' ? numbersIn(l.text) : []));
  return call.result.heard
    .flatMap(numbersIn)
    .filter((n) => !call.knownNumbers.has(n) && !callers.includes(n));
};
/** The numbers of a text, "8:00" read as "8" and "$1,350.00" as "1350". */
export const numbersIn = (text: string): string[] =>
  (text.match(/\d+(?:[.,:]\d+)*/g) ?? []).map((n) => n.replace(/[.,:]0+$/, '').replace(/,/g, ''));

const offTopic = (name: string, question: string) => ({
  name,
  category: 'off-topic' as const,
  caller: () => planned({ lines: [question] }),
  check: (call: CallRecord) => {
    const invented = inventedNumbers(call);
    return [
      ...callFailures(call),
      ...(heardAfter(call.result, question).length === 0 ? ['no answer'] : []),
      ...(invented.length > 0 ? [`numbers not in the knowledge: ${invented.join(', ')}`] : []),
      ...(call.bookedAt.length > 0 ? ['booked something'] : []),
    ];
  },
});

const spanish = (name: string, question: string, fact: RegExp) => ({
  name,
  category: 'spanish' as const,
  caller: () => planned({ lines: [question], done: fact, language: 'es' }),
  check: (call: CallRecord) => {
    const answers = repliesOf(call.events).filter((r) => fact.test(r.text));
    return [
      ...callFailures(call),
      ...(answers.some((r) => r.language === 'es' && HEARD.spanish.test(r.text))
        ? []
        : [
            `no Spanish answer with ${String(fact)}: ${JSON.stringify(repliesOf(call.events).map((r) => r.text))}`,
          ]),
    ];
  },
});

const message = (name: string, lines: readonly string[], text: string, must: RegExp) => ({
  name,
  category: 'message' as const,
  caller: () => planned({ lines, message: text }),
  check: (call: CallRecord) => [
    ...callFailures(call),
    ...(dataOf(call.events, 'MessageTaken', MessageData).some((m) => must.test(m.message))
      ? []
      : [`no message with ${String(must)}`]),
  ],
});

const person = (name: string, line: string) => ({
  name,
  category: 'person' as const,
  caller: () => planned({ lines: [line], message: 'Please ask someone to call me back about my bill.' }),
  check: (call: CallRecord) => [
    ...callFailures(call),
    ...(call.events.some((e) => e.type === 'EscalationRequested') ? [] : ['no escalation requested']),
  ],
});

const smallTalk = (name: string, opening: string, question: string, fact: RegExp) => ({
  ...knowledge(name, question, fact, 'small talk'),
  caller: () => planned({ lines: [opening, question], done: fact }),
});

/**
 * The calls, in the order they are placed. Bookings are on different slots (one platform takes them all); "today"
 * is a Monday at 11:00 in New York.
 */
export const SCENARIOS: readonly BenchScenario[] = [
  knowledge('insurance', 'Do you accept Cigna insurance?', /Cigna/i),
  knowledge('saturday hours', 'What are your opening hours on Saturday?', /\b9\b.*\b(1|13)\b/),
  knowledge('whitening price', 'How much does teeth whitening cost?', /\b350\b|\b220\b/),
  knowledge('late cancellation', 'Is there a fee if I cancel an appointment late?', /\b40\b/),
  booking('cleaning tomorrow', 'a cleaning', 'Tomorrow at 3 pm.', 'Tuesday', 15),
  booking('check-up Wednesday', 'a check-up', 'Wednesday at 10 am.', 'Wednesday', 10),
  booking('whitening Thursday', 'teeth whitening', 'Thursday at 2 pm.', 'Thursday', 14),
  {
    name: 'no, Friday',
    category: 'correction',
    caller: () => {
      let corrected = false;
      return planned({
        lines: ["I'd like to book a cleaning, please."],
        service: 'a cleaning',
        when: 'Thursday at 11 am.',
        confirm: (readBack) => {
          if (corrected && /friday/i.test(readBack)) return 'Yes, that is correct.';
          corrected = true;
          return 'No, Friday.';
        },
      });
    },
    check: (call) => [...callFailures(call), ...bookedAt('Friday', 11)(call)],
  },
  {
    name: 'no, 4 pm',
    category: 'correction',
    caller: () => {
      let corrected = false;
      return planned({
        lines: ["I'd like to book a check-up, please."],
        service: 'a check-up',
        when: 'Friday at 9 am.',
        confirm: (readBack) => {
          if (corrected && /\b4(:00)?\s*(pm|p\.m\.)|16:00/i.test(readBack)) return 'Yes, that is correct.';
          corrected = true;
          return 'No, at 4 pm.';
        },
      });
    },
    check: (call) => [...callFailures(call), ...bookedAt('Friday', 16)(call)],
  },
  message(
    'message for the dentist',
    ["I'd like to leave a message for Dr. Patel, please."],
    'Please tell her my crown came loose and I need a call back today.',
    /crown/i,
  ),
  message(
    'message for billing',
    ['Can you take a message for the billing team? Tell them I was charged twice for my cleaning last week.'],
    'I was charged twice for my cleaning last week, please refund one of them.',
    /charged twice/i,
  ),
  person('a real person', 'Can I speak to a real person, please?'),
  person('the receptionist', 'I would rather talk to a human being at the front desk.'),
  smallTalk(
    'small talk, insurance',
    'Hi there! How are you doing today?',
    'Do you accept Aetna insurance?',
    /Aetna/i,
  ),
  smallTalk(
    'small talk, address',
    "Good morning! It's a lovely day, isn't it?",
    'Where is the clinic?',
    /Harbour/i,
  ),
  offTopic('pizza', 'Can you recommend a good pizza place near the clinic?'),
  offTopic('horses', 'Do you do dental implants for horses? How much would that cost?'),
  spanish('seguro', '¿Aceptan el seguro Delta Dental?', /Delta Dental/i),
  spanish('horario', '¿Cuál es su horario los sábados?', /\b9\b.*\b(1|13)\b/),
];

/** Media Streams calls (first audio after the caller's end of speech): a question, a booking, Spanish. */
export const STREAM_SCENARIOS: readonly BenchScenario[] = [
  knowledge('stream: insurance', 'Do you accept MetLife insurance?', /MetLife/i),
  knowledge('stream: parking', 'Is there parking at the clinic?', /park/i),
  booking('stream: cleaning Wednesday', 'a cleaning', 'Wednesday at 4 pm.', 'Wednesday', 16),
  spanish('stream: seguro', '¿Aceptan el seguro Cigna?', /Cigna/i),
];
