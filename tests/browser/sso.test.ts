import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '@ccp/command-service';
import { DEMO_TENANT } from '@ccp/infra';
import { ensureUiBuilt } from '@ccp/ui';
import { apiClient, login } from '../support/platform.js';
import { spawnPlatform, type PlatformProcess } from '../support/process.js';
import { codeAfter } from '../support/totp.js';
import { launchChromium } from './harness.js';

/*
 * Single sign-on in a real browser: the sign-in page of a tenant's custom domain offers its identity provider,
 * the browser goes there and comes back with an ID token, and the platform signs the member in.
 *
 * The identity provider is a LOCAL STAND-IN for Google, Microsoft, Okta and the like: HTTPS with a certificate
 * made for this test (Chromium is told to accept it, the platform trusts it through NODE_EXTRA_CA_CERTS), a
 * discovery document, a JWKS and an authorization endpoint that answers at once for a member already signed in
 * there (an implicit-flow redirect with the ID token in the fragment), signed by jose.
 */

const DOMAIN = 'support.brightsmile.example';
const CLIENT_ID = 'ccp-console';
let dir: string;
let platform: PlatformProcess;
let browser: Browser;
let issuer: Server;
let issuerUrl = '';
/** The email the stand-in says its signed-in user has. */
let signedInAs = 'supervisor@demo.example';

const startIssuer = async (): Promise<void> => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'issuer.key'),
      '-out',
      join(dir, 'issuer.crt'),
    ],
    { stdio: 'ignore' },
  );
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  issuer = createServer(
    { key: readFileSync(join(dir, 'issuer.key')), cert: readFileSync(join(dir, 'issuer.crt')) },
    (request, response) => {
      const url = new URL(request.url ?? '/', issuerUrl);
      // The console reads the discovery document from its own origin: the provider allows it, as real ones do.
      response.setHeader('access-control-allow-origin', '*');
      if (url.pathname === '/.well-known/openid-configuration') {
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            issuer: issuerUrl,
            jwks_uri: `${issuerUrl}/jwks`,
            authorization_endpoint: `${issuerUrl}/authorize`,
          }),
        );
      } else if (url.pathname === '/jwks') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ keys: [jwk] }));
      } else if (url.pathname === '/authorize') {
        const redirect = url.searchParams.get('redirect_uri') ?? '';
        void new SignJWT({ email: signedInAs, email_verified: true, nonce: url.searchParams.get('nonce') })
          .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
          .setIssuer(issuerUrl)
          .setAudience(url.searchParams.get('client_id') ?? '')
          .setSubject('idp-user-1')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey)
          .then((idToken) => {
            const fragment = new URLSearchParams({
              id_token: idToken,
              state: url.searchParams.get('state') ?? '',
            });
            response.statusCode = 302;
            response.setHeader('location', `${redirect}#${fragment.toString()}`);
            response.end();
          });
      } else {
        response.statusCode = 404;
        response.end();
      }
    },
  );
  await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
  issuerUrl = `https://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ccp-sso-'));
  await startIssuer();
  await ensureUiBuilt();
  platform = await spawnPlatform({
    DATA_DIR: dir,
    MEDIA_GATEWAY: 'false',
    NODE_EXTRA_CA_CERTS: join(dir, 'issuer.crt'),
    // The identity provider's stand-in listens on loopback: the operator allows it as a company network.
    OUTBOUND_ALLOW: '127.0.0.1/32',
  });
  const credentials = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as {
    demoPassword: string;
  };
  const admin = apiClient(
    platform.url,
    await login(platform.url, 'admin@demo.example', credentials.demoPassword),
  );
  const updated = await admin.command('UpdateTenantSettings', {
    tenantId: DEMO_TENANT,
    settings: {
      branding: { displayName: 'Bright Smile', primaryColor: '#0a7cff', customDomain: DOMAIN },
      sso: [{ issuer: issuerUrl, audience: CLIENT_ID, name: 'Bright Smile staff login' }],
    },
  });
  expect(updated.status).toBe(200);
  const port = new URL(platform.url).port;
  browser = await launchChromium([
    // The tenant's custom domain, on this machine.
    `--host-resolver-rules=MAP ${DOMAIN} 127.0.0.1`,
    // The stand-in provider's certificate was made for this test.
    '--ignore-certificate-errors',
  ]);
  // The read side follows the settings a moment later.
  for (let i = 0; i < 100; i++) {
    const branding = await apiClient(platform.url).request<{ sso?: unknown[] }>(
      'GET',
      `/api/branding?domain=${DOMAIN}`,
    );
    if (branding.status === 200 && (branding.body.sso ?? []).length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(port).not.toBe('');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  platform?.child.kill('SIGTERM');
  await platform?.exited;
  await new Promise<void>((resolve) => (issuer ? issuer.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const consoleAt = () => `http://${DOMAIN}:${new URL(platform.url).port}`;

describe('single sign-on in the browser', () => {
  it(
    'offers the tenant’s identity provider on its own domain and signs the member in through it',
    { timeout: 60_000 },
    async () => {
      const page = await browser.newPage();
      await page.goto(`${consoleAt()}/login`);
      // Themed before anyone signs in: the tenant's name, and its provider.
      await expect.poll(() => page.getByText('Bright Smile', { exact: false }).count()).toBeGreaterThan(0);
      const button = page.getByRole('button', { name: /Bright Smile staff login/ });
      await button.waitFor({ timeout: 10_000 });
      await page.screenshot({
        path: join(import.meta.dirname, 'screenshots', 'login-sso.png'),
        fullPage: true,
      });
      // White label: the tenant's colour (#0a7cff) on its sign-in page, not the platform's teal. The button is
      // disabled until the form is filled, which blends it a little, and fades to the colour: poll until close.
      const background = () =>
        page
          .getByRole('button', { name: 'Sign in', exact: true })
          .evaluate(
            (element) =>
              (
                globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
              ).getComputedStyle(element).backgroundColor,
          );
      const nearBrand = (color: string): boolean => {
        const [r, g, b] = (color.match(/\d+/g) ?? []).map(Number);
        return [r, g, b].every((c, n) => Math.abs((c ?? -99) - [10, 124, 255][n]!) <= 16);
      };
      await expect.poll(async () => nearBrand(await background()), { timeout: 5_000 }).toBe(true);
      signedInAs = 'supervisor@demo.example';
      await button.click();
      await page.waitForURL((url) => url.host.startsWith(DOMAIN) && url.pathname === '/dashboard', {
        timeout: 20_000,
      });
      // The ID token never stays in the address bar.
      expect(page.url()).not.toContain('id_token');
      await expect.poll(() => page.getByText('Sam Supervisor').count()).toBeGreaterThan(0);
      // And its name in the console's header once signed in.
      await expect.poll(() => page.getByRole('link', { name: 'Bright Smile', exact: true }).count()).toBe(1);
      await page.screenshot({ path: join(import.meta.dirname, 'screenshots', 'sso-signed-in.png') });
      await page.close();
    },
  );

  it(
    'shows why when the provider vouches for someone the tenant does not know',
    { timeout: 60_000 },
    async () => {
      const page = await browser.newPage();
      await page.goto(`${consoleAt()}/login`);
      signedInAs = 'stranger@elsewhere.example';
      await page.getByRole('button', { name: /Bright Smile staff login/ }).click();
      await page.waitForURL((url) => url.pathname === '/login/sso', { timeout: 20_000 });
      await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/\S/);
      expect(new URL(page.url()).pathname).toBe('/login/sso');
      await page.close();
    },
  );

  it(
    'asks a member with a second factor for their code after the provider, then signs them in',
    { timeout: 60_000 },
    async () => {
      const credentials = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as {
        demoPassword: string;
      };
      const analyst = apiClient(
        platform.url,
        await login(platform.url, 'analyst@demo.example', credentials.demoPassword),
      );
      const enrolled = await analyst.request<{ secret: string }>('POST', '/api/auth/mfa/totp', {});
      const spentAt = Date.now();
      const confirmed = await analyst.request('POST', '/api/auth/mfa/totp/confirm', {
        code: totpCode(enrolled.body.secret, spentAt),
      });
      expect(confirmed.status).toBe(204);
      const page = await browser.newPage();
      await page.goto(`${consoleAt()}/login`);
      signedInAs = 'analyst@demo.example';
      await page.getByRole('button', { name: /Bright Smile staff login/ }).click();
      // The provider vouched for the email; the platform still wants the member's own second factor.
      const code = page.getByLabel('Verification code');
      await code.waitFor({ timeout: 20_000 });
      expect(new URL(page.url()).pathname).toBe('/login');
      // The enrolment spent this step's code: the authenticator's next one.
      await code.fill(codeAfter(enrolled.body.secret, spentAt));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL((url) => url.pathname === '/analytics', { timeout: 20_000 });
      await expect.poll(() => page.getByText('Ana Analyst').count()).toBeGreaterThan(0);
      await page.close();
    },
  );

  it('offers no provider on the platform’s own address', async () => {
    const page = await browser.newPage();
    await page.goto(`${platform.url}/login`);
    await page.getByLabel('Email').waitFor();
    expect(await page.getByRole('button', { name: /Bright Smile staff login/ }).count()).toBe(0);
    await page.close();
  });
});
