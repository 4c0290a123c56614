import type { ActResult } from './acts.js';
import { isAct, isNo, isYes } from './answer-reading.js';
import {
  anythingElse,
  ask,
  clip,
  has,
  note,
  reply,
  type DialogueState,
  type PolicyContext,
  type Step,
} from './dialogue-state.js';
import { startMessage } from './messages-and-callbacks.js';
import { say } from './phrases.js';
import { Escalation } from './tool-results.js';

/**
 * Handing the call to a person: the summary they get, asking for one (a message when there is nobody to ask),
 * the answer to "shall I get you a person?", and what the escalation tool answered.
 */

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

export const escalate = (state: DialogueState, ctx: PolicyContext, confidence: number): Step => {
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

/** The line as the answer to the help offered when nothing was found: a person, a message, or neither. */
export const answerHelpOffer = (
  state: DialogueState,
  text: string,
  act: ActResult,
  ctx: PolicyContext,
): Step | undefined => {
  const c = act.confidence;
  if (isAct(act, 'leave_message') || /\b(?:message|mensaje|recado)\b/i.test(text)) {
    return startMessage(state, text, ctx, Math.max(c, 0.8));
  }
  if (isYes(act) || /\b(?:person|someone|human|persona|alguien|humano)\b/i.test(text)) {
    return has(ctx, 'escalate_to_human')
      ? escalate(state, ctx, Math.max(c, 0.8))
      : startMessage(state, undefined, ctx, c);
  }
  if (isNo(act)) return anythingElse(state, [say.okay()], c);
  return undefined;
};

/** The escalation tool's result: queued for a person, or nobody free (a message offered). */
export const afterEscalation = (state: DialogueState, result: unknown, ctx: PolicyContext): Step => {
  const c = state.confidence;
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
    ? reply({ ...next, task: undefined, awaiting: 'offer_message' }, [say.nobodyAvailable({ afterHours })], c)
    : anythingElse(next, [say.nobodyAvailable({ afterHours })], c);
};
