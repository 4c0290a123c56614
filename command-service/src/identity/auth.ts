import { randomUUID } from 'node:crypto';
import type { Actor, ApiKeyIssuer, ApiKeyScope, Role } from '@ccp/schemas';
import type { CommandHandler } from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import type { SubjectSecrets } from '../event-store/personal-data.js';
import {
  mfaFailureKey,
  type ApiKeyRecord,
  type IdentityStore,
  type Member,
  type MemberKey,
  type SessionSummary,
} from './identity-store.js';
import { outboundGuard } from '../net/outbound-guard.js';
import { OidcRejected, oidcVerifier } from './oidc.js';
import { newTotpSecret, totpStep, totpUri } from './totp.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
import {
  attemptThrottle,
  CODE_POLICY,
  PASSWORD_POLICY,
  SignInThrottled,
  type Attempt,
} from './sign-in-throttle.js';
import { API_KEY_PREFIX, hashSecret, newSecret, SESSION_PREFIX } from './secrets.js';
import { fullCredential, requireWithinOwnAccess, type Credential, type PlanOf } from '../http/authorize.js';

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: Pick<Member, 'userId' | 'tenantId' | 'email' | 'name' | 'role'>;
  /** Failed attempts and lock-outs on this account since its last sign-in, when there were any. */
  readonly signInNotice?: {
    readonly failedAttempts: number;
    readonly lockouts: number;
    readonly lastFailureAt: string;
  };
}

/** A key as its tenant's admins see it: no hash, and its issuer by name when they are on the team. */
export type ListedApiKey = Omit<ApiKeyRecord, 'issuedBy'> & {
  readonly issuedBy: (ApiKeyIssuer & { readonly name?: string }) | null;
};

export interface IssuedApiKey {
  readonly keyId: string;
  /** Shown once; only its hash is kept. */
  readonly key: string;
}

/** A password was right but the account has a second factor: the session comes with the code. */
export interface MfaChallenge {
  readonly mfaRequired: true;
  readonly challenge: string;
  readonly expiresAt: string;
}

export interface Auth {
  login(email: string, password: string): Promise<Session | MfaChallenge>;
  /**
   * Single sign-on: an OpenID Connect ID token from an issuer the member's tenant trusts, verified with that
   * tenant's keys; a member with a second factor is asked for it as at a password sign-in.
   */
  loginWithIdToken(idToken: string): Promise<Session | MfaChallenge>;
  /** The second step of a login with multi-factor: the challenge and a TOTP code. */
  completeMfaLogin(challenge: string, code: string): Promise<Session>;
  /** Starts TOTP enrolment: a new seed, pending until a code from it is confirmed. */
  startTotp(actor: Actor): Promise<{ readonly secret: string; readonly otpauthUri: string }>;
  /**
   * Turns the second factor on once a code from the new seed is right, and ends the member's other sessions
   * (any of them may be the reason for it); the session `keepSession` (the confirming one) stays.
   */
  confirmTotp(actor: Actor, code: string, keepSession?: string): Promise<void>;
  disableTotp(actor: Actor, code: string): Promise<void>;
  sessions(actor: Actor): SessionSummary[];
  revokeSession(actor: Actor, sessionId: string): void;
  /*
   * Who may call the functions below is decided by the route tables (see http/authorize.ts) before they run;
   * what they check themselves is what only they can know, such as the ceiling of an API key they hand out.
   */
  /** Ends every session of a member. */
  revokeSessionsOf(member: MemberKey): Promise<void>;
  /** A member as the directory holds them now, removed ones included. */
  member(key: MemberKey): Promise<Member | undefined>;
  /** The active members with this id in any tenant: user ids are unique only within a tenant. */
  activeMembersWithId(userId: string): Promise<Member[]>;
  /** The tenant's keys, each with who issued it, and what becomes of a removed member's keys. */
  apiKeys(tenantId: string): Promise<{
    readonly keys: ListedApiKey[];
    readonly whenIssuerRemoved: 'revoke' | 'suspend';
  }>;
  /** A new secret for a key within the credential's own role and scopes; the old secret stops at once. */
  rotateApiKey(credential: Credential, tenantId: string, keyId: string): Promise<IssuedApiKey>;
  /** Re-enables a suspended key within the credential's own role and scopes; the caller answers for it now. */
  reinstateApiKey(credential: Credential, tenantId: string, keyId: string): Promise<void>;
  /** A tenant's tier as the directory holds it now: what the authorization check asks of API keys and features. */
  planOf: PlanOf;
  /** Who a bearer credential (session token or API key) acts as and with which scopes; undefined: not valid. */
  authenticate(bearer: string): Promise<Credential | undefined>;
  logout(token: string): void;
  setPassword(member: MemberKey, password: string): Promise<void>;
  /** A new key within the credential's own role and scopes. */
  issueApiKey(
    credential: Credential,
    input: { tenantId: string; name: string; role: Role; scopes: readonly ApiKeyScope[] },
  ): Promise<IssuedApiKey>;
}

export interface AuthOptions {
  readonly identities: IdentityStore;
  readonly handler: CommandHandler;
  /** How ID tokens are verified (the platform's: through its outbound guard and log). */
  readonly verifyIdToken?: ReturnType<typeof oidcVerifier>;
  /** Seals TOTP seeds at rest; without it, multi-factor enrolment is refused. */
  readonly secrets?: SubjectSecrets;
  readonly sessionTtlMs?: number;
  readonly clock?: () => number;
  /** Where lock-outs are reported for the operator. */
  readonly log?: (message: string) => void;
}

const INVALID_LOGIN = new CommandRejected(401, 'INVALID_CREDENTIALS', 'email or password is wrong');
const INVALID_CODE = new CommandRejected(
  400,
  'INVALID_CODE',
  'the code is wrong or was already used',
  'code',
);
const MEMBER_NOT_FOUND = new CommandRejected(404, 'MEMBER_NOT_FOUND', 'no such member', 'userId');
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
/** The member a signed-in person is; API keys, the platform and callers are none. */
const memberKeyOf = (actor: Actor): MemberKey | undefined =>
  actor.kind === 'user' && actor.tenantId !== undefined
    ? { tenantId: actor.tenantId, userId: actor.id }
    : undefined;

export const createAuth = (options: AuthOptions): Auth => {
  const { identities, handler } = options;
  const ttl = options.sessionTtlMs ?? 12 * 60 * 60 * 1000;
  const now = options.clock ?? Date.now;

  const actorOf = (member: Member, kind: Actor['kind'] = 'user'): Actor => ({
    kind,
    id: member.userId,
    role: member.role,
    tenantId: member.tenantId,
  });

  // Identity providers are tenants' URLs: by default only public addresses are fetched.
  const verifyIdToken =
    options.verifyIdToken ?? oidcVerifier({ fetch: outboundGuard().fetch, log: options.log });
  /** Sign-ins waiting for their second factor, by challenge hash. Memory only: a restart asks again. */
  const challenges = new Map<string, { member: MemberKey; expiresAt: number; wrongCodes: number }>();

  const openSession = (member: Member): Session => {
    const token = newSecret(SESSION_PREFIX);
    const expiresAt = now() + ttl;
    identities.createSession(hashSecret(token), member, now(), expiresAt);
    const { userId, tenantId, name, role } = member;
    const notice = identities.takeSignInNotice(member);
    return {
      token,
      expiresAt: new Date(expiresAt).toISOString(),
      user: { userId, tenantId, email: member.email, name, role },
      ...(notice && {
        signInNotice: {
          failedAttempts: notice.failedAttempts,
          lockouts: notice.lockouts,
          lastFailureAt: new Date(notice.lastFailureAt).toISOString(),
        },
      }),
    };
  };

  const log = options.log ?? (() => undefined);
  const passwords = attemptThrottle(identities, PASSWORD_POLICY);
  /**
   * A failed step, already counted by the throttle: the member learns of it at their next sign-in, the
   * operator of every lock-out. Unknown emails are named by a hash, never in clear.
   */
  const signInFailed = (member: Member | undefined, email: string, attempt: Attempt, what: string) => {
    const lockout = attempt.lockMs > 0;
    if (member) identities.noteSignInFailure(member, now(), lockout);
    if (!lockout) return;
    const who = member
      ? `account ${member.tenantId}/${member.userId}`
      : `unknown email #${hashSecret(email).slice(0, 12)}`;
    log(`sign-in: ${who} locked for ${Math.ceil(attempt.lockMs / 1000)} s after ${attempt.failures} ${what}`);
  };

  /** A member who proved the first factor: a session, or a challenge when they have a second factor. */
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
    const secret = record && options.secrets?.open(record.subject, record.sealedSecret);
    const step = secret !== undefined ? totpStep(secret, code, now()) : undefined;
    if (!record || step === undefined || step <= record.lastStep) {
      signInFailed(member, member.email, attempt, 'wrong codes');
      throw INVALID_CODE;
    }
    codes.succeeded(key);
    identities.setTotp(member, { ...record, lastStep: step });
  };

  const existingKey = async (tenantId: string, keyId: string): Promise<ApiKeyRecord> => {
    await identities.catchUp();
    const key = identities.apiKeys(tenantId).find((k) => k.keyId === keyId);
    if (!key) throw new CommandRejected(404, 'API_KEY_NOT_FOUND', 'no such API key', 'keyId');
    return key;
  };

  /**
   * Who is issuing (or re-enabling) a key of a tenant, and which member of it answers for the key: the person
   * themselves, or whoever answers for the key they use. Super admins and the platform are on no tenant's team.
   */
  const issuerOf = (credential: Credential, tenantId: string): ApiKeyIssuer => {
    const { actor } = credential;
    if (actor.kind === 'user') {
      return { kind: 'user', id: actor.id, ...(actor.tenantId === tenantId && { accountable: actor.id }) };
    }
    if (actor.kind === 'api_key') {
      const accountable = identities.apiKeys(tenantId).find((k) => k.keyId === actor.id)?.accountable;
      return { kind: 'api_key', id: actor.id, ...(accountable != null && { accountable }) };
    }
    return { kind: 'system', id: actor.id };
  };

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

    loginWithIdToken: async (idToken) => {
      await identities.catchUp();
      // Which member the token is for decides which tenant's issuers are trusted: read its email first, verify after.
      let claimed: string | undefined;
      try {
        const payload = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString()) as {
          email?: unknown;
        };
        claimed = typeof payload.email === 'string' ? payload.email.toLowerCase() : undefined;
      } catch {
        claimed = undefined;
      }
      const member = claimed !== undefined ? identities.memberByEmail(claimed) : undefined;
      // Only the member's own tenant's issuers, with the keys that tenant configured, can vouch for them.
      const trusted = member
        ? { tenantId: member.tenantId, issuers: identities.ssoIssuers(member.tenantId) }
        : { tenantId: '', issuers: [] };
      try {
        const identity = await verifyIdToken(idToken, trusted);
        if (!member || member.status !== 'active' || identity.email !== member.email.toLowerCase())
          throw INVALID_LOGIN;
        // The identity provider's word replaces the password, not the second factor.
        return sessionOrChallenge(member);
      } catch (error) {
        if (error instanceof OidcRejected) throw new CommandRejected(401, error.code, error.message);
        throw error;
      }
    },

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
      if (!options.secrets)
        throw new CommandRejected(422, 'MFA_UNAVAILABLE', 'multi-factor is not set up here');
      if (identities.totp(member)?.enabled) {
        throw new CommandRejected(409, 'MFA_ENABLED', 'multi-factor is on already: turn it off first');
      }
      const secret = newTotpSecret();
      const subject = mfaSubject(member);
      identities.setTotp(member, {
        subject,
        sealedSecret: options.secrets.seal(subject, secret),
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

    sessions: (actor) => {
      const member = memberKeyOf(actor);
      return member ? identities.sessions(member, now()) : [];
    },

    revokeSession: (actor, sessionId) => {
      const member = memberKeyOf(actor);
      if (!member || !identities.revokeSessionById(member, sessionId, now())) {
        throw new CommandRejected(404, 'SESSION_NOT_FOUND', 'no session of yours with this id', 'sessionId');
      }
    },

    revokeSessionsOf: async (member) => {
      await identities.catchUp();
      if (!identities.member(member)) throw MEMBER_NOT_FOUND;
      identities.revokeSessionsOf(member, now());
    },

    member: async (key) => {
      await identities.catchUp();
      return identities.member(key);
    },

    activeMembersWithId: async (userId) => {
      await identities.catchUp();
      return identities.activeMembersWithId(userId);
    },

    apiKeys: async (tenantId) => {
      await identities.catchUp();
      // Only the tenant's own people are named to its admins: a person who issued a key of a tenant they are on
      // answers for it (issuerOf), while a super admin with the id of one of its members is someone else.
      const nameOf = (issuer: ApiKeyIssuer): string | undefined =>
        issuer.kind === 'user' && issuer.accountable === issuer.id
          ? identities.member({ tenantId, userId: issuer.id })?.name
          : undefined;
      const keys = identities.apiKeys(tenantId).map(({ keyHash: _hash, issuedBy, ...key }) => {
        if (issuedBy === null) return { ...key, issuedBy };
        const name = nameOf(issuedBy);
        return { ...key, issuedBy: { ...issuedBy, ...(name !== undefined && { name }) } };
      });
      return { keys, whenIssuerRemoved: identities.apiKeyPolicy(tenantId) };
    },

    rotateApiKey: async (credential, tenantId, keyId) => {
      // The new secret is handed to the caller: they must hold everything the key can do.
      requireWithinOwnAccess(credential, await existingKey(tenantId, keyId));
      const key = newSecret(API_KEY_PREFIX);
      await handler.handleTrusted(
        'RotateApiKey',
        { tenantId, keyId, keyHash: hashSecret(key) },
        { actor: credential.actor },
      );
      await identities.catchUp();
      return { keyId, key };
    },

    reinstateApiKey: async (credential, tenantId, keyId) => {
      // Whoever re-enables a key answers for it from now on: they must hold everything it can do.
      requireWithinOwnAccess(credential, await existingKey(tenantId, keyId));
      await handler.handleTrusted(
        'ReinstateApiKey',
        { tenantId, keyId, by: issuerOf(credential, tenantId) },
        { actor: credential.actor },
      );
      await identities.catchUp();
    },

    planOf: async (tenantId) => {
      await identities.catchUp();
      return identities.planTier(tenantId);
    },

    authenticate: async (bearer) => {
      // Revocations and role changes take effect at once: read the directory only after it caught up.
      await identities.catchUp();
      if (bearer.startsWith(API_KEY_PREFIX)) {
        const key = identities.apiKeyByHash(hashSecret(bearer));
        if (!key || key.status !== 'active') return undefined;
        return {
          actor: { kind: 'api_key', id: key.keyId, role: key.role, tenantId: key.tenantId },
          scopes: key.scopes,
        };
      }
      if (!bearer.startsWith(SESSION_PREFIX)) return undefined;
      const session = identities.session(hashSecret(bearer));
      if (!session || session.revokedAt !== null || session.expiresAt <= now()) return undefined;
      // The session names the member; the directory says who they are now.
      const member = identities.member(session);
      if (!member || member.status !== 'active') return undefined;
      return fullCredential(actorOf(member));
    },

    logout: (token) => identities.revokeSession(hashSecret(token), now()),

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

    issueApiKey: async (credential, input) => {
      requireWithinOwnAccess(credential, input);
      const key = newSecret(API_KEY_PREFIX);
      const keyId = `key_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      // Trusted: the route table authorized the caller, and the command is the platform's own (it chose the secret).
      await handler.handleTrusted(
        'IssueApiKey',
        { ...input, keyId, keyHash: hashSecret(key), issuedBy: issuerOf(credential, input.tenantId) },
        { actor: credential.actor },
      );
      await identities.catchUp();
      return { keyId, key };
    },
  };
};
