import type { ActResult } from './acts.js';
import { LOW_CONFIDENCE, type PolicyContext, type Step } from './dialogue-state.js';
import { extractWhen, mergeWhen, resolveWhen, type WhenMention } from './slots.js';

/**
 * What every act reads in the caller's line the same way: a yes or a no, whether it asks for something, and the
 * instant a time mention names (and that instant as the phrases say it back).
 */

export const isAct = (result: ActResult, ...acts: ActResult['act'][]): boolean =>
  acts.includes(result.act) || result.alsoFound.some((a) => acts.includes(a));

/** A yes, unless the same line also says no. */
export const isYes = (act: ActResult): boolean => isAct(act, 'affirm') && !isAct(act, 'deny');
export const isNo = (act: ActResult): boolean => isAct(act, 'deny');

/** The acts that ask for something (the first such line is what the caller came for). */
export const requestLike = new Set<ActResult['act']>([
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

/** The instant of a mention, or undefined while its day or time is missing. */
export const instantOf = (when: WhenMention | undefined, ctx: PolicyContext): Date | undefined =>
  resolveWhen(when, ctx);

export const whenOf = (at: Date, ctx: PolicyContext) => ({ at, timeZone: ctx.timeZone });

/** After a refused time the day stays, so "how about 11?" means 11 on that day. */
export const dayOnly = (when: WhenMention | undefined): WhenMention | undefined =>
  when?.date
    ? { date: when.date, weekdayOnly: when.weekdayOnly, index: when.index, before: when.before }
    : undefined;

/**
 * The line as the answer to "when?" (a new time for an appointment, a time to call back): a time it names moves
 * the task on, a no drops the question, and anything else asks again, saying the line was not understood.
 */
export const answerWhen = <T extends { readonly when?: WhenMention }>(
  task: T,
  text: string,
  act: ActResult,
  ctx: PolicyContext,
  proceed: (task: T, confidence: number) => Step,
  declined: (confidence: number) => Step,
): Step => {
  const c = act.confidence;
  const when = extractWhen(text, ctx, true).reduce<WhenMention | undefined>(mergeWhen, task.when);
  if (when !== task.when) return proceed({ ...task, ...(when !== undefined && { when }) }, c);
  if (isNo(act)) return declined(c);
  return proceed(task, Math.min(c, LOW_CONFIDENCE - 0.05));
};
