import type Database from 'better-sqlite3';
import {
  decodeEvent,
  emailHash,
  parseStreamName,
  PlanTier,
  type ApiKeyIssuer,
  type ApiKeyScope,
  type EventEnvelope,
  type Role,
  type SsoIssuer,
} from '@ccp/schemas';
import type { EventStore } from '../event-store/port.js';
import type { FailureRecord, FailureStore } from './sign-in-throttle.js';
import { openPrivateDatabase } from '../event-store/private-sqlite.js';

/**
 * Who a member is: their tenant and their id in it. User ids are chosen by each tenant's admin and are unique
 * only within the tenant, so everything kept for a person (password, sessions, second factor, notices) is
 * keyed by both.
 */
export interface MemberKey {
  readonly tenantId: string;
  readonly userId: string;
}

export interface Member extends MemberKey {
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

export interface SessionRecord extends MemberKey {
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
  /** The subject whose key sealed the seed (seeds enrolled before identities were keyed by tenant keep theirs). */
  readonly subject: string;
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
    tenant_id TEXT NOT NULL, user_id TEXT NOT NULL, email TEXT NOT NULL, name TEXT NOT NULL,
    role TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (tenant_id, user_id)
  );
  CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT NOT NULL, tenant_id TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, scopes TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE, revoked INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, key_id)
  );
  CREATE TABLE IF NOT EXISTS keyring_policy (tenant_id TEXT PRIMARY KEY, when_issuer_removed TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS logins (email_hash TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, user_id TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS credentials (
    tenant_id TEXT NOT NULL, user_id TEXT NOT NULL, password_hash TEXT NOT NULL, updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
  );
  CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, user_id TEXT NOT NULL, created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL, revoked_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS sessions_by_member ON sessions (tenant_id, user_id);
  CREATE TABLE IF NOT EXISTS projection (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS tenant_sso (tenant_id TEXT PRIMARY KEY, issuers TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS tenant_tiers (tenant_id TEXT PRIMARY KEY, plan_tier TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS totp (
    tenant_id TEXT NOT NULL, user_id TEXT NOT NULL, subject TEXT NOT NULL, sealed_secret TEXT NOT NULL,
    enabled INTEGER NOT NULL, last_step INTEGER NOT NULL, PRIMARY KEY (tenant_id, user_id)
  );
  CREATE TABLE IF NOT EXISTS sign_in_failures (
    key TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_failure_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS sign_in_failures_by_time ON sign_in_failures (last_failure_at);
  CREATE TABLE IF NOT EXISTS sign_in_notices (
    tenant_id TEXT NOT NULL, user_id TEXT NOT NULL, failed_attempts INTEGER NOT NULL, lockouts INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, user_id)
  );
`;

/** What is kept per person outside the log, keyed by user id alone before v3. */
const PER_MEMBER_TABLES = ['credentials', 'sessions', 'totp', 'sign_in_notices'] as const;

/** Where a second factor's wrong codes are counted (sign_in_failures). */
export const mfaFailureKey = (member: MemberKey): string => `mfa:${member.tenantId}:${member.userId}`;

/**
 * An identity.db written before v3 kept passwords, sessions, second factors and sign-in notices by user id
 * alone, beside a directory holding one member per id: the first tenant to use it, the only one who could sign
 * in (a v1 directory held the last tenant to invite the id, whom sign-in found then). Each row moves to that
 * member's tenant (rows of an id the directory never held are dropped: nobody could use them), seeds keep the
 * subject that sealed them, and wrong-code counts follow their member, all in one transaction. The directory
 * itself is folded again from the log (see PROJECTION_VERSION).
 */
const keyOlderRowsByTenant = (db: Database.Database): void => {
  const columnsOf = (table: string) =>
    new Set(
      db
        .prepare<[], { name: string }>(`PRAGMA table_info(${table})`)
        .all()
        .map((c) => c.name),
    );
  const older = () => {
    const credentials = columnsOf('credentials');
    return credentials.size > 0 && !credentials.has('tenant_id');
  };
  if (!older()) return;
  /** Copies each old row to the tenant of the member the old directory held under its id. */
  const moveRows = (old: readonly string[]): void => {
    const copy = (table: string, columns: string, values: string) => {
      if (!old.includes(table)) return;
      db.exec(
        `INSERT INTO ${table} (tenant_id, user_id, ${columns})
         SELECT m.tenant_id, o.user_id, ${values} FROM old_${table} o JOIN old_members m ON m.user_id = o.user_id`,
      );
    };
    copy('credentials', 'password_hash, updated_at', 'o.password_hash, o.updated_at');
    copy(
      'sessions',
      'token_hash, created_at, expires_at, revoked_at',
      'o.token_hash, o.created_at, o.expires_at, o.revoked_at',
    );
    copy(
      'totp',
      'subject, sealed_secret, enabled, last_step',
      "'platform:mfa.' || o.user_id, o.sealed_secret, o.enabled, o.last_step",
    );
    copy(
      'sign_in_notices',
      'failed_attempts, lockouts, last_failure_at',
      'o.failed_attempts, o.lockouts, o.last_failure_at',
    );
    db.exec(
      `UPDATE sign_in_failures SET key = 'mfa:' || m.tenant_id || ':' || m.user_id
         FROM old_members m WHERE sign_in_failures.key = 'mfa:' || m.user_id`,
    );
  };
  // Immediate, and asked again inside: another process opening the same file may have moved the rows first.
  db.transaction(() => {
    if (!older()) return;
    const old = [...PER_MEMBER_TABLES, 'members'].filter((table) => columnsOf(table).size > 0);
    for (const table of old) db.exec(`ALTER TABLE ${table} RENAME TO old_${table}`);
    db.exec('DROP INDEX IF EXISTS members_by_email');
    db.exec(SCHEMA);
    if (old.includes('members')) moveRows(old);
    for (const table of old) db.exec(`DROP TABLE old_${table}`);
  }).immediate();
};

/** The events this directory is folded from. */
const PROJECTED =
  /^(Member|ApiKey|Login(Claimed|Released)$|TenantCreated$|TenantSettingsUpdated$|PlanTierChanged$)/;

/**
 * Raised when what the directory folds changes meaning (v2: sign-in follows login claims, which v1 did not
 * fold, and member rows stay in their tenant; v3: members are keyed by tenant and user id, so every tenant's
 * member is in it; v4: each tenant's tier, which API keys need API access in): a directory written by an older
 * version is folded again from the start of the log. Only the folded tables are emptied; passwords, sessions
 * and second factors are kept.
 */
const PROJECTION_VERSION = 4;
const rebuildOlderProjection = (db: Database.Database): void => {
  const version =
    db
      .prepare<[], { position: number }>("SELECT position FROM projection WHERE name = 'identity-version'")
      .get()?.position ?? 1;
  if (version >= PROJECTION_VERSION) return;
  db.transaction(() => {
    for (const table of ['members', 'api_keys', 'tenant_sso', 'tenant_tiers', 'keyring_policy', 'logins']) {
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
  keyOlderRowsByTenant(db);
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
    // User ids are unique only within a tenant: another tenant's member with the same id is another person.
    upsertMember: db.prepare<[string, string, string, string, string]>(
      `INSERT INTO members (user_id, tenant_id, email, name, role, status) VALUES (?, ?, ?, ?, ?, 'active')
       ON CONFLICT (tenant_id, user_id) DO UPDATE SET email = excluded.email, name = excluded.name,
         role = excluded.role`,
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
    member: db.prepare<[string, string], MemberRow>(
      'SELECT * FROM members WHERE tenant_id = ? AND user_id = ?',
    ),
    activeMembersWithId: db.prepare<[string], MemberRow>(
      "SELECT * FROM members WHERE user_id = ? AND status = 'active' ORDER BY tenant_id",
    ),
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
    rotateKey: db.prepare<[string, string, string]>(
      'UPDATE api_keys SET key_hash = ? WHERE tenant_id = ? AND key_id = ?',
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
    setSso: db.prepare<[string, string]>(
      `INSERT INTO tenant_sso (tenant_id, issuers) VALUES (?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET issuers = excluded.issuers`,
    ),
    sso: db.prepare<[string], { issuers: string }>('SELECT issuers FROM tenant_sso WHERE tenant_id = ?'),
    setTier: db.prepare<[string, string]>(
      `INSERT INTO tenant_tiers (tenant_id, plan_tier) VALUES (?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET plan_tier = excluded.plan_tier`,
    ),
    tier: db.prepare<[string], { plan_tier: string }>(
      'SELECT plan_tier FROM tenant_tiers WHERE tenant_id = ?',
    ),
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
      case 'PlanTierChanged':
        q.setTier.run(event.tenantId, String(data.to));
        return;
      case 'TenantCreated':
      case 'TenantSettingsUpdated': {
        if (event.type === 'TenantCreated') q.setTier.run(event.tenantId, String(data.planTier));
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
