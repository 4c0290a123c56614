import { createHash, randomBytes } from 'node:crypto';
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
