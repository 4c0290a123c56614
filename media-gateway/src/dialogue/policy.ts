import { GATEWAY_NOTES } from '../llm/port.js';
import type { ActResult } from './acts.js';
import { requestLike } from './answer-reading.js';
import {
  afterCancel,
  afterLookup,
  afterReschedule,
  answerChangeConfirmation,
  answerNewTime,
  answerWhichAppointment,
  startChange,
} from './appointment-changes.js';
import { afterBooking, fillBooking, nextBookingStep, startBooking } from './booking.js';
import { answerBookingConfirmation, answerBookingSlot } from './booking-answers.js';
import { afterTicket, answerTicketOffer, startComplaint } from './complaints.js';
import {
  anythingElse,
  has,
  LOW_CONFIDENCE,
  reply,
  unsure,
  type DialogueState,
  type PolicyContext,
  type Step,
} from './dialogue-state.js';
import { afterDoNotCall, asksNotToBeCalled, startDoNotCall } from './do-not-call.js';
import { afterEscalation, answerHelpOffer, escalate } from './escalation.js';
import { afterSearch, search } from './knowledge-answers.js';
import {
  afterCallback,
  afterMessage,
  answerCallbackTime,
  answerMessage,
  answerMessageOffer,
  startCallback,
  startMessage,
} from './messages-and-callbacks.js';
import { say } from './phrases.js';
import { afterFreeSlots, answerPickSlot } from './slot-offers.js';
import { extractName } from './slots.js';
import { answerAnythingElse, smallTalk } from './small-talk.js';
import { ErrorResult } from './tool-results.js';

/**
 * The dialogue policy as a fold: every caller line and tool result is an event, `step` takes the state before
 * it and returns the state after it and what the engine says and asks for at that point. The engine keeps
 * nothing between requests: it folds the whole history again and answers with the last step's output. Because
 * the fold is deterministic, "what it asked last" is re-derived rather than read back from its own words.
 *
 * Here each line and tool result is handed to the act it belongs to: booking.ts and booking-answers.ts,
 * appointment-changes.ts (moving, cancelling), messages-and-callbacks.ts, knowledge-answers.ts, escalation.ts,
 * complaints.ts and small-talk.ts. They share dialogue-state.ts (the state, the step and its builders),
 * answer-reading.ts (a yes, a no, a time) and tool-results.ts (the tools' results as read).
 */

export {
  INITIAL_STATE,
  LOW_CONFIDENCE,
  type DialogueState,
  type Output,
  type PolicyContext,
  type ToolAsk,
} from './dialogue-state.js';
export { conversationSummary } from './escalation.js';

/** A line read for what it is, with no pending question to answer. */
const fresh = (state: DialogueState, text: string, act: ActResult, ctx: PolicyContext): Step => {
  const c = act.confidence;
  if (c < LOW_CONFIDENCE) {
    // Nothing recognised; if the line has some substance the knowledge base may still know it.
    const substance = text.split(/\s+/).filter((w) => w.length > 3).length;
    return substance >= 2
      ? search(state, text, 'question', ctx, c)
      : unsure(reply(state, [say.rephrase()], c));
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
    case 'callback_request':
      return startCallback(state, text, ctx, c);
    case 'complaint':
      return startComplaint(state, text, ctx, c);
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
    case 'thanks':
    case 'greeting':
    case 'small_talk':
    case 'affirm':
    case 'deny':
      return smallTalk(state, act.act, ctx, c, text);
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
  // Honoured whatever was being asked, except inside a message being dictated (it may quote anything).
  if (state0.awaiting !== 'message' && asksNotToBeCalled(text)) return startDoNotCall(state0, ctx, 0.9);
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

  const answer = answerPending(state, text, act, ctx);
  if (answer) return answer;
  state = { ...state, awaiting: undefined };
  return fresh(state, text, act, ctx);
};

/** The line read first as the answer to what the last reply asked; undefined when it is no answer to it. */
const answerPending = (
  state: DialogueState,
  text: string,
  act: ActResult,
  ctx: PolicyContext,
): Step | undefined => {
  const { awaiting } = state;
  switch (awaiting) {
    case 'service':
    case 'when':
    case 'name':
    case 'change_booking':
      return answerBookingSlot(state, awaiting, text, act, ctx);
    case 'confirm_booking':
      return answerBookingConfirmation(state, text, act, ctx);
    case 'pick_slot':
      return answerPickSlot(state, text, act, ctx, (s, task, c) => nextBookingStep(s, task, ctx, c));
    case 'which_appointment':
      return answerWhichAppointment(state, text, act, ctx);
    case 'new_time':
      return answerNewTime(state, text, act, ctx);
    case 'confirm_change':
      return answerChangeConfirmation(state, text, act, ctx);
    case 'message':
      return answerMessage(state, text, act, ctx);
    case 'callback_time':
      return answerCallbackTime(state, text, act, ctx);
    case 'offer_message':
      return answerMessageOffer(state, text, act, ctx);
    case 'offer_help':
      return answerHelpOffer(state, text, act, ctx);
    case 'offer_ticket':
      return answerTicketOffer(state, act);
    case 'anything_else':
      return answerAnythingElse(state, act, ctx);
    case undefined:
      return undefined;
  }
};

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
    case 'search_knowledge_base':
      return afterSearch(state, args, result, ctx);
    case 'book_appointment':
      return afterBooking(state, args, result, failed, ctx);
    case 'find_free_slots':
      return afterFreeSlots(state, args, result, ctx, (s, task, c) => nextBookingStep(s, task, ctx, c));
    case 'lookup_caller_history':
      return afterLookup(state, result, ctx);
    case 'reschedule_appointment':
      return afterReschedule(state, result, failed, ctx);
    case 'cancel_appointment':
      return afterCancel(state, args, failed);
    case 'escalate_to_human':
      return afterEscalation(state, result, ctx);
    case 'take_message':
      return afterMessage(state, args, failed, ctx);
    case 'schedule_callback':
      return afterCallback(state, result, failed, ctx);
    case 'open_ticket':
      return afterTicket(state, failed);
    case 'add_to_do_not_call':
      return afterDoNotCall(state, failed, ctx);
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
