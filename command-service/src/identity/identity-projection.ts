import type Database from 'better-sqlite3';
import { decodeEvent, parseStreamName, type ApiKeyIssuer, type EventEnvelope } from '@ccp/schemas';
import type { EventStore } from '../event-store/port.js';

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
export const PROJECTION_VERSION = 4;

/**
 * Folds the log's identity events into the directory tables of `db`, from the checkpoint kept beside them;
 * the function returned brings the directory up to the end of the log.
 */
export const identityProjection = (db: Database.Database, store: EventStore): (() => Promise<void>) => {
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
    claimLogin: db.prepare<[string, string, string]>(
      `INSERT INTO logins (email_hash, tenant_id, user_id) VALUES (?, ?, ?)
       ON CONFLICT (email_hash) DO UPDATE SET tenant_id = excluded.tenant_id, user_id = excluded.user_id`,
    ),
    releaseLogin: db.prepare<[string, string, string]>(
      'DELETE FROM logins WHERE email_hash = ? AND tenant_id = ? AND user_id = ?',
    ),
    insertKey: db.prepare<[string, string, string, string, string, string, string | null, string | null]>(
      `INSERT INTO api_keys (key_id, tenant_id, name, role, scopes, key_hash, issued_by, accountable)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    ),
    revokeKey: db.prepare<[string, string]>(
      'UPDATE api_keys SET revoked = 1 WHERE tenant_id = ? AND key_id = ?',
    ),
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
    rotateKey: db.prepare<[string, string, string]>(
      'UPDATE api_keys SET key_hash = ? WHERE tenant_id = ? AND key_id = ?',
    ),
    setSso: db.prepare<[string, string]>(
      `INSERT INTO tenant_sso (tenant_id, issuers) VALUES (?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET issuers = excluded.issuers`,
    ),
    setTier: db.prepare<[string, string]>(
      `INSERT INTO tenant_tiers (tenant_id, plan_tier) VALUES (?, ?)
       ON CONFLICT (tenant_id) DO UPDATE SET plan_tier = excluded.plan_tier`,
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

  return async () => {
    while (running) await running;
    running = catchUpOnce().finally(() => {
      running = undefined;
    });
    await running;
  };
};
