import type Database from 'better-sqlite3';
import { PROJECTION_VERSION } from './identity-projection.js';
import { SCHEMA } from './identity-schema.js';

/** What is kept per person outside the log, keyed by user id alone before v3. */
const PER_MEMBER_TABLES = ['credentials', 'sessions', 'totp', 'sign_in_notices'] as const;

/**
 * An identity.db written before v3 kept passwords, sessions, second factors and sign-in notices by user id
 * alone, beside a directory holding one member per id: the first tenant to use it, the only one who could sign
 * in (a v1 directory held the last tenant to invite the id, whom sign-in found then). Each row moves to that
 * member's tenant (rows of an id the directory never held are dropped: nobody could use them), seeds keep the
 * subject that sealed them, and wrong-code counts follow their member, all in one transaction. The directory
 * itself is folded again from the log (see PROJECTION_VERSION).
 */
export const keyOlderRowsByTenant = (db: Database.Database): void => {
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

/** Columns added to api_keys after its first version: an older identity.db gets them at open. */
const API_KEY_COLUMNS: readonly (readonly [string, string])[] = [
  ['suspended', 'INTEGER NOT NULL DEFAULT 0'],
  ['issued_by', 'TEXT'],
  ['accountable', 'TEXT'],
];

export const addApiKeyColumns = (db: Database.Database): void => {
  const keyColumns = new Set(
    db
      .prepare<[], { name: string }>('PRAGMA table_info(api_keys)')
      .all()
      .map((c) => c.name),
  );
  for (const [column, type] of API_KEY_COLUMNS) {
    if (!keyColumns.has(column)) db.exec(`ALTER TABLE api_keys ADD COLUMN ${column} ${type}`);
  }
};

/** See PROJECTION_VERSION (identity-projection.ts) for when a directory is folded again. */
export const rebuildOlderProjection = (db: Database.Database): void => {
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
