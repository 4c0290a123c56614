import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../command-service/src/identity/totp.js';
import { DEMO_TENANT, seedDemo } from '../../infra/platform/demo-seed.js';
import { startLocalIssuer, type LocalIssuer } from '../support/oidc-issuer.js';
import {
  apiClient,
  login,
  startTestPlatform,
  SUPER_ADMIN,
  type ApiResponse,
  type TestPlatform,
} from '../support/platform.js';

/**
 * Sign-in under attack (issue 11): single sign-on across tenants, second factors, password guessing.
 * Everything runs against the real platform over HTTP; identity providers are local stand-ins on loopback.
 */

const PASSWORD = 'demo-password-1';
const OTHER = 'globex';
const OTHER_PASSWORD = 'globex-password-1';

let test: TestPlatform;
beforeAll(async () => {
  // The stand-in providers are on 127.0.0.1, which the outbound guard refuses unless the operator allows it.
  test = await startTestPlatform(undefined, { env: { OUTBOUND_ALLOW: '127.0.0.1/32' } });
  await seedDemo(test.platform, PASSWORD);
  const root = apiClient(test.url, await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  expect(
    (await root.command('CreateTenant', { tenantId: OTHER, name: 'Globex', planTier: 'starter' })).status,
  ).toBe(200);
  expect(
    (
      await root.command('InviteMember', {
        tenantId: OTHER,
        userId: 'globex-admin',
        email: 'admin@globex.example',
        name: 'Gia',
        role: 'tenant_admin',
      })
    ).status,
  ).toBe(200);
  expect(
    (await root.request('PUT', '/api/members/globex-admin/password', { password: OTHER_PASSWORD })).status,
  ).toBe(204);
});
afterAll(() => test?.stop());

type SignInAnswer = {
  token?: string;
  mfaRequired?: boolean;
  challenge?: string;
  user?: { userId: string; tenantId: string };
  error?: { code: string; message: string };
};
const oidc = (idToken: string): Promise<ApiResponse<SignInAnswer>> =>
  apiClient(test.url).request<SignInAnswer>('POST', '/api/auth/oidc', { idToken });

const setSso = async (token: string, tenantId: string, sso: unknown[]) => {
  const updated = await apiClient(test.url, token).command('UpdateTenantSettings', {
    tenantId,
    settings: { sso },
  });
  expect(updated.status, JSON.stringify(updated.body)).toBe(200);
};

/** Enrols a TOTP second factor for a signed-in member; answers the seed, as their authenticator app has it. */
const enrolTotp = async (token: string): Promise<string> => {
  const me = apiClient(test.url, token);
  const started = await me.request<{ secret: string }>('POST', '/api/auth/mfa/totp', {});
  expect(started.status).toBe(201);
  const confirmed = await me.request('POST', '/api/auth/mfa/totp/confirm', {
    code: totpCode(started.body.secret, Date.now()),
  });
  expect(confirmed.status).toBe(204);
  return started.body.secret;
};

describe('single sign-on is bound to the tenant that configured it (item 1)', () => {
  let realIdp: LocalIssuer;
  let rogueKeys: LocalIssuer;
  beforeAll(async () => {
    realIdp = await startLocalIssuer();
    rogueKeys = await startLocalIssuer();
  });
  afterAll(async () => {
    await realIdp?.close();
    await rogueKeys?.close();
  });

  it('a tenant that names the same issuer with its own key set cannot sign in members of another tenant', async () => {
    const demoAdmin = await login(test.url, 'admin@demo.example', PASSWORD);
    await setSso(demoAdmin, DEMO_TENANT, [{ issuer: realIdp.url(), audience: 'ccp-console' }]);
    // The other tenant's admin claims the same issuer and audience but serves the keys itself.
    const otherAdmin = await login(test.url, 'admin@globex.example', OTHER_PASSWORD);
    await setSso(otherAdmin, OTHER, [
      { issuer: realIdp.url(), audience: 'ccp-console', jwksUri: rogueKeys.jwksUri() },
    ]);
    // Its own member signs in with its keys first, so its key set is the one loaded for that issuer.
    const own = await oidc(
      await rogueKeys.sign({ email: 'admin@globex.example' }, { issuer: realIdp.url() }),
    );
    expect(own.status).toBe(200);
    expect(own.body.user?.tenantId).toBe(OTHER);

    // Then it forges a token for the demo tenant's admin, signed with its own key.
    const forged = await oidc(
      await rogueKeys.sign({ email: 'admin@demo.example' }, { issuer: realIdp.url() }),
    );
    expect(forged.status, JSON.stringify(forged.body)).toBe(401);
    expect(forged.body.error?.code).toBe('OIDC_INVALID_TOKEN');
    expect(forged.body.token).toBeUndefined();

    // The real provider still signs the demo tenant's people in, and the rogue one still its own.
    const real = await oidc(await realIdp.sign({ email: 'analyst@demo.example' }));
    expect(real.status).toBe(200);
    expect(real.body.user?.userId).toBe('demo-analyst');
    const realForOther = await oidc(await realIdp.sign({ email: 'admin@globex.example' }));
    expect(realForOther.status).toBe(401);
  });

  it('in whichever order the key sets were loaded', async () => {
    // Here the real provider's keys are loaded first for the demo tenant (previous test), then the rogue ones.
    const forged = await oidc(
      await rogueKeys.sign({ email: 'supervisor@demo.example' }, { issuer: realIdp.url() }),
    );
    expect(forged.status).toBe(401);
    const own = await oidc(
      await rogueKeys.sign({ email: 'admin@globex.example' }, { issuer: realIdp.url() }),
    );
    expect(own.status).toBe(200);
    const forgedAgain = await oidc(
      await rogueKeys.sign({ email: 'supervisor@demo.example' }, { issuer: realIdp.url() }),
    );
    expect(forgedAgain.status).toBe(401);
  });
});

describe('single sign-on asks for the second factor (item 1)', () => {
  let idp: LocalIssuer;
  beforeAll(async () => {
    idp = await startLocalIssuer();
  });
  afterAll(() => idp?.close());

  it('a member with a second factor who signs in with SSO is asked for the code, like a password sign-in', async () => {
    const admin = await login(test.url, 'admin@demo.example', PASSWORD);
    await setSso(admin, DEMO_TENANT, [{ issuer: idp.url(), audience: 'ccp-console' }]);
    const supervisor = await login(test.url, 'supervisor@demo.example', PASSWORD);
    const secret = await enrolTotp(supervisor);
    const answer = await oidc(await idp.sign({ email: 'supervisor@demo.example' }));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ mfaRequired: true, challenge: expect.any(String) });
    expect(answer.body.token).toBeUndefined();
    const done = await apiClient(test.url).request<SignInAnswer>('POST', '/api/auth/login/mfa', {
      challenge: answer.body.challenge,
      code: totpCode(secret, Date.now() + 30_000),
    });
    expect(done.status).toBe(200);
    expect(done.body.user?.userId).toBe('demo-supervisor');
  });
});
