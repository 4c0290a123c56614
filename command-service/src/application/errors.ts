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
 * Refusals named `*_NOT_FOUND` are 404s; `*_EXISTS`, `*_CHANGED` (the sender saw a revision that is no longer
 * current) and SLOT_TAKEN (another booking got the time first: offer another) 409s; every other business rule
 * is a 422.
 */
export const statusOfDomainCode = (code: string): 404 | 409 | 422 => {
  if (code.endsWith('_NOT_FOUND')) return 404;
  if (code.endsWith('_EXISTS') || code.endsWith('_CHANGED') || code === 'SLOT_TAKEN') return 409;
  return 422;
};
