import { totpCode } from '@ccp/command-service';

const STEP_MS = 30_000;

/**
 * The code a member's authenticator shows once the step of `spentAt` has been used (by an enrolment or a
 * sign-in): the next step's, or the current step's when the clock is already past it. Computing "the next
 * code" as `Date.now() + 30 s` instead lands two steps after the spent one when a 30-second boundary was
 * crossed in between, and is then accepted only thanks to the server's drift window. This one is always the
 * step right after the spent one or the step the server is in, so the server takes it at any hour, however long
 * the test ran since `spentAt`.
 */
export const codeAfter = (secret: string, spentAt: number, now: number = Date.now()): string =>
  totpCode(secret, Math.max(spentAt + STEP_MS, now));

/** The 30-second step an instant falls in, as the server counts them. */
export const stepOf = (at: number): number => Math.floor(at / STEP_MS);
