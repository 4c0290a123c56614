import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT, seedDemo } from '../../infra/platform/demo-seed.js';
import { apiClient, login, startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * A LOCAL STAND-IN for an OpenID Connect identity provider (what Google, Microsoft, Supabase or Firebase
 * publish): a discovery document and a JWKS on loopback, and ID tokens signed with its key by jose.
 */
const startIssuer = async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  let url = '';
  const server: Server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration') {
      response.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks` }));
    } else if (request.url === '/jwks') {
      response.end(JSON.stringify({ keys: [jwk] }));
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (claims: Record<string, unknown>, options: { key?: CryptoKey; expiresIn?: string } = {}) =>
    new SignJWT({ email_verified: true, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setIssuer(String(claims['iss'] ?? url))
      .setAudience(String(claims['aud'] ?? 'ccp-console'))
      .setSubject('idp-user-1')
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(options.key ?? privateKey);
  return { url: () => url, sign, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

let test: TestPlatform;
let issuer: Awaited<ReturnType<typeof startIssuer>>;
beforeAll(async () => {
  issuer = await startIssuer();
  test = await startTestPlatform();
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
