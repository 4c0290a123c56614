/** Why a turn's request was aborted: the caller hung up, or one of the turn's time budgets ran out. */
export type AbortCause = 'caller' | 'deadline' | 'first-token';

/**
 * The time budgets of one model turn as one abort signal: the whole turn (retries and streaming included), the
 * time to the first token, and the caller's own hang-up. The signal says which of them ended the turn.
 */
export class TurnBudget {
  readonly #controller = new AbortController();
  readonly #timers: NodeJS.Timeout[];
  readonly #firstToken: NodeJS.Timeout | undefined;
  readonly #caller: AbortSignal | undefined;
  readonly #onCallerAbort = (): void => this.#abort('caller');
  #cause: AbortCause | undefined;
  readonly #deadline: number;
  #onFirstToken: (() => void) | undefined;

  /**
   * firstTokenMs undefined: no first-token budget (an answer that is not streamed has no first token). deadline
   * (epoch ms): the turn's own limit, when it comes before timeoutMs is over. onFirstToken: told once, when the
   * answer starts (LlmRequest.onFirstToken).
   */
  constructor(
    caller: AbortSignal | undefined,
    timeoutMs: number,
    firstTokenMs?: number,
    deadline?: number,
    onFirstToken?: () => void,
  ) {
    this.#caller = caller;
    this.#onFirstToken = onFirstToken;
    this.#deadline = Math.min(Date.now() + timeoutMs, deadline ?? Infinity);
    this.#firstToken =
      firstTokenMs === undefined ? undefined : setTimeout(() => this.#abort('first-token'), firstTokenMs);
    this.#timers = [setTimeout(() => this.#abort('deadline'), Math.max(0, this.#deadline - Date.now()))];
    if (this.#firstToken !== undefined) this.#timers.push(this.#firstToken);
    if (caller?.aborted) this.#abort('caller');
    else caller?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Milliseconds left before the turn's deadline (the earlier of its timeout and the request's deadline). */
  get remainingMs(): number {
    return Math.max(0, this.#deadline - Date.now());
  }

  /** What aborted the turn, if anything did. */
  get cause(): AbortCause | undefined {
    return this.#cause;
  }

  /** The answer has started: the first-token budget no longer applies. */
  firstToken(): void {
    clearTimeout(this.#firstToken);
    const told = this.#onFirstToken;
    this.#onFirstToken = undefined;
    told?.();
  }

  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#caller?.removeEventListener('abort', this.#onCallerAbort);
  }

  #abort(cause: AbortCause): void {
    if (this.#cause !== undefined) return;
    this.#cause = cause;
    this.dispose();
    this.#controller.abort(new Error(`model turn aborted: ${cause}`));
  }
}
