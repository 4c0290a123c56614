import type { Actor, ApiKeyIssuer, ApiKeyScope, Role } from '@ccp/schemas';
import type { CommandHandler } from '../application/command-handler.js';
import type { SubjectSecrets } from '../event-store/personal-data.js';
import type { Credential, PlanOf } from '../http/authorize.js';
import { apiKeyManagement } from './api-keys.js';
import type { ApiKeyRecord, Member, MemberKey, SessionSummary } from './identity-records.js';
import type { IdentityStore } from './identity-store.js';
import type { oidcVerifier } from './oidc.js';
import { passwordSignIn } from './password-sign-in.js';
import { secondFactor } from './second-factor.js';
import { sessionControl, sessionOpener } from './sessions.js';
import { signInFailureReporter } from './sign-in-failures.js';
import { singleSignOn } from './single-sign-on.js';

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

/**
 * The parts of signing in are modules of their own (password-sign-in, single-sign-on, second-factor, sessions,
 * api-keys), wired here: either first factor leads to the second factor's challenge, and that to a session.
 */
export const createAuth = (options: AuthOptions): Auth => {
  const { identities, handler } = options;
  const ttl = options.sessionTtlMs ?? 12 * 60 * 60 * 1000;
  const now = options.clock ?? Date.now;
  const log = options.log ?? (() => undefined);
  const signInFailed = signInFailureReporter(identities, now, log);
  const { sessionOrChallenge, steps: secondFactorSteps } = secondFactor({
    identities,
    now,
    secrets: options.secrets,
    openSession: sessionOpener(identities, now, ttl),
    signInFailed,
  });

  return {
    ...passwordSignIn({ identities, now, signInFailed, sessionOrChallenge }),
    ...singleSignOn({
      identities,
      verifyIdToken: options.verifyIdToken,
      log: options.log,
      sessionOrChallenge,
    }),
    ...secondFactorSteps,
    ...sessionControl(identities, now),
    ...apiKeyManagement(identities, handler),

    member: async (key) => {
      await identities.catchUp();
      return identities.member(key);
    },

    activeMembersWithId: async (userId) => {
      await identities.catchUp();
      return identities.activeMembersWithId(userId);
    },

    planOf: async (tenantId) => {
      await identities.catchUp();
      return identities.planTier(tenantId);
    },
  };
};
