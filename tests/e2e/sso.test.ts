import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT, seedDemo } from '@ccp/infra';
import { startLocalIssuer, type LocalIssuer } from '@ccp/command-service/testing';
import { apiClient, login, startTestPlatform, type TestPlatform } from '../support/platform.js';

let test: TestPlatform;
let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
  // The stand-in provider is on loopback, which the outbound guard refuses unless the operator allows it.
  test = await startTestPlatform(undefined, { env: { OUTBOUND_ALLOW: '127.0.0.1/32' } });
  await seedDemo(test.platform, 'demo-password-1');
  const admin = apiClient(test.url, await login(test.url, 'admin@demo.example', 'demo-password-1'));
  const updated = await admin.command('UpdateTenantSettings', {
    tenantId: DEMO_TENANT,
    settings: { sso: [{ issuer: issuer.url(), audience: 'ccp-console', name: 'Company IdP' }] },
  });
  expect(updated.status).toBe(200);
});
afterAll(async () => {
  await test?.stop();
  await issuer?.close();
});

const oidc = (idToken: string) =>
  apiClient(test.url).request<{ token?: string; user?: { userId: string }; error?: { code: string } }>(
    'POST',
    '/api/auth/oidc',
    { idToken },
  );

describe('single sign-on with OpenID Connect', () => {
  it('signs a member in with an ID token from an issuer their tenant trusts', async () => {
    const response = await oidc(await issuer.sign({ email: 'Analyst@demo.example' }));
    expect(response.status).toBe(200);
    expect(response.body.user?.userId).toBe('demo-analyst');
    expect((await apiClient(test.url, response.body.token).request('GET', '/api/auth/me')).status).toBe(200);
  });

  it('refuses wrong audiences, expired tokens, other keys, unknown issuers, unverified emails and strangers', async () => {
    const { privateKey: stranger } = await generateKeyPair('RS256');
    const cases: [string, Promise<string>, string][] = [
      ['audience', issuer.sign({ email: 'analyst@demo.example', aud: 'someone-else' }), 'OIDC_INVALID_TOKEN'],
      [
        'expired',
        issuer.sign({ email: 'analyst@demo.example' }, { expiresIn: '-10m' }),
        'OIDC_INVALID_TOKEN',
      ],
      ['forged', issuer.sign({ email: 'analyst@demo.example' }, { key: stranger }), 'OIDC_INVALID_TOKEN'],
      [
        'issuer',
        issuer.sign({ email: 'analyst@demo.example', iss: 'https://accounts.example.com' }),
        'OIDC_UNKNOWN_ISSUER',
      ],
      [
        'unverified',
        issuer.sign({ email: 'analyst@demo.example', email_verified: false }),
        'OIDC_EMAIL_UNVERIFIED',
      ],
      ['stranger', issuer.sign({ email: 'nobody@demo.example' }), 'OIDC_UNKNOWN_ISSUER'],
    ];
    for (const [name, token, code] of cases) {
      const response = await oidc(await token);
      expect(response.status, name).toBe(401);
      expect(response.body.error?.code, name).toBe(code);
    }
    expect((await oidc('not-a-token-at-all-really')).status).toBe(401);
  });
});
