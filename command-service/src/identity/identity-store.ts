import type Database from 'better-sqlite3';
import {
  decodeEvent,
  emailHash,
  parseStreamName,
  type ApiKeyIssuer,
  type ApiKeyScope,
  type EventEnvelope,
  type Role,
  type SsoIssuer,
} from '@ccp/schemas';
import type { EventStore } from '../event-store/port.js';
import type { FailureRecord, FailureStore } from './sign-in-throttle.js';
import { openPrivateDatabase } from '../event-store/private-sqlite.js';

export interface Member {
  readonly userId: string;
  readonly tenantId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly status: 'active' | 'removed';
}

export interface ApiKeyRecord {
  readonly keyId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly role: Role;
  readonly scopes: readonly ApiKeyScope[];
  readonly revoked: boolean;
  /** `suspended`: its issuer was removed and the tenant suspends such keys until an admin re-enables them. */
  readonly status: 'active' | 'suspended' | 'revoked';
  /** Who issued it; null for keys issued before issuers were recorded. */
  readonly issuedBy: ApiKeyIssuer | null;
  /** The member who answers for it now (its issuer's, or whoever re-enabled it); null: nobody on the team. */
  readonly accountable: string | null;
}

export interface SessionRecord {
  readonly userId: string;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

/** A session as its owner sees it: an id that is not the token, and when it began and ends. */
export interface SessionSummary {
  readonly sessionId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** What happened to an account since its owner last signed in: told to them at their next sign-in. */
export interface SignInNotice {
  readonly failedAttempts: number;
  readonly lockouts: number;
  readonly lastFailureAt: number;
}

export interface TotpRecord {
  /** The sealed seed (see SubjectSecrets). */
  readonly sealedSecret: string;
  readonly enabled: boolean;
  /** The last 30-second step a code was accepted for: a code is good once. */
  readonly lastStep: number;
}

interface MemberRow {
  user_id: string;
  tenant_id: string;
  email: string;
  name: string;
  role: Role;
  status: 'active' | 'removed';
}
interface ApiKeyRow {
  key_id: string;
  tenant_id: string;
  name: string;
  role: Role;
  scopes: string;
  revoked: number;
  suspended: number;
  issued_by: string | null;
  accountable: string | null;
}

const toMember = (row: MemberRow): Member => ({
  userId: row.user_id,
  tenantId: row.tenant_id,
  email: row.email,
  name: row.name,
  role: row.role,
  status: row.status,
});
const toApiKey = (row: ApiKeyRow): ApiKeyRecord => ({
  keyId: row.key_id,
  tenantId: row.tenant_id,
  name: row.name,
  role: row.role,
  // Written from ApiKeyIssued, whose schema validated the scopes.
  scopes: JSON.parse(row.scopes) as ApiKeyScope[],
  revoked: row.revoked === 1,
  status: row.revoked === 1 ? 'revoked' : row.suspended === 1 ? 'suspended' : 'active',
  // Written from ApiKeyIssued v2 (v1 upcast to null), whose schema validated it.
  issuedBy: row.issued_by === null ? null : (JSON.parse(row.issued_by) as ApiKeyIssuer),
  accountable: row.accountable,
});

/** Columns added to api_keys after its first version: an older identity.db gets them at open. */
const API_KEY_COLUMNS: readonly (readonly [string, string])[] = [
  ['suspended', 'INTEGER NOT NULL DEFAULT 0'],
  ['issued_by', 'TEXT'],
  ['accountable', 'TEXT'],
];

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS members (
    user_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, email TEXT NOT NULL, name TEXT NOT NULL,
    role TEXT NOT NULL, status TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS members_by_email ON members (email);
  CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT NOT NULL, tenant_id TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, scopes TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE, revoked INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, key_id)
  );
  CREATE TABLE IF NOT EXISTS keyring_policy (tenant_id TEXT PRIMARY KEY, when_issuer_removed TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS logins (email_hash TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, user_id TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS credentials (user_id TEXT PRIMARY KEY, password_hash TEXT NOT NULL, updated_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE TABLE IF NOT EXISTS projection (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS tenant_sso (tenant_id TEXT PRIMARY KEY, issuers TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS totp (
    user_id TEXT PRIMARY KEY, sealed_secret TEXT NOT NULL, enabled INTEGER NOT NULL, last_step INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS sign_in_failures (
    key TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_failure_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS sign_in_failures_by_time ON sign_in_failures (last_failure_at);
  CREATE TABLE IF NOT EXISTS sign_in_notices (
    user_id TEXT PRIMARY KEY, failed_attempts INTEGER NOT NULL, lockouts INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL
  );
`;

/** The events this directory is folded from. */
const PROJECTED = /^(Member|ApiKey|Login(Claimed|Released)$|TenantCreated$|TenantSettingsUpdated$)/;

/**
 * Raised when what the directory folds changes meaning (v2: sign-in follows login claims, which v1 did not
 * fold, and member rows stay in their tenant): a directory written by an older version is folded again from the
 * start of the log. Only the folded tables are emptied; passwords, sessions and second factors are kept.
 */
const PROJECTION_VERSION = 2;
const rebuildOlderProjection = (db: Database.Database): void => {
  const version =
    db
      .prepare<[], { position: number }>("SELECT position FROM projection WHERE name = 'identity-version'")
      .get()?.position ?? 1;
  if (version >= PROJECTION_VERSION) return;
  db.transaction(() => {
    for (const table of ['members', 'api_keys', 'tenant_sso', 'keyring_policy', 'logins']) {
      db.exec(`DELETE FROM ${table}`);
    }
    db.prepare(
      `INSERT INTO projection (name, position) VALUES ('identity', 0), ('identity-version', ?)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
    ).run(PROJECTION_VERSION);
  })();
};

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
  member(userId: string): Member | undefined;
  apiKeyByHash(keyHash: string): ApiKeyRecord | undefined;
  passwordHash(userId: string): string | undefined;
  setPasswordHash(userId: string, hash: string, now: number): void;
  createSession(tokenHash: string, userId: string, now: number, expiresAt: number): void;
  session(tokenHash: string): SessionRecord | undefined;
  revokeSession(tokenHash: string, now: number): void;
  revokeSessionsOf(userId: string, now: number): void;
  /** Ends every session of the user but the one with `keepTokenHash`. */
  revokeOtherSessions(userId: string, keepTokenHash: string, now: number): void;
  /** The user's sessions that are neither revoked nor expired. */
  sessions(userId: string, now: number): SessionSummary[];
  /** Ends one of the user's sessions; false when they have none by that id. */
  revokeSessionById(userId: string, sessionId: string, now: number): boolean;
  apiKeys(tenantId: string): (ApiKeyRecord & { readonly keyHash: string })[];
  /** What the tenant does with the API keys of a member who is removed. */
  apiKeyPolicy(tenantId: string): 'revoke' | 'suspend';
  /** The OpenID Connect issuers a tenant trusts (its settings' `sso`). */
  ssoIssuers(tenantId: string): SsoIssuer[];
  totp(userId: string): TotpRecord | undefined;
  setTotp(userId: string, record: TotpRecord): void;
  deleteTotp(userId: string): void;
  /** Counts a failed sign-in step (and whether it locked the account) for the owner's next sign-in. */
  noteSignInFailure(userId: string, now: number, lockout: boolean): void;
  /** What the owner has not been told yet; reading it clears it. */
  takeSignInNotice(userId: string): SignInNotice | undefined;
  close(): void;
}

export const createIdentityStore = (path: string, store: EventStore): IdentityStore => {
  const db = openPrivateDatabase(path);
  // Set first: switching a new file to WAL takes a lock another process may hold at that moment.
  db.pragma('busy_timeout = 10000');
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA);
  const keyColumns = new Set(
    db
      .prepare<[], { name: string }>('PRAGMA table_info(api_keys)')
      .all()
      .map((c) => c.name),
  );
  for (const [column, type] of API_KEY_COLUMNS) {
    if (!keyColumns.has(column)) db.exec(`ALTER TABLE api_keys ADD COLUMN ${column} ${type}`);
  }
  rebuildOlderProjection(db);

  const q = {
    checkpoint: db.prepare<[], { position: number }>(
      "SELECT position FROM projection WHERE name = 'identity'",
    ),
    saveCheckpoint: db.prepare<[number]>(
      "INSERT INTO projection (name, position) VALUES ('identity', ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position",
    ),
    /*
     * User ids are unique only within a tenant, while this directory (and the sessions and passwords keyed by
     * it) knows a user by id: the first tenant to use an id keeps it, and another tenant's member with the same
     * id never changes that person (their email, role or status). That member cannot sign in.
     */
    upsertMember: db.prepare<[string, string, string, string, string]>(
      `INSERT INTO members (user_id, tenant_id, email, name, role, status) VALUES (?, ?, ?, ?, ?, 'active')
       ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name, role = excluded.role
       WHERE members.tenant_id = excluded.tenant_id`,
    ),
    memberRole: db.prepare<[string, string, string]>(
      'UPDATE members SET role = ? WHERE user_id = ? AND tenant_id = ?',
    ),
    memberRemoved: db.prepare<[string, string]>(
      "UPDATE members SET status = 'removed' WHERE user_id = ? AND tenant_id = ?",
    ),
    // Who signs in with an address is who holds its platform-wide claim, never another tenant's lookalike.
    memberByEmail: db.prepare<[string], MemberRow>(
      `SELECT members.* FROM logins
        JOIN members ON members.user_id = logins.user_id AND members.tenant_id = logins.tenant_id
       WHERE logins.email_hash = ?`,
    ),
    claimLogin: db.prepare<[string, string, string]>(
      `INSERT INTO logins (email_hash, tenant_id, user_id) VALUES (?, ?, ?)
       ON CONFLICT (email_hash) DO UPDATE SET tenant_id = excluded.tenant_id, user_id = excluded.user_id`,
    ),
    releaseLogin: db.prepare<[string, string, string]>(
      'DELETE FROM logins WHERE email_hash = ? AND tenant_id = ? AND user_id = ?',
    ),
    member: db.prepare<[string], MemberRow>('SELECT * FROM members WHERE user_id = ?'),
    insertKey: db.prepare<[string, string, string, string, string, string, string | null, string | null]>(
      `INSERT INTO api_keys (key_id, tenant_id, name, role, scopes, key_hash, issued_by, accountable)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    ),
    revokeKey: db.prepare<[string, string]>(
      'UPDATE api_keys SET revoked = 1 WHERE tenant_id = ? AND key_id = ?',
    ),
    keyByHash: db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE key_hash = ?'),
    suspendKey: db.prepare<[number, string, string]>(
      'UPDATE api_keys SET suspended = ? WHERE tenant_id = ? AND key_id = ?',
    ),
    keyAccountable: db.prepare<[string | null, string, string]>(
      'UPDATE api_keys SET accountable = ? WHERE tenant_id = ? AND key_id = ?',
    ),
    setKeyPolicy: db.prepare<[string, string]>(
      `INSERT INTO keyring_policy (tenant_id, when_issuer_removed) VALUES (?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET when_issuer_removed = excluded.when_issuer_removed`,
    ),
    keyPolicy: db.prepare<[string], { when_issuer_removed: 'revoke' | 'suspend' }>(
      'SELECT when_issuer_removed FROM keyring_policy WHERE tenant_id = ?',
    ),
    passwordHash: db.prepare<[string], { password_hash: string }>(
      'SELECT password_hash FROM credentials WHERE user_id = ?',
    ),
    setPassword: db.prepare<[string, string, number]>(
      `INSERT INTO credentials (user_id, password_hash, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
    ),
    createSession: db.prepare<[string, string, number, number]>(
      'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    ),
    session: db.prepare<[string], { user_id: string; expires_at: number; revoked_at: number | null }>(
      'SELECT user_id, expires_at, revoked_at FROM sessions WHERE token_hash = ?',
    ),
    revokeSession: db.prepare<[number, string]>(
      'UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL',
    ),
    revokeSessionsOf: db.prepare<[number, string]>(
      'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
    ),
    revokeOtherSessions: db.prepare<[number, string, string]>(
      'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND token_hash <> ? AND revoked_at IS NULL',
    ),
    sessionsOf: db.prepare<[string, number], { token_hash: string; created_at: number; expires_at: number }>(
      `SELECT token_hash, created_at, expires_at FROM sessions
        WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC`,
    ),
    revokeSessionById: db.prepare<[number, string, string, string]>(
      `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL
        AND substr(token_hash, 1, ${SESSION_ID_LENGTH}) = substr(?, 1, ${SESSION_ID_LENGTH}) AND length(?) = ${SESSION_ID_LENGTH}`,
    ),
    rotateKey: db.prepare<[string, string, string]>(
      'UPDATE api_keys SET key_hash = ? WHERE tenant_id = ? AND key_id = ?',
    ),
    keysOf: db.prepare<[string], ApiKeyRow & { key_hash: string }>(
      'SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY key_id',
    ),
    totp: db.prepare<[string], { sealed_secret: string; enabled: number; last_step: number }>(
      'SELECT sealed_secret, enabled, last_step FROM totp WHERE user_id = ?',
    ),
    setTotp: db.prepare<[string, string, number, number]>(
      `INSERT INTO totp (user_id, sealed_secret, enabled, last_step) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, enabled = excluded.enabled,
         last_step = excluded.last_step`,
    ),
    deleteTotp: db.prepare<[string]>('DELETE FROM totp WHERE user_id = ?'),
    failures: db.prepare<[string], { failures: number; last_failure_at: number }>(
      'SELECT failures, last_failure_at FROM sign_in_failures WHERE key = ?',
    ),
    setFailures: db.prepare<[string, number, number]>(
      `INSERT INTO sign_in_failures (key, failures, last_failure_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at`,
    ),
    clearFailures: db.prepare<[string]>('DELETE FROM sign_in_failures WHERE key = ?'),
    forgetFailures: db.prepare<[number]>('DELETE FROM sign_in_failures WHERE last_failure_at < ?'),
    noteFailure: db.prepare<[string, number, number]>(
      `INSERT INTO sign_in_notices (user_id, failed_attempts, lockouts, last_failure_at) VALUES (?, 1, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET failed_attempts = failed_attempts + 1,
         lockouts = lockouts + excluded.lockouts, last_failure_at = excluded.last_failure_at`,
    ),
    notice: db.prepare<[string], { failed_attempts: number; lockouts: number; last_failure_at: number }>(
      'SELECT failed_attempts, lockouts, last_failure_at FROM sign_in_notices WHERE user_id = ?',
    ),
    clearNotice: db.prepare<[string]>('DELETE FROM sign_in_notices WHERE user_id = ?'),
    setSso: db.prepare<[string, string]>(
      `INSERT INTO tenant_sso (tenant_id, issuers) VALUES (?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET issuers = excluded.issuers`,
    ),
    sso: db.prepare<[string], { issuers: string }>('SELECT issuers FROM tenant_sso WHERE tenant_id = ?'),
  };

  const apply = (event: EventEnvelope): void => {
    const id = parseStreamName(event.streamId)?.id;
    if (!id) return;
    const data = event.data as Record<string, unknown>;
    switch (event.type) {
      case 'MemberInvited':
        q.upsertMember.run(id, event.tenantId, String(data.email), String(data.name), String(data.role));
        return;
      case 'MemberRoleChanged':
        q.memberRole.run(String(data.to), id, event.tenantId);
        return;
      case 'MemberRemoved':
        q.memberRemoved.run(id, event.tenantId);
        return;
      // Login streams are named by the address's hash and live in the platform tenant; the holder is in the data.
      case 'LoginClaimed':
        q.claimLogin.run(id, String(data.memberTenantId), String(data.userId));
        return;
      case 'LoginReleased':
        q.releaseLogin.run(id, String(data.memberTenantId), String(data.userId));
        return;
      case 'ApiKeyIssued': {
        const issuedBy = (data.issuedBy ?? null) as ApiKeyIssuer | null;
        q.insertKey.run(
          id,
          event.tenantId,
          String(data.name),
          String(data.role),
          JSON.stringify(data.scopes),
          String(data.keyHash),
          issuedBy === null ? null : JSON.stringify(issuedBy),
          issuedBy?.accountable ?? null,
        );
        return;
      }
      case 'ApiKeyRevoked':
        q.revokeKey.run(event.tenantId, id);
        return;
      case 'ApiKeySuspended':
        q.suspendKey.run(1, event.tenantId, id);
        return;
      case 'ApiKeyReinstated':
        q.suspendKey.run(0, event.tenantId, id);
        q.keyAccountable.run((data.by as ApiKeyIssuer).accountable ?? null, event.tenantId, id);
        return;
      case 'ApiKeyPolicyChanged':
        q.setKeyPolicy.run(event.tenantId, String(data.whenIssuerRemoved));
        return;
      case 'TenantCreated':
      case 'TenantSettingsUpdated': {
        const sso = (data.settings as { sso?: unknown } | undefined)?.sso;
        // An update that does not name sso leaves the issuers as they were.
        if (Array.isArray(sso)) q.setSso.run(event.tenantId, JSON.stringify(sso));
        return;
      }
      case 'ApiKeyRotated':
        // The old secret stops working here: its hash no longer names the key.
        q.rotateKey.run(String(data.keyHash), event.tenantId, id);
        return;
    }
  };

  const applyBatch = db.transaction((events: readonly EventEnvelope[], position: number) => {
    for (const event of events) apply(event);
    q.saveCheckpoint.run(position);
  });

  // One catch-up at a time: concurrent requests share the running one, then run again if more arrived.
  let running: Promise<void> | undefined;
  const catchUpOnce = async (): Promise<void> => {
    for (;;) {
      const after = q.checkpoint.get()?.position ?? 0;
      const batch = await store.readAll({ after, maxCount: 2000 });
      const last = batch[batch.length - 1];
      if (!last) return;
      const envelopes: EventEnvelope[] = [];
      for (const recorded of batch) {
        if (!PROJECTED.test(recorded.type)) continue;
        const decoded = decodeEvent(recorded);
        if (decoded.ok) envelopes.push(decoded.value);
      }
      applyBatch(envelopes, last.position);
    }
  };

  return {
    catchUp: async () => {
      while (running) await running;
      running = catchUpOnce().finally(() => {
        running = undefined;
      });
      await running;
    },
    memberByEmail: (email) => {
      const row = q.memberByEmail.get(emailHash(email));
      return row && toMember(row);
    },
    member: (userId) => {
      const row = q.member.get(userId);
      return row && toMember(row);
    },
    apiKeyByHash: (keyHash) => {
      const row = q.keyByHash.get(keyHash);
      return row && toApiKey(row);
    },
    passwordHash: (userId) => q.passwordHash.get(userId)?.password_hash,
    setPasswordHash: (userId, hash, now) => {
      q.setPassword.run(userId, hash, now);
    },
    createSession: (tokenHash, userId, now, expiresAt) => {
      q.createSession.run(tokenHash, userId, now, expiresAt);
    },
    session: (tokenHash) => {
      const row = q.session.get(tokenHash);
      return row && { userId: row.user_id, expiresAt: row.expires_at, revokedAt: row.revoked_at };
    },
    revokeSession: (tokenHash, now) => {
      q.revokeSession.run(now, tokenHash);
    },
    revokeSessionsOf: (userId, now) => {
      q.revokeSessionsOf.run(now, userId);
    },
    revokeOtherSessions: (userId, keepTokenHash, now) => {
      q.revokeOtherSessions.run(now, userId, keepTokenHash);
    },
    sessions: (userId, now) =>
      q.sessionsOf.all(userId, now).map((row) => ({
        sessionId: row.token_hash.slice(0, SESSION_ID_LENGTH),
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      })),
    revokeSessionById: (userId, sessionId, now) =>
      q.revokeSessionById.run(now, userId, sessionId, sessionId).changes > 0,
    apiKeys: (tenantId) => q.keysOf.all(tenantId).map((row) => ({ ...toApiKey(row), keyHash: row.key_hash })),
    apiKeyPolicy: (tenantId) => q.keyPolicy.get(tenantId)?.when_issuer_removed ?? 'revoke',
    ssoIssuers: (tenantId) => {
      const row = q.sso.get(tenantId);
      return row ? (JSON.parse(row.issuers) as SsoIssuer[]) : [];
    },
    totp: (userId) => {
      const row = q.totp.get(userId);
      return row && { sealedSecret: row.sealed_secret, enabled: row.enabled === 1, lastStep: row.last_step };
    },
    setTotp: (userId, record) => {
      q.setTotp.run(userId, record.sealedSecret, record.enabled ? 1 : 0, record.lastStep);
    },
    deleteTotp: (userId) => {
      q.deleteTotp.run(userId);
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
    noteSignInFailure: (userId, now, lockout) => {
      q.noteFailure.run(userId, lockout ? 1 : 0, now);
    },
    takeSignInNotice: (userId) => {
      const row = q.notice.get(userId);
      if (!row) return undefined;
      q.clearNotice.run(userId);
      return {
        failedAttempts: row.failed_attempts,
        lockouts: row.lockouts,
        lastFailureAt: row.last_failure_at,
      };
    },
    close: () => db.close(),
  };
};
