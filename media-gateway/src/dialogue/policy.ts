import { z } from 'zod';
import { GATEWAY_NOTES } from '../llm/port.js';
import type { ActClassifier, ActResult } from './acts.js';
import { say, phoneLength, type Utterance } from './phrases.js';
import {
  extractName,
  extractService,
  extractWhen,
  mergeWhen,
  pickAppointment,
  resolveWhen,
  type KnownAppointment,
  type SlotContext,
  type WhenMention,
} from './slots.js';
import { isoWithOffset } from '@ccp/schemas';

/**
 * The dialogue policy as a fold: every caller line and tool result is an event, `step` takes the state before
 * it and returns the state after it and what the engine says and asks for at that point. The engine keeps
 * nothing between requests: it folds the whole history again and answers with the last step's output. Because
 * the fold is deterministic, "what it asked last" is re-derived rather than read back from its own words.
 */

export interface PolicyContext extends SlotContext {
  readonly classifier: ActClassifier;
  /** The tools the gateway offers in this request: nothing else is ever asked for. */
  readonly tools: ReadonlySet<string>;
}

export interface ToolAsk {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

export interface Output {
  readonly say: readonly Utterance[];
  readonly tools: readonly ToolAsk[];
  /** How sure the engine is of what the caller meant (and, for answers, of the answer). */
  readonly confidence?: number;
}

type Booking = {
  readonly kind: 'book';
  readonly service?: string;
  readonly when?: WhenMention;
  readonly name?: string;
};
type Change = {
  readonly kind: 'reschedule' | 'cancel';
  /** The caller's words about which appointment, kept until the lookup result is in. */
  readonly reference: string;
  readonly appointment?: KnownAppointment;
  readonly when?: WhenMention;
  readonly reason?: string;
};
type Message = { readonly kind: 'message'; readonly content?: string; readonly callbackWhen?: WhenMention };
type Callback = { readonly kind: 'callback'; readonly when?: WhenMention };
type Complaint = { readonly kind: 'complaint'; readonly text: string };
type Task = Booking | Change | Message | Callback | Complaint;

/** What the last reply asked the caller; the next line is read as its answer first. */
type Awaiting =
  | 'service'
  | 'when'
  | 'name'
  | 'confirm_booking'
  | 'change_booking'
  | 'which_appointment'
  | 'new_time'
  | 'confirm_change'
  | 'message'
  | 'callback_time'
  | 'offer_message'
  | 'offer_help'
  | 'offer_ticket'
  | 'anything_else';

export interface DialogueState {
  readonly task?: Task;
  readonly awaiting?: Awaiting;
  readonly callerName?: string;
  /** Upcoming appointments from the last lookup. */
  readonly appointments?: readonly KnownAppointment[];
  /** What the caller came for: their first line that asked for something. */
  readonly firstRequest?: string;
  /** What was tried, in order, for a person taking the call over. */
  readonly notes: readonly string[];
  readonly searchPurpose?: 'question' | 'objection';
  /** The confidence of the last caller line, carried to the replies that follow its tool results. */
  readonly confidence?: number;
}

export const INITIAL_STATE: DialogueState = { notes: [] };

/** Below this the engine does not act on the act it found. */
export const LOW_CONFIDENCE = 0.35;

const NO_CONFIDENCE_ANSWER = 0.25;

interface Step {
  readonly state: DialogueState;
  readonly output: Output;
}

const reply = (state: DialogueState, utterances: Utterance[], confidence?: number): Step => ({
  state,
  output: { say: utterances, tools: [], ...(confidence !== undefined && { confidence }) },
});

const ask = (state: DialogueState, utterances: Utterance[], tool: ToolAsk, confidence?: number): Step => ({
  state,
  output: { say: utterances, tools: [tool], ...(confidence !== undefined && { confidence }) },
});

const note = (state: DialogueState, text: string): DialogueState => ({
  ...state,
  notes: [...state.notes, text].slice(-8),
});

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/** For escalate_to_human: what the caller wanted and what was tried, so the person need not ask again. */
export const conversationSummary = (state: DialogueState): string => {
  const parts = [
    state.firstRequest !== undefined
      ? `Caller wanted: "${clip(state.firstRequest, 200)}".`
      : 'Caller asked for a person straight away.',
  ];
  if (state.callerName !== undefined) parts.push(`Name: ${state.callerName}.`);
  if (state.notes.length > 0) parts.push(`Tried: ${state.notes.join(' ')}`);
  const task = state.task;
  if (task?.kind === 'book') {
    parts.push(`Booking not finished (service: ${task.service ?? 'not given'}).`);
  }
  return clip(parts.join(' '), 1500);
};

// ------------------------------------------------------------------------------------------------ helpers

const has = (ctx: PolicyContext, tool: string): boolean => ctx.tools.has(tool);

const anythingElse = (state: DialogueState, lead: Utterance[], confidence?: number): Step =>
  reply({ ...state, task: undefined, awaiting: 'anything_else' }, [...lead, say.anythingElse()], confidence);

const closing = (state: DialogueState, ctx: PolicyContext, reason: string, confidence?: number): Step => {
  const next: DialogueState = { ...state, task: undefined, awaiting: undefined };
  return has(ctx, 'end_call')
    ? ask(next, [say.closing()], { name: 'end_call', arguments: { reason } }, confidence)
    : reply(next, [say.closing()], confidence);
};

const isAct = (result: ActResult, ...acts: ActResult['act'][]): boolean =>
  acts.includes(result.act) || result.alsoFound.some((a) => acts.includes(a));

/** A yes, unless the same line also says no. */
const isYes = (act: ActResult): boolean => isAct(act, 'affirm') && !isAct(act, 'deny');
const isNo = (act: ActResult): boolean => isAct(act, 'deny');

/** A call back on a named day with no time is promised for the morning: callers mean "some time that day". */
const CALLBACK_DEFAULT_TIME = { hour: 10, minute: 0 };

const callbackInstantOf = (when: WhenMention | undefined, ctx: PolicyContext): Date | undefined =>
  instantOf(
    when?.date !== undefined && when.time === undefined ? { ...when, time: CALLBACK_DEFAULT_TIME } : when,
    ctx,
  );

/** Words about something other than the call back itself ("about my crown, it hurts"). */
const hasMessageBeyondRequest = (text: string): boolean =>
  /\b(about|regarding|because|sobre|porque|por lo de)\b/i.test(text);

/** The instant of a mention, or undefined while its day or time is missing. */
const instantOf = (when: WhenMention | undefined, ctx: PolicyContext): Date | undefined =>
  resolveWhen(when, ctx);

const whenOf = (at: Date, ctx: PolicyContext) => ({ at, timeZone: ctx.timeZone });

const STOPPED_AT_LEAD =
  /^(?:(?:yes|yeah|sure|ok(?:ay)?|s[ií]|claro|please|por favor)[,.]?\s+)*(?:(?:can|could) you |please |i'?d like to |i want to |quiero |quisiera )?(?:(?:tell|let)\s+(?:\S+\s+){1,3}?(?:know\s+)?that\s+|(?:tell|let)\s+(?:him|her|them|the\s+\w+)\s+(?:know\s+)?(?:that\s+)?|(?:leave|take|pass)\s+(?:a |on a )?message(?:\s+for\s+\S+(?:\s+\S+)?)?[,:]?\s*(?:that\s+|saying\s+)?|the message is[,:]?\s*|d[ií]gale\s+(?:a\s+\S+\s+)?que\s+|dejar\s+un\s+(?:mensaje|recado)(?:\s+para\s+\S+(?:\s+\S+)?)?[,:]?\s*(?:que\s+|diciendo\s+que\s+)?|el mensaje es[,:]?\s*)/i;

/** The message itself from "please tell John that I'll be late": the request words go, the rest is kept. */
const messageContent = (text: string): string | undefined => {
  const stripped = text.trim().replace(STOPPED_AT_LEAD, '').trim();
  const words = stripped.split(/\s+/);
  // "A message, please" chooses the message route; it is not the message.
  if (words.length < 3 || (words.length <= 4 && /\b(?:message|mensaje|recado)\b/i.test(stripped)))
    return undefined;
  return stripped;
};

// ------------------------------------------------------------------------------------------------ booking

const nextBookingStep = (
  state: DialogueState,
  task: Booking,
  ctx: PolicyContext,
  confidence?: number,
): Step => {
  const name = task.name ?? state.callerName;
  const withTask: DialogueState = { ...state, task: { ...task, ...(name !== undefined && { name }) } };
  if (task.service === undefined)
    return reply({ ...withTask, awaiting: 'service' }, [say.askService()], confidence);
  const at = instantOf(task.when, ctx);
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

/** Every booking slot the line fills; `expecting` is the one just asked for, which bare answers fill. */
const fillBooking = (task: Booking, text: string, ctx: PolicyContext, expecting?: Awaiting): Booking => {
  const service = extractService(text, expecting === 'service');
  const mentions = extractWhen(text, ctx, expecting === 'when' || expecting === 'change_booking');
  const name = extractName(text, expecting === 'name');
  let when = task.when;
  for (const m of mentions) when = mergeWhen(when, m);
  return {
    ...task,
    ...(service !== undefined && { service }),
    ...(when !== undefined && { when }),
    ...(name !== undefined && { name }),
  };
};

const startBooking = (state: DialogueState, text: string, ctx: PolicyContext, confidence: number): Step => {
  if (!has(ctx, 'book_appointment')) return cannotHere(state, ctx, confidence);
  return nextBookingStep(state, fillBooking({ kind: 'book' }, text, ctx), ctx, confidence);
};

// ---------------------------------------------------------------------------------- reschedule and cancel

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

const startChange = (
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

// ------------------------------------------------------------------------------- messages and callbacks

const takeMessage = (state: DialogueState, task: Message, ctx: PolicyContext, confidence?: number): Step => {
  if (task.content === undefined) {
    return reply({ ...state, task, awaiting: 'message' }, [say.askMessage()], confidence);
  }
  return ask(
    { ...state, task, awaiting: undefined },
    [],
    {
      name: 'take_message',
      arguments: {
        message: task.content,
        ...(state.callerName !== undefined && { callerName: state.callerName }),
      },
    },
    confidence,
  );
};

const startMessage = (
  state: DialogueState,
  text: string | undefined,
  ctx: PolicyContext,
  confidence: number,
): Step => {
  if (!has(ctx, 'take_message')) return cannotHere(state, ctx, confidence);
  const content = text !== undefined ? messageContent(text) : undefined;
  const callbackWhen = text !== undefined ? extractWhen(text, ctx)[0] : undefined;
  return takeMessage(
    state,
    {
      kind: 'message',
      ...(content !== undefined && { content }),
      ...(callbackWhen !== undefined && { callbackWhen }),
    },
    ctx,
    confidence,
  );
};

const callbackReason = (state: DialogueState): string =>
  state.firstRequest !== undefined
    ? `Caller asked: ${clip(state.firstRequest, 400)}`
    : 'Caller asked for a call back';

const scheduleCallback = (
  state: DialogueState,
  task: Callback,
  ctx: PolicyContext,
  confidence?: number,
): Step => {
  const at = callbackInstantOf(task.when, ctx);
  if (!at) return reply({ ...state, task, awaiting: 'callback_time' }, [say.askCallbackTime()], confidence);
  return ask(
    { ...state, task, awaiting: undefined },
    [],
    {
      name: 'schedule_callback',
      arguments: { at: isoWithOffset(at, ctx.timeZone), reason: callbackReason(state) },
    },
    confidence,
  );
};

// ------------------------------------------------------------------------------------------- the rest

const cannotHere = (state: DialogueState, ctx: PolicyContext, confidence: number): Step => {
  const message = has(ctx, 'take_message');
  return reply(
    { ...state, task: undefined, awaiting: message ? 'offer_message' : 'anything_else' },
    [say.cannotHere({ message })],
    confidence,
  );
};

const search = (
  state: DialogueState,
  text: string,
  purpose: 'question' | 'objection',
  ctx: PolicyContext,
  confidence: number,
): Step => {
  if (!has(ctx, 'search_knowledge_base')) {
    return purpose === 'objection'
      ? anythingElse(state, [say.understand()], confidence)
      : notFound(state, ctx, confidence);
  }
  return ask(
    { ...state, searchPurpose: purpose, awaiting: undefined },
    purpose === 'question' ? [say.checking()] : [],
    { name: 'search_knowledge_base', arguments: { query: text.trim().slice(0, 500) } },
    confidence,
  );
};

const notFound = (state: DialogueState, ctx: PolicyContext, confidence: number): Step => {
  const person = has(ctx, 'escalate_to_human');
  const message = has(ctx, 'take_message');
  return reply(
    { ...state, awaiting: person || message ? 'offer_help' : 'anything_else' },
    [say.notFound({ person, message })],
    confidence,
  );
};

const escalate = (state: DialogueState, ctx: PolicyContext, confidence: number): Step => {
  if (!has(ctx, 'escalate_to_human')) return startMessage(state, undefined, ctx, confidence);
  return ask(
    { ...state, awaiting: undefined },
    [say.connecting()],
    {
      name: 'escalate_to_human',
      arguments: { reason: 'caller_request', summary: conversationSummary(state) },
    },
    confidence,
  );
};

const requestLike = new Set<ActResult['act']>([
  'question',
  'book_appointment',
  'reschedule_appointment',
  'cancel_appointment',
  'human_request',
  'complaint',
  'objection',
  'leave_message',
  'callback_request',
]);

/** A line read for what it is, with no pending question to answer. */
const fresh = (state: DialogueState, text: string, act: ActResult, ctx: PolicyContext): Step => {
  const c = act.confidence;
  if (c < LOW_CONFIDENCE) {
    // Nothing recognised; if the line has some substance the knowledge base may still know it.
    const substance = text.split(/\s+/).filter((w) => w.length > 3).length;
    return substance >= 2 ? search(state, text, 'question', ctx, c) : reply(state, [say.rephrase()], c);
  }
  switch (act.act) {
    case 'human_request':
      return escalate(state, ctx, c);
    case 'cancel_appointment':
      return startChange(state, 'cancel', text, ctx, c);
    case 'reschedule_appointment':
      return startChange(state, 'reschedule', text, ctx, c);
    case 'book_appointment':
      return startBooking(state, text, ctx, c);
    case 'leave_message':
      return startMessage(state, text, ctx, c);
    case 'callback_request': {
      if (!has(ctx, 'schedule_callback')) return cannotHere(state, ctx, c);
      // "Call me back tomorrow about my crown": there is a message too; it is taken first, then the call back.
      if (has(ctx, 'take_message') && hasMessageBeyondRequest(text)) return startMessage(state, text, ctx, c);
      const when = extractWhen(text, ctx).reduce<WhenMention | undefined>(mergeWhen, undefined);
      return scheduleCallback(state, { kind: 'callback', ...(when !== undefined && { when }) }, ctx, c);
    }
    case 'complaint': {
      const next: DialogueState = { ...state, task: { kind: 'complaint', text } };
      return has(ctx, 'open_ticket')
        ? reply({ ...next, awaiting: 'offer_ticket' }, [say.apology(), say.offerTicket()], c)
        : anythingElse(next, [say.apology()], c);
    }
    case 'objection':
      return search(state, text, 'objection', ctx, c);
    case 'question':
      return search(state, text, 'question', ctx, c);
    case 'provide_info': {
      const booking = fillBooking({ kind: 'book' }, text, ctx);
      if ((booking.service !== undefined || booking.when !== undefined) && has(ctx, 'book_appointment')) {
        return nextBookingStep(state, booking, ctx, c);
      }
      if (booking.name !== undefined) return reply(state, [say.whatCanIDo()], c);
      return search(state, text, 'question', ctx, c);
    }
    case 'goodbye':
      return closing(state, ctx, 'caller said goodbye', c);
    case 'thanks':
      return anythingElse(state, [say.welcome()], c);
    case 'greeting':
      return reply(state, [say.greetBack()], c);
    case 'affirm':
    case 'deny':
      return reply(state, [say.whatCanIDo()], c);
  }
};

/** The acts that take over from whatever was being asked: the caller changed their mind. */
const TAKES_OVER = new Set<ActResult['act']>([
  'human_request',
  'cancel_appointment',
  'reschedule_appointment',
  'book_appointment',
  'leave_message',
  'callback_request',
  'complaint',
  'goodbye',
]);

const onCaller = (state0: DialogueState, text: string, ctx: PolicyContext): Step => {
  if (text === GATEWAY_NOTES.silence) return reply(state0, [say.stillThere()]);
  if (text === GATEWAY_NOTES.nobodyFree) {
    return has(ctx, 'take_message')
      ? reply({ ...state0, awaiting: 'offer_message' }, [say.nobodyAvailable({ afterHours: false })])
      : anythingElse(state0, [say.nobodyAvailable({ afterHours: false })]);
  }
  const act = ctx.classifier.classify(text);
  const c = act.confidence;
  const name = extractName(text, state0.awaiting === 'name');
  let state: DialogueState = {
    ...state0,
    confidence: c,
    ...(name !== undefined && { callerName: name }),
    ...(state0.firstRequest === undefined &&
      requestLike.has(act.act) &&
      c >= LOW_CONFIDENCE && { firstRequest: text }),
  };
  const { task, awaiting } = state;
  // A new request beats the pending question, except while a message is being dictated (it may say anything).
  if (awaiting !== 'message' && TAKES_OVER.has(act.act) && c >= 0.9) {
    const sameTask =
      (act.act === 'book_appointment' && task?.kind === 'book') ||
      (act.act === 'reschedule_appointment' && task?.kind === 'reschedule') ||
      (act.act === 'cancel_appointment' && task?.kind === 'cancel');
    if (!sameTask) return fresh({ ...state, awaiting: undefined }, text, act, ctx);
  }

  switch (awaiting) {
    case 'service':
    case 'when':
    case 'name':
    case 'change_booking': {
      if (task?.kind !== 'book') break;
      const filled = fillBooking(task, text, ctx, awaiting);
      const progressed =
        filled.service !== task.service || filled.when !== task.when || filled.name !== task.name;
      if (progressed) return nextBookingStep(state, filled, ctx, Math.max(c, 0.8));
      if (act.act === 'question' && c >= LOW_CONFIDENCE) return search(state, text, 'question', ctx, c);
      // Not an answer to the question: ask it again, and say honestly that the line was not understood.
      return nextBookingStep(state, task, ctx, Math.min(c, LOW_CONFIDENCE - 0.05));
    }
    case 'confirm_booking': {
      if (task?.kind !== 'book') break;
      if (isYes(act)) {
        const at = instantOf(task.when, ctx);
        const customerName = task.name ?? state.callerName;
        if (at && task.service !== undefined && customerName !== undefined) {
          return ask(
            { ...state, awaiting: undefined },
            [say.booking()],
            {
              name: 'book_appointment',
              arguments: {
                service: task.service,
                startsAt: isoWithOffset(at, ctx.timeZone),
                customerName,
              },
            },
            c,
          );
        }
      }
      const changed = fillBooking(task, text, ctx, 'change_booking');
      if (changed.service !== task.service || changed.when !== task.when || changed.name !== task.name) {
        return nextBookingStep(state, changed, ctx, c);
      }
      if (isNo(act)) return reply({ ...state, awaiting: 'change_booking' }, [say.whatToChange()], c);
      return nextBookingStep(state, task, ctx, Math.min(c, LOW_CONFIDENCE - 0.05));
    }
    case 'which_appointment': {
      if (task?.kind !== 'reschedule' && task?.kind !== 'cancel') break;
      const appointment = pickAppointment(state.appointments ?? [], text, ctx);
      if (appointment) {
        const when = task.kind === 'reschedule' ? (newTimeIn(text, ctx) ?? task.when) : undefined;
        return proceedWithChange(
          state,
          { ...task, appointment, ...(when !== undefined && { when }) },
          ctx,
          c,
        );
      }
      if (isNo(act)) return anythingElse(state, [say.keepIt()], c);
      return proceedWithChange(state, task, ctx, Math.min(c, LOW_CONFIDENCE - 0.05));
    }
    case 'new_time': {
      if (task?.kind !== 'reschedule') break;
      const when = extractWhen(text, ctx, true).reduce<WhenMention | undefined>(mergeWhen, task.when);
      if (when !== task.when)
        return proceedWithChange(state, { ...task, ...(when !== undefined && { when }) }, ctx, c);
      if (isNo(act)) return anythingElse(state, [say.keepIt()], c);
      return proceedWithChange(state, task, ctx, Math.min(c, LOW_CONFIDENCE - 0.05));
    }
    case 'confirm_change': {
      if ((task?.kind !== 'reschedule' && task?.kind !== 'cancel') || !task.appointment) break;
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
    }
    case 'message': {
      const content = messageContent(text) ?? text.trim();
      const callbackWhen = extractWhen(text, ctx)[0];
      const base: Message = task?.kind === 'message' ? task : { kind: 'message' };
      return takeMessage(
        state,
        { ...base, content, ...(callbackWhen !== undefined && { callbackWhen }) },
        ctx,
        Math.max(c, 0.8),
      );
    }
    case 'callback_time': {
      if (task?.kind !== 'callback') break;
      const when = extractWhen(text, ctx, true).reduce<WhenMention | undefined>(mergeWhen, task.when);
      if (when !== task.when)
        return scheduleCallback(state, { ...task, ...(when !== undefined && { when }) }, ctx, c);
      if (isNo(act)) return anythingElse(state, [say.okay()], c);
      return scheduleCallback(state, task, ctx, Math.min(c, LOW_CONFIDENCE - 0.05));
    }
    case 'offer_message': {
      if (isAct(act, 'leave_message') || isYes(act)) {
        return startMessage(state, text, ctx, Math.max(c, 0.8));
      }
      if (isNo(act)) return anythingElse(state, [say.okay()], c);
      // A caller who answers "yes" by dictating straight away: a long line is the message.
      if (act.act === 'provide_info' || text.split(/\s+/).length >= 6)
        return startMessage(state, text, ctx, c);
      break;
    }
    case 'offer_help': {
      if (isAct(act, 'leave_message') || /\b(?:message|mensaje|recado)\b/i.test(text)) {
        return startMessage(state, text, ctx, Math.max(c, 0.8));
      }
      if (isYes(act) || /\b(?:person|someone|human|persona|alguien|humano)\b/i.test(text)) {
        return has(ctx, 'escalate_to_human')
          ? escalate(state, ctx, Math.max(c, 0.8))
          : startMessage(state, undefined, ctx, c);
      }
      if (isNo(act)) return anythingElse(state, [say.okay()], c);
      break;
    }
    case 'offer_ticket': {
      if (task?.kind !== 'complaint') break;
      if (isYes(act)) {
        return ask(
          { ...state, awaiting: undefined },
          [],
          {
            name: 'open_ticket',
            arguments: {
              subject: `Complaint: ${clip(task.text, 150)}`,
              description: `The caller complained on the phone: "${clip(task.text, 2000)}"`,
              priority: 'high',
            },
          },
          c,
        );
      }
      if (isNo(act)) return anythingElse(state, [say.okay()], c);
      break;
    }
    case 'anything_else': {
      if (isAct(act, 'goodbye') || (isNo(act) && !requestLike.has(act.act))) {
        return closing(state, ctx, 'caller had nothing else', c);
      }
      if (act.act === 'affirm') return reply({ ...state, awaiting: undefined }, [say.whatCanIDo()], c);
      break;
    }
    case undefined:
      break;
  }
  state = { ...state, awaiting: undefined };
  return fresh(state, text, act, ctx);
};

// ----------------------------------------------------------------------------------------- tool results

const ErrorResult = z.object({ error: z.string() });
const SearchResult = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      title: z.string(),
      text: z.string(),
      score: z.number(),
    }),
  ),
});
const Scheduled = z.object({ appointmentId: z.string(), startsAt: z.string() });
/** A time refused by the practice's hours carries the next opening (conversation/tools.ts). */
const ClosedThen = z.object({ error: z.string(), nextOpening: z.iso.datetime({ offset: true }) });
const History = z.object({
  appointments: z.array(
    z.object({ appointmentId: z.string(), service: z.string(), startsAt: z.string(), status: z.string() }),
  ),
});
const Escalation = z.object({ queued: z.boolean(), reason: z.string().optional() });
const CallbackResult = z.object({ callbackAt: z.string() });

/** After a refused time the day stays, so "how about 11?" means 11 on that day. */
const dayOnly = (when: WhenMention | undefined): WhenMention | undefined =>
  when?.date
    ? { date: when.date, weekdayOnly: when.weekdayOnly, index: when.index, before: when.before }
    : undefined;

/** Appointment states that can still be moved or cancelled. */
const ACTIVE = new Set(['scheduled', 'confirmed']);

/** An answer from the knowledge base counts from this score for an objection (whose words differ more). */
const OBJECTION_ARTICLE_SCORE = 0.6;

const onTool = (
  state: DialogueState,
  name: string,
  args: Readonly<Record<string, unknown>>,
  result: unknown,
  ctx: PolicyContext,
): Step => {
  const failed = ErrorResult.safeParse(result).success;
  const c = state.confidence;
  switch (name) {
    case 'search_knowledge_base': {
      const query = typeof args['query'] === 'string' ? args['query'] : '';
      const parsed = SearchResult.safeParse(result);
      const results = parsed.success ? parsed.data.results : [];
      const purpose = state.searchPurpose ?? 'question';
      const best =
        purpose === 'objection'
          ? (results.find((r) => r.kind === 'objection') ??
            results.find((r) => r.score >= OBJECTION_ARTICLE_SCORE))
          : results[0];
      const next: DialogueState = { ...state, searchPurpose: undefined };
      if (!best) {
        const noted = note(next, `Searched the knowledge base for "${clip(query, 120)}": nothing found.`);
        return purpose === 'objection'
          ? anythingElse(noted, [say.understand()], c)
          : notFound(noted, ctx, Math.min(c ?? 1, NO_CONFIDENCE_ANSWER));
      }
      const noted = note(next, `Answered "${clip(query, 120)}" from "${clip(best.title, 80)}".`);
      const answer = say.answer(phoneLength(best.text));
      const confidence = Math.round(Math.min(c ?? 1, best.score) * 100) / 100;
      // A question asked in the middle of a booking: answer it, then take the booking up where it was.
      if (noted.task?.kind === 'book') {
        const resumed = nextBookingStep(noted, noted.task, ctx, confidence);
        return { ...resumed, output: { ...resumed.output, say: [answer, ...resumed.output.say] } };
      }
      return anythingElse(noted, [answer], confidence);
    }
    case 'book_appointment': {
      const booked = Scheduled.safeParse(result);
      if (failed || !booked.success) {
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
    }
    case 'lookup_caller_history': {
      const history = History.safeParse(result);
      const appointments = history.success
        ? history.data.appointments
            .filter((a) => ACTIVE.has(a.status) && new Date(a.startsAt) > ctx.now)
            .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))
        : [];
      const next: DialogueState = { ...state, appointments };
      const task = state.task;
      if (task?.kind === 'reschedule' || task?.kind === 'cancel')
        return proceedWithChange(next, task, ctx, c);
      return anythingElse(next, [], c);
    }
    case 'reschedule_appointment': {
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
    }
    case 'cancel_appointment': {
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
    }
    case 'escalate_to_human': {
      const escalation = Escalation.safeParse(result);
      if (escalation.success && escalation.data.queued) {
        return reply({ ...state, task: undefined, awaiting: undefined }, [say.queued()], c);
      }
      const afterHours = escalation.success && escalation.data.reason === 'after_hours';
      const next = note(
        state,
        afterHours ? 'Asked for a person after hours.' : 'Asked for a person; nobody free.',
      );
      return has(ctx, 'take_message')
        ? reply(
            { ...next, task: undefined, awaiting: 'offer_message' },
            [say.nobodyAvailable({ afterHours })],
            c,
          )
        : anythingElse(next, [say.nobodyAvailable({ afterHours })], c);
    }
    case 'take_message': {
      if (failed) return anythingElse(note(state, 'Taking a message failed.'), [say.actionFailed()], c);
      const next = note(state, 'Took a message.');
      const task = state.task;
      const at = task?.kind === 'message' ? callbackInstantOf(task.callbackWhen, ctx) : undefined;
      if (at && has(ctx, 'schedule_callback')) {
        return ask(
          { ...next, task: undefined, awaiting: undefined },
          [say.messageTaken()],
          {
            name: 'schedule_callback',
            arguments: {
              at: isoWithOffset(at, ctx.timeZone),
              reason: `Message: ${clip(String(args['message']), 400)}`,
            },
          },
          c,
        );
      }
      return anythingElse(next, [say.messageTaken()], c);
    }
    case 'schedule_callback': {
      const scheduled = CallbackResult.safeParse(result);
      if (failed || !scheduled.success) return anythingElse(state, [say.actionFailed()], c);
      return anythingElse(
        note(state, `Call back promised for ${scheduled.data.callbackAt}.`),
        [say.callbackScheduled(whenOf(new Date(scheduled.data.callbackAt), ctx))],
        c,
      );
    }
    case 'open_ticket':
      return anythingElse(
        note(state, 'Opened a ticket.'),
        [failed ? say.actionFailed() : say.ticketOpened()],
        c,
      );
    case 'end_call':
      return reply({ ...state, task: undefined, awaiting: undefined }, []);
    default:
      return anythingElse(state, [], c);
  }
};

export type DialogueEvent =
  | { readonly kind: 'caller'; readonly text: string }
  | {
      readonly kind: 'tool';
      readonly name: string;
      readonly arguments: Readonly<Record<string, unknown>>;
      readonly result: unknown;
    };

export const step = (state: DialogueState, event: DialogueEvent, ctx: PolicyContext): Step =>
  event.kind === 'caller'
    ? onCaller(state, event.text, ctx)
    : onTool(state, event.name, event.arguments, event.result, ctx);
