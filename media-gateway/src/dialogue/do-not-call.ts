import { normaliseLine } from './acts.js';
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
 * "Don't call me again", "take me off your list", "no me llamen más": the called person asks to be put on the
 * tenant's do-not-call list. Read before the act classifier, because honouring it matters more than whatever
 * else the line does, and checked over normaliseLine's output (no accents, no apostrophes).
 */
const PATTERNS: readonly RegExp[] = [
  /\b(dont|do not|never|stop)( ever)? (call|calling|phone|phoning|ring|ringing) (me|us|this number|here)\b/,
  /\b(take|remove|delete|put) (me|my number|this number|us) (off|from|on) (your|the)( \w+)? (list|lists|database|records)\b/,
  /\b(do not call|dont call|no call) list\b/,
  /\bstop calling\b/,
  /\bno (me|nos) (llamen|llames|llame|vuelvan a llamar|vuelva a llamar|vuelvas a llamar)\b/,
  /\bno (vuelvan|vuelva|vuelvas) a llamar(me|nos)?\b/,
  /\bdejen de llamar(me|nos)?\b/,
  /\b(quitenme|quiteme|quitame|borrenme|borreme|borrame|eliminenme|elimineme|eliminame|saquenme|saqueme|sacame) de (su|tu|la|sus|vuestra) (lista|listas|base de datos)\b/,
  /\b(quiten|quite|quita|borren|borre|eliminen|elimine|saquen|saque) mi (numero|telefono) de (su|tu|la|sus) (lista|listas|base de datos)\b/,
];

export const asksNotToBeCalled = (text: string): boolean => {
  const line = normaliseLine(text);
  return PATTERNS.some((pattern) => pattern.test(line));
};

/** The request heard: the number goes on the list (the tool), unless the gateway does not offer that tool. */
export const startDoNotCall = (state: DialogueState, ctx: PolicyContext, confidence: number): Step => {
  const next: DialogueState = { ...state, task: undefined, awaiting: undefined };
  if (!has(ctx, 'add_to_do_not_call')) return anythingElse(next, [say.actionFailed()], confidence);
  return ask(next, [], { name: 'add_to_do_not_call', arguments: {} }, confidence);
};

/** Listed: say so and end the call (the person asked not to be called, not to chat). */
export const afterDoNotCall = (state: DialogueState, failed: boolean, ctx: PolicyContext): Step => {
  const c = state.confidence;
  if (failed) return anythingElse(state, [say.actionFailed()], c);
  const next: DialogueState = { ...state, task: undefined, awaiting: undefined };
  return has(ctx, 'end_call')
    ? ask(
        next,
        [say.doNotCallDone()],
        { name: 'end_call', arguments: { reason: 'the caller asked not to be called again' } },
        c,
      )
    : reply(next, [say.doNotCallDone()], c);
};
