/**
 * The conversation benchmark's callers: people with a goal (a fact, a booking, a message, a person), written from
 * the caller's side so that any engine's wording works, and each with a check of the call's events and what the
 * caller heard. Used by tests/bench/llm-conversation.ts.
 */
import {
  bookedAt,
  callFailures,
  heardAfter,
  inventedNumbers,
  messagesOf,
  repliesOf,
  type CallRecord,
} from './conversation/call-record.js';
import { planned } from './conversation/caller.js';
import { HEARD, type Caller } from '@ccp/media-gateway/simulator';

export { numbersIn, repliesOf, type CallRecord } from './conversation/call-record.js';

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

export interface BenchScenario {
  readonly name: string;
  readonly category: Category;
  readonly caller: () => Caller;
  /** What went wrong (empty: the caller's goal was reached). */
  readonly check: (call: CallRecord) => string[];
}

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

const booking = (name: string, service: string, when: string, weekday: string, hour: number) => ({
  name,
  category: 'booking' as const,
  caller: () => planned({ lines: [`I'd like to book ${service}, please.`], service, when }),
  check: (call: CallRecord) => [...callFailures(call), ...bookedAt(weekday, hour)(call)],
});

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
    ...(messagesOf(call.events).some((m) => must.test(m.message)) ? [] : [`no message with ${String(must)}`]),
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
