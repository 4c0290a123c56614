import { describe, expect, it } from 'vitest';
import {
  attemptThrottle,
  failuresAt,
  lockMs,
  PASSWORD_POLICY,
  SignInThrottled,
  waitMs,
  type FailureRecord,
  type FailureStore,
} from './sign-in-throttle.js';

const memoryStore = (): FailureStore & { rows: Map<string, FailureRecord> } => {
  const rows = new Map<string, FailureRecord>();
  return {
    rows,
    signInFailures: (key) => rows.get(key),
    setSignInFailures: (key, record) => void rows.set(key, record),
    clearSignInFailures: (key) => void rows.delete(key),
  };
};

describe('sign-in back-off', () => {
  it('allows the first failures, then locks for a time that doubles up to the cap', () => {
    const locks = Array.from({ length: 12 }, (_, i) => lockMs(i + 1, PASSWORD_POLICY) / 1000);
    expect(locks).toEqual([0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
    // However many failures pile up, the lock stays finite.
    expect(lockMs(1_000_000, PASSWORD_POLICY)).toBe(PASSWORD_POLICY.maxLockMs);
  });

  it('waits from the last failure, and forgets an account that stayed quiet', () => {
    const record = { failures: 6, lastFailureAt: 1_000_000 };
    expect(waitMs(record, 1_000_000, PASSWORD_POLICY)).toBe(60_000);
    expect(waitMs(record, 1_045_000, PASSWORD_POLICY)).toBe(15_000);
    expect(waitMs(record, 1_060_000, PASSWORD_POLICY)).toBe(0);
    expect(failuresAt(record, 1_000_000 + PASSWORD_POLICY.forgetAfterMs + 1, PASSWORD_POLICY)).toBe(0);
    expect(waitMs(undefined, 0, PASSWORD_POLICY)).toBe(0);
  });

  it('counts an attempt before it is judged, refuses while locked and starts over on success', () => {
    const store = memoryStore();
    const throttle = attemptThrottle(store, PASSWORD_POLICY);
    const locked = (wait: number) => new SignInThrottled('ACCOUNT_LOCKED', wait, 'locked');
    for (let i = 1; i <= 4; i += 1)
      expect(throttle.begin('k', 0, locked)).toEqual({ failures: i, lockMs: 0 });
    expect(throttle.begin('k', 0, locked)).toEqual({ failures: 5, lockMs: 30_000 });
    expect(() => throttle.begin('k', 29_999, locked)).toThrow(SignInThrottled);
    try {
      throttle.begin('k', 10_500, locked);
    } catch (error) {
      expect((error as SignInThrottled).retryAfterSeconds).toBe(20);
      expect((error as SignInThrottled).status).toBe(429);
    }
    expect(store.rows.get('k')?.failures).toBe(5);
    throttle.succeeded('k');
    expect(throttle.begin('k', 30_000, locked)).toEqual({ failures: 1, lockMs: 0 });
  });
});
