/** The current layout of identity.db; an older file is brought to it first (see identity-migrations.ts). */
export const SCHEMA = `
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
