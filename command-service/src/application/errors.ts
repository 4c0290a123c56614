/** Why a command was not carried out, in the terms the HTTP API answers with. Nothing was stored. */
export class CommandRejected extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CommandRejected';
  }
}

/**
 * A refusal another try may not meet: the stream moved under the decision (after the handler's own retries), or
 * the platform was busy. Whoever sends on behalf of the platform (a processor, a worker, a webhook) tries again
 * later rather than take it as the write side's answer.
 */
export const isPassingRefusal = (error: CommandRejected): boolean =>
  error.status === 429 || error.code === 'CONCURRENCY_CONFLICT' || error.code.endsWith('_CHANGED');

/**
 * Refusals named `*_NOT_FOUND` are 404s; `*_EXISTS`, `*_CHANGED` (the sender saw a revision that is no longer
 * current) and SLOT_TAKEN (another booking got the time first: offer another) 409s; every other business rule
 * is a 422.
 */
export const statusOfDomainCode = (code: string): 404 | 409 | 422 => {
  if (code.endsWith('_NOT_FOUND')) return 404;
  if (code.endsWith('_EXISTS') || code.endsWith('_CHANGED') || code === 'SLOT_TAKEN') return 409;
  return 422;
};
