import type { ActResult } from './acts.js';
import { instantOf, isNo, isYes } from './answer-reading.js';
import {
  ask,
  LOW_CONFIDENCE,
  reply,
  type Awaiting,
  type DialogueState,
  type PolicyContext,
  type Step,
} from './dialogue-state.js';
import { fillBooking, nextBookingStep } from './booking.js';
import { search } from './knowledge-answers.js';
import { say } from './phrases.js';
import { pickService } from './service-choice.js';
import { isoWithOffset } from '@ccp/schemas';

/**
 * The caller's answers while a booking is under way: to the slot just asked for, and to the confirmation. Each
 * gives undefined when the line is no answer to it, to be read afresh. (Apart from booking.ts because a question
 * asked mid-booking is searched here, and knowledge-answers.ts takes the booking up again after the answer.)
 */

/** The line as the answer to the slot just asked for (`awaiting`), or to "what should I change?". */
export const answerBookingSlot = (
  state: DialogueState,
  awaiting: Awaiting,
  text: string,
  act: ActResult,
  ctx: PolicyContext,
): Step | undefined => {
  const { task } = state;
  const c = act.confidence;
  if (task?.kind !== 'book') return undefined;
  const meant = awaiting === 'service' && task.choices ? pickService(task.choices, text, true) : undefined;
  if (task.choices && awaiting === 'service' && (meant !== undefined || act.act !== 'question')) {
    // The answer to the list of services: the one it means, else its words for find_free_slots to match.
    const filled = fillBooking(task, text, ctx, awaiting);
    return nextBookingStep(
      state,
      {
        ...filled,
        service: meant ?? text.trim(),
        choices: undefined,
        ...(meant === undefined && { unmatched: true as const }),
      },
      ctx,
      Math.max(c, 0.8),
    );
  }
  const filled = fillBooking(task, text, ctx, awaiting);
  const progressed =
    filled.service !== task.service || filled.when !== task.when || filled.name !== task.name;
  if (progressed) return nextBookingStep(state, filled, ctx, Math.max(c, 0.8));
  if (act.act === 'question' && c >= LOW_CONFIDENCE) return search(state, text, 'question', ctx, c);
  // Not an answer to the question: ask it again, and say honestly that the line was not understood.
  return nextBookingStep(state, task, ctx, Math.min(c, LOW_CONFIDENCE - 0.05));
};

/** The line as the answer to "shall I book it?": book, change a slot, or ask what to change. */
export const answerBookingConfirmation = (
  state: DialogueState,
  text: string,
  act: ActResult,
  ctx: PolicyContext,
): Step | undefined => {
  const { task } = state;
  const c = act.confidence;
  if (task?.kind !== 'book') return undefined;
  if (isYes(act)) {
    const at = task.slot ? new Date(task.slot.startsAt) : instantOf(task.when, ctx);
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
            ...(task.slot && { resourceId: task.slot.resourceId }),
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
};
