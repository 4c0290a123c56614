import { CommandRejected } from '../application/errors.js';

/** How many failures an account may have, and how long it waits after more. */
export interface ThrottlePolicy {
  /** Failures allowed before the first lock. */
  readonly allowed: number;
  /** The first lock; each further failure doubles it. */
  readonly baseLockMs: number;
  /** Locks never last longer: an attacker can slow a victim down, never shut them out for good. */
  readonly maxLockMs: number;
  /** An account with no failure for this long starts over. */
  readonly forgetAfterMs: number;
}

/** Failures of one account (or one email nobody has: those are counted alike so a lock tells nothing). */
export interface FailureRecord {
  readonly failures: number;
  readonly lastFailureAt: number;
}

export const PASSWORD_POLICY: ThrottlePolicy = {
  allowed: 5,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 24 * 60 * 60_000,
};

/**
 * Second-factor codes: each challenge also dies after a few wrong codes, so this counts across challenges
 * (and enrolment), where a patient attacker would otherwise sign in again for fresh tries.
 */
export const CODE_POLICY: ThrottlePolicy = {
  allowed: 10,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 24 * 60 * 60_000,
};

/** The lock that `failures` earn: none within the allowance, then doubling from the base up to the cap. */
export const lockMs = (failures: number, policy: ThrottlePolicy): number =>
  failures < policy.allowed
    ? 0
    : Math.min(policy.baseLockMs * 2 ** Math.min(failures - policy.allowed, 30), policy.maxLockMs);

/** The failures that still count at `now` (none once the account was quiet long enough). */
export const failuresAt = (record: FailureRecord | undefined, now: number, policy: ThrottlePolicy): number =>
  record === undefined || now - record.lastFailureAt > policy.forgetAfterMs ? 0 : record.failures;

/** How long until the account may try again; 0 when it may now. */
export const waitMs = (record: FailureRecord | undefined, now: number, policy: ThrottlePolicy): number => {
  const failures = failuresAt(record, now, policy);
  if (record === undefined || failures === 0) return 0;
  return Math.max(0, record.lastFailureAt + lockMs(failures, policy) - now);
};

/** A refusal that says when to try again (sent as Retry-After). */
export class SignInThrottled extends CommandRejected {
  readonly retryAfterSeconds: number;
  constructor(code: 'ACCOUNT_LOCKED' | 'MFA_LOCKED', waitedMs: number, what: string) {
    const seconds = Math.max(1, Math.ceil(waitedMs / 1000));
    super(429, code, `${what}: try again in ${seconds} seconds`);
    this.retryAfterSeconds = seconds;
  }
}

/** Where failures are kept (the identity store: they outlive restarts). */
export interface FailureStore {
  signInFailures(key: string): FailureRecord | undefined;
  setSignInFailures(key: string, record: FailureRecord, forgetBefore: number): void;
  clearSignInFailures(key: string): void;
}

export interface Attempt {
  /** The lock this attempt starts if it fails (0: none). */
  readonly lockMs: number;
  readonly failures: number;
}

/**
 * Counts attempts per account. An attempt is counted as failed BEFORE it is judged and forgiven when it
 * succeeds: guesses sent all at once cannot all slip past the check before the first failure is written.
 */
export const attemptThrottle = (store: FailureStore, policy: ThrottlePolicy) => ({
  /** Refuses (`locked` decides the error) while the account waits; else counts the attempt as failed. */
  begin: (key: string, now: number, locked: (waitMs: number) => Error): Attempt => {
    const record = store.signInFailures(key);
    const wait = waitMs(record, now, policy);
    if (wait > 0) throw locked(wait);
    const failures = failuresAt(record, now, policy) + 1;
    store.setSignInFailures(key, { failures, lastFailureAt: now }, now - policy.forgetAfterMs);
    return { failures, lockMs: lockMs(failures, policy) };
  },
  /** The attempt was right: the count starts over. */
  succeeded: (key: string): void => store.clearSignInFailures(key),
});
