import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT, seedDemo } from '../../infra/platform/demo-seed.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';

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
