import { coreOf } from './acts-patterns.js';
import { normaliseLine, type ActResult, type DialogueAct } from './acts.js';
import { isAct, isNo, requestLike } from './answer-reading.js';
import {
  anythingElse,
  ask,
  has,
  reply,
  type DialogueState,
  type PolicyContext,
  type Step,
} from './dialogue-state.js';
import { say } from './phrases.js';

/**
 * Small talk and closing: a greeting, a pleasantry ("how's your day going?"), thanks, a bare yes or no, goodbye (the closing words, and the call ended
 * where the gateway offers it), and the answer to "anything else?" (undefined when the line is none, to be read
 * afresh).
 */

export const closing = (
  state: DialogueState,
  ctx: PolicyContext,
  reason: string,
  confidence?: number,
): Step => {
  const next: DialogueState = { ...state, task: undefined, awaiting: undefined };
  return has(ctx, 'end_call')
    ? ask(next, [say.closing()], { name: 'end_call', arguments: { reason } }, confidence)
    : reply(next, [say.closing()], confidence);
};

/** The acts that ask for nothing. */
export type SmallTalk = Extract<
  DialogueAct,
  'goodbye' | 'thanks' | 'greeting' | 'small_talk' | 'affirm' | 'deny'
>;

/**
 * A hello or a "yeah" that goes on for a while ("hi, we just moved into a house with old wiring") tells the
 * caller's situation before the request: it is acknowledged as such, not greeted as if nothing was said.
 */
const STORY_WORDS = 4;
const tellsASituation = (text: string): boolean =>
  coreOf(normaliseLine(text))
    .core.split(' ')
    .filter((w) => w.length > 0).length >= STORY_WORDS;

/** A line of small talk with no question pending. */
export const smallTalk = (
  state: DialogueState,
  act: SmallTalk,
  ctx: PolicyContext,
  c: number,
  text = '',
): Step => {
  switch (act) {
    case 'goodbye':
      return closing(state, ctx, 'caller said goodbye', c);
    case 'thanks':
      return anythingElse(state, [say.welcome()], c);
    case 'greeting':
      return reply(state, [tellsASituation(text) ? say.howCanIHelpWithThat() : say.greetBack()], c);
    case 'small_talk':
      return reply(state, [say.pleasantryBack()], c);
    case 'affirm':
      return reply(state, [tellsASituation(text) ? say.howCanIHelpWithThat() : say.whatCanIDo()], c);
    case 'deny':
      return reply(state, [say.whatCanIDo()], c);
  }
};

/** The line as the answer to "anything else?". */
export const answerAnythingElse = (
  state: DialogueState,
  act: ActResult,
  ctx: PolicyContext,
): Step | undefined => {
  const c = act.confidence;
  if (isAct(act, 'goodbye') || (isNo(act) && !requestLike.has(act.act))) {
    return closing(state, ctx, 'caller had nothing else', c);
  }
  if (act.act === 'affirm') return reply({ ...state, awaiting: undefined }, [say.whatCanIDo()], c);
  return undefined;
};
