import { IsoDateTime } from '@ccp/schemas';
import { splitSentences } from '../llm/index.js';
import type { ChatMessage } from '../llm/port.js';
import { latestLineIndex } from './turn-guard.js';
import {
  confirmationQuestion,
  isAffirmative,
  readsBackSlot,
  slotReadBack,
  type EffectTool,
} from './guards/index.js';

/**
 * The confirmation gate: a booking, a move or a cancellation changes the caller's calendar, so it runs only
 * once the caller said yes to that exact slot read back to them. A model that books straight after the caller
 * named a time, or books another time than the one read back, is stopped, and the gateway reads the slot back
 * itself. Pure: the session gives the history, the pending confirmation and the slot.
 */

export const EFFECT_TOOLS: readonly EffectTool[] = [
  'book_appointment',
  'reschedule_appointment',
  'cancel_appointment',
];

export const isEffectTool = (name: string): name is EffectTool =>
  (EFFECT_TOOLS as readonly string[]).includes(name);

/** An effect held back until the caller confirms it, set by the reply that asked. */
export interface PendingConfirmation {
  readonly tool: EffectTool;
  readonly startsAt: string;
  /** The caller's line that reply answered (0: none yet): the confirmation must be the very next line. */
  readonly afterLine: number;
  /**
   * The question the gateway asked. A reply without a caller line (to a silence) comes between it and the next
   * line: a yes then answers that reply ("Are you still there?"), so the question must be the reply just before.
   */
  readonly question: string;
}

/** What the model is told when the gate stops its call; `say` is what the gateway asked the caller. */
export interface NeedsConfirmation {
  readonly status: 'needs_confirmation';
  readonly readBack: string;
  readonly say: string;
}

/** What the model is told of an effect the turn did not run (the gate already let one run on this line). */
export interface NotRun {
  readonly status: 'not_run';
  readonly error: string;
}

export type GateDecision =
  | { readonly run: true }
  | { readonly run: false; readonly pending: PendingConfirmation; readonly result: NeedsConfirmation };

/** The slot a book or reschedule call names, when it names a valid one (otherwise the tool refuses the call). */
export const slotArgument = (args: Readonly<Record<string, unknown>>): string | undefined => {
  const startsAt = args['startsAt'];
  return typeof startsAt === 'string' && IsoDateTime.safeParse(startsAt).success ? startsAt : undefined;
};

/** The caller's latest line (or the gateway's note in its place) and the whole reply the AI gave just before it. */
export const lastExchange = (
  messages: readonly ChatMessage[],
): { readonly callerLine: string | undefined; readonly replyBefore: string } => {
  const latest = latestLineIndex(messages);
  if (latest < 0) return { callerLine: undefined, replyBefore: '' };
  const reply: string[] = [];
  for (let i = latest - 1; i >= 0; i -= 1) {
    const message = messages[i];
    if (message === undefined || message.role === 'user') break;
    if (message.role === 'assistant' && message.content.trim() !== '') reply.unshift(message.content);
  }
  const line = messages[latest];
  return { callerLine: line?.role === 'user' ? line.content : undefined, replyBefore: reply.join(' ') };
};

/** The words that ask for each effect, EN and ES ("book", "¿La reservo?", "move", "¿La cambio?", "cancel"). */
const ACTION_WORDS: Readonly<Record<EffectTool, RegExp>> = {
  book_appointment: /\b(book|booking|schedule|reserve|reserv\p{L}*|agend\p{L}*)\b/iu,
  reschedule_appointment:
    /\b(move|moving|reschedule|change|cambi\p{L}*|muev\p{L}*|mover\p{L}*|reprogram\p{L}*|paso|pasar\p{L}*)\b/iu,
  cancel_appointment: /\b(cancel|cancell?ing|cancel\p{L}*)\b/iu,
};

/** A question that asks to go ahead with what the sentence before it said ("Shall I do that?", "¿Lo hago?"). */
const GO_AHEAD = /\b(do (that|it)|go ahead|lo hago|hacerlo|procedo)\b/iu;

const askedActions = (text: string): EffectTool[] =>
  EFFECT_TOOLS.filter((tool) => ACTION_WORDS[tool].test(text));

/**
 * Whether a reply ends with a question asking the caller for this very effect (and no other): a yes to "Would
 * you like to keep it?", "Do you have insurance?" or "Shall I book it?" is no yes to a cancellation.
 */
export const asksFor = (tool: EffectTool, reply: string): boolean => {
  const sentences = splitSentences(reply.trim());
  const last = sentences.at(-1) ?? '';
  if (!last.trimEnd().endsWith('?')) return false;
  let asked = askedActions(last);
  if (asked.length === 0 && GO_AHEAD.test(last)) asked = askedActions(sentences.at(-2) ?? '');
  return asked.length === 1 && asked[0] === tool;
};

const sameInstant = (a: string, b: string): boolean => Date.parse(a) === Date.parse(b);

export interface GateInput {
  readonly tool: EffectTool;
  /** The slot the effect is on: the new time of a booking or move, the appointment's time for a cancellation. */
  readonly startsAt: string;
  readonly messages: readonly ChatMessage[];
  readonly pending: PendingConfirmation | undefined;
  /** Caller lines heard so far. */
  readonly lineCount: number;
  readonly timeZone: string;
  readonly language: string;
  readonly now: Date;
}

/** Whether the effect may run now, or the question the caller must answer first. */
export const gateEffect = (input: GateInput): GateDecision => {
  const { tool, startsAt, messages, pending, lineCount, timeZone, language, now } = input;
  const { callerLine, replyBefore } = lastExchange(messages);
  const affirmed = callerLine !== undefined && isAffirmative(callerLine);
  const askedLastReply =
    pending !== undefined &&
    pending.tool === tool &&
    pending.afterLine === lineCount - 1 &&
    replyBefore.trimEnd().endsWith(pending.question.trim()) &&
    sameInstant(pending.startsAt, startsAt);
  const askedThisReply = asksFor(tool, replyBefore) && readsBackSlot(replyBefore, startsAt, timeZone, now);
  if (affirmed && (askedLastReply || askedThisReply)) return { run: true };
  const readBack = slotReadBack(startsAt, timeZone, language);
  const say = confirmationQuestion(tool, readBack, language);
  return {
    run: false,
    pending: { tool, startsAt, afterLine: lineCount, question: say },
    result: { status: 'needs_confirmation', readBack, say },
  };
};
