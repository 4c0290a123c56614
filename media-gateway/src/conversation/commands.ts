/**
 * How the gateway acts: every step of a call is a command to command-service. In the one-process platform this
 * is the command handler itself; a separate gateway process would send the same commands over HTTP.
 */
export interface CommandSender {
  send(
    type: string,
    data: Readonly<Record<string, unknown>>,
    options?: { readonly correlationId?: string },
  ): Promise<SendResult>;
}

export interface SendResult {
  /**
   * Events the command appended: 0 when the decider found it done already (an utterance id it has seen), which
   * is how a repeated webhook learns, from the call's events, that its work was done.
   */
  readonly recorded: number;
}

/** A command the domain refused (as opposed to an infrastructure failure): the caller hears an apology. */
export class CommandRefusedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CommandRefusedError';
  }
}
