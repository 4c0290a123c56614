import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '@ccp/command-service';
import { DEMO_TENANT, seedDemo } from '@ccp/infra';
import { codeAfter } from '../support/totp.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';

const PASSWORD = 'demo-password-1';
let test: TestPlatform;
beforeAll(async () => {
  test = await startTestPlatform();
  await seedDemo(test.platform, PASSWORD);
});
afterAll(() => test?.stop());

const signIn = (email: string, password = PASSWORD) =>
  apiClient(test.url).request<{ token?: string; mfaRequired?: boolean; challenge?: string }>(
    'POST',
    '/api/auth/login',
    { email, password },
  );

describe('multi-factor sign-in with TOTP', () => {
  it('enrols, then asks for a code at every sign-in; a wrong, reused or late code gets nothing', async () => {
    const session = await login(test.url, 'supervisor@demo.example', PASSWORD);
    const me = apiClient(test.url, session);
    const started = await me.request<{ secret: string; otpauthUri: string }>(
      'POST',
      '/api/auth/mfa/totp',
      {},
    );
    expect(started.status).toBe(201);
    expect(started.body.otpauthUri).toMatch(
      /^otpauth:\/\/totp\/CustomerCare%20Pro:supervisor%40demo\.example\?/,
    );
    const secret = started.body.secret;
    expect((await me.request('POST', '/api/auth/mfa/totp/confirm', { code: '000000' })).status).toBe(400);
    // As the authenticator app shows it now. Every later code is derived from this one instant, never from a
    // second Date.now(): a 30-second boundary crossed mid-test would turn "the same code" into a fresh one.
    // The server allows one step of drift, so its own clock may cross a boundary without changing the outcome.
    const enrolledAt = Date.now();
    const enrolmentCode = totpCode(secret, enrolledAt);
    expect((await me.request('POST', '/api/auth/mfa/totp/confirm', { code: enrolmentCode })).status).toBe(
      204,
    );

    const first = await signIn('supervisor@demo.example');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ mfaRequired: true, challenge: expect.any(String) });
    expect(first.body.token).toBeUndefined();
    const wrong = await apiClient(test.url).request('POST', '/api/auth/login/mfa', {
      challenge: first.body.challenge,
      code: '123456',
    });
    expect(wrong.status).toBe(400);
    // The code the enrolment used is spent: the same step is refused.
    const reused = await apiClient(test.url).request('POST', '/api/auth/login/mfa', {
      challenge: first.body.challenge,
      code: enrolmentCode,
    });
    expect(reused.status).toBe(400);
    // The authenticator's next step after the enrolment's, whenever the test runs.
    const later = codeAfter(secret, enrolledAt);
    const done = await apiClient(test.url).request<{ token: string }>('POST', '/api/auth/login/mfa', {
      challenge: first.body.challenge,
      code: later,
    });
    expect(done.status).toBe(200);
    expect((await apiClient(test.url, done.body.token).request('GET', '/api/auth/me')).status).toBe(200);
    // The challenge was single use.
    const again = await apiClient(test.url).request<{ error: { code: string } }>(
      'POST',
      '/api/auth/login/mfa',
      {
        challenge: first.body.challenge,
        code: totpCode(secret, enrolledAt + 60_000),
      },
    );
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('INVALID_CHALLENGE');
    // A wrong password never reaches the second step.
    expect((await signIn('supervisor@demo.example', 'not-the-password')).status).toBe(401);
  });

  it('API keys have no second factor to enrol', async () => {
    const admin = apiClient(test.url, await login(test.url, 'admin@demo.example', PASSWORD));
    const issued = await admin.request<{ key: string }>('POST', '/api/api-keys', {
      tenantId: DEMO_TENANT,
      name: 'bot',
      role: 'agent',
      scopes: ['read'],
    });
    expect(
      (await apiClient(test.url, issued.body.key).request('POST', '/api/auth/mfa/totp', {})).status,
    ).toBe(403);
  });
});

describe('sessions', () => {
  it('lists my sessions and ends one; an admin ends all of a user’s; revoked tokens get 401 at once', async () => {
    const phone = await login(test.url, 'agent@demo.example', PASSWORD);
    const laptop = await login(test.url, 'agent@demo.example', PASSWORD);
    const listed = await apiClient(test.url, laptop).request<{ sessions: { sessionId: string }[] }>(
      'GET',
      '/api/auth/sessions',
    );
    expect(listed.body.sessions.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(listed.body)).not.toContain(phone);
    const phoneId = listed.body.sessions.at(-1)?.sessionId ?? '';
    expect(
      (await apiClient(test.url, laptop).request('DELETE', `/api/auth/sessions/${phoneId}`)).status,
    ).toBe(204);
    expect((await apiClient(test.url, phone).request('GET', '/api/auth/me')).status).toBe(401);
    expect(
      (await apiClient(test.url, laptop).request('DELETE', '/api/auth/sessions/unknown-session')).status,
    ).toBe(404);

    const admin = apiClient(test.url, await login(test.url, 'admin@demo.example', PASSWORD));
    expect((await admin.request('POST', '/api/auth/sessions/revoke', { userId: 'demo-agent' })).status).toBe(
      204,
    );
    expect((await apiClient(test.url, laptop).request('GET', '/api/auth/me')).status).toBe(401);
    // Another tenant's admin cannot touch this tenant's users.
    const root = apiClient(test.url, await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
    await root.command('CreateTenant', { tenantId: 'globex', name: 'Globex', planTier: 'starter' });
    await root.command('InviteMember', {
      tenantId: 'globex',
      userId: 'globex-admin',
      email: 'admin@globex.example',
      name: 'Gia',
      role: 'tenant_admin',
    });
    await root.request('PUT', '/api/members/globex-admin/password', { password: 'globex-password-1' });
    const other = apiClient(test.url, await login(test.url, 'admin@globex.example', 'globex-password-1'));
    expect((await other.request('POST', '/api/auth/sessions/revoke', { userId: 'demo-admin' })).status).toBe(
      404,
    );
  });
});

describe('API keys', () => {
  it('rotates a key: the new secret works, the old one stops at once; keys are listed without secrets', async () => {
    const admin = apiClient(test.url, await login(test.url, 'admin@demo.example', PASSWORD));
    const issued = await admin.request<{ keyId: string; key: string }>('POST', '/api/api-keys', {
      tenantId: DEMO_TENANT,
      name: 'CRM sync',
      role: 'agent',
      scopes: ['commands', 'read'],
    });
    expect((await apiClient(test.url, issued.body.key).request('GET', '/api/auth/me')).status).toBe(200);
    const rotated = await admin.request<{ keyId: string; key: string }>(
      'POST',
      `/api/api-keys/${issued.body.keyId}/rotate`,
      { tenantId: DEMO_TENANT },
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.key).not.toBe(issued.body.key);
    expect((await apiClient(test.url, issued.body.key).request('GET', '/api/auth/me')).status).toBe(401);
    expect((await apiClient(test.url, rotated.body.key).request('GET', '/api/auth/me')).status).toBe(200);
    const keys = await admin.request<{ keys: { keyId: string }[] }>(
      'GET',
      `/api/api-keys?tenantId=${DEMO_TENANT}`,
    );
    expect(keys.body.keys.map((k) => k.keyId)).toContain(issued.body.keyId);
    expect(JSON.stringify(keys.body)).not.toMatch(/keyHash|ccp_/);
    const rotatedEvents = await test.platform.store.readStream(`apikey-${DEMO_TENANT}.${issued.body.keyId}`);
    expect(rotatedEvents.map((e) => e.type)).toEqual(['ApiKeyIssued', 'ApiKeyRotated']);
  });

  it('a key without the commands scope sends no commands', async () => {
    const admin = apiClient(test.url, await login(test.url, 'admin@demo.example', PASSWORD));
    const issued = await admin.request<{ key: string }>('POST', '/api/api-keys', {
      tenantId: DEMO_TENANT,
      name: 'read only',
      role: 'tenant_admin',
      scopes: ['read'],
    });
    const refused = await apiClient(test.url, issued.body.key).command('CreateDepartment', {
      tenantId: DEMO_TENANT,
      departmentId: 'nope',
      name: 'Nope',
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'FORBIDDEN_SCOPE' } });
  });
});
