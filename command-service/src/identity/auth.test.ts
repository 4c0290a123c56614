import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type Actor, type ApiKeyScope, type Role } from '@ccp/schemas';
import { createSqliteCheckpointStore } from '../application/checkpoints.js';
import { createCommandHandler, type CommandHandler } from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import { startReactor, type RunningReactor } from '../application/reactor.js';
import { commandRoutes, reactions } from '../commands/index.js';
import { createSqliteSubjectKeys, subjectSecrets } from '../event-store/personal-data.js';
import type { EventStore } from '../event-store/port.js';
import { createSqliteEventStore } from '../event-store/sqlite.js';
import { fullCredential, type Credential } from '../http/authorize.js';
import { createAuth, type Auth, type MfaChallenge, type Session } from './auth.js';
import { createIdentityStore, type IdentityStore } from './identity-store.js';
import { hashPassword } from './passwords.js';
import { totpCode } from './totp.js';

/*
 * The identity modules wired as the platform wires them (createAuth over a real identity store, command handler,
 * reactor and SQLite log, all in memory), with a clock the test moves: expiry, revocation, rotation and the
 * second factor checked directly, without HTTP.
 */

const TENANT = 'acme';
const TTL_MS = 60 * 60 * 1000;
const PASSWORD = 'correct-horse-battery';
const system = { actor: SYSTEM_ACTOR };
const ann = { tenantId: TENANT, userId: 'ann' };
const bob = { tenantId: TENANT, userId: 'bob' };
const annActor: Actor = { kind: 'user', id: 'ann', role: 'tenant_admin', tenantId: TENANT };
const bobActor: Actor = { kind: 'user', id: 'bob', role: 'agent', tenantId: TENANT };

let store: EventStore;
let identities: IdentityStore;
let handler: CommandHandler;
let reactor: RunningReactor;
let auth: Auth;
/** The instant the identity code sees; starts at a whole 30-second TOTP step. */
let t: number;
let passwordHash: string;

/** Waits until every reaction (and the reactions to those) has run. */
const settle = async (): Promise<void> => {
  let position = 0;
  for (;;) {
    const newer = await store.readAll({ after: position });
    const last = newer[newer.length - 1];
    if (!last) return;
    position = last.position;
    await reactor.caughtUp(position);
  }
};

const invite = async (userId: string, email: string, role: Role) => {
  await handler.handleTrusted(
    'InviteMember',
    { tenantId: TENANT, userId, email, name: userId, role },
    system,
  );
  await settle();
};

const session = (answer: Session | MfaChallenge): Session => {
  if ('mfaRequired' in answer) throw new Error('expected a session, got a second-factor challenge');
  return answer;
};

const rejection = async (run: () => Promise<unknown>): Promise<CommandRejected> => {
  try {
    await run();
  } catch (error) {
    if (error instanceof CommandRejected) return error;
    throw error;
  }
  throw new Error('expected a CommandRejected');
};

beforeAll(async () => {
  passwordHash = await hashPassword(PASSWORD);
});

beforeEach(async () => {
  t = Date.UTC(2026, 0, 5, 9, 0, 0);
  store = createSqliteEventStore({ path: ':memory:' });
  identities = createIdentityStore(':memory:', store);
  handler = createCommandHandler({ store, routes: commandRoutes });
  reactor = await startReactor({
    name: 'reactions',
    store,
    checkpoints: createSqliteCheckpointStore(':memory:'),
    handler,
    reactions,
  });
  auth = createAuth({
    identities,
    handler,
    secrets: subjectSecrets(createSqliteSubjectKeys(':memory:', randomBytes(32))),
    sessionTtlMs: TTL_MS,
    clock: () => t,
  });
  await handler.handleTrusted(
    'CreateTenant',
    { tenantId: TENANT, name: 'Acme', planTier: 'enterprise' },
    system,
  );
  await invite('ann', 'ann@acme.example', 'tenant_admin');
  await invite('bob', 'bob@acme.example', 'agent');
  // Hashed once for the file: scrypt is slow by design, and setPassword has a test of its own.
  for (const member of [ann, bob]) identities.setPasswordHash(member, passwordHash, t);
});

afterEach(async () => {
  await reactor.stop();
  identities.close();
  await store.close();
});

describe('sessions', () => {
  it('authenticate as their member until the instant they expire, and not from then on', async () => {
    const { token, expiresAt } = session(await auth.login('ann@acme.example', PASSWORD));
    expect(expiresAt).toBe(new Date(t + TTL_MS).toISOString());
    expect(await auth.authenticate(token)).toEqual(fullCredential(annActor));
    t += TTL_MS - 1;
    expect((await auth.authenticate(token))?.actor.id).toBe('ann');
    t += 1;
    expect(await auth.authenticate(token)).toBeUndefined();
    expect(auth.sessions(annActor)).toEqual([]);
  });

  it('end at logout, leaving the member’s other sessions signed in', async () => {
    const first = session(await auth.login('ann@acme.example', PASSWORD));
    const second = session(await auth.login('ann@acme.example', PASSWORD));
    auth.logout(first.token);
    expect(await auth.authenticate(first.token)).toBeUndefined();
    expect((await auth.authenticate(second.token))?.actor.id).toBe('ann');
    // Logging out twice, or with a token nobody holds, changes nothing.
    auth.logout(first.token);
    auth.logout('ccs_nobody');
    expect((await auth.authenticate(second.token))?.actor.id).toBe('ann');
  });

  it('are revoked by id by their owner only, and an unknown id is a 404', async () => {
    const { token } = session(await auth.login('ann@acme.example', PASSWORD));
    const [listed] = auth.sessions(annActor);
    expect(listed).toMatchObject({ createdAt: t, expiresAt: t + TTL_MS });
    const sessionId = listed?.sessionId ?? '';
    expect(token).not.toContain(sessionId);

    const notBobs = await rejection(async () => auth.revokeSession(bobActor, sessionId));
    expect([notBobs.status, notBobs.code]).toEqual([404, 'SESSION_NOT_FOUND']);
    expect((await auth.authenticate(token))?.actor.id).toBe('ann');
    // A prefix of the id is not the id.
    const prefix = await rejection(async () => auth.revokeSession(annActor, sessionId.slice(0, 8)));
    expect(prefix.code).toBe('SESSION_NOT_FOUND');

    auth.revokeSession(annActor, sessionId);
    expect(await auth.authenticate(token)).toBeUndefined();
    const again = await rejection(async () => auth.revokeSession(annActor, sessionId));
    expect(again.code).toBe('SESSION_NOT_FOUND');
  });

  it('of a removed member authenticate as nothing, and the member cannot sign in again', async () => {
    const { token } = session(await auth.login('bob@acme.example', PASSWORD));
    await handler.handleTrusted('RemoveMember', bob, system);
    await settle();
    expect(await auth.authenticate(token)).toBeUndefined();
    const login = await rejection(() => auth.login('bob@acme.example', PASSWORD));
    expect(login.status).toBe(401);
  });

  it('follow a role change at once: the directory, not the session, says who the member is', async () => {
    const { token } = session(await auth.login('bob@acme.example', PASSWORD));
    await handler.handleTrusted('ChangeMemberRole', { ...bob, role: 'supervisor' }, system);
    expect((await auth.authenticate(token))?.actor.role).toBe('supervisor');
  });

  it('end everywhere when the password is set, or every session of the member is revoked', async () => {
    const one = session(await auth.login('ann@acme.example', PASSWORD));
    await auth.setPassword(ann, 'another-long-password');
    expect(await auth.authenticate(one.token)).toBeUndefined();
    const old = await rejection(() => auth.login('ann@acme.example', PASSWORD));
    expect(old.status).toBe(401);
    const two = session(await auth.login('ann@acme.example', 'another-long-password'));
    const bobs = session(await auth.login('bob@acme.example', PASSWORD));
    await auth.revokeSessionsOf(ann);
    expect(await auth.authenticate(two.token)).toBeUndefined();
    expect((await auth.authenticate(bobs.token))?.actor.id).toBe('bob');
    const unknown = await rejection(() => auth.revokeSessionsOf({ tenantId: TENANT, userId: 'nobody' }));
    expect(unknown.status).toBe(404);
  });

  it('are never made of malformed bearers', async () => {
    session(await auth.login('ann@acme.example', PASSWORD));
    for (const bearer of [
      '',
      'ccs_',
      'ccp_sk_',
      'Bearer ccs_x',
      'ccs_' + 'A'.repeat(43),
      'x'.repeat(10_000),
    ]) {
      expect(await auth.authenticate(bearer)).toBeUndefined();
    }
  });
});

describe('API keys', () => {
  const admin: Credential = fullCredential(annActor);
  const issue = (role: Role, scopes: readonly ApiKeyScope[], credential: Credential = admin) =>
    auth.issueApiKey(credential, { tenantId: TENANT, name: `${role} key`, role, scopes });

  it('authenticate as the key with the role and scopes they were issued with', async () => {
    const { keyId, key } = await issue('agent', ['read']);
    expect(key.startsWith('ccp_sk_')).toBe(true);
    expect(await auth.authenticate(key)).toEqual({
      actor: { kind: 'api_key', id: keyId, role: 'agent', tenantId: TENANT },
      scopes: ['read'],
    });
    const { keys } = await auth.apiKeys(TENANT);
    expect(keys).toEqual([
      expect.objectContaining({
        keyId,
        status: 'active',
        issuedBy: { kind: 'user', id: 'ann', accountable: 'ann', name: 'ann' },
      }),
    ]);
    // The listing never carries the secret's hash.
    expect(JSON.stringify(keys)).not.toMatch(/[0-9a-f]{64}/);
  });

  it('rotated: the old secret stops at once and the new one acts as the same key', async () => {
    const { keyId, key: old } = await issue('supervisor', ['commands', 'read']);
    const rotated = await auth.rotateApiKey(admin, TENANT, keyId);
    expect(rotated.keyId).toBe(keyId);
    expect(rotated.key).not.toBe(old);
    expect(await auth.authenticate(old)).toBeUndefined();
    expect(await auth.authenticate(rotated.key)).toMatchObject({
      actor: { kind: 'api_key', id: keyId, role: 'supervisor' },
      scopes: ['commands', 'read'],
    });
    const again = await auth.rotateApiKey(admin, TENANT, keyId);
    expect(await auth.authenticate(rotated.key)).toBeUndefined();
    expect((await auth.authenticate(again.key))?.actor.id).toBe(keyId);
  });

  it('revoked: authenticates as nothing, and rotating it does not bring it back', async () => {
    const { keyId, key } = await issue('agent', ['read']);
    await handler.handleTrusted('RevokeApiKey', { tenantId: TENANT, keyId }, system);
    expect(await auth.authenticate(key)).toBeUndefined();
    const rotate = await rejection(() => auth.rotateApiKey(admin, TENANT, keyId));
    expect(rotate.status).toBeGreaterThanOrEqual(400);
    expect(await auth.authenticate(key)).toBeUndefined();
  });

  it('of a removed issuer are revoked by default', async () => {
    const bobs = await issue('agent', ['read'], fullCredential(bobActor));
    const anns = await issue('agent', ['read']);
    await handler.handleTrusted('RemoveMember', bob, system);
    await settle();
    expect(await auth.authenticate(bobs.key)).toBeUndefined();
    expect((await auth.authenticate(anns.key))?.actor.id).toBe(anns.keyId);
    const { keys, whenIssuerRemoved } = await auth.apiKeys(TENANT);
    expect(whenIssuerRemoved).toBe('revoke');
    expect(keys.find((k) => k.keyId === bobs.keyId)?.status).toBe('revoked');
  });

  it('of a removed issuer are suspended under that policy, and work again once an admin reinstates them', async () => {
    await handler.handleTrusted(
      'SetApiKeyPolicy',
      { tenantId: TENANT, whenIssuerRemoved: 'suspend' },
      system,
    );
    const bobs = await issue('agent', ['read'], fullCredential(bobActor));
    await handler.handleTrusted('RemoveMember', bob, system);
    await settle();
    expect(await auth.authenticate(bobs.key)).toBeUndefined();
    expect((await auth.apiKeys(TENANT)).keys[0]).toMatchObject({ status: 'suspended', accountable: 'bob' });

    await auth.reinstateApiKey(admin, TENANT, bobs.keyId);
    expect((await auth.authenticate(bobs.key))?.actor.id).toBe(bobs.keyId);
    expect((await auth.apiKeys(TENANT)).keys[0]).toMatchObject({ status: 'active', accountable: 'ann' });
  });

  it('are handed out only within the issuer’s own role and scopes', async () => {
    const above = await rejection(() => issue('tenant_admin', ['read'], fullCredential(bobActor)));
    expect([above.status, above.code]).toEqual([403, 'FORBIDDEN_GRANT']);
    const readOnly = await issue('agent', ['read']);
    const readOnlyKey = await auth.authenticate(readOnly.key);
    if (!readOnlyKey) throw new Error('the new key does not authenticate');
    const wider = await rejection(() => issue('agent', ['read', 'commands'], readOnlyKey));
    expect(wider.status).toBe(403);
    // Rotating hands out the secret: an agent may not take a supervisor key's.
    const supervisors = await issue('supervisor', ['read']);
    const rotate = await rejection(() =>
      auth.rotateApiKey(fullCredential(bobActor), TENANT, supervisors.keyId),
    );
    expect(rotate.status).toBe(403);
    expect((await auth.authenticate(supervisors.key))?.actor.id).toBe(supervisors.keyId);
    expect((await auth.apiKeys(TENANT)).keys).toHaveLength(2);
  });

  it('unknown to the tenant are a 404 to rotate or reinstate', async () => {
    const { keyId } = await issue('agent', ['read']);
    for (const run of [
      () => auth.rotateApiKey(admin, TENANT, 'key_nope'),
      () => auth.reinstateApiKey(admin, TENANT, 'key_nope'),
      () => auth.rotateApiKey(admin, 'globex', keyId),
    ]) {
      const refused = await rejection(run);
      expect([refused.status, refused.code]).toEqual([404, 'API_KEY_NOT_FOUND']);
    }
  });
});

describe('second factor', () => {
  /** Enrols Ann's TOTP at the current instant; answers the seed. */
  const enrol = async (keepSession?: string): Promise<string> => {
    const { secret, otpauthUri } = await auth.startTotp(annActor);
    expect(otpauthUri).toContain('otpauth://totp/');
    await auth.confirmTotp(annActor, totpCode(secret, t), keepSession);
    return secret;
  };
  const challenge = async (): Promise<MfaChallenge> => {
    const answer = await auth.login('ann@acme.example', PASSWORD);
    if (!('mfaRequired' in answer)) throw new Error('expected a second-factor challenge');
    return answer;
  };

  it('is asked for after the password, and its challenge expires after five minutes', async () => {
    const secret = await enrol();
    const pending = await challenge();
    expect(pending.expiresAt).toBe(new Date(t + 5 * 60_000).toISOString());
    t += 5 * 60_000;
    const late = await rejection(() => auth.completeMfaLogin(pending.challenge, totpCode(secret, t)));
    expect([late.status, late.code]).toEqual([401, 'INVALID_CHALLENGE']);
  });

  it('challenge is single use, and a code is good once', async () => {
    const secret = await enrol();
    t += 30_000;
    const pending = await challenge();
    const code = totpCode(secret, t);
    const signedIn = await auth.completeMfaLogin(pending.challenge, code);
    expect((await auth.authenticate(signedIn.token))?.actor.id).toBe('ann');

    const reused = await rejection(() => auth.completeMfaLogin(pending.challenge, code));
    expect(reused.code).toBe('INVALID_CHALLENGE');
    // The same code at a fresh challenge was spent already.
    const replay = await rejection(async () => auth.completeMfaLogin((await challenge()).challenge, code));
    expect(replay.code).toBe('INVALID_CODE');
  });

  it('challenge is spent by five wrong codes, and malformed codes are wrong codes', async () => {
    const secret = await enrol();
    t += 30_000;
    const pending = await challenge();
    for (const wrong of ['', '12345', '1234567', 'abcdef', '000000']) {
      const refused = await rejection(() => auth.completeMfaLogin(pending.challenge, wrong));
      expect(refused.code).toBe('INVALID_CODE');
    }
    const spent = await rejection(() => auth.completeMfaLogin(pending.challenge, totpCode(secret, t)));
    expect(spent.code).toBe('INVALID_CHALLENGE');
    const unknown = await rejection(() => auth.completeMfaLogin('mfa_unknown', totpCode(secret, t)));
    expect(unknown.code).toBe('INVALID_CHALLENGE');
  });

  it('once on, ends the member’s other sessions but the one that turned it on', async () => {
    const confirming = session(await auth.login('ann@acme.example', PASSWORD));
    const other = session(await auth.login('ann@acme.example', PASSWORD));
    await enrol(confirming.token);
    expect((await auth.authenticate(confirming.token))?.actor.id).toBe('ann');
    expect(await auth.authenticate(other.token)).toBeUndefined();
  });

  it('is refused to an API key and to a removed member’s challenge', async () => {
    const apiKey: Actor = { kind: 'api_key', id: 'key_x', role: 'tenant_admin', tenantId: TENANT };
    expect((await rejection(() => auth.startTotp(apiKey))).status).toBe(403);
    const secret = await enrol();
    t += 30_000;
    const pending = await challenge();
    await handler.handleTrusted('RemoveMember', ann, system);
    await settle();
    const removed = await rejection(() => auth.completeMfaLogin(pending.challenge, totpCode(secret, t)));
    expect(removed.status).toBe(401);
  });
});
