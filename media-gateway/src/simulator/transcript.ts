import type { Caller, CallerTurn, HearingContext, Listening } from './caller.js';

/** One line of a call as the simulator saw it. `at` is milliseconds since the call started. */
export type TranscriptLine =
  | {
      readonly speaker: 'agent';
      readonly text: string;
      readonly at: number;
      readonly via: 'twiml' | 'stream';
      readonly voice?: string;
      readonly language?: string;
      /** A `<Play>` (text is empty, the URL says what played). */
      readonly playUrl?: string;
      /** Cut short by a `clear` (barge-in): the text is what was heard before it. */
      readonly interrupted?: boolean;
    }
  | {
      readonly speaker: 'caller';
      readonly text: string;
      readonly at: number;
      readonly via: 'twiml' | 'stream';
      readonly turn: CallerTurn;
    }
  | {
      /** What the network itself says or does ("application error", queue position...). */
      readonly speaker: 'network';
      readonly text: string;
      readonly at: number;
    };

const describeTurn = (turn: CallerTurn): string => {
  switch (turn.kind) {
    case 'say':
      return turn.text;
    case 'press':
      return `[pressed ${turn.digits}]`;
    case 'silence':
      return '[silence]';
    case 'hangUp':
      return '[hung up]';
  }
};

/** The running transcript of a call, and what the caller has heard so far (their side of the conversation). */
export class Conversation {
  readonly lines: TranscriptLine[] = [];
  #heardAtLastTurn = 0;
  readonly #startedAt: number;
  readonly #onLine: ((line: TranscriptLine) => void) | undefined;

  constructor(onLine?: (line: TranscriptLine) => void, startedAt: number = Date.now()) {
    this.#onLine = onLine;
    this.#startedAt = startedAt;
  }

  get elapsedMs(): number {
    return Date.now() - this.#startedAt;
  }

  #add(line: TranscriptLine): void {
    this.lines.push(line);
    this.#onLine?.(line);
  }

  agent(
    text: string,
    via: 'twiml' | 'stream',
    extra: { voice?: string; language?: string; playUrl?: string; interrupted?: boolean } = {},
  ): void {
    const defined = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined));
    this.#add({ speaker: 'agent', text, at: this.elapsedMs, via, ...defined });
  }

  network(text: string): void {
    this.#add({ speaker: 'network', text, at: this.elapsedMs });
  }

  /** Agent lines with words in them, in order: what a caller could react to. */
  get heard(): string[] {
    return this.lines.filter((l) => l.speaker === 'agent' && l.text !== '').map((l) => l.text);
  }

  context(listening: Listening): HearingContext {
    const heard = this.heard;
    return { heard, sinceLastTurn: heard.slice(this.#heardAtLastTurn), listening };
  }

  /** Records a caller turn; the next turn's `sinceLastTurn` starts after what was heard until now. */
  callerTurn(turn: CallerTurn, via: 'twiml' | 'stream'): void {
    this.#heardAtLastTurn = this.heard.length;
    this.#add({ speaker: 'caller', text: describeTurn(turn), at: this.elapsedMs, via, turn });
  }

  async ask(caller: Caller, listening: Listening): Promise<CallerTurn> {
    const turn = await caller.next(this.context(listening));
    this.callerTurn(turn, listening === 'stream' ? 'stream' : 'twiml');
    return turn;
  }
}
