/**
 * The person on the phone. The network asks the caller for a turn whenever it waits for input: a `<Gather>`,
 * a `<Record>`, or a quiet moment on a media stream. A caller is either a script (turns in order, with
 * `expectToHear` checks) or reactive (a function of what has been heard so far).
 */

export type CallerTurn =
  | {
      readonly kind: 'say';
      readonly text: string;
      /** BCP 47; on a media stream only informative (the recognizer decides). */
      readonly language?: string;
      /** What Twilio's recognizer reports as Confidence for this utterance (speech Gather); default 0.92. */
      readonly confidence?: number;
      /** Speak over the agent: on a media stream, start while its next reply is still playing. */
      readonly bargeIn?: boolean;
    }
  | { readonly kind: 'press'; readonly digits: string }
  | { readonly kind: 'silence'; readonly seconds?: number }
  | { readonly kind: 'hangUp' };

export type Listening = 'dtmf' | 'speech' | 'dtmf speech' | 'record' | 'stream';

export interface HearingContext {
  /** Every agent line heard so far, oldest first. */
  readonly heard: readonly string[];
  /** The agent lines heard since the caller's previous turn. */
  readonly sinceLastTurn: readonly string[];
  /** What the network is waiting for. */
  readonly listening: Listening;
}

export interface Caller {
  next(context: HearingContext): CallerTurn | Promise<CallerTurn>;
  /**
   * Asked on a media stream when the agent starts a reply: a turn to say over it (barge-in), or undefined to
   * let the agent finish.
   */
  interrupt?(context: HearingContext): CallerTurn | undefined;
  /** Expectations that were not met (the caller hung up because of them). */
  readonly failures: readonly string[];
}

export const say = (
  text: string,
  options: { readonly language?: string; readonly confidence?: number; readonly bargeIn?: boolean } = {},
): CallerTurn => ({ kind: 'say', text, ...options });
export const press = (digits: string): CallerTurn => {
  if (!/^[0-9*#]+$/.test(digits)) throw new RangeError(`press: "${digits}" is not keypad digits`);
  return { kind: 'press', digits };
};
export const silence = (seconds?: number): CallerTurn => ({
  kind: 'silence',
  ...(seconds !== undefined && { seconds }),
});
export const hangUp = (): CallerTurn => ({ kind: 'hangUp' });

export interface Expectation {
  readonly kind: 'expect';
  readonly pattern: RegExp;
  /** How many times the caller waits (stays silent) for it before giving up and hanging up. */
  readonly attempts: number;
}

/** A script step: wait until the agent has said something matching `pattern` since the caller's last turn. */
export const expectToHear = (pattern: RegExp, options: { readonly attempts?: number } = {}): Expectation => ({
  kind: 'expect',
  pattern,
  attempts: options.attempts ?? 3,
});

export type ScriptStep = CallerTurn | Expectation;

const matches = (pattern: RegExp, lines: readonly string[]) =>
  lines.some((line) => new RegExp(pattern.source, pattern.flags.replace('g', '')).test(line));

/** Plays the steps in order; once they run out the caller hangs up. */
export const scripted = (steps: readonly ScriptStep[]): Caller => {
  let index = 0;
  let waited = 0;
  const failures: string[] = [];
  // Lines heard while an expectation waits count towards it, even across the silent turns it takes.
  let heardWhileWaiting: string[] = [];
  return {
    failures,
    next(context) {
      for (;;) {
        const step = steps[index];
        if (step === undefined) return hangUp();
        if (step.kind !== 'expect') {
          index += 1;
          heardWhileWaiting = [];
          return step;
        }
        heardWhileWaiting.push(...context.sinceLastTurn);
        if (matches(step.pattern, heardWhileWaiting)) {
          index += 1;
          waited = 0;
          continue;
        }
        waited += 1;
        if (waited > step.attempts) {
          failures.push(`expected to hear ${String(step.pattern)}; heard: ${JSON.stringify(context.heard)}`);
          index = steps.length;
          return hangUp();
        }
        return silence();
      }
    },
    interrupt() {
      const step = steps[index];
      if (step?.kind === 'say' && step.bargeIn === true) {
        index += 1;
        return step;
      }
      return undefined;
    },
  };
};

export type Reaction = (
  heard: readonly string[],
  context: HearingContext,
) => CallerTurn | Promise<CallerTurn>;

/**
 * A caller that answers what it actually heard. `maxTurns` bounds a conversation that goes nowhere: the caller
 * hangs up and the overrun is reported as a failure.
 */
export const reactive = (
  react: Reaction,
  options: {
    readonly maxTurns?: number;
    readonly interrupt?: (heard: readonly string[]) => CallerTurn | undefined;
  } = {},
): Caller => {
  const failures: string[] = [];
  let turns = 0;
  const maxTurns = options.maxTurns ?? 40;
  return {
    failures,
    next(context) {
      turns += 1;
      if (turns > maxTurns) {
        failures.push(
          `no end after ${maxTurns} turns; last heard: ${JSON.stringify(context.heard.slice(-3))}`,
        );
        return hangUp();
      }
      return react(context.heard, context);
    },
    ...(options.interrupt !== undefined && {
      interrupt: (context: HearingContext) => options.interrupt?.(context.heard),
    }),
  };
};
