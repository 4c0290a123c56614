/**
 * The conversation benchmark's data: businesses that are not the demo clinic, each set up as a new tenant through
 * the command API, and callers written from the caller's side with what their call must achieve. The scenarios are
 * written before the engine is changed and never read by it: nothing here may be special-cased in product code.
 */

export const KINDS = ['plumbing', 'salon', 'clinic', 'car-repair', 'e-commerce', 'utility'] as const;
export type Kind = (typeof KINDS)[number];

export const CATEGORIES = [
  /** A question in the knowledge base's own words. */
  'knowledge',
  /** A question whose words differ from the article's (synonyms, a need rather than a question). */
  'paraphrase',
  /** The answer is a fact the knowledge base states in the negative ("we do not service gas boilers"). */
  'negation',
  /** An appointment booked over several turns: the agent asks for what is missing, reads it back, books it. */
  'booking',
  /** A booking where the caller corrects the day or the time at the read-back ("no, Friday"). */
  'correction',
  /** Pleasantries first, then a knowledge question. */
  'small talk',
  /** Something the business does not know or do: no invented facts, no booking, an honest answer. */
  'off-topic',
  /** The caller wants a human. */
  'person',
  /** The caller leaves a message. */
  'message',
  /** The caller asks to be called back. */
  'callback',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type Language = 'en' | 'es';
export type Weekday = 'Monday' | 'Tuesday' | 'Wednesday' | 'Thursday' | 'Friday' | 'Saturday' | 'Sunday';
export type Day = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface Article {
  /** Unique within the business (lower-case, dashes). */
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly tags: readonly string[];
  readonly language: Language;
}

export interface Service {
  /** Unique within the business (lower-case, dashes). */
  readonly id: string;
  /** As a customer would name it ("Boiler service"). */
  readonly name: string;
  readonly durationMinutes: number;
  /** In the business's currency, major units. */
  readonly price?: number;
}

export interface Business {
  /** The tenant id: `bench-<kind>`. */
  readonly id: string;
  readonly kind: Kind;
  readonly name: string;
  /** An IANA zone; the benchmark's "now" is a Monday at 11:00 there. */
  readonly timeZone: string;
  /** Opening hours: the agent books only inside them. */
  readonly hours: readonly { readonly day: Day; readonly open: string; readonly close: string }[];
  /** The number callers dial (E.164, +1555… range, unique across businesses). */
  readonly number: string;
  readonly agent: {
    readonly name: string;
    readonly tone: 'friendly' | 'professional' | 'calm' | 'enthusiastic';
    /** What the agent says first (English). */
    readonly greeting: string;
    /** The tenant admin's instructions, as a business owner would write them. */
    readonly systemPrompt: string;
  };
  /** English articles for every topic; Spanish ones for some of them only (cross-language callers). */
  readonly articles: readonly Article[];
  /** What can be booked; empty for a business that takes no appointments. */
  readonly services: readonly Service[];
  /** ISO 4217; USD when absent. */
  readonly currency?: string;
}

/** What the call must achieve: checked on the call's events and on what the caller heard. */
export type Expectation =
  /** An agent line after the caller's last planned line matches `heard` (the fact: a number, a name, a yes/no). */
  | { readonly kind: 'answer'; readonly heard: RegExp }
  /**
   * The business does not know or do this: the caller gets an answer, hears no number that neither the knowledge
   * base nor the caller gave, and nothing is booked.
   */
  | { readonly kind: 'no-invention' }
  /** Exactly one appointment, at this weekday and hour (24 h, the business's zone), booked after a read-back and a yes. */
  | { readonly kind: 'booking'; readonly weekday: Weekday; readonly hour: number; readonly service: string }
  /** A message is taken whose text matches `about`. */
  | { readonly kind: 'message'; readonly about: RegExp }
  /** A callback is scheduled. */
  | { readonly kind: 'callback' }
  /** The call is escalated to a person. */
  | { readonly kind: 'person' };

export interface Scenario {
  /** Unique: `<kind>/<language>/<slug>`. */
  readonly id: string;
  /** Business.id of the tenant called. */
  readonly business: string;
  readonly language: Language;
  readonly category: Category;
  /** What the caller says in order: the first after the greeting, each next one once the agent has answered. */
  readonly lines: readonly string[];
  /** How the caller answers the agent's questions when asked (each at most twice). */
  readonly answers?: {
    readonly name?: string;
    /** The service, in the caller's words. */
    readonly service?: string;
    /** The day and time, in the caller's words ("Thursday at 2 pm"). */
    readonly when?: string;
    readonly message?: string;
  };
  /**
   * The caller's answer to a read-back that does not yet match `until` ("No, Friday."), given until one does; a
   * read-back that matches gets a yes. Without it every read-back gets a yes.
   */
  readonly correction?: { readonly say: string; readonly until: RegExp };
  readonly expect: Expectation;
}

/** Monday to Friday, each open the same hours. */
export const weekdays = (open: string, close: string): Business['hours'] =>
  (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, open, close }));

/** A negative statement about a topic: one of the negation words before or after it, within one sentence. */
export const negatedPattern = (negation: string, topic: string): RegExp =>
  new RegExp(`${negation}[^.]*${topic}|${topic}[^.]*${negation}`, 'i');
