import { dayOnly, instantOf, whenOf } from './answer-reading.js';
import {
  anythingElse,
  cannotHere,
  has,
  note,
  reply,
  type Awaiting,
  type Booking,
  type DialogueState,
  type PolicyContext,
  type Step,
} from './dialogue-state.js';
import { say } from './phrases.js';
import { extractName, extractService, extractWhen, mergeWhen } from './slots.js';
import { askFreeSlots, booksByService, offersAfterRefusal, partOfDayIn } from './slot-offers.js';
import { ClosedThen, Scheduled } from './tool-results.js';

/**
 * Booking an appointment: the next slot to ask for (service, time, name) or the confirmation, the slots a line
 * fills, and what the booking tool answered.
 */

export const nextBookingStep = (
  state: DialogueState,
  task: Booking,
  ctx: PolicyContext,
  confidence?: number,
): Step => {
  const name = task.name ?? state.callerName;
  const withTask: DialogueState = { ...state, task: { ...task, ...(name !== undefined && { name }) } };
  if (task.service === undefined)
    return reply({ ...withTask, awaiting: 'service' }, [say.askService()], confidence);
  // Booking by service: a time is one of the free times offered, never just any time said.
  if (booksByService(ctx) && task.slot === undefined)
    return askFreeSlots(withTask, withTask.task as Booking, ctx, confidence);
  const at = task.slot ? new Date(task.slot.startsAt) : instantOf(task.when, ctx);
  if (!at) {
    return reply(
      { ...withTask, awaiting: 'when' },
      [task.when?.date ? say.askTimeOnDay() : say.askWhen()],
      confidence,
    );
  }
  if (name === undefined) return reply({ ...withTask, awaiting: 'name' }, [say.askName()], confidence);
  return reply(
    { ...withTask, awaiting: 'confirm_booking' },
    [say.confirmBooking({ service: task.service, when: whenOf(at, ctx), name })],
    confidence,
  );
};

/** "No, a colour." / "No, it's for a cleaning": a new service said at the read-back (or after "what should I change?"). */
const CORRECTED_SERVICE =
  /^(?:no|nope|actually|sorry|oh|wait|not quite|mejor|perd[oó]n)\b[,.!]?\s*(?:(?:no|sorry|actually)[,.!]?\s*)*(?:it'?s |it is |i want |i need |i'd like |make it |quiero |necesito |es )?(?:for |para )?((?:an?|the|un|una|el|la)\s+.+)$/i;
const NOT_A_SERVICE = /\b(?:other|one|time|day|date|name|wrong|right|correct|hora|d[ií]a|nombre|otr[oa])\b/i;

const correctedService = (text: string, expecting: Awaiting | undefined): string | undefined => {
  if (expecting !== 'change_booking') return undefined;
  const said = CORRECTED_SERVICE.exec(text.trim())?.[1];
  if (said === undefined || NOT_A_SERVICE.test(said)) return undefined;
  return extractService(said, true);
};

/** Every booking slot the line fills; `expecting` is the one just asked for, which bare answers fill. */
export const fillBooking = (
  task: Booking,
  text: string,
  ctx: PolicyContext,
  expecting?: Awaiting,
): Booking => {
  const named = extractService(text, expecting === 'service') ?? correctedService(text, expecting);
  // By service the whole line goes to find_free_slots, which knows the names: "a haircut and a colour" is two.
  const service = named !== undefined && booksByService(ctx) ? text.trim() : named;
  const mentions = extractWhen(text, ctx, expecting === 'when' || expecting === 'change_booking');
  const name = extractName(text, expecting === 'name');
  let when = task.when;
  for (const m of mentions) when = mergeWhen(when, m);
  const partOfDay = partOfDayIn(text);
  // Another service or time than the one offered: the offers (and a time taken from them) no longer hold.
  const changed =
    (service !== undefined && service !== task.service) ||
    when !== task.when ||
    (partOfDay !== undefined && partOfDay !== task.partOfDay);
  return {
    ...task,
    ...(partOfDay !== undefined && { partOfDay }),
    ...(service !== undefined && { service }),
    ...(when !== undefined && { when }),
    ...(name !== undefined && { name }),
    ...(changed && { offers: undefined, slot: undefined }),
  };
};

export const startBooking = (
  state: DialogueState,
  text: string,
  ctx: PolicyContext,
  confidence: number,
): Step => {
  if (!has(ctx, 'book_appointment')) return cannotHere(state, ctx, confidence);
  const task = fillBooking({ kind: 'book' }, text, ctx);
  // A need in the caller's own words ("my tap drips, can someone come?"): find_free_slots matches them to the
  // tenant's services, or lists them, which helps the caller more than "what would you like to book?".
  if (task.service === undefined && booksByService(ctx))
    return nextBookingStep(state, { ...task, service: text.trim() }, ctx, confidence);
  return nextBookingStep(state, task, ctx, confidence);
};

/** The booking tool's result: booked, or the time refused (the next opening offered, or the day kept). */
export const afterBooking = (
  state: DialogueState,
  args: Readonly<Record<string, unknown>>,
  result: unknown,
  failed: boolean,
  ctx: PolicyContext,
): Step => {
  const c = state.confidence;
  const booked = Scheduled.safeParse(result);
  if (failed || !booked.success) {
    const offeredAgain = offersAfterRefusal(
      note(state, `Booking ${String(args['startsAt'])} failed: the time was not free.`),
      result,
      ctx,
    );
    if (offeredAgain) return offeredAgain;
    const refused = ClosedThen.safeParse(result);
    const task: Booking = state.task?.kind === 'book' ? state.task : { kind: 'book' };
    const noted = (next: DialogueState) => note(next, `Booking ${String(args['startsAt'])} failed.`);
    if (refused.success) {
      // Closed (or already past) then: the next opening is offered as the new time, to take or change.
      const opens = new Date(refused.data.nextOpening);
      return reply(
        noted({
          ...state,
          task: { ...task, when: { instant: opens, index: 0, before: '' } },
          awaiting: 'confirm_booking',
        }),
        [say.closedThen({ when: whenOf(opens, ctx), move: false })],
        c,
      );
    }
    return reply(
      noted({ ...state, task: { ...task, when: dayOnly(task.when) }, awaiting: 'when' }),
      [say.bookingFailed()],
      c,
    );
  }
  return anythingElse(
    note(
      state,
      `Booked ${String(args['service'])} for ${booked.data.startsAt} (${booked.data.appointmentId}).`,
    ),
    [say.booked(whenOf(new Date(booked.data.startsAt), ctx))],
    c,
  );
};
