import type { ActResult } from './acts.js';
import { answerWhen, instantOf, isAct, isNo, isYes, whenOf } from './answer-reading.js';
import {
  anythingElse,
  ask,
  cannotHere,
  clip,
  has,
  note,
  reply,
  type Callback,
  type DialogueState,
  type Message,
  type PolicyContext,
  type Step,
} from './dialogue-state.js';
import { say } from './phrases.js';
import { extractWhen, mergeWhen, type WhenMention } from './slots.js';
import { CallbackResult } from './tool-results.js';
import { isoWithOffset } from '@ccp/schemas';

/**
 * Taking a message and promising a call back: the message read out of the caller's words (or asked for), the
 * time of the call back, the answers to "what is the message?", "when should we call?" and "shall I take a
 * message?" (undefined when the line is no answer, to be read afresh), and what the tools answered.
 */

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

export const startMessage = (
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

/** "Call me back" with no question pending. */
export const startCallback = (state: DialogueState, text: string, ctx: PolicyContext, c: number): Step => {
  if (!has(ctx, 'schedule_callback')) return cannotHere(state, ctx, c);
  // "Call me back tomorrow about my crown": there is a message too; it is taken first, then the call back.
  if (has(ctx, 'take_message') && hasMessageBeyondRequest(text)) return startMessage(state, text, ctx, c);
  const when = extractWhen(text, ctx).reduce<WhenMention | undefined>(mergeWhen, undefined);
  return scheduleCallback(state, { kind: 'callback', ...(when !== undefined && { when }) }, ctx, c);
};

/** The line as the message just asked for: it may say anything. */
export const answerMessage = (
  state: DialogueState,
  text: string,
  act: ActResult,
  ctx: PolicyContext,
): Step => {
  const { task } = state;
  const c = act.confidence;
  const content = messageContent(text) ?? text.trim();
  const callbackWhen = extractWhen(text, ctx)[0];
  const base: Message = task?.kind === 'message' ? task : { kind: 'message' };
  return takeMessage(
    state,
    { ...base, content, ...(callbackWhen !== undefined && { callbackWhen }) },
    ctx,
    Math.max(c, 0.8),
  );
};

/** The line as the answer to "when should we call you back?". */
export const answerCallbackTime = (
  state: DialogueState,
  text: string,
  act: ActResult,
  ctx: PolicyContext,
): Step | undefined => {
  const { task } = state;
  if (task?.kind !== 'callback') return undefined;
  return answerWhen(
    task,
    text,
    act,
    ctx,
    (next, c) => scheduleCallback(state, next, ctx, c),
    (c) => anythingElse(state, [say.okay()], c),
  );
};

/** The line as the answer to "shall I take a message?". */
export const answerMessageOffer = (
  state: DialogueState,
  text: string,
  act: ActResult,
  ctx: PolicyContext,
): Step | undefined => {
  const c = act.confidence;
  if (isAct(act, 'leave_message') || isYes(act)) {
    return startMessage(state, text, ctx, Math.max(c, 0.8));
  }
  if (isNo(act)) return anythingElse(state, [say.okay()], c);
  // A caller who answers "yes" by dictating straight away: a long line is the message.
  if (act.act === 'provide_info' || text.split(/\s+/).length >= 6) return startMessage(state, text, ctx, c);
  return undefined;
};

/** The message tool's result, then the call back the message asked for, when it named a time. */
export const afterMessage = (
  state: DialogueState,
  args: Readonly<Record<string, unknown>>,
  failed: boolean,
  ctx: PolicyContext,
): Step => {
  const c = state.confidence;
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
};

/** The call back tool's result. */
export const afterCallback = (
  state: DialogueState,
  result: unknown,
  failed: boolean,
  ctx: PolicyContext,
): Step => {
  const c = state.confidence;
  const scheduled = CallbackResult.safeParse(result);
  if (failed || !scheduled.success) return anythingElse(state, [say.actionFailed()], c);
  return anythingElse(
    note(state, `Call back promised for ${scheduled.data.callbackAt}.`),
    [say.callbackScheduled(whenOf(new Date(scheduled.data.callbackAt), ctx))],
    c,
  );
};
