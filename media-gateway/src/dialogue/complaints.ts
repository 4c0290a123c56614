import type { ActResult } from './acts.js';
import { isNo, isYes } from './answer-reading.js';
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
import { say } from './phrases.js';

/** A complaint: the apology, the offer of a ticket and the caller's answer to it, and the ticket tool's result. */

/** A complaint with no question pending. */
export const startComplaint = (state: DialogueState, text: string, ctx: PolicyContext, c: number): Step => {
  const next: DialogueState = { ...state, task: { kind: 'complaint', text } };
  return has(ctx, 'open_ticket')
    ? reply({ ...next, awaiting: 'offer_ticket' }, [say.apology(), say.offerTicket()], c)
    : anythingElse(next, [say.apology()], c);
};

/** The line as the answer to "shall I open a ticket?". */
export const answerTicketOffer = (state: DialogueState, act: ActResult): Step | undefined => {
  const { task } = state;
  const c = act.confidence;
  if (task?.kind !== 'complaint') return undefined;
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
  return undefined;
};

/** The ticket tool's result. */
export const afterTicket = (state: DialogueState, failed: boolean): Step => {
  const c = state.confidence;
  return anythingElse(note(state, 'Opened a ticket.'), [failed ? say.actionFailed() : say.ticketOpened()], c);
};
