import type { ActClassifier } from './acts.js';
import { say, type Utterance } from './phrases.js';
import type { KnownAppointment, SlotContext, WhenMention } from './slots.js';

/**
 * The dialogue policy's state (the task under way, what the last reply asked, what was tried), the step every
 * act returns, and what all the acts build their steps with: a reply, a reply that asks for a tool, a note for
 * a person taking the call over, and the two replies any act may end on ("anything else?", "not here").
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
  /** Nothing found for the question, or the line not understood: another model may do better. */
  readonly unsure?: true;
}

/** A free time find_free_slots offered (slot-offers.ts). */
export interface OfferedSlot {
  readonly startsAt: string;
  readonly resourceId: string;
}

export type Booking = {
  readonly kind: 'book';
  readonly service?: string;
  readonly when?: WhenMention;
  readonly name?: string;
  /** "In the afternoon": where the tenant books by service, free times are looked for then. */
  readonly partOfDay?: 'morning' | 'afternoon' | 'evening';
  /** Where the tenant books by service: the times offered, and the one taken. */
  readonly offers?: readonly OfferedSlot[];
  readonly slot?: OfferedSlot;
  /** The tenant's services, as listed when the caller's words named none of them. */
  readonly choices?: readonly string[];
  /** The caller answered that list in words that name none of it (sent to find_free_slots as they are). */
  readonly unmatched?: true;
};
export type Change = {
  readonly kind: 'reschedule' | 'cancel';
  /** The caller's words about which appointment, kept until the lookup result is in. */
  readonly reference: string;
  readonly appointment?: KnownAppointment;
  readonly when?: WhenMention;
  readonly reason?: string;
};
export type Message = {
  readonly kind: 'message';
  readonly content?: string;
  /** The caller's words asking to leave the message ("for Wojtek, he fixed our lock"), kept with it. */
  readonly announcement?: string;
  readonly callbackWhen?: WhenMention;
  /** Asked for with a call back ("call me back about my crown"): the call back that follows the message. */
  readonly callBack?: Callback;
};
export type Callback = {
  readonly kind: 'callback';
  readonly when?: WhenMention;
  /** The caller's words asking for it, which say what it is about. */
  readonly asked?: string;
};
export type Complaint = { readonly kind: 'complaint'; readonly text: string };
export type Task = Booking | Change | Message | Callback | Complaint;

/** What the last reply asked the caller; the next line is read as its answer first. */
export type Awaiting =
  | 'service'
  | 'when'
  | 'name'
  | 'confirm_booking'
  | 'pick_slot'
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

export interface Step {
  readonly state: DialogueState;
  readonly output: Output;
}

export const reply = (state: DialogueState, utterances: Utterance[], confidence?: number): Step => ({
  state,
  output: { say: utterances, tools: [], ...(confidence !== undefined && { confidence }) },
});

/** A reply that admits the engine has no good answer (Output.unsure). */
export const unsure = (step: Step): Step => ({ ...step, output: { ...step.output, unsure: true } });

export const ask = (
  state: DialogueState,
  utterances: Utterance[],
  tool: ToolAsk,
  confidence?: number,
): Step => ({
  state,
  output: { say: utterances, tools: [tool], ...(confidence !== undefined && { confidence }) },
});

export const note = (state: DialogueState, text: string): DialogueState => ({
  ...state,
  notes: [...state.notes, text].slice(-8),
});

export const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

export const has = (ctx: PolicyContext, tool: string): boolean => ctx.tools.has(tool);

export const anythingElse = (state: DialogueState, lead: Utterance[], confidence?: number): Step =>
  reply({ ...state, task: undefined, awaiting: 'anything_else' }, [...lead, say.anythingElse()], confidence);

export const cannotHere = (state: DialogueState, ctx: PolicyContext, confidence: number): Step => {
  const message = has(ctx, 'take_message');
  return reply(
    { ...state, task: undefined, awaiting: message ? 'offer_message' : 'anything_else' },
    [say.cannotHere({ message })],
    confidence,
  );
};
