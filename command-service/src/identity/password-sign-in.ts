import { CommandRejected } from '../application/errors.js';
import type { Auth, MfaChallenge, Session } from './auth.js';
import { INVALID_LOGIN, MEMBER_NOT_FOUND } from './auth-refusals.js';
import type { Member } from './identity-records.js';
import type { IdentityStore } from './identity-store.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
import type { SignInFailed } from './sign-in-failures.js';
import { attemptThrottle, PASSWORD_POLICY, SignInThrottled } from './sign-in-throttle.js';

export interface PasswordSignInOptions {
  readonly identities: IdentityStore;
  readonly now: () => number;
  readonly signInFailed: SignInFailed;
  /** What a right password leads to (see secondFactor). */
  readonly sessionOrChallenge: (member: Member) => Session | MfaChallenge;
}

export const passwordSignIn = ({
  identities,
  now,
  signInFailed,
  sessionOrChallenge,
}: PasswordSignInOptions): Pick<Auth, 'login' | 'setPassword'> => {
  const passwords = attemptThrottle(identities, PASSWORD_POLICY);
  return {
    login: async (email, password) => {
      await identities.catchUp();
      // By email, known or not: a lock answers alike for both, so it does not tell which emails exist.
      const key = `password:${email.toLowerCase()}`;
      const attempt = passwords.begin(
        key,
        now(),
        (wait) => new SignInThrottled('ACCOUNT_LOCKED', wait, 'too many failed sign-ins for this account'),
      );
      const found = identities.memberByEmail(email);
      const member = found?.status === 'active' ? found : undefined;
      const stored = member ? identities.passwordHash(member) : undefined;
      // Verify even for unknown users so that timing does not tell which emails exist.
      const ok = await verifyPassword(password, stored ?? 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA');
      if (!member || !stored || !ok) {
        signInFailed(member, email, attempt, 'failed passwords');
        throw INVALID_LOGIN;
      }
      passwords.succeeded(key);
      return sessionOrChallenge(member);
    },

    setPassword: async (member, password) => {
      if (password.length < MIN_PASSWORD_LENGTH || password.length > 200) {
        throw new CommandRejected(
          400,
          'VALIDATION_FAILED',
          `password: must be ${MIN_PASSWORD_LENGTH} to 200 characters`,
          'password',
        );
      }
      await identities.catchUp();
      if (identities.member(member)?.status !== 'active') throw MEMBER_NOT_FOUND;
      identities.setPasswordHash(member, await hashPassword(password), now());
      // A new password signs every other device out.
      identities.revokeSessionsOf(member, now());
    },
  };
};
