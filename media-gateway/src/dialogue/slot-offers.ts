import { z } from 'zod';
import { isoWithOffset, wallClockAt } from '@ccp/schemas';
import { instantOn } from '../booking/offers.js';
import type { ActResult } from './acts.js';
import { isNo, isYes } from './answer-reading.js';
import {
  ask,
  has,
  LOW_CONFIDENCE,
  reply,
  unsure,
  type Booking,
  type DialogueState,
  type OfferedSlot,
  type PolicyContext,
  type Step,
} from './dialogue-state.js';
import { offerSay } from './offer-phrases.js';
import { say, type Utterance } from './phrases.js';
import { extractWhen, resolveWhen, type CalendarDay, type WhenMention } from './slots.js';
import { pickService } from './service-choice.js';
import { Offers } from './tool-results.js';

/**
 * Booking where the tenant keeps services and calendars (the gateway offers find_free_slots): the engine asks
 * for free times instead of taking any time said, offers two or three ("I have 2:30 or 4 PM on Thursday"),
 * reads which one the caller takes, and offers again when the time asked for, or the one taken, is not free.
 */

export const booksByService = (ctx: PolicyContext): boolean => has(ctx, 'find_free_slots');

const pad = (n: number): string => String(n).padStart(2, '0');
const dateText = (d: CalendarDay): string => `${d.year}-${pad(d.month)}-${pad(d.day)}`;

/** The day and time the caller asked for, as find_free_slots takes them (in the tenant's zone). */
const askedFor = (when: WhenMention | undefined, ctx: PolicyContext): { date?: string; time?: string } => {
  const at = resolveWhen(when, ctx);
  if (at) {
    const iso = isoWithOffset(at, ctx.timeZone);
    return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
  }
  return when?.date ? { date: dateText(when.date) } : {};
};

const PARTS_OF_DAY: readonly [RegExp, NonNullable<Booking['partOfDay']>][] = [
  [/\b(?:morning|por la mañana|en la mañana)\b/i, 'morning'],
  [/\b(?:afternoon|por la tarde|en la tarde)\b/i, 'afternoon'],
  [/\b(?:evening|por la noche|en la noche)\b/i, 'evening'],
];

/** "Tomorrow afternoon", "el martes por la tarde": the part of the day the caller wants. */
export const partOfDayIn = (text: string): Booking['partOfDay'] =>
  PARTS_OF_DAY.find(([re]) => re.test(text))?.[1];

/** Asks for free times for the task's service(s), near what the caller asked for. */
export const askFreeSlots = (
  state: DialogueState,
  task: Booking,
  ctx: PolicyContext,
  confidence?: number,
  again = false,
): Step =>
  ask(
    { ...state, task: { ...task, offers: undefined, slot: undefined }, awaiting: undefined },
    // Asked again at once (by the service's own name): the caller already heard that the times are checked.
    again ? [] : [offerSay.checkingTimes()],
    {
      name: 'find_free_slots',
      arguments: {
        service: task.service ?? '',
        ...askedFor(task.when, ctx),
        ...(task.partOfDay !== undefined && { partOfDay: task.partOfDay }),
      },
    },
    confidence,
  );

const offerUtterance = (offers: readonly OfferedSlot[], ctx: PolicyContext): Utterance =>
  offerSay.offer({ starts: offers.map((o) => new Date(o.startsAt)), timeZone: ctx.timeZone });

/** The offers, awaiting the caller's pick, after what led to them (`lead`). */
export const offerTimes = (
  state: DialogueState,
  task: Booking,
  offers: readonly OfferedSlot[],
  lead: Utterance[],
  ctx: PolicyContext,
  confidence?: number,
): Step =>
  reply(
    { ...state, task: { ...task, offers, slot: undefined }, awaiting: 'pick_slot' },
    [...lead, offerUtterance(offers, ctx)],
    confidence,
  );

const UnknownService = z.object({ error: z.string(), services: z.array(z.string()).min(1) });

/** find_free_slots answered: the time asked for taken at once, or the offers said, or the service asked again. */
export const afterFreeSlots = (
  state: DialogueState,
  args: Readonly<Record<string, unknown>>,
  result: unknown,
  ctx: PolicyContext,
  next: (state: DialogueState, task: Booking, confidence?: number) => Step,
): Step => {
  const c = state.confidence;
  const task: Booking = state.task?.kind === 'book' ? state.task : { kind: 'book' };
  const parsed = Offers.safeParse(result);
  if (!parsed.success) {
    const unknown = UnknownService.safeParse(result);
    if (unknown.success) {
      const choices = unknown.data.services;
      // The caller's own words for one of them ("a leaky tap" for "Leak repair"): asked again by its name.
      const sent = typeof args['service'] === 'string' ? args['service'] : '';
      const meant = pickService(choices, sent, false);
      if (meant !== undefined && meant !== sent)
        return askFreeSlots(state, { ...task, service: meant }, ctx, c, true);
      const asked = reply(
        {
          ...state,
          task: { ...task, service: undefined, choices, unmatched: undefined },
          awaiting: 'service',
        },
        [offerSay.whichService(choices)],
        c,
      );
      // The list was said already and the caller's answer names none of it: words this engine cannot read.
      return task.unmatched === true ? unsure(asked) : asked;
    }
    return reply(
      { ...state, task: { ...task, when: undefined }, awaiting: 'when' },
      [say.bookingFailed()],
      c,
    );
  }
  const { offers, services, dayFull } = parsed.data;
  const named: Booking = {
    ...task,
    service: services.join(ctx.language.startsWith('es') ? ' y ' : ' and '),
  };
  if (offers.length === 0) {
    return reply(
      { ...state, task: { ...named, when: undefined, offers: undefined, slot: undefined }, awaiting: 'when' },
      [offerSay.noFreeTimes()],
      c,
    );
  }
  const date = typeof args['date'] === 'string' ? args['date'] : undefined;
  const time = typeof args['time'] === 'string' ? args['time'] : undefined;
  const asked = date !== undefined && time !== undefined ? `${date}T${time}` : undefined;
  const exact = offers.find((o) => o.startsAt.slice(0, 16) === asked);
  if (exact && !dayFull) return next(state, { ...named, offers, slot: exact }, c);
  const lead: Utterance[] = dayFull
    ? [offerSay.dayFull()]
    : asked !== undefined
      ? [offerSay.notFree({ starts: [instantOn(date!, time!, ctx.timeZone)], timeZone: ctx.timeZone })]
      : [];
  return offerTimes(state, named, offers, lead, ctx, c);
};

/** The booking was refused with new offers (the time was taken meanwhile): said, and offered again. */
export const offersAfterRefusal = (
  state: DialogueState,
  result: unknown,
  ctx: PolicyContext,
): Step | undefined => {
  const parsed = Offers.safeParse(result);
  if (!parsed.success || parsed.data.offers.length === 0) return undefined;
  const task: Booking = state.task?.kind === 'book' ? state.task : { kind: 'book' };
  const taken = parsed.data.error?.startsWith('slot_taken') === true;
  return offerTimes(
    state,
    task,
    parsed.data.offers,
    [taken ? offerSay.slotTaken() : offerSay.notAvailable()],
    ctx,
    state.confidence,
  );
};

const ORDINALS: readonly RegExp[] = [
  /\b(?:first|earlier|earliest|1st|primer[oa]?|la primera)\b/i,
  /\b(?:second|2nd|segund[oa])\b/i,
  /\b(?:third|3rd|tercer[oa]?)\b/i,
];
const LAST = /\b(?:last|later|latest|[uú]ltim[oa]|m[aá]s tarde)\b/i;

const sameClock = (slot: OfferedSlot, m: WhenMention, ctx: PolicyContext): boolean => {
  const w = wallClockAt(new Date(slot.startsAt), ctx.timeZone);
  const clockMatches = m.time !== undefined && w.hour === m.time.hour && w.minute === m.time.minute;
  const dayMatches =
    m.date === undefined || (m.date.year === w.year && m.date.month === w.month && m.date.day === w.day);
  return clockMatches && dayMatches;
};

/**
 * The line as the answer to "which would suit you?": an offered time by its clock ("2:30"), its place ("the
 * first one"), a yes (the first); another time asks for free times near it; a no asks for another day.
 */
export const answerPickSlot = (
  state: DialogueState,
  text: string,
  act: ActResult,
  ctx: PolicyContext,
  next: (state: DialogueState, task: Booking, confidence?: number) => Step,
): Step | undefined => {
  const { task } = state;
  if (task?.kind !== 'book' || !task.offers || task.offers.length === 0) return undefined;
  const offers = task.offers;
  const c = Math.max(act.confidence, 0.8);
  // The time taken is the booking's time from now on: a correction ("no, Friday") keeps its hour, and the reverse.
  const take = (slot: OfferedSlot) => {
    const w = wallClockAt(new Date(slot.startsAt), ctx.timeZone);
    const when: WhenMention = {
      date: { year: w.year, month: w.month, day: w.day },
      weekdayOnly: false,
      time: { hour: w.hour, minute: w.minute },
      index: 0,
      before: '',
    };
    return next(state, { ...task, slot, when }, c);
  };
  const mentions = extractWhen(text, ctx, true);
  for (const m of mentions) {
    const match = offers.find((o) => sameClock(o, m, ctx));
    if (match) return take(match);
  }
  const ordinal = ORDINALS.findIndex((re) => re.test(text));
  if (ordinal >= 0 && offers[ordinal]) return take(offers[ordinal]);
  if (LAST.test(text)) return take(offers[offers.length - 1]!);
  const named = mentions.find((m) => m.time !== undefined || m.date !== undefined);
  if (named) {
    // Another time than those offered: free times near it (on the offers' day when no day was said).
    const first = wallClockAt(new Date(offers[0]!.startsAt), ctx.timeZone);
    const when: WhenMention = {
      ...named,
      date: named.date ?? { year: first.year, month: first.month, day: first.day },
      weekdayOnly: named.date ? named.weekdayOnly : false,
    };
    return next(state, { ...task, when, offers: undefined, slot: undefined }, c);
  }
  if (isNo(act)) {
    return reply(
      { ...state, task: { ...task, when: undefined, offers: undefined }, awaiting: 'when' },
      [say.askWhen()],
      act.confidence,
    );
  }
  if (isYes(act)) return take(offers[0]!);
  return offerTimes(state, task, offers, [], ctx, Math.min(act.confidence, LOW_CONFIDENCE - 0.05));
};
