import * as chrono from 'chrono-node';
import { offsetMinutes, sameLocalDay, wallClockAt, wallClockToInstant } from '@ccp/schemas';

export interface SlotContext {
  /** The caller's language now; the other parser is still tried (times like "3pm" cross languages). */
  readonly language: string;
  readonly now: Date;
  /** The tenant's IANA zone, in which the caller's "tomorrow at 3" is meant. */
  readonly timeZone: string;
}

export interface CalendarDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export interface ClockTime {
  readonly hour: number;
  readonly minute: number;
}

/**
 * One mention of a date and/or a time, as wall-clock fields in the tenant's zone. Kept apart so that "tomorrow"
 * in one turn and "at 3" in the next make one appointment time.
 */
export interface WhenMention {
  readonly date?: CalendarDay;
  /** Only a weekday was said ("on Tuesday"): the day is the next one, and a past time moves a week on. */
  readonly weekdayOnly?: boolean;
  readonly time?: ClockTime;
  /** The caller named a zone or a duration ("3pm Pacific", "in two hours"): the instant is exact. */
  readonly instant?: Date;
  /** Where in the line it was said, and the words before it ("to", "para"), to tell old from new times. */
  readonly index: number;
  readonly before: string;
}

const primary = (language: string): string => language.split('-')[0]?.toLowerCase() ?? 'en';

const EN_HOURS = 'one two three four five six seven eight nine ten eleven twelve'.split(' ');
const ES_HOURS = 'una dos tres cuatro cinco seis siete ocho nueve diez once doce'.split(' ');
const MINUTE_WORDS: Readonly<Record<string, string>> = {
  thirty: '30',
  'and a half': '30',
  fifteen: '15',
  'forty-five': '45',
  'forty five': '45',
  'y media': '30',
  'y cuarto': '15',
  'y treinta': '30',
  'y quince': '15',
};
const MINUTES = Object.keys(MINUTE_WORDS).join('|');

/** An hour in words after a time word: "at two thirty", "a las dos y media" (each language's own words). */
const hourWordsAfter = (leads: string, hours: readonly string[]): RegExp =>
  new RegExp(`\\b(${leads})\\s+(${hours.join('|')})\\b(?:\\s+(${MINUTES})\\b)?(?:\\s+o['’]clock\\b)?`, 'gi');
const HOUR_IN_WORDS: readonly [RegExp, readonly string[]][] = [
  [hourWordsAfter('at|around|about|after|before|by|from|until', EN_HOURS), EN_HOURS],
  [
    hourWordsAfter('a las|a la|sobre las|despu[eé]s de las|hacia las|desde las|antes de las', ES_HOURS),
    ES_HOURS,
  ],
];

/** Hours said in words as digits (chrono reads neither "at two" nor "a las dos"); only after a time word. */
const normaliseHourWords = (text: string): string =>
  HOUR_IN_WORDS.reduce(
    (t, [re, hours]) =>
      t.replace(re, (_all, lead: string, hour: string, minutes?: string) => {
        const h = hours.indexOf(hour.toLowerCase()) + 1;
        const m = minutes !== undefined ? MINUTE_WORDS[minutes.toLowerCase()] : undefined;
        return `${lead.toLowerCase() === 'a la' ? 'a las' : lead} ${h}${m !== undefined ? `:${m}` : ''}`;
      }),
    text,
  );

/** chrono's Spanish parser knows "3pm" but not "3 de la tarde" nor "pasado mañana". */
const normaliseSpanish = (text: string): string =>
  normaliseHourWords(text)
    .replace(/pasado\s+mañana/gi, 'en 2 días')
    .replace(/\bmediod[ií]a\b/gi, '12pm')
    .replace(/(\d{1,2}(?::\d{2})?)\s*(?:de\s+la\s+)(tarde|noche)\b/gi, '$1pm')
    .replace(/(\d{1,2}(?::\d{2})?)\s*(?:de\s+la\s+)(mañana|madrugada)\b/gi, '$1am');

const parsersFor = (language: string): chrono.Chrono[] =>
  primary(language) === 'es' ? [chrono.es.casual, chrono.en.casual] : [chrono.en.casual, chrono.es.casual];

/**
 * A time said without am/pm is a business hour: "at 3" is 15:00, "at 9" is 09:00 (nobody books at 3 a.m.).
 */
const businessHour = (hour: number, meridiemKnown: boolean): number =>
  !meridiemKnown && hour >= 1 && hour <= 7 ? hour + 12 : hour;

const mentionOf = (
  c: chrono.ParsedComponents,
  date: () => Date,
  index: number,
  before: string,
): WhenMention | undefined => {
  // Lone words chrono reads as times of day ("tarde" = afternoon) say nothing about when.
  if (!c.isCertain('day') && !c.isCertain('weekday') && !c.isCertain('hour')) return undefined;
  if (c.isCertain('timezoneOffset')) return { instant: date(), index, before };
  const year = c.get('year');
  const month = c.get('month');
  const day = c.get('day');
  const hour = c.get('hour');
  const hasDay = c.isCertain('day') || c.isCertain('weekday');
  return {
    ...(hasDay &&
      year !== null &&
      month !== null &&
      day !== null && { date: { year, month, day }, weekdayOnly: !c.isCertain('day') }),
    ...(c.isCertain('hour') &&
      hour !== null && {
        time: { hour: businessHour(hour, c.isCertain('meridiem')), minute: c.get('minute') ?? 0 },
      }),
    index,
    before,
  };
};

/** "11", "4:30", "at 10" alone: an answer to "what time?" that chrono does not take for a time. */
const BARE_TIME =
  /(?:^|\s)(?:at\s+|a\s+las?\s+|about\s+|around\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?=[\s?.!,]|$)/i;

const bareTime = (text: string): WhenMention | undefined => {
  const m = BARE_TIME.exec(text);
  if (!m?.[1]) return undefined;
  let hour = Number(m[1]);
  const minute = m[2] !== undefined ? Number(m[2]) : 0;
  const meridiem = m[3]?.toLowerCase().replace(/\./g, '');
  if (hour > 23 || minute > 59) return undefined;
  if (meridiem === 'pm' && hour < 12) hour += 12;
  if (meridiem === 'am' && hour === 12) hour = 0;
  return {
    time: { hour: meridiem ? hour : businessHour(hour, hour > 12), minute },
    index: m.index,
    before: text.slice(Math.max(0, m.index - 12), m.index).toLowerCase(),
  };
};

/** Every date or time the line mentions, in order. */
export const extractWhen = (text: string, ctx: SlotContext, expectingTime = false): WhenMention[] => {
  const reference = { instant: ctx.now, timezone: offsetMinutes(ctx.timeZone, ctx.now) };
  // Harmless on English lines: the Spanish phrases it rewrites do not occur in them.
  const normalised = normaliseSpanish(text);
  for (const parser of parsersFor(ctx.language)) {
    const results = parser.parse(normalised, reference, { forwardDate: true });
    const mentions = results.flatMap((r): WhenMention[] => {
      const before = normalised.slice(Math.max(0, r.index - 12), r.index).toLowerCase();
      const start = mentionOf(r.start, () => r.date(), r.index, before);
      // chrono reads "on Tuesday to Friday at 10" as one range; for a caller those are two times, old and new.
      const rangeEnd = r.end;
      const end = rangeEnd
        ? mentionOf(rangeEnd, () => rangeEnd.date(), r.index + r.text.length, 'to ')
        : undefined;
      return [...(start ? [start] : []), ...(end ? [end] : [])];
    });
    if (mentions.length > 0) return mentions;
  }
  const bare = expectingTime ? bareTime(text) : undefined;
  return bare ? [bare] : [];
};

/** A later mention fills in what an earlier one left open: "tomorrow" then "at 3". */
export const mergeWhen = (earlier: WhenMention | undefined, later: WhenMention): WhenMention => {
  if (!earlier || later.instant || (later.date && later.time)) return later;
  return {
    ...earlier,
    ...later,
    date: later.date ?? earlier.date,
    weekdayOnly: later.date ? later.weekdayOnly : earlier.weekdayOnly,
    time: later.time ?? earlier.time,
  } as WhenMention;
};

const addDays = (date: CalendarDay, days: number): CalendarDay => {
  const t = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
};

/**
 * The instant meant, once both a day and a time are known (a time alone means today, or tomorrow when today's
 * has passed). Undefined while the day or the time is missing.
 */
export const resolveWhen = (when: WhenMention | undefined, ctx: SlotContext): Date | undefined => {
  if (!when) return undefined;
  if (when.instant) return when.instant;
  if (!when.time) return undefined;
  const today = wallClockAt(ctx.now, ctx.timeZone);
  let date = when.date ?? { year: today.year, month: today.month, day: today.day };
  const at = (d: CalendarDay): Date => wallClockToInstant({ ...d, ...when.time! }, ctx.timeZone);
  if (at(date) <= ctx.now) {
    if (!when.date) date = addDays(date, 1);
    else if (when.weekdayOnly) date = addDays(date, 7);
  }
  return at(date);
};

// ---------------------------------------------------------------------------------------------------- names

const NAME_LEADS: readonly RegExp[] = [
  /\bmy name(?:'s| is)\s+(.+)/i,
  /\bname is\s+(.+)/i,
  // "Call me back" and "call me tomorrow" ask for a call; "call me Ana" names the caller.
  /\bcall me\s+(?!back\b|later\b|again\b|tomorrow\b|today\b|at\b|on\b|in\b|when\b)(.+)/i,
  /\b(?:me llamo|mi nombre es)\s+(.+)/i,
  /\ba nombre de\s+(.+)/i,
  /\bunder (?:the name )?(.+)/i,
];

/** Leads that are names only when a capitalised word follows: "this is John", not "this is urgent". */
const WEAK_NAME_LEADS: readonly RegExp[] = [/\b(?:this is|i am|i'm|it's|soy|habla)\s+(.+)/i];

const NOT_NAME_WORDS = new Set(
  (
    'a an the and or but please thanks thank you calling looking interested not just here sorry so ' +
    'from with for at on in to about tomorrow today yes no ok okay sure well um uh ' +
    'y o pero por favor gracias de del la el los las con para en mañana hoy sí si no bueno pues eh ' +
    'calling llamando cliente interesado interesada'
  ).split(' '),
);

const NAME_WORD = /^[\p{L}][\p{L}'’-]*$/u;

const titleCase = (word: string): string =>
  word.length === 0 ? word : word[0]!.toLocaleUpperCase() + word.slice(1);

/** Up to three name-like words from the start of `rest`, or undefined. */
const nameWords = (rest: string, requireCapital: boolean): string | undefined => {
  const words: string[] = [];
  for (const raw of rest.split(/\s+/)) {
    const word = raw.replace(/[.,!?;:]+$/, '');
    if (!NAME_WORD.test(word) || NOT_NAME_WORDS.has(word.toLowerCase())) break;
    if (requireCapital && words.length === 0 && word[0] === word[0]?.toLowerCase()) return undefined;
    words.push(word);
    if (words.length === 3 || /[.,!?;:]$/.test(raw)) break;
  }
  if (words.length === 0) return undefined;
  const allLower = words.every((w) => w === w.toLowerCase());
  return (allLower ? words.map(titleCase) : words).join(' ');
};

/**
 * The caller's name: "my name is Ana López", "me llamo Ana", "this is John". When the engine has just asked
 * for it (`expecting`), a bare "Ana López" counts too.
 */
export const extractName = (text: string, expecting = false): string | undefined => {
  for (const lead of NAME_LEADS) {
    const m = lead.exec(text);
    const name = m?.[1] !== undefined ? nameWords(m[1], false) : undefined;
    if (name) return name;
  }
  for (const lead of WEAK_NAME_LEADS) {
    const m = lead.exec(text);
    const name = m?.[1] !== undefined ? nameWords(m[1], !expecting) : undefined;
    if (name) return name;
  }
  if (!expecting) return undefined;
  const bare = text
    .trim()
    .replace(/^(?:yes|yeah|sure|ok(?:ay)?|s[ií]|claro|it'?s|es)[,.]?\s+/i, '')
    .replace(/[.!?]+$/, '');
  const words = bare.split(/\s+/);
  if (words.length === 0 || words.length > 4) return undefined;
  return nameWords(bare, false);
};

// ------------------------------------------------------------------------------------------------- services

/** Words after which the service's name is over: times, days, "for", "please". */
const SERVICE_END =
  /\s+(?:for|on|at|this|next|tomorrow|today|tonight|with|please|and|because|in|by|around|before|after|para|el|la|a|las|los|mañana|hoy|con|por|y|porque|en|esta|este|pr[oó]xim[oa])\b.*$|\s+\d.*$|[.,!?;].*$/i;

const SERVICE_LEADS: readonly RegExp[] = [
  /\b(?:appointment|booking|reservation) for (?:an? |the |my |some )?(.+)/i,
  /\b(?:book|schedule|make|set up|get|need|want|like)\s+(?:me\s+|in\s+)?(?:an? |the |my |some )(.+)/i,
  /\bcita (?:para|de) (?:una? |el |la |mi )?(.+)/i,
  /\b(?:reservar|agendar|programar|pedir|sacar|quiero|necesito|quisiera|hacer)\s+(?:una? |el |la |mi )(.+)/i,
];

/** What an appointment is for is never these words themselves. */
const GENERIC_SERVICE =
  /^(?:appointment|appointments|booking|reservation|visit|time|slot|cita|citas|reserva|turno|hora|consulta)$/i;

/** A service's name is a few words; a longer answer to "what is it for?" may still name one in the caller's words. */
const cleanService = (phrase: string, maxWords = 4): string | undefined => {
  const cut = phrase
    .replace(SERVICE_END, '')
    .replace(/\s+(?:appointment|booking|reservation|visit)$/i, '')
    .replace(/^(?:cita|reserva|turno)\s+(?:para|de)\s+(?:una?\s+|el\s+|la\s+)?/i, '')
    .trim();
  if (cut === '' || GENERIC_SERVICE.test(cut) || cut.split(/\s+/).length > maxWords) return undefined;
  return cut.toLowerCase();
};

/**
 * What the appointment is for: the noun phrase after "book a", "appointment for", "cita para". When the engine
 * has just asked (`expecting`), the whole short answer is the service ("a cleaning, please").
 */
export const extractService = (text: string, expecting = false): string | undefined => {
  for (const lead of SERVICE_LEADS) {
    const m = lead.exec(text);
    const service = m?.[1] !== undefined ? cleanService(m[1]) : undefined;
    if (service) return service;
  }
  if (!expecting) return undefined;
  const bare = text
    .trim()
    .replace(/^(?:it'?s|it is|es|i need|i want|i'd like|i would like|just|for|para|quiero|necesito)\s+/i, '')
    .replace(/^(?:an?|the|my|una?|el|la|mi)\s+/i, '');
  return cleanService(bare, 6);
};

// --------------------------------------------------------------------------------------------- appointments

export interface KnownAppointment {
  readonly appointmentId: string;
  readonly service: string;
  readonly startsAt: string;
  readonly status: string;
}

const ORDINALS: readonly RegExp[] = [
  /\b(?:first|1st|primer[oa]?)\b/i,
  /\b(?:second|2nd|segund[oa])\b/i,
  /\b(?:third|3rd|tercer[oa]?)\b/i,
];

/**
 * The appointment the caller means among `candidates`: "my appointment on Tuesday" (its day in the tenant's
 * zone), "the cleaning" (its service), "the second one", or the only one. Undefined when it stays ambiguous.
 */
export const pickAppointment = (
  candidates: readonly KnownAppointment[],
  text: string,
  ctx: SlotContext,
): KnownAppointment | undefined => {
  if (candidates.length === 0) return undefined;
  let pool = [...candidates];
  const mention = extractWhen(text, ctx).find((m) => m.date);
  if (mention?.date) {
    const { date } = mention;
    const day = wallClockToInstant({ ...date, hour: 12, minute: 0 }, ctx.timeZone);
    const weekday = wallClockAt(day, ctx.timeZone).weekday;
    const onDay = pool.filter((a) =>
      mention.weekdayOnly
        ? wallClockAt(new Date(a.startsAt), ctx.timeZone).weekday === weekday
        : sameLocalDay(new Date(a.startsAt), day, ctx.timeZone),
    );
    // A day with none of the caller's appointments is not a reason to pick another one.
    if (onDay.length === 0) return undefined;
    pool = onDay;
  }
  const lower = text.toLowerCase();
  const byService = pool.filter((a) =>
    a.service
      .toLowerCase()
      .split(/\s+/)
      .some((w) => w.length > 3 && lower.includes(w)),
  );
  if (byService.length > 0) pool = byService;
  if (pool.length === 1) return pool[0];
  const ordinal = ORDINALS.findIndex((re) => re.test(text));
  if (ordinal >= 0) return pool[ordinal];
  return undefined;
};
