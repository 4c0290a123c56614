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
