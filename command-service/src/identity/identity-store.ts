import { emailHash, PlanTier, type SsoIssuer } from '@ccp/schemas';
import type { EventStore } from '../event-store/port.js';
import type { FailureRecord, FailureStore } from './sign-in-throttle.js';
import { openPrivateDatabase } from '../event-store/private-sqlite.js';
import {
  toApiKey,
  toMember,
  type ApiKeyRecord,
  type ApiKeyRow,
  type Member,
  type MemberKey,
  type MemberRow,
  type SessionRecord,
  type SessionSummary,
  type SignInNotice,
  type TotpRecord,
} from './identity-records.js';
import { SCHEMA } from './identity-schema.js';
import { addApiKeyColumns, keyOlderRowsByTenant, rebuildOlderProjection } from './identity-migrations.js';
import { identityProjection } from './identity-projection.js';

// This module is what the rest of the platform imports: the records it hands out are re-exported from here.
export { mfaFailureKey } from './identity-records.js';
export type {
  ApiKeyRecord,
  Member,
  MemberKey,
  SessionRecord,
  SessionSummary,
  SignInNotice,
  TotpRecord,
} from './identity-records.js';

/** Sessions are named to their owner by the start of their token's hash: never the token itself. */
const SESSION_ID_LENGTH = 16;

/**
 * Who can sign in and with what. Members and API keys are a projection of the event log (rebuildable, kept
 * current by `catchUp`); password hashes and sessions are credentials, kept here only and never in the
 * immutable log, so that they can be changed and erased.
 */
export interface IdentityStore extends FailureStore {
  catchUp(): Promise<void>;
  memberByEmail(email: string): Member | undefined;
  member(key: MemberKey): Member | undefined;
  /** The active members with this id, in any tenant (ids are unique only within a tenant). */
  activeMembersWithId(userId: string): Member[];
  apiKeyByHash(keyHash: string): ApiKeyRecord | undefined;
  passwordHash(member: MemberKey): string | undefined;
  setPasswordHash(member: MemberKey, hash: string, now: number): void;
  createSession(tokenHash: string, member: MemberKey, now: number, expiresAt: number): void;
  session(tokenHash: string): SessionRecord | undefined;
  revokeSession(tokenHash: string, now: number): void;
  revokeSessionsOf(member: MemberKey, now: number): void;
  /** Ends every session of the member but the one with `keepTokenHash`. */
  revokeOtherSessions(member: MemberKey, keepTokenHash: string, now: number): void;
  /** The member's sessions that are neither revoked nor expired. */
  sessions(member: MemberKey, now: number): SessionSummary[];
  /** Ends one of the member's sessions; false when they have none by that id. */
  revokeSessionById(member: MemberKey, sessionId: string, now: number): boolean;
  apiKeys(tenantId: string): (ApiKeyRecord & { readonly keyHash: string })[];
  /** What the tenant does with the API keys of a member who is removed. */
  apiKeyPolicy(tenantId: string): 'revoke' | 'suspend';
  /** The OpenID Connect issuers a tenant trusts (its settings' `sso`). */
  ssoIssuers(tenantId: string): SsoIssuer[];
  /** The tenant's subscription tier now; `free` for a tenant the log does not hold. */
  planTier(tenantId: string): PlanTier;
  totp(member: MemberKey): TotpRecord | undefined;
  setTotp(member: MemberKey, record: TotpRecord): void;
  deleteTotp(member: MemberKey): void;
  /** Counts a failed sign-in step (and whether it locked the account) for the owner's next sign-in. */
  noteSignInFailure(member: MemberKey, now: number, lockout: boolean): void;
  /** What the owner has not been told yet; reading it clears it. */
  takeSignInNotice(member: MemberKey): SignInNotice | undefined;
  close(): void;
}

export const createIdentityStore = (path: string, store: EventStore): IdentityStore => {
  const db = openPrivateDatabase(path);
  // Set first: switching a new file to WAL takes a lock another process may hold at that moment.
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  // Older layouts first: the schema's indexes name columns their tables lack.
  keyOlderRowsByTenant(db);
  db.exec(SCHEMA);
  addApiKeyColumns(db);
  rebuildOlderProjection(db);
  const catchUp = identityProjection(db, store);

  const q = {
    // Who signs in with an address is who holds its platform-wide claim, never another tenant's lookalike.
    memberByEmail: db.prepare<[string], MemberRow>(
      `SELECT members.* FROM logins
        JOIN members ON members.user_id = logins.user_id AND members.tenant_id = logins.tenant_id
       WHERE logins.email_hash = ?`,
    ),
    member: db.prepare<[string, string], MemberRow>(
      'SELECT * FROM members WHERE tenant_id = ? AND user_id = ?',
    ),
    activeMembersWithId: db.prepare<[string], MemberRow>(
      "SELECT * FROM members WHERE user_id = ? AND status = 'active' ORDER BY tenant_id",
    ),
    keyByHash: db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE key_hash = ?'),
    keyPolicy: db.prepare<[string], { when_issuer_removed: 'revoke' | 'suspend' }>(
      'SELECT when_issuer_removed FROM keyring_policy WHERE tenant_id = ?',
    ),
    passwordHash: db.prepare<[string, string], { password_hash: string }>(
      'SELECT password_hash FROM credentials WHERE tenant_id = ? AND user_id = ?',
    ),
    setPassword: db.prepare<[string, string, string, number]>(
      `INSERT INTO credentials (tenant_id, user_id, password_hash, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (tenant_id, user_id) DO UPDATE SET password_hash = excluded.password_hash,
         updated_at = excluded.updated_at`,
    ),
    createSession: db.prepare<[string, string, string, number, number]>(
      'INSERT INTO sessions (token_hash, tenant_id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    ),
    session: db.prepare<
      [string],
      { tenant_id: string; user_id: string; expires_at: number; revoked_at: number | null }
    >('SELECT tenant_id, user_id, expires_at, revoked_at FROM sessions WHERE token_hash = ?'),
    revokeSession: db.prepare<[number, string]>(
      'UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL',
    ),
    revokeSessionsOf: db.prepare<[number, string, string]>(
      'UPDATE sessions SET revoked_at = ? WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL',
    ),
    revokeOtherSessions: db.prepare<[number, string, string, string]>(
      `UPDATE sessions SET revoked_at = ?
        WHERE tenant_id = ? AND user_id = ? AND token_hash <> ? AND revoked_at IS NULL`,
    ),
    sessionsOf: db.prepare<
      [string, string, number],
      { token_hash: string; created_at: number; expires_at: number }
    >(
      `SELECT token_hash, created_at, expires_at FROM sessions
        WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC`,
    ),
    revokeSessionById: db.prepare<[number, string, string, string, string]>(
      `UPDATE sessions SET revoked_at = ? WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL
        AND substr(token_hash, 1, ${SESSION_ID_LENGTH}) = substr(?, 1, ${SESSION_ID_LENGTH}) AND length(?) = ${SESSION_ID_LENGTH}`,
    ),
    keysOf: db.prepare<[string], ApiKeyRow & { key_hash: string }>(
      'SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY key_id',
    ),
    totp: db.prepare<
      [string, string],
      { subject: string; sealed_secret: string; enabled: number; last_step: number }
    >('SELECT subject, sealed_secret, enabled, last_step FROM totp WHERE tenant_id = ? AND user_id = ?'),
    setTotp: db.prepare<[string, string, string, string, number, number]>(
      `INSERT INTO totp (tenant_id, user_id, subject, sealed_secret, enabled, last_step) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, user_id) DO UPDATE SET subject = excluded.subject,
         sealed_secret = excluded.sealed_secret, enabled = excluded.enabled, last_step = excluded.last_step`,
    ),
    deleteTotp: db.prepare<[string, string]>('DELETE FROM totp WHERE tenant_id = ? AND user_id = ?'),
    failures: db.prepare<[string], { failures: number; last_failure_at: number }>(
      'SELECT failures, last_failure_at FROM sign_in_failures WHERE key = ?',
    ),
    setFailures: db.prepare<[string, number, number]>(
      `INSERT INTO sign_in_failures (key, failures, last_failure_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at`,
    ),
    clearFailures: db.prepare<[string]>('DELETE FROM sign_in_failures WHERE key = ?'),
    forgetFailures: db.prepare<[number]>('DELETE FROM sign_in_failures WHERE last_failure_at < ?'),
    noteFailure: db.prepare<[string, string, number, number]>(
      `INSERT INTO sign_in_notices (tenant_id, user_id, failed_attempts, lockouts, last_failure_at)
       VALUES (?, ?, 1, ?, ?)
       ON CONFLICT (tenant_id, user_id) DO UPDATE SET failed_attempts = failed_attempts + 1,
         lockouts = lockouts + excluded.lockouts, last_failure_at = excluded.last_failure_at`,
    ),
    notice: db.prepare<
      [string, string],
      { failed_attempts: number; lockouts: number; last_failure_at: number }
    >(
      `SELECT failed_attempts, lockouts, last_failure_at FROM sign_in_notices
        WHERE tenant_id = ? AND user_id = ?`,
    ),
    clearNotice: db.prepare<[string, string]>(
      'DELETE FROM sign_in_notices WHERE tenant_id = ? AND user_id = ?',
    ),
    sso: db.prepare<[string], { issuers: string }>('SELECT issuers FROM tenant_sso WHERE tenant_id = ?'),
    tier: db.prepare<[string], { plan_tier: string }>(
      'SELECT plan_tier FROM tenant_tiers WHERE tenant_id = ?',
    ),
  };

  return {
    catchUp,
    memberByEmail: (email) => {
      const row = q.memberByEmail.get(emailHash(email));
      return row && toMember(row);
    },
    member: ({ tenantId, userId }) => {
      const row = q.member.get(tenantId, userId);
      return row && toMember(row);
    },
    activeMembersWithId: (userId) => q.activeMembersWithId.all(userId).map(toMember),
    apiKeyByHash: (keyHash) => {
      const row = q.keyByHash.get(keyHash);
      return row && toApiKey(row);
    },
    passwordHash: ({ tenantId, userId }) => q.passwordHash.get(tenantId, userId)?.password_hash,
    setPasswordHash: ({ tenantId, userId }, hash, now) => {
      q.setPassword.run(tenantId, userId, hash, now);
    },
    createSession: (tokenHash, { tenantId, userId }, now, expiresAt) => {
      q.createSession.run(tokenHash, tenantId, userId, now, expiresAt);
    },
    session: (tokenHash) => {
      const row = q.session.get(tokenHash);
      return (
        row && {
          tenantId: row.tenant_id,
          userId: row.user_id,
          expiresAt: row.expires_at,
          revokedAt: row.revoked_at,
        }
      );
    },
    revokeSession: (tokenHash, now) => {
      q.revokeSession.run(now, tokenHash);
    },
    revokeSessionsOf: ({ tenantId, userId }, now) => {
      q.revokeSessionsOf.run(now, tenantId, userId);
    },
    revokeOtherSessions: ({ tenantId, userId }, keepTokenHash, now) => {
      q.revokeOtherSessions.run(now, tenantId, userId, keepTokenHash);
    },
    sessions: ({ tenantId, userId }, now) =>
      q.sessionsOf.all(tenantId, userId, now).map((row) => ({
        sessionId: row.token_hash.slice(0, SESSION_ID_LENGTH),
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      })),
    revokeSessionById: ({ tenantId, userId }, sessionId, now) =>
      q.revokeSessionById.run(now, tenantId, userId, sessionId, sessionId).changes > 0,
    apiKeys: (tenantId) => q.keysOf.all(tenantId).map((row) => ({ ...toApiKey(row), keyHash: row.key_hash })),
    apiKeyPolicy: (tenantId) => q.keyPolicy.get(tenantId)?.when_issuer_removed ?? 'revoke',
    ssoIssuers: (tenantId) => {
      const row = q.sso.get(tenantId);
      return row ? (JSON.parse(row.issuers) as SsoIssuer[]) : [];
    },
    planTier: (tenantId) => {
      // Written from TenantCreated and PlanTierChanged, whose schemas validated it; anything else grants nothing.
      const tier = PlanTier.safeParse(q.tier.get(tenantId)?.plan_tier);
      return tier.success ? tier.data : 'free';
    },
    totp: ({ tenantId, userId }) => {
      const row = q.totp.get(tenantId, userId);
      return (
        row && {
          subject: row.subject,
          sealedSecret: row.sealed_secret,
          enabled: row.enabled === 1,
          lastStep: row.last_step,
        }
      );
    },
    setTotp: ({ tenantId, userId }, record) => {
      const { subject, sealedSecret, enabled, lastStep } = record;
      q.setTotp.run(tenantId, userId, subject, sealedSecret, enabled ? 1 : 0, lastStep);
    },
    deleteTotp: ({ tenantId, userId }) => {
      q.deleteTotp.run(tenantId, userId);
    },
    signInFailures: (key): FailureRecord | undefined => {
      const row = q.failures.get(key);
      return row && { failures: row.failures, lastFailureAt: row.last_failure_at };
    },
    setSignInFailures: (key, record, forgetBefore) => {
      q.setFailures.run(key, record.failures, record.lastFailureAt);
      // Emails nobody has are counted too: drop what has long been quiet so guesses cannot fill the disk.
      q.forgetFailures.run(forgetBefore);
    },
    clearSignInFailures: (key) => {
      q.clearFailures.run(key);
    },
    noteSignInFailure: ({ tenantId, userId }, now, lockout) => {
      q.noteFailure.run(tenantId, userId, lockout ? 1 : 0, now);
    },
    takeSignInNotice: ({ tenantId, userId }) => {
      const row = q.notice.get(tenantId, userId);
      if (!row) return undefined;
      q.clearNotice.run(tenantId, userId);
      return {
        failedAttempts: row.failed_attempts,
        lockouts: row.lockouts,
        lastFailureAt: row.last_failure_at,
      };
    },
    close: () => db.close(),
  };
};
