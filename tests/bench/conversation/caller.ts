/**
 * The benchmarks' simulated caller: a person with a plan (lines to say, answers to the agent's questions) who
 * follows it through whatever the agent says, written from the caller's side so that any engine's wording works.
 */
import {
  HEARD,
  hangUp,
  press,
  reactive,
  say,
  silence,
  type Caller,
  type CallerTurn,
  type HearingContext,
} from '@ccp/media-gateway/simulator';

/** Lines an agent says while it works on the answer: not an answer to react to. */
const FILLER =
  /^(one moment|just a moment|let me check|let me look|un momento|d[ée]jame|d[ée]jeme|perm[ií]tame)\b[^.?!]*[.?!]?$/i;
const MESSAGE_ASKED =
  /\b(what (is the |would you like (the|your) )?message|your message|message (would you like|should i)|qu[eé] mensaje|su mensaje)\b/i;

const PHONE = '555 123 4567';

export interface Plan {
  /** What the caller says, in order, one line each time the agent has answered. */
  readonly lines: readonly string[];
  /** Heard once every line was said: the goal is reached and the caller says goodbye. */
  readonly done?: RegExp;
  readonly name?: string;
  readonly service?: string;
  readonly when?: string;
  readonly message?: string;
  /** The answer to a read-back ("Shall I book it?"); default: yes. */
  readonly confirm?: (readBack: string) => string;
  readonly language?: string;
}

/** The caller's yes to a read-back, in its language. */
export const yesFor = (language: string | undefined): string =>
  language === 'es' ? 'Sí, es correcto.' : 'Yes, that is correct.';

/**
 * A caller that follows its plan through whatever the agent says: answers the questions it is asked (name, service,
 * day, phone, message, a read-back), waits on hold when handed over, says its next line when the agent has
 * answered, and says goodbye once its goal was heard.
 */
export const planned = (plan: Plan): Caller => {
  const lines = [...plan.lines];
  const sayAs = (text: string): CallerTurn =>
    say(text, plan.language !== undefined ? { language: plan.language } : {});
  const answered = new Map<string, number>();
  /** Each question is answered at most twice: an agent asking a third time is not getting anywhere. */
  const answer = (key: string, text: string | undefined): CallerTurn | undefined => {
    if (text === undefined || (answered.get(key) ?? 0) >= 2) return undefined;
    answered.set(key, (answered.get(key) ?? 0) + 1);
    return sayAs(text);
  };
  let goodbyeSaid = false;
  let quiet = 0;
  const bye = (): CallerTurn => {
    goodbyeSaid = true;
    return sayAs(plan.language === 'es' ? 'Muchas gracias. Adiós.' : "That's all, thank you. Goodbye.");
  };
  const react = (_heard: readonly string[], context: HearingContext): CallerTurn => {
    const recent = context.sinceLastTurn.filter((line) => line.trim() !== '' && !FILLER.test(line.trim()));
    const any = (pattern: RegExp) => recent.some((line) => pattern.test(line));
    if (any(HEARD.feedback)) return press('5');
    if (recent.length === 0) {
      quiet += 1;
      return quiet > 3 ? hangUp() : silence();
    }
    quiet = 0;
    if (goodbyeSaid) return hangUp();
    if (plan.done !== undefined && lines.length === 0 && any(plan.done)) return bye();
    const text = recent.join(' ');
    const turn =
      (HEARD.confirm.test(text)
        ? answer('confirm', plan.confirm?.(text) ?? yesFor(plan.language))
        : undefined) ??
      (MESSAGE_ASKED.test(text) ? answer('message', plan.message) : undefined) ??
      (HEARD.name.test(text) ? answer('name', plan.name ?? 'Ana Lopez') : undefined) ??
      (HEARD.service.test(text) ? answer('service', plan.service) : undefined) ??
      (HEARD.when.test(text) ? answer('when', plan.when) : undefined) ??
      (HEARD.phone.test(text) ? answer('phone', PHONE) : undefined) ??
      (HEARD.offerMessage.test(text)
        ? answer('offer', plan.message && (plan.language === 'es' ? 'Sí, por favor.' : 'Yes, please.'))
        : undefined);
    if (turn !== undefined) return turn;
    if (HEARD.transfer.test(text) && !HEARD.anythingElse.test(text)) return silence(10);
    const line = lines.shift();
    if (line !== undefined) return sayAs(line);
    if (HEARD.goodbye.test(text)) return hangUp();
    return bye();
  };
  return reactive(react, { maxTurns: 16 });
};
