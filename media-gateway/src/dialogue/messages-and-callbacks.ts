import type { ActResult } from './acts.js';
import { instantOf, isAct, isNo, isYes, whenOf } from './answer-reading.js';
import {
  anythingElse,
  ask,
  cannotHere,
  clip,
  has,
  LOW_CONFIDENCE,
  note,
  reply,
  type Callback,
  type DialogueState,
  type Message,
  type PolicyContext,
  type Step,
} from './dialogue-state.js';
import { say, type Utterance } from './phrases.js';
import { callbackWhenIn, messageContent } from './message-words.js';
import { mergeWhen, type WhenMention } from './slots.js';
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

/** The line that asked to leave the message, kept with it when it says more than the asking. */
const announcementOf = (text: string | undefined): string | undefined =>
  text !== undefined && text.trim().split(/\s+/).length >= 6 ? clip(text.trim(), 400) : undefined;

/** The message as filed: what the caller dictated, after the words they asked to leave it with. */
const filed = (task: Message & { content: string }): string =>
  task.announcement !== undefined && task.announcement !== task.content
    ? `${task.content}\n(Asked first: ${task.announcement})`
    : task.content;

/** The caller drops the message they were about to leave. */
const DROPS_IT =
  /^(?:(?:oh|ah|um|no|actually|sorry)[,.]?\s+)*(?:never ?mind|forget it|forget about it|no message|olv[ií]d(?:elo|alo)|no importa|d[eé]j(?:elo|alo)|ning[uú]n mensaje|nada,? gracias)\b/i;

/** Words about something other than the call back itself ("about my crown, it hurts"). */
const SAYS_WHAT_ABOUT = /\b(?:about|regarding|because|sobre|porque|por lo de)\b/i;

const takeMessage = (state: DialogueState, task: Message, ctx: PolicyContext, confidence?: number): Step => {
  const { content } = task;
  if (content === undefined) {
    return reply({ ...state, task, awaiting: 'message' }, [say.askMessage()], confidence);
  }
  return ask(
    { ...state, task, awaiting: undefined },
    [],
    {
      name: 'take_message',
      arguments: {
        message: filed({ ...task, content }),
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
  const callbackWhen = text !== undefined ? callbackWhenIn(text, ctx, 'message') : undefined;
  // Only asked to leave one: the next line is the message, and these words go with it.
  const announcement = content === undefined ? announcementOf(text) : undefined;
  return takeMessage(
    state,
    {
      kind: 'message',
      ...(content !== undefined && { content }),
      ...(announcement !== undefined && { announcement }),
      ...(callbackWhen !== undefined && { callbackWhen }),
    },
    ctx,
    confidence,
  );
};

/** Why the call back: the words that asked for it (they say what about), and what the caller first came for. */
const callbackReason = (state: DialogueState, asked: string | undefined): string => {
  const first = state.firstRequest;
  if (asked === undefined)
    return first !== undefined ? `Caller asked: ${clip(first, 400)}` : 'Caller asked for a call back';
  return first !== undefined && first !== asked
    ? `Caller asked: ${clip(asked, 240)} (first asked: ${clip(first, 200)})`
    : `Caller asked: ${clip(asked, 450)}`;
};

const scheduleCallback = (
  state: DialogueState,
  task: Callback,
  ctx: PolicyContext,
  confidence?: number,
  lead: Utterance[] = [],
): Step => {
  const at = callbackInstantOf(task.when, ctx);
  if (!at)
    return reply({ ...state, task, awaiting: 'callback_time' }, [...lead, say.askCallbackTime()], confidence);
  return ask(
    { ...state, task, awaiting: undefined },
    lead,
    {
      name: 'schedule_callback',
      arguments: { at: isoWithOffset(at, ctx.timeZone), reason: callbackReason(state, task.asked) },
    },
    confidence,
  );
};

/**
 * "Call me back" with no question pending. What it is about ("about my crown") goes with the call back as its
 * reason: a call back is what was asked for, so it is scheduled rather than a message taken instead.
 */
export const startCallback = (state: DialogueState, text: string, ctx: PolicyContext, c: number): Step => {
  if (!has(ctx, 'schedule_callback')) return cannotHere(state, ctx, c);
  const when = callbackWhenIn(text, ctx, 'request');
  const callBack: Callback = { kind: 'callback', asked: text.trim(), ...(when !== undefined && { when }) };
  // "Call me back tomorrow about my crown": what it is about is left for the team first, then the call back.
  if (has(ctx, 'take_message') && SAYS_WHAT_ABOUT.test(text))
    return takeMessage(state, { kind: 'message', content: text.trim(), callBack }, ctx, c);
  return scheduleCallback(state, callBack, ctx, c);
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
  // A line that opens with "never mind" drops the message: nothing is filed.
  if (DROPS_IT.test(text)) return anythingElse({ ...state, task: undefined }, [say.okay()], c);
  const content = messageContent(text, true) ?? text.trim();
  const callbackWhen = callbackWhenIn(text, ctx, 'message');
  const base: Message = task?.kind === 'message' ? task : { kind: 'message' };
  return takeMessage(
    state,
    { ...base, content, ...(callbackWhen !== undefined && { callbackWhen }) },
    ctx,
    Math.max(c, 0.8),
  );
};

/** The line as the answer to "when should we call you back?": "this afternoon" and "after 3" are times too. */
export const answerCallbackTime = (
  state: DialogueState,
  text: string,
  act: ActResult,
  ctx: PolicyContext,
): Step | undefined => {
  const { task } = state;
  if (task?.kind !== 'callback') return undefined;
  const c = act.confidence;
  const said = callbackWhenIn(text, ctx, 'answer');
  if (said !== undefined)
    return scheduleCallback(state, { ...task, when: mergeWhen(task.when, said) }, ctx, c);
  if (isNo(act)) return anythingElse(state, [say.okay()], c);
  return scheduleCallback(state, task, ctx, Math.min(c, LOW_CONFIDENCE - 0.05));
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
  if (task?.kind === 'message' && task.callBack && has(ctx, 'schedule_callback'))
    return scheduleCallback(next, task.callBack, ctx, c, [say.messageTaken()]);
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
