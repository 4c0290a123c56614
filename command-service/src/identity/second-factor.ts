import type { Actor } from '@ccp/schemas';
import { CommandRejected } from '../application/errors.js';
import type { SubjectSecrets } from '../event-store/personal-data.js';
import type { Auth, MfaChallenge, Session } from './auth.js';
import { INVALID_LOGIN } from './auth-refusals.js';
import { mfaFailureKey, type Member, type MemberKey } from './identity-records.js';
import type { IdentityStore } from './identity-store.js';
import { hashSecret, newSecret } from './secrets.js';
import { memberKeyOf } from './sessions.js';
import type { SignInFailed } from './sign-in-failures.js';
import { attemptThrottle, CODE_POLICY, SignInThrottled } from './sign-in-throttle.js';
import { newTotpSecret, totpStep, totpUri } from './totp.js';

const INVALID_CODE = new CommandRejected(
  400,
  'INVALID_CODE',
  'the code is wrong or was already used',
  'code',
);
const CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** Wrong codes a sign-in challenge takes before it is spent (the account's own allowance is CODE_POLICY). */
const CODES_PER_CHALLENGE = 5;
const MAX_CHALLENGES = 10_000;
/**
 * The subject whose key seals a member's TOTP seed: theirs in their tenant, so erasing the tenant's subjects
 * erases it, and a namesake in another tenant has another key. (Seeds enrolled before were sealed under
 * `platform:mfa.<userId>` and keep it: the store records each seed's subject.)
 */
const mfaSubject = ({ tenantId, userId }: MemberKey) => `${tenantId}:mfa.${userId}`;

export interface SecondFactorOptions {
  readonly identities: IdentityStore;
  readonly now: () => number;
  readonly secrets: SubjectSecrets | undefined;
  readonly openSession: (member: Member) => Session;
  readonly signInFailed: SignInFailed;
}

export interface SecondFactor {
  /** A member who proved the first factor: a session, or a challenge when they have a second factor. */
  readonly sessionOrChallenge: (member: Member) => Session | MfaChallenge;
  readonly steps: Pick<Auth, 'completeMfaLogin' | 'startTotp' | 'confirmTotp' | 'disableTotp'>;
}

export const secondFactor = ({
  identities,
  now,
  secrets,
  openSession,
  signInFailed,
}: SecondFactorOptions): SecondFactor => {
  /** Sign-ins waiting for their second factor, by challenge hash. Memory only: a restart asks again. */
  const challenges = new Map<string, { member: MemberKey; expiresAt: number; wrongCodes: number }>();

  const sessionOrChallenge = (member: Member): Session | MfaChallenge => {
    if (!identities.totp(member)?.enabled) return openSession(member);
    const challenge = newSecret('mfa_');
    const expiresAt = now() + CHALLENGE_TTL_MS;
    const { tenantId, userId } = member;
    challenges.set(hashSecret(challenge), { member: { tenantId, userId }, expiresAt, wrongCodes: 0 });
    if (challenges.size > MAX_CHALLENGES) challenges.delete(challenges.keys().next().value ?? '');
    return { mfaRequired: true, challenge, expiresAt: new Date(expiresAt).toISOString() };
  };

  const signedInMember = async (actor: Actor): Promise<Member> => {
    await identities.catchUp();
    const key = memberKeyOf(actor);
    const member = key && identities.member(key);
    if (!member || member.status !== 'active') {
      throw new CommandRejected(
        403,
        'FORBIDDEN',
        'only a signed-in person has a second factor (not an API key)',
      );
    }
    return member;
  };

  const codes = attemptThrottle(identities, CODE_POLICY);
  /**
   * Checks a TOTP code against the user's seed, once: its step must be newer than the last one accepted. Wrong
   * codes count against the account wherever they are sent (sign-in, enrolment, turning it off), and past the
   * allowance every code is refused for a while, right or wrong: a million codes are not to be tried.
   */
  const acceptCode = (member: Member, code: string): void => {
    const key = mfaFailureKey(member);
    const attempt = codes.begin(
      key,
      now(),
      (wait) => new SignInThrottled('MFA_LOCKED', wait, 'too many wrong codes for this account'),
    );
    const record = identities.totp(member);
    const secret = record && secrets?.open(record.subject, record.sealedSecret);
    const step = secret !== undefined ? totpStep(secret, code, now()) : undefined;
    if (!record || step === undefined || step <= record.lastStep) {
      signInFailed(member, member.email, attempt, 'wrong codes');
      throw INVALID_CODE;
    }
    codes.succeeded(key);
    identities.setTotp(member, { ...record, lastStep: step });
  };

  const steps: SecondFactor['steps'] = {
    completeMfaLogin: async (challenge, code) => {
      const key = hashSecret(challenge);
      const pending = challenges.get(key);
      if (!pending || pending.expiresAt <= now()) {
        challenges.delete(key);
        throw new CommandRejected(
          401,
          'INVALID_CHALLENGE',
          'the sign-in challenge expired or is unknown: sign in again',
        );
      }
      await identities.catchUp();
      const member = identities.member(pending.member);
      if (!member || member.status !== 'active') throw INVALID_LOGIN;
      try {
        acceptCode(member, code);
      } catch (error) {
        // A few wrong codes spend the challenge: guessing on means proving the password again.
        if (error === INVALID_CODE && ++pending.wrongCodes >= CODES_PER_CHALLENGE) challenges.delete(key);
        throw error;
      }
      // Single use: the challenge is spent with the code it was answered by.
      challenges.delete(key);
      return openSession(member);
    },

    startTotp: async (actor) => {
      const member = await signedInMember(actor);
      if (!secrets) throw new CommandRejected(422, 'MFA_UNAVAILABLE', 'multi-factor is not set up here');
      if (identities.totp(member)?.enabled) {
        throw new CommandRejected(409, 'MFA_ENABLED', 'multi-factor is on already: turn it off first');
      }
      const secret = newTotpSecret();
      const subject = mfaSubject(member);
      identities.setTotp(member, {
        subject,
        sealedSecret: secrets.seal(subject, secret),
        enabled: false,
        lastStep: 0,
      });
      return { secret, otpauthUri: totpUri(secret, member.email) };
    },

    confirmTotp: async (actor, code, keepSession) => {
      const member = await signedInMember(actor);
      const record = identities.totp(member);
      if (!record) throw new CommandRejected(404, 'MFA_NOT_STARTED', 'start enrolment first');
      if (record.enabled) return;
      acceptCode(member, code);
      identities.setTotp(member, {
        ...record,
        enabled: true,
        lastStep: identities.totp(member)?.lastStep ?? 0,
      });
      // Sessions opened with the password alone end: whoever else holds one must now pass the second factor.
      if (keepSession !== undefined) identities.revokeOtherSessions(member, hashSecret(keepSession), now());
      else identities.revokeSessionsOf(member, now());
    },

    disableTotp: async (actor, code) => {
      const member = await signedInMember(actor);
      if (!identities.totp(member)?.enabled) {
        throw new CommandRejected(404, 'MFA_NOT_ENABLED', 'multi-factor is not on');
      }
      acceptCode(member, code);
      identities.deleteTotp(member);
    },
  };
  return { sessionOrChallenge, steps };
};
