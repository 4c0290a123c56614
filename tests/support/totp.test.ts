import { describe, expect, it } from 'vitest';
import { newTotpSecret, totpCode, totpStep } from '@ccp/command-service';
import { codeAfter, stepOf } from './totp.js';

// A fixed instant 1 ms before a 30-second boundary: the hour at which "Date.now() twice" tests went wrong.
const BOUNDARY = Date.UTC(2026, 11, 6, 16, 30, 0);
const JUST_BEFORE = BOUNDARY - 1;

describe('codeAfter: the authenticator code after a spent step', () => {
  const secret = newTotpSecret();

  it('a code computed again after a boundary is not the spent one (why tests capture one instant)', () => {
    expect(totpCode(secret, JUST_BEFORE)).not.toBe(totpCode(secret, BOUNDARY + 5));
    expect(totpStep(secret, totpCode(secret, BOUNDARY + 5), BOUNDARY + 5)).toBe(stepOf(JUST_BEFORE) + 1);
  });

  it('is the step right after the spent one when no boundary was crossed since', () => {
    expect(totpStep(secret, codeAfter(secret, JUST_BEFORE, JUST_BEFORE), JUST_BEFORE)).toBe(
      stepOf(JUST_BEFORE) + 1,
    );
  });

  it('is never two steps after the spent one once a boundary was crossed', () => {
    const now = BOUNDARY + 10;
    // "Date.now() + 30 s" there is two steps on from the spent one.
    expect(totpStep(secret, totpCode(secret, now + 30_000), now)).toBe(stepOf(JUST_BEFORE) + 2);
    expect(totpStep(secret, codeAfter(secret, JUST_BEFORE, now), now)).toBe(stepOf(JUST_BEFORE) + 1);
  });

  it('is accepted, and newer than the spent step, whenever the server checks it, even minutes later', () => {
    for (const elapsed of [0, 1, 29_999, 30_000, 60_000, 61_234, 300_000]) {
      const now = JUST_BEFORE + elapsed;
      const code = codeAfter(secret, JUST_BEFORE, now);
      // The server reads its clock after the test computed the code: up to a boundary later.
      for (const serverNow of [now, now + 1, stepOf(now + 30_000) * 30_000]) {
        const step = totpStep(secret, code, serverNow);
        expect(step, `${elapsed} ms on, server at +${serverNow - now} ms`).toBeGreaterThan(
          stepOf(JUST_BEFORE),
        );
      }
    }
  });
});
