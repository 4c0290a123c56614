import { afterAll, beforeAll, expect } from 'vitest';
import { DEMO_TENANT, DEMO_USERS } from '@ccp/infra';
import type { QueryApiHooks } from '@ccp/query-api';
import { recordCall } from './calls.js';
import { responseValidator, type OpenApiDocument } from './openapi.js';
import { apiClient, login, SUPER_ADMIN, type TestPlatform } from './platform.js';
import { DEMO_PASSWORD, startReadSidePlatform } from './read-side.js';

/**
 * The platform the query API's end-to-end tests (tests/e2e/query-api-*.test.ts) read: the read side with the
 * demo tenant, a second tenant with its own admin, and four recorded calls of the demo tenant. Each test file
 * starts its own (startQueryPlatform, or useQueryPlatform) and reads it through these bindings.
 */

export const OTHER = 'globex';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export let test: TestPlatform;
export let document: OpenApiDocument;
export let validate: ReturnType<typeof responseValidator>;
export const tokens = new Map<string, string>();
export const demoCalls = ['CA-q-1', 'CA-q-2', 'CA-q-3', 'CA-q-4'];

export const as = (role: string) => apiClient(test.url, tokens.get(role));

/** Starts the platform, signs every role in and records the demo tenant's calls; `hooks`: the query API's. */
export const startQueryPlatform = async (hooks: QueryApiHooks = {}): Promise<void> => {
  test = await startReadSidePlatform({
    // The report receiver stands on loopback, which the operator allows here as they would a company network.
    env: { OUTBOUND_ALLOW: '127.0.0.1/32' },
    hooks: { liveIntervalMs: 200, reportTickMs: 200, ...hooks },
  });
  const root = apiClient(test.url, await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  tokens.set('super_admin', await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  for (const user of DEMO_USERS) tokens.set(user.role, await login(test.url, user.email, DEMO_PASSWORD));
  // Another tenant with its own admin: the isolation test reads with these credentials.
  expect(
    // On a tier with every feature of the demo's, so that the isolation test reaches every route's data.
    (await root.command('CreateTenant', { tenantId: OTHER, name: 'Globex', planTier: 'professional' }))
      .status,
  ).toBe(200);
  expect(
    (
      await root.command('InviteMember', {
        tenantId: OTHER,
        userId: 'globex-admin',
        email: 'admin@globex.example',
        name: 'Gia Globex',
        role: 'tenant_admin',
      })
    ).status,
  ).toBe(200);
  expect(
    (await root.request('PUT', '/api/members/globex-admin/password', { password: 'globex-password-1' }))
      .status,
  ).toBe(204);
  tokens.set('other', await login(test.url, 'admin@globex.example', 'globex-password-1'));

  await recordCall(root, DEMO_TENANT, 'CA-q-1');
  await recordCall(root, DEMO_TENANT, 'CA-q-2', ['Where is my refund, this is terrible'], 'escalated');
  await recordCall(root, DEMO_TENANT, 'CA-q-3', ['I want to cancel my appointment'], 'abandoned');
  await recordCall(root, DEMO_TENANT, 'CA-q-4');
  // Caught up: every call projected.
  for (let i = 0; i < 200; i++) {
    const calls = await as('tenant_admin').request<{ total: number }>('GET', '/api/calls');
    if (calls.body.total === demoCalls.length) break;
    await sleep(100);
  }
  document = (await apiClient(test.url).request<OpenApiDocument>('GET', '/api/openapi.json')).body;
  validate = responseValidator(document);
};

export const stopQueryPlatform = async (): Promise<void> => {
  await test?.stop();
};

/** The platform of startQueryPlatform for the tests of the calling file: started before them, stopped after. */
export const useQueryPlatform = (): void => {
  beforeAll(() => startQueryPlatform(), 120_000);
  afterAll(() => stopQueryPlatform());
};

/** Polls until `check` passes: the read side follows the log a moment later. */
export const eventually = async (check: () => Promise<void>, timeoutMs = 20_000): Promise<void> => {
  for (const deadline = Date.now() + timeoutMs; ;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
};
