/**
 * A finished benchmark call as the checks see it (what the simulated caller heard and the call's events), and the
 * checks the conversation benchmarks share: facts heard, numbers nobody gave, a booking read back and confirmed.
 */
import { z } from 'zod';
import { decodeEvent, type EventEnvelope } from '@ccp/schemas';
import type { CallResult } from '@ccp/media-gateway/simulator';
import type { GatewayPlatform } from '../../support/gateway.js';

export interface CallRecord {
  readonly result: CallResult;
  readonly events: readonly EventEnvelope[];
  /** The AppointmentScheduled start times of the appointments booked on the call (ISO). */
  readonly bookedAt: readonly string[];
  /** The same appointments with what was booked. */
  readonly bookings?: readonly Booking[];
  /** Numbers a reply may say: those of the knowledge base and of the caller's own lines. */
  readonly knownNumbers: ReadonlySet<string>;
  readonly timeZone: string;
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
const AppointmentData = z.object({
  startsAt: z.string(),
  service: z.string(),
  placement: z.object({ serviceIds: z.array(z.string()) }).optional(),
});

/** An appointment booked on the call. */
export interface Booking {
  readonly startsAt: string;
  /** The service as the booking named it. */
  readonly service: string;
  /** The tenant's services it covers, when the tenant keeps calendars. */
  readonly serviceIds: readonly string[];
}
const BookingResult = z.object({ appointmentId: z.string() });
const ArticleData = z.object({ body: z.string() });

export const dataOf = <T>(events: readonly EventEnvelope[], type: string, schema: z.ZodType<T>): T[] =>
  events.flatMap((e) => {
    if (e.type !== type) return [];
    const parsed = schema.safeParse(e.data);
    return parsed.success ? [parsed.data] : [];
  });
export const repliesOf = (events: readonly EventEnvelope[]) => dataOf(events, 'AiReplied', ReplyData);
export const toolsOf = (events: readonly EventEnvelope[]) => dataOf(events, 'ToolInvoked', ToolData);
export const messagesOf = (events: readonly EventEnvelope[]) => dataOf(events, 'MessageTaken', MessageData);

/** Errors of the call itself (an HTTP error, a webhook that timed out) and what the simulator saw go wrong. */
export const callFailures = (call: CallRecord): string[] => [
  ...call.result.errors.map((e) => `${e.kind}: ${e.message}`),
  ...call.result.failures,
];

/** Agent lines after the caller first said `line` (what answered it). */
export const heardAfter = (result: CallResult, line: string): string[] => {
  const at = result.transcript.findIndex((l) => l.speaker === 'caller' && l.text === line);
  return at < 0
    ? []
    : result.transcript.slice(at + 1).flatMap((l) => (l.speaker === 'agent' ? [l.text] : []));
};

/** The numbers of a text, "8:00" read as "8" and "$1,350.00" as "1350". */
export const numbersIn = (text: string): string[] =>
  (text.match(/\d+(?:[.,:]\d+)*/g) ?? []).map((n) => n.replace(/[.,:]0+$/, '').replace(/,/g, ''));

/** Numbers said by the agent that neither the knowledge base nor the caller gave. */
export const inventedNumbers = (call: CallRecord): string[] => {
  const callers = call.result.transcript.flatMap((l) => (l.speaker === 'caller' ? numbersIn(l.text) : []));
  return call.result.heard
    .flatMap(numbersIn)
    .filter((n) => !call.knownNumbers.has(n) && !callers.includes(n));
};

/** "Tuesday 15": the weekday and hour of an instant in a zone. */
export const localSlot = (iso: string, timeZone: string): string => {
  const part = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-US', { timeZone, ...options }).format(new Date(iso));
  return `${part({ weekday: 'long' })} ${part({ hour: '2-digit', hourCycle: 'h23' })}`;
};

const SPANISH_WEEKDAYS: Record<string, string> = {
  Monday: 'lunes',
  Tuesday: 'martes',
  Wednesday: 'mi[ée]rcoles',
  Thursday: 'jueves',
  Friday: 'viernes',
  Saturday: 's[áa]bado',
  Sunday: 'domingo',
};

/**
 * Booked once, at the slot the caller chose (weekday and hour in the business's zone), after the caller's yes to a
 * read-back naming the day (in English or Spanish).
 */
export const bookedAt =
  (weekday: string, hour: number) =>
  (call: CallRecord): string[] => {
    const slots = call.bookedAt.map((iso) => localSlot(iso, call.timeZone));
    const wanted = `${weekday} ${String(hour).padStart(2, '0')}`;
    if (slots.length !== 1 || slots[0] !== wanted)
      return [`booked ${JSON.stringify(slots)}, wanted one at ${wanted}`];
    const day = new RegExp(`${weekday}|${SPANISH_WEEKDAYS[weekday] ?? weekday}|tomorrow|ma[ñn]ana`, 'i');
    const order = call.events.flatMap((e) => {
      const tool = e.type === 'ToolInvoked' ? ToolData.safeParse(e.data) : undefined;
      if (tool?.success === true && tool.data.name === 'book_appointment' && tool.data.status === 'succeeded')
        return ['book'];
      const said = e.type === 'UtteranceRecorded' ? UtteranceData.safeParse(e.data) : undefined;
      if (
        said?.success === true &&
        said.data.speaker === 'caller' &&
        /^(yes|s[ií])(?!\p{L})/iu.test(said.data.text)
      )
        return ['yes'];
      const reply = e.type === 'AiReplied' ? ReplyData.safeParse(e.data) : undefined;
      if (reply?.success === true && day.test(reply.data.text)) return ['read-back'];
      return [];
    });
    const book = order.indexOf('book');
    const yes = order.lastIndexOf('yes', book);
    return yes >= 0 && order.lastIndexOf('read-back', yes) >= 0
      ? []
      : [`not read back and confirmed: ${order.join(',')}`];
  };

/** Numbers a tenant's published articles give, with afternoon hours also as said on a 12-hour clock ("18:00" → "6"). */
export const knowledgeNumbers = async (env: GatewayPlatform, tenantId: string): Promise<Set<string>> => {
  const all = await env.test.platform.store.readAll({ maxCount: 1_000_000 });
  const numbers = new Set<string>();
  for (const recorded of all) {
    if (recorded.type !== 'ArticleCreated' || !recorded.streamId.startsWith(`article-${tenantId}.`)) continue;
    const decoded = decodeEvent(recorded);
    const article = decoded.ok ? ArticleData.safeParse(decoded.value.data) : undefined;
    if (article?.success !== true) continue;
    for (const n of numbersIn(article.data.body)) {
      numbers.add(n);
      const hour = Number(n);
      if (Number.isInteger(hour) && hour > 12 && hour < 24) numbers.add(String(hour - 12));
    }
  }
  return numbers;
};

/** Each appointment the call booked, as the appointment's own stream has it. */
export const bookedOn = async (
  env: GatewayPlatform,
  tenantId: string,
  events: readonly EventEnvelope[],
): Promise<Booking[]> => {
  const bookings: Booking[] = [];
  for (const event of events) {
    if (event.type !== 'ToolInvoked') continue;
    const tool = z
      .object({ name: z.literal('book_appointment'), status: z.literal('succeeded'), result: BookingResult })
      .safeParse(event.data);
    if (!tool.success) continue;
    const stream = await env.test.platform.store.readStream(
      `appointment-${tenantId}.${tool.data.result.appointmentId}`,
    );
    const first = stream[0] && decodeEvent(stream[0]);
    const data = first?.ok === true ? AppointmentData.safeParse(first.value.data) : undefined;
    if (first?.ok === true && first.value.type === 'AppointmentScheduled' && data?.success === true)
      bookings.push({
        startsAt: data.data.startsAt,
        service: data.data.service,
        serviceIds: data.data.placement?.serviceIds ?? [],
      });
  }
  return bookings;
};
