import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteSubjectKeys, masterKeyFrom, subjectSecrets, totpCode } from '@ccp/command-service';
import { DEMO_TENANT, seedDemo } from '@ccp/infra';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';
import { codeAfter } from '../support/totp.js';

const PASSWORD = 'demo-password-1';
const ALL_SCOPES = ['commands', 'read', 'analytics', 'audit', 'telephony', 'admin'];

type Client = ReturnType<typeof apiClient>;
type Refusal = { error: { code: string; message: string; field?: string } };

let test: TestPlatform;
let admin: Client;
let root: Client;
const logSize = async () => (await test.platform.store.readAll()).length;

/** A key issued by the demo tenant's admin (a session: every scope). */
const issue = async (
  name: string,
  role: string,
  scopes: readonly string[],
  by: Client = admin,
): Promise<{ keyId: string; key: string; client: Client }> => {
  const issued = await by.request<{ keyId: string; key: string }>('POST', '/api/api-keys', {
    tenantId: DEMO_TENANT,
    name,
    role,
    scopes,
  });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  return { ...issued.body, client: apiClient(test.url, issued.body.key) };
};

beforeAll(async () => {
  test = await startTestPlatform();
  await seedDemo(test.platform, PASSWORD);
  admin = apiClient(test.url, await login(test.url, 'admin@demo.example', PASSWORD));
  root = apiClient(test.url, await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
}, 120_000);
afterAll(async () => {
  await test?.stop();
});

describe('a credential never grants more than it holds (issue 11 item 3)', () => {
  it('a read-only API key cannot mint itself a full-scope key', async () => {
    const { client } = await issue('read only', 'tenant_admin', ['read']);
    const before = await logSize();
    const minted = await client.request<Refusal>('POST', '/api/api-keys', {
      tenantId: DEMO_TENANT,
      name: 'escalated',
      role: 'tenant_admin',
      scopes: ALL_SCOPES,
    });
    expect(minted.status).toBe(403);
    expect(minted.body.error.code).toBe('FORBIDDEN_SCOPE');
    expect(await logSize()).toBe(before);
  });

  it('nor through the IssueApiKey command, with a secret of its own choosing', async () => {
    const { client } = await issue('writer', 'tenant_admin', ['commands']);
    const secret = `ccp_sk_${randomBytes(24).toString('hex')}`;
    const before = await logSize();
    const minted = await client.command('IssueApiKey', {
      tenantId: DEMO_TENANT,
      keyId: 'self-made',
      name: 'self made',
      role: 'tenant_admin',
      scopes: ALL_SCOPES,
      keyHash: createHash('sha256').update(secret).digest('hex'),
    });
    expect(minted.status).toBe(403);
    expect(await logSize()).toBe(before);
    expect((await apiClient(test.url, secret).request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('a key that manages keys hands out only scopes it holds itself', async () => {
    const { client } = await issue('key manager', 'tenant_admin', ['admin', 'read']);
    const narrower = await client.request('POST', '/api/api-keys', {
      tenantId: DEMO_TENANT,
      name: 'reporting',
      role: 'analyst',
      scopes: ['read'],
    });
    expect(narrower.status).toBe(201);
    const before = await logSize();
    const wider = await client.request<Refusal>('POST', '/api/api-keys', {
      tenantId: DEMO_TENANT,
      name: 'writer',
      role: 'analyst',
      scopes: ['read', 'commands'],
    });
    expect(wider.status).toBe(403);
    expect(wider.body.error).toMatchObject({ code: 'FORBIDDEN_GRANT', field: 'scopes' });
    expect(await logSize()).toBe(before);
  });

  it('a key cannot rotate a key that can do more, which would hand it that key’s secret', async () => {
    const full = await issue('full', 'tenant_admin', ALL_SCOPES);
    const { client } = await issue('rotator', 'tenant_admin', ['admin']);
    const before = await logSize();
    const rotated = await client.request<Refusal & { key?: string }>(
      'POST',
      `/api/api-keys/${full.keyId}/rotate`,
      { tenantId: DEMO_TENANT },
    );
    expect(rotated.status).toBe(403);
    expect(rotated.body.error.code).toBe('FORBIDDEN_GRANT');
    expect(rotated.body.key).toBeUndefined();
    expect(await logSize()).toBe(before);
    expect((await full.client.request('GET', '/api/auth/me')).status).toBe(200);
  });

  it('no API key sets a password: a password opens a session with every scope', async () => {
    const { client } = await issue('everything', 'tenant_admin', ALL_SCOPES);
    const set = await client.request<Refusal>('PUT', '/api/members/demo-viewer/password', {
      password: 'taken-over-by-a-key',
    });
    expect(set.status).toBe(403);
    expect(set.body.error.code).toBe('FORBIDDEN_SCOPE');
    const signIn = await apiClient(test.url).request('POST', '/api/auth/login', {
      email: 'viewer@demo.example',
      password: 'taken-over-by-a-key',
    });
    expect(signIn.status).toBe(401);
  });

  it('ending other people’s sessions needs the admin scope', async () => {
    const viewer = apiClient(test.url, await login(test.url, 'viewer@demo.example', PASSWORD));
    const { client } = await issue('reader', 'tenant_admin', ['read', 'commands']);
    const ended = await client.request<Refusal>('POST', '/api/auth/sessions/revoke', {
      userId: 'demo-viewer',
    });
    expect(ended.status).toBe(403);
    expect(ended.body.error.code).toBe('FORBIDDEN_SCOPE');
    expect((await viewer.request('GET', '/api/auth/me')).status).toBe(200);
    const { client: manager } = await issue('session manager', 'tenant_admin', ['admin']);
    expect(
      (await manager.request('POST', '/api/auth/sessions/revoke', { userId: 'demo-viewer' })).status,
    ).toBe(204);
    expect((await viewer.request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('a super admin still issues keys of any tenant role', async () => {
    const issued = await root.request('POST', '/api/api-keys', {
      tenantId: DEMO_TENANT,
      name: 'support',
      role: 'tenant_admin',
      scopes: ALL_SCOPES,
    });
    expect(issued.status).toBe(201);
  });
});

describe('API keys of a removed member (issue 11 item 9)', () => {
  /** A new member of the demo tenant, signed in. */
  const memberOf = async (userId: string, role: string): Promise<Client> => {
    const invited = await admin.command('InviteMember', {
      tenantId: DEMO_TENANT,
      userId,
      email: `${userId}@demo.example`,
      name: `Member ${userId}`,
      role,
    });
    expect(invited.status).toBe(200);
    expect(
      (await admin.request('PUT', `/api/members/${userId}/password`, { password: 'member-password-1' }))
        .status,
    ).toBe(204);
    return apiClient(test.url, await login(test.url, `${userId}@demo.example`, 'member-password-1'));
  };
  const removeAndReact = async (userId: string): Promise<void> => {
    const removed = await admin.command('RemoveMember', { tenantId: DEMO_TENANT, userId });
    expect(removed.status).toBe(200);
    await test.platform.reactor.caughtUp((removed.body as { position: number }).position);
  };
  type Listed = {
    keyId: string;
    status: string;
    revoked: boolean;
    issuedBy: { kind: string; id: string; name?: string } | null;
  };
  const listed = async (keyId: string): Promise<Listed | undefined> =>
    (await admin.request<{ keys: Listed[] }>('GET', `/api/api-keys?tenantId=${DEMO_TENANT}`)).body.keys.find(
      (k) => k.keyId === keyId,
    );

  it('the key list names who issued each key', async () => {
    const leaver = await memberOf('key-lister', 'tenant_admin');
    const { keyId } = await issue('issued by a member', 'viewer', ['read'], leaver);
    expect(await listed(keyId)).toMatchObject({
      status: 'active',
      issuedBy: { kind: 'user', id: 'key-lister', name: 'Member key-lister' },
    });
  });

  it('removing a member revokes the keys they issued, and the keys those keys issued', async () => {
    const leaver = await memberOf('leaver', 'tenant_admin');
    const theirs = await issue('integration', 'tenant_admin', ['admin', 'read'], leaver);
    const derived = await issue('derived', 'analyst', ['read'], theirs.client);
    const others = await issue('someone else’s', 'viewer', ['read']);
    expect((await derived.client.request('GET', '/api/auth/me')).status).toBe(200);

    await removeAndReact('leaver');
    expect((await theirs.client.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await derived.client.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await others.client.request('GET', '/api/auth/me')).status).toBe(200);
    expect(await listed(theirs.keyId)).toMatchObject({ status: 'revoked', revoked: true });
    const events = await test.platform.store.readStream(`apikey-${DEMO_TENANT}.${theirs.keyId}`);
    expect(events.map((e) => e.type)).toEqual(['ApiKeyIssued', 'ApiKeyRevoked']);
    expect(await listed(derived.keyId)).toMatchObject({ issuedBy: { kind: 'api_key', id: theirs.keyId } });
  });

  it('a tenant that chose suspension: the keys stop until an admin re-enables them', async () => {
    expect(
      (await admin.command('SetApiKeyPolicy', { tenantId: DEMO_TENANT, whenIssuerRemoved: 'suspend' }))
        .status,
    ).toBe(200);
    const leaver = await memberOf('suspended-leaver', 'tenant_admin');
    const theirs = await issue('nightly sync', 'agent', ['commands'], leaver);
    await removeAndReact('suspended-leaver');
    expect((await theirs.client.request('GET', '/api/auth/me')).status).toBe(401);
    expect(await listed(theirs.keyId)).toMatchObject({ status: 'suspended', revoked: false });

    // Only within the re-enabler's own access, as for issuing.
    const { client: narrow } = await issue('narrow admin', 'tenant_admin', ['admin']);
    const refused = await narrow.request<Refusal>('POST', `/api/api-keys/${theirs.keyId}/reinstate`, {
      tenantId: DEMO_TENANT,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN_GRANT');

    const reinstated = await admin.request('POST', `/api/api-keys/${theirs.keyId}/reinstate`, {
      tenantId: DEMO_TENANT,
    });
    expect(reinstated.status).toBe(200);
    expect((await theirs.client.request('GET', '/api/auth/me')).status).toBe(200);
    expect(await listed(theirs.keyId)).toMatchObject({ status: 'active' });
    expect(
      (await admin.command('SetApiKeyPolicy', { tenantId: DEMO_TENANT, whenIssuerRemoved: 'revoke' })).status,
    ).toBe(200);
  });
});

describe('inviting an address already in use (issue 11 item 14b)', () => {
  let globex: Client;
  type Invited = { events?: { type: string }[]; error?: { code: string } };
  const invite = (by: Client, tenantId: string, userId: string, email: string) =>
    by.command('InviteMember', { tenantId, userId, email, name: 'New Person', role: 'agent' });

  beforeAll(async () => {
    expect(
      (await root.command('CreateTenant', { tenantId: 'globex', name: 'Globex', planTier: 'starter' }))
        .status,
    ).toBe(200);
    expect((await invite(root, 'globex', 'globex-admin', 'admin@globex.example')).status).toBe(200);
    await root.command('ChangeMemberRole', {
      tenantId: 'globex',
      userId: 'globex-admin',
      role: 'tenant_admin',
    });
    await root.request('PUT', '/api/members/globex-admin/password', { password: 'globex-password-1' });
    globex = apiClient(test.url, await login(test.url, 'admin@globex.example', 'globex-password-1'));
  });

  it('another tenant’s admin cannot tell an address in use elsewhere from a new one', async () => {
    const fresh = await invite(globex, 'globex', 'fresh', 'nobody-yet@elsewhere.example');
    const taken = await invite(globex, 'globex', 'prober', 'agent@demo.example');
    expect(taken.status).toBe(fresh.status);
    expect(taken.status).toBe(200);
    const shape = (r: { body: unknown }) => (r.body as Invited).events?.map((e) => e.type);
    expect(shape(taken)).toEqual(shape(fresh));
  });

  it('and the invitation gives them no way into the account that holds the address', async () => {
    expect(
      (await globex.request('PUT', '/api/members/prober/password', { password: 'chosen-by-globex' })).status,
    ).toBe(204);
    const intruder = await apiClient(test.url).request('POST', '/api/auth/login', {
      email: 'agent@demo.example',
      password: 'chosen-by-globex',
    });
    expect(intruder.status).toBe(401);
    const agent = apiClient(test.url, await login(test.url, 'agent@demo.example', PASSWORD));
    expect((await agent.request('GET', '/api/auth/me')).body).toMatchObject({
      actor: { id: 'demo-agent', tenantId: DEMO_TENANT },
    });
  });

  it('removing that invitation frees nothing of the holder’s', async () => {
    expect((await globex.command('RemoveMember', { tenantId: 'globex', userId: 'prober' })).status).toBe(200);
    const again = await invite(admin, DEMO_TENANT, 'agent-twin', 'agent@demo.example');
    expect(again.status).toBe(422);
    expect((again.body as Invited).error?.code).toBe('EMAIL_TAKEN');
    expect((await login(test.url, 'agent@demo.example', PASSWORD)).length).toBeGreaterThan(0);
  });

  it('an invitation naming a user id another tenant uses changes nothing of that person', async () => {
    expect((await invite(globex, 'globex', 'demo-viewer', 'lookalike@globex.example')).status).toBe(200);
    expect(
      (
        await globex.command('ChangeMemberRole', {
          tenantId: 'globex',
          userId: 'demo-viewer',
          role: 'tenant_admin',
        })
      ).status,
    ).toBe(200);
    const viewer = apiClient(test.url, await login(test.url, 'viewer@demo.example', PASSWORD));
    expect((await viewer.request('GET', '/api/auth/me')).body).toMatchObject({
      actor: { id: 'demo-viewer', role: 'viewer', tenantId: DEMO_TENANT },
    });
  });

  it('within its own tenant, the admin is told the address is already on the team', async () => {
    const twin = await invite(admin, DEMO_TENANT, 'viewer-twin', 'viewer@demo.example');
    expect(twin.status).toBe(422);
    expect((twin.body as Invited).error?.code).toBe('EMAIL_TAKEN');
    expect(await test.platform.store.readStream(`member-${DEMO_TENANT}.viewer-twin`)).toEqual([]);
  });
});

describe('a directory written before sign-in followed login claims', () => {
  it('is folded again at start, so everyone still signs in', async () => {
    const first = await startTestPlatform();
    await seedDemo(first.platform, PASSWORD);
    await first.stop({ keepData: true });
    // As the previous version left it: caught up to the end of the log, with no login claims folded.
    const db = new Database(join(first.dataDir, 'identity.db'));
    db.exec("DELETE FROM logins; DELETE FROM projection WHERE name = 'identity-version'");
    db.close();
    const second = await startTestPlatform(first.dataDir);
    try {
      expect((await login(second.url, 'agent@demo.example', PASSWORD)).length).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
  });
});

describe('two tenants, one user id: identities are keyed by tenant', () => {
  // User ids are chosen by each tenant's admin, so they are unique only within a tenant.
  const TWINS = ['twin-a', 'twin-b'] as const;
  type Twin = (typeof TWINS)[number];
  const emailOf = (tenantId: Twin) => `u1@${tenantId}.example`;
  const passwordOf: Record<Twin, string> = { 'twin-a': 'twin-a-password-1', 'twin-b': 'twin-b-password-1' };
  type SignIn = {
    token?: string;
    mfaRequired?: boolean;
    challenge?: string;
    user?: { userId: string; tenantId: string };
    signInNotice?: { failedAttempts: number };
    error?: { code: string };
  };
  const signIn = (tenantId: Twin, password = passwordOf[tenantId]) =>
    apiClient(test.url).request<SignIn>('POST', '/api/auth/login', { email: emailOf(tenantId), password });
  const session = async (tenantId: Twin, password = passwordOf[tenantId]) =>
    apiClient(test.url, await login(test.url, emailOf(tenantId), password));
  const whoAmI = async (client: Client) =>
    (await client.request<{ actor?: { id: string; tenantId: string } }>('GET', '/api/auth/me')).body.actor;
  const issueAs = async (tenantId: Twin, client: Client) => {
    const issued = await client.request<{ key: string }>('POST', '/api/api-keys', {
      tenantId,
      name: 'sync',
      role: 'viewer',
      scopes: ['read'],
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    return apiClient(test.url, issued.body.key);
  };
  type Listed = { keys: { issuedBy: { id: string; name?: string } | null }[] };
  let aKey: Client;

  beforeAll(async () => {
    for (const tenantId of TWINS) {
      expect(
        (await root.command('CreateTenant', { tenantId, name: `Twin ${tenantId}`, planTier: 'starter' }))
          .status,
      ).toBe(200);
      const invited = await root.command('InviteMember', {
        tenantId,
        userId: 'u1',
        email: emailOf(tenantId),
        name: `U1 of ${tenantId}`,
        role: 'tenant_admin',
      });
      expect(invited.status).toBe(200);
      // The super admin, on no tenant's team, names whose member it means.
      const set = await root.request('PUT', '/api/members/u1/password', {
        tenantId,
        password: passwordOf[tenantId],
      });
      expect(set.status, JSON.stringify(set.body)).toBe(204);
    }
  });

  it('both sign in, each as their own tenant’s member', async () => {
    for (const tenantId of TWINS) {
      const answer = await signIn(tenantId);
      expect(answer.status, `${tenantId}: ${JSON.stringify(answer.body)}`).toBe(200);
      expect(answer.body.user).toMatchObject({ userId: 'u1', tenantId });
      expect(await whoAmI(apiClient(test.url, answer.body.token))).toMatchObject({ id: 'u1', tenantId });
    }
    // A key issued by twin-a's u1 names them, by their own tenant's name for them.
    const a = await session('twin-a');
    aKey = await issueAs('twin-a', a);
    const listed = await a.request<Listed>('GET', '/api/api-keys?tenantId=twin-a');
    expect(listed.body.keys.map((k) => k.issuedBy)).toEqual([
      { kind: 'user', id: 'u1', accountable: 'u1', name: 'U1 of twin-a' },
    ]);
  });

  it('a super admin who names no tenant is asked to, when two tenants have the member', async () => {
    const ambiguous = await root.request<Refusal>('PUT', '/api/members/u1/password', {
      password: 'which-one-is-it',
    });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error).toMatchObject({ code: 'TENANT_REQUIRED', field: 'tenantId' });
    for (const tenantId of TWINS) expect((await signIn(tenantId, 'which-one-is-it')).status).toBe(401);
  });

  it('one changes their password: their own sessions end, the other’s password and sessions stay', async () => {
    const a = await session('twin-a');
    const b = await session('twin-b');
    expect(
      (await a.request('PUT', '/api/members/u1/password', { password: 'twin-a-password-2' })).status,
    ).toBe(204);
    passwordOf['twin-a'] = 'twin-a-password-2';
    expect((await a.request('GET', '/api/auth/me')).status).toBe(401);
    expect(await whoAmI(b)).toMatchObject({ id: 'u1', tenantId: 'twin-b' });
    expect((await signIn('twin-a', 'twin-a-password-1')).status).toBe(401);
    expect((await signIn('twin-a')).status).toBe(200);
    expect((await signIn('twin-b')).status).toBe(200);
    // And the other way round, by the tenant's own admin naming no tenant: their own member.
    const other = await session('twin-b');
    expect(
      (await other.request('PUT', '/api/members/u1/password', { password: 'twin-b-password-2' })).status,
    ).toBe(204);
    passwordOf['twin-b'] = 'twin-b-password-2';
    expect((await signIn('twin-b', 'twin-b-password-1')).status).toBe(401);
    expect((await signIn('twin-a')).status).toBe(200);
  });

  it('each lists and ends only their own sessions; an admin ending “u1”’s sessions ends their own tenant’s', async () => {
    const a = await session('twin-a');
    const b = await session('twin-b');
    const listed = await a.request<{ sessions: { sessionId: string }[] }>('GET', '/api/auth/sessions');
    const theirs = await b.request<{ sessions: { sessionId: string }[] }>('GET', '/api/auth/sessions');
    const ids = (r: typeof listed) => r.body.sessions.map((s) => s.sessionId);
    expect(ids(listed).filter((id) => ids(theirs).includes(id))).toEqual([]);
    const bId = ids(theirs)[0] ?? '';
    expect((await a.request('DELETE', `/api/auth/sessions/${bId}`)).status).toBe(404);
    expect((await b.request('GET', '/api/auth/me')).status).toBe(200);

    expect((await a.request('POST', '/api/auth/sessions/revoke', { userId: 'u1' })).status).toBe(204);
    expect((await a.request('GET', '/api/auth/me')).status).toBe(401);
    expect(await whoAmI(b)).toMatchObject({ id: 'u1', tenantId: 'twin-b' });
  });

  it('each enrols their own second factor: the other is not asked for it, and keeps their sessions', async () => {
    const a = await session('twin-a');
    const b = await session('twin-b');
    const started = await a.request<{ secret: string }>('POST', '/api/auth/mfa/totp', {});
    expect(started.status).toBe(201);
    const aSpentAt = Date.now();
    const confirm = await a.request('POST', '/api/auth/mfa/totp/confirm', {
      code: totpCode(started.body.secret, aSpentAt),
    });
    expect(confirm.status).toBe(204);
    expect((await b.request('GET', '/api/auth/me')).status).toBe(200);
    const bAgain = await signIn('twin-b');
    expect(bAgain.body.mfaRequired).toBeUndefined();
    expect(bAgain.body.token).toEqual(expect.any(String));

    const aAgain = await signIn('twin-a');
    expect(aAgain.body).toMatchObject({ mfaRequired: true });
    const done = await apiClient(test.url).request<SignIn>('POST', '/api/auth/login/mfa', {
      challenge: aAgain.body.challenge,
      code: codeAfter(started.body.secret, aSpentAt),
    });
    expect(done.status).toBe(200);
    expect(done.body.user).toMatchObject({ userId: 'u1', tenantId: 'twin-a' });

    // The other enrols a seed of their own; turning it on and off touches nothing of the first.
    const theirs = await b.request<{ secret: string }>('POST', '/api/auth/mfa/totp', {});
    expect(theirs.status).toBe(201);
    expect(theirs.body.secret).not.toBe(started.body.secret);
    const bSpentAt = Date.now();
    const bCode = totpCode(theirs.body.secret, bSpentAt);
    expect((await b.request('POST', '/api/auth/mfa/totp/confirm', { code: bCode })).status).toBe(204);
    const bOff = codeAfter(theirs.body.secret, bSpentAt);
    expect((await b.request('POST', '/api/auth/mfa/totp/disable', { code: bOff })).status).toBe(204);
    expect((await signIn('twin-a')).body).toMatchObject({ mfaRequired: true });
    expect((await signIn('twin-b')).body.token).toEqual(expect.any(String));
  });

  it('failed sign-ins are told to the account they were against, not to its namesake', async () => {
    for (let i = 0; i < 3; i += 1) expect((await signIn('twin-a', `wrong-password-${i}`)).status).toBe(401);
    for (let i = 0; i < 2; i += 1) expect((await signIn('twin-b', `wrong-password-${i}`)).status).toBe(401);
    const b = await signIn('twin-b');
    expect(b.status).toBe(200);
    expect(b.body.signInNotice).toMatchObject({ failedAttempts: 2 });
  });

  it('removing one retires their keys and ends their sessions; the other’s stay', async () => {
    const bSession = await session('twin-b');
    const bKey = await issueAs('twin-b', bSession);
    const removed = await root.command('RemoveMember', { tenantId: 'twin-b', userId: 'u1' });
    expect(removed.status).toBe(200);
    await test.platform.reactor.caughtUp((removed.body as { position: number }).position);
    expect((await bSession.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await bKey.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await signIn('twin-b')).status).toBe(401);
    // twin-a's u1 issued this key before; it answers to them and still works.
    expect(await whoAmI(aKey)).toMatchObject({ tenantId: 'twin-a' });
    expect((await signIn('twin-a')).body).toMatchObject({ mfaRequired: true });
  });
});

/**
 * Turns identity.db into the layout the code before tenant keys wrote (directory version 2): one member row
 * per user id (the first tenant to use it), and passwords, sessions, TOTP seeds (sealed under
 * `platform:mfa.<userId>`) and sign-in notices keyed by user id alone.
 */
const toLayoutKeyedByUserId = (dataDir: string, namesakeTenant: string): void => {
  const keys = createSqliteSubjectKeys(
    join(dataDir, 'keys.db'),
    masterKeyFrom(undefined, join(dataDir, 'master.key')),
  );
  const secrets = subjectSecrets(keys);
  const db = new Database(join(dataDir, 'identity.db'));
  try {
    const seeds = db
      .prepare<
        [],
        { user_id: string; subject: string; sealed_secret: string; enabled: number; last_step: number }
      >('SELECT user_id, subject, sealed_secret, enabled, last_step FROM totp')
      .all();
    db.exec(`
      ALTER TABLE members RENAME TO v3_members;
      ALTER TABLE credentials RENAME TO v3_credentials;
      ALTER TABLE sessions RENAME TO v3_sessions;
      ALTER TABLE sign_in_notices RENAME TO v3_sign_in_notices;
      DROP TABLE totp;
      CREATE TABLE members (
        user_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, email TEXT NOT NULL, name TEXT NOT NULL,
        role TEXT NOT NULL, status TEXT NOT NULL
      );
      CREATE INDEX members_by_email ON members (email);
      INSERT OR IGNORE INTO members (user_id, tenant_id, email, name, role, status)
        SELECT user_id, tenant_id, email, name, role, status FROM v3_members
         ORDER BY tenant_id = '${namesakeTenant}';
      CREATE TABLE credentials (user_id TEXT PRIMARY KEY, password_hash TEXT NOT NULL, updated_at INTEGER NOT NULL);
      INSERT INTO credentials SELECT user_id, password_hash, updated_at FROM v3_credentials;
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      INSERT INTO sessions SELECT token_hash, user_id, created_at, expires_at, revoked_at FROM v3_sessions;
      CREATE TABLE totp (
        user_id TEXT PRIMARY KEY, sealed_secret TEXT NOT NULL, enabled INTEGER NOT NULL, last_step INTEGER NOT NULL
      );
      CREATE TABLE sign_in_notices (
        user_id TEXT PRIMARY KEY, failed_attempts INTEGER NOT NULL, lockouts INTEGER NOT NULL,
        last_failure_at INTEGER NOT NULL
      );
      INSERT INTO sign_in_notices SELECT user_id, failed_attempts, lockouts, last_failure_at FROM v3_sign_in_notices;
      DROP TABLE v3_members; DROP TABLE v3_credentials; DROP TABLE v3_sessions; DROP TABLE v3_sign_in_notices;
      UPDATE projection SET position = 2 WHERE name = 'identity-version';
    `);
    const insertSeed = db.prepare<[string, string, number, number]>('INSERT INTO totp VALUES (?, ?, ?, ?)');
    for (const seed of seeds) {
      const plain = secrets.open(seed.subject, seed.sealed_secret) ?? '';
      expect(plain).not.toBe('');
      insertSeed.run(
        seed.user_id,
        secrets.seal(`platform:mfa.${seed.user_id}`, plain),
        seed.enabled,
        seed.last_step,
      );
    }
  } finally {
    db.close();
    keys.close();
  }
};

describe('a directory written before identities were keyed by tenant', () => {
  it('keeps everyone’s password, sessions, second factor and notices, with the member who held them', async () => {
    const first = await startTestPlatform();
    let stopped = false;
    let second: TestPlatform | undefined;
    try {
      await seedDemo(first.platform, PASSWORD);
      const rootSession = await login(first.url, SUPER_ADMIN.email, SUPER_ADMIN.password);
      const agentSession = await login(first.url, 'agent@demo.example', PASSWORD);
      const supervisor = apiClient(first.url, await login(first.url, 'supervisor@demo.example', PASSWORD));
      const started = await supervisor.request<{ secret: string }>('POST', '/api/auth/mfa/totp', {});
      const spentAt = Date.now();
      const code = totpCode(started.body.secret, spentAt);
      expect((await supervisor.request('POST', '/api/auth/mfa/totp/confirm', { code })).status).toBe(204);
      for (const password of ['wrong-password-1', 'wrong-password-2']) {
        const wrong = await apiClient(first.url).request('POST', '/api/auth/login', {
          email: 'viewer@demo.example',
          password,
        });
        expect(wrong.status).toBe(401);
      }
      // A namesake in another tenant, which the old directory had no row for.
      const root = apiClient(first.url, rootSession);
      expect((await root.command('CreateTenant', { tenantId: 'later', name: 'Later' })).status).toBe(200);
      const namesake = { tenantId: 'later', userId: 'demo-agent', name: 'Namesake', role: 'agent' };
      expect((await root.command('InviteMember', { ...namesake, email: 'agent@later.example' })).status).toBe(
        200,
      );
      await first.stop({ keepData: true });
      stopped = true;
      toLayoutKeyedByUserId(first.dataDir, 'later');

      second = await startTestPlatform(first.dataDir);
      const me = async (token: string) =>
        (await apiClient(second?.url ?? '', token).request<{ actor: unknown }>('GET', '/api/auth/me')).body;
      expect(await me(agentSession)).toEqual({
        actor: { kind: 'user', id: 'demo-agent', role: 'agent', tenantId: DEMO_TENANT },
      });
      expect(await me(rootSession)).toMatchObject({ actor: { role: 'super_admin', tenantId: 'platform' } });
      expect((await login(second.url, 'agent@demo.example', PASSWORD)).length).toBeGreaterThan(0);

      const anonymous = apiClient(second.url);
      const challenged = await anonymous.request<{ mfaRequired?: boolean; challenge?: string }>(
        'POST',
        '/api/auth/login',
        { email: 'supervisor@demo.example', password: PASSWORD },
      );
      expect(challenged.body.mfaRequired).toBe(true);
      const passed = await anonymous.request<{ user?: unknown }>('POST', '/api/auth/login/mfa', {
        challenge: challenged.body.challenge,
        // Across a restart that may take longer than a step: the authenticator's code now, if it moved on.
        code: codeAfter(started.body.secret, spentAt),
      });
      expect(passed.status, JSON.stringify(passed.body)).toBe(200);
      expect(passed.body.user).toMatchObject({ userId: 'demo-supervisor', tenantId: DEMO_TENANT });

      const viewer = await anonymous.request<{ signInNotice?: unknown }>('POST', '/api/auth/login', {
        email: 'viewer@demo.example',
        password: PASSWORD,
      });
      expect(viewer.body.signInNotice).toMatchObject({ failedAttempts: 2, lockouts: 0 });

      // The namesake is in the directory now, and becomes their own person: a password of their own.
      const rootAgain = apiClient(second.url, rootSession);
      expect(
        (
          await rootAgain.request('PUT', '/api/members/demo-agent/password', {
            tenantId: 'later',
            password: 'namesake-password-1',
          })
        ).status,
      ).toBe(204);
      expect(await me(await login(second.url, 'agent@later.example', 'namesake-password-1'))).toMatchObject({
        actor: { id: 'demo-agent', tenantId: 'later' },
      });
      expect(await me(agentSession)).toMatchObject({ actor: { tenantId: DEMO_TENANT } });
      expect((await login(second.url, 'agent@demo.example', PASSWORD)).length).toBeGreaterThan(0);
    } finally {
      if (second) await second.stop();
      else if (!stopped) await first.stop();
    }
  });
});
