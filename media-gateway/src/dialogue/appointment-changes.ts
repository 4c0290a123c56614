import type { ActResult } from './acts.js';
import { answerWhen, dayOnly, instantOf, isNo, isYes, whenOf } from './answer-reading.js';
import {
  anythingElse,
  ask,
  cannotHere,
  has,
  LOW_CONFIDENCE,
  note,
  reply,
  type Change,
  type DialogueState,
  type PolicyContext,
  type Step,
} from './dialogue-state.js';
import { say } from './phrases.js';
import { extractWhen, mergeWhen, pickAppointment, type WhenMention } from './slots.js';
import { offerSay } from './offer-phrases.js';
import { ClosedThen, History, Offers, Scheduled } from './tool-results.js';
import { isoWithOffset } from '@ccp/schemas';

/**
 * Moving or cancelling an appointment: the caller's appointments looked up, which one they mean, the new time,
 * the confirmation, and what the tools answered. The answers give undefined when the line is no answer, to be
 * read afresh.
 */

/** "Move my Tuesday appointment to Friday at 10": the mention after "to"/"para", or with a time, is the new one. */
const newTimeIn = (text: string, ctx: PolicyContext): WhenMention | undefined => {
  const mentions = extractWhen(text, ctx);
  const marked = mentions.filter((m) =>
    /\b(?:to|for|until|para|al|a)\s*(?:el\s+|la\s+|las\s+)?$/i.test(m.before),
  );
  return marked[marked.length - 1] ?? (mentions.length > 1 ? mentions[mentions.length - 1] : undefined);
};

const proceedWithChange = (
  state: DialogueState,
  task: Change,
  ctx: PolicyContext,
  confidence?: number,
): Step => {
  const appointments = state.appointments ?? [];
  if (appointments.length === 0) {
    return anythingElse({ ...state, task: undefined }, [say.noAppointments()], confidence);
  }
  const appointment = task.appointment ?? pickAppointment(appointments, task.reference, ctx);
  if (!appointment) {
    return reply(
      { ...state, task, awaiting: 'which_appointment' },
      [
        say.whichAppointment({
          options: appointments.map((a) => ({ service: a.service, when: whenOf(new Date(a.startsAt), ctx) })),
        }),
      ],
      confidence,
    );
  }
  const chosen: Change = { ...task, appointment };
  const from = whenOf(new Date(appointment.startsAt), ctx);
  if (task.kind === 'cancel') {
    return reply(
      { ...state, task: chosen, awaiting: 'confirm_change' },
      [say.confirmCancel({ service: appointment.service, when: from })],
      confidence,
    );
  }
  const at = instantOf(task.when, ctx);
  if (!at) {
    return reply(
      { ...state, task: chosen, awaiting: 'new_time' },
      [say.askNewTime({ service: appointment.service, when: from })],
      confidence,
    );
  }
  return reply(
    { ...state, task: chosen, awaiting: 'confirm_change' },
    [say.confirmReschedule({ service: appointment.service, from, to: whenOf(at, ctx) })],
    confidence,
  );
};

export const startChange = (
  state: DialogueState,
  kind: 'reschedule' | 'cancel',
  text: string,
  ctx: PolicyContext,
  confidence: number,
): Step => {
  const tool = kind === 'cancel' ? 'cancel_appointment' : 'reschedule_appointment';
  if (!has(ctx, tool)) return cannotHere(state, ctx, confidence);
  const because = /\b(?:because|since|porque|ya que)\b\s*(.+)$/i.exec(text)?.[1];
  const when = kind === 'reschedule' ? newTimeIn(text, ctx) : undefined;
  const task: Change = {
    kind,
    reference: text,
    ...(when !== undefined && { when }),
    ...(because !== undefined && { reason: because }),
  };
  if (state.appointments === undefined && has(ctx, 'lookup_caller_history')) {
    return ask(
      { ...state, task, awaiting: undefined },
      [say.lookingUp()],
      {
        name: 'lookup_caller_history',
        arguments: {},
      },
      confidence,
    );
  }
  return proceedWithChange(state, task, ctx, confidence);
};

/** The line as the answer to "which appointment?". */
export const answerWhichAppointment = (
  state: DialogueState,
  text: string,
  act: ActResult,
  ctx: PolicyContext,
): Step | undefined => {
  const { task } = state;
  const c = act.confidence;
  if (task?.kind !== 'reschedule' && task?.kind !== 'cancel') return undefined;
  const appointment = pickAppointment(state.appointments ?? [], text, ctx);
  if (appointment) {
    const when = task.kind === 'reschedule' ? (newTimeIn(text, ctx) ?? task.when) : undefined;
    return proceedWithChange(state, { ...task, appointment, ...(when !== undefined && { when }) }, ctx, c);
  }
  if (isNo(act)) return anythingElse(state, [say.keepIt()], c);
  return proceedWithChange(state, task, ctx, Math.min(c, LOW_CONFIDENCE - 0.05));
};

/** The line as the answer to "when should it be instead?". */
export const answerNewTime = (
  state: DialogueState,
  text: string,
  act: ActResult,
  ctx: PolicyContext,
): Step | undefined => {
  const { task } = state;
  if (task?.kind !== 'reschedule') return undefined;
  return answerWhen(
    task,
    text,
    act,
    ctx,
    (next, c) => proceedWithChange(state, next, ctx, c),
    (c) => anythingElse(state, [say.keepIt()], c),
  );
};

/** The line as the answer to "shall I move (or cancel) it?". */
export const answerChangeConfirmation = (
  state: DialogueState,
  text: string,
  act: ActResult,
  ctx: PolicyContext,
): Step | undefined => {
  const { task } = state;
  const c = act.confidence;
  if ((task?.kind !== 'reschedule' && task?.kind !== 'cancel') || !task.appointment) return undefined;
  if (isYes(act)) {
    if (task.kind === 'cancel') {
      return ask(
        { ...state, awaiting: undefined },
        [],
        {
          name: 'cancel_appointment',
          arguments: {
            appointmentId: task.appointment.appointmentId,
            reason: task.reason ?? 'The caller cancelled on the phone',
          },
        },
        c,
      );
    }
    const at = instantOf(task.when, ctx);
    if (at) {
      return ask(
        { ...state, awaiting: undefined },
        [],
        {
          name: 'reschedule_appointment',
          arguments: {
            appointmentId: task.appointment.appointmentId,
            startsAt: isoWithOffset(at, ctx.timeZone),
          },
        },
        c,
      );
    }
  }
  if (task.kind === 'reschedule') {
    const when = extractWhen(text, ctx).reduce<WhenMention | undefined>(mergeWhen, task.when);
    if (when !== task.when)
      return proceedWithChange(state, { ...task, ...(when !== undefined && { when }) }, ctx, c);
  }
  if (isNo(act)) return anythingElse(state, [say.keepIt()], c);
  return proceedWithChange(state, task, ctx, Math.min(c, LOW_CONFIDENCE - 0.05));
};

/** Appointment states that can still be moved or cancelled. */
const ACTIVE = new Set(['scheduled', 'confirmed']);

/** The caller's history: their upcoming appointments, then on with the change that asked for it. */
export const afterLookup = (state: DialogueState, result: unknown, ctx: PolicyContext): Step => {
  const c = state.confidence;
  const history = History.safeParse(result);
  const appointments = history.success
    ? history.data.appointments
        .filter((a) => ACTIVE.has(a.status) && new Date(a.startsAt) > ctx.now)
        .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))
    : [];
  const next: DialogueState = { ...state, appointments };
  const task = state.task;
  if (task?.kind === 'reschedule' || task?.kind === 'cancel') return proceedWithChange(next, task, ctx, c);
  return anythingElse(next, [], c);
};

/** The rescheduling tool's result: moved, or the time refused (the next opening offered, or the day kept). */
export const afterReschedule = (
  state: DialogueState,
  result: unknown,
  failed: boolean,
  ctx: PolicyContext,
): Step => {
  const c = state.confidence;
  const moved = Scheduled.safeParse(result);
  if (failed || !moved.success) {
    const task = state.task?.kind === 'reschedule' ? state.task : undefined;
    const refused = ClosedThen.safeParse(result);
    if (task?.appointment && refused.success) {
      // Closed (or already past) then: the next opening is offered as the new time, to take or change.
      const opens = new Date(refused.data.nextOpening);
      return reply(
        note(
          {
            ...state,
            task: { ...task, when: { instant: opens, index: 0, before: '' } },
            awaiting: 'confirm_change',
          },
          'Rescheduling failed: closed then.',
        ),
        [say.closedThen({ when: whenOf(opens, ctx), move: true })],
        c,
      );
    }
    const offered = Offers.safeParse(result);
    if (task?.appointment && offered.success && offered.data.offers.length > 0) {
      // Booked on a calendar: the free times near the one asked for are said, and one of them is the answer.
      const starts = offered.data.offers.map((o) => new Date(o.startsAt));
      return reply(
        note(
          { ...state, task: { ...task, when: dayOnly(task.when) }, awaiting: 'new_time' },
          'Rescheduling failed: the time was not free.',
        ),
        [offerSay.notAvailable(), offerSay.offer({ starts, timeZone: ctx.timeZone })],
        c,
      );
    }
    if (task?.appointment) {
      return reply(
        note(
          { ...state, task: { ...task, when: dayOnly(task.when) }, awaiting: 'new_time' },
          'Rescheduling failed.',
        ),
        [say.bookingFailed()],
        c,
      );
    }
    return anythingElse(state, [say.actionFailed()], c);
  }
  const appointments = (state.appointments ?? []).map((a) =>
    a.appointmentId === moved.data.appointmentId ? { ...a, startsAt: moved.data.startsAt } : a,
  );
  return anythingElse(
    note({ ...state, appointments }, `Moved ${moved.data.appointmentId} to ${moved.data.startsAt}.`),
    [say.rescheduled(whenOf(new Date(moved.data.startsAt), ctx))],
    c,
  );
};

/** The cancelling tool's result. */
export const afterCancel = (
  state: DialogueState,
  args: Readonly<Record<string, unknown>>,
  failed: boolean,
): Step => {
  const c = state.confidence;
  if (failed) return anythingElse(note(state, 'Cancelling failed.'), [say.actionFailed()], c);
  const id = String(args['appointmentId']);
  return anythingElse(
    note(
      { ...state, appointments: (state.appointments ?? []).filter((a) => a.appointmentId !== id) },
      `Cancelled ${id}.`,
    ),
    [say.cancelled()],
    c,
  );
};
