import type { Member } from './identity-records.js';
import type { IdentityStore } from './identity-store.js';
import { hashSecret } from './secrets.js';
import type { Attempt } from './sign-in-throttle.js';

export type SignInFailed = (
  member: Member | undefined,
  email: string,
  attempt: Attempt,
  what: string,
) => void;

/**
 * A failed step, already counted by the throttle: the member learns of it at their next sign-in, the
 * operator of every lock-out. Unknown emails are named by a hash, never in clear.
 */
export const signInFailureReporter =
  (identities: IdentityStore, now: () => number, log: (message: string) => void): SignInFailed =>
  (member, email, attempt, what) => {
    const lockout = attempt.lockMs > 0;
    if (member) identities.noteSignInFailure(member, now(), lockout);
    if (!lockout) return;
    const who = member
      ? `account ${member.tenantId}/${member.userId}`
      : `unknown email #${hashSecret(email).slice(0, 12)}`;
    log(`sign-in: ${who} locked for ${Math.ceil(attempt.lockMs / 1000)} s after ${attempt.failures} ${what}`);
  };
