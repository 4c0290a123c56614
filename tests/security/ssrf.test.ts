import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commandJsonSchema } from '@ccp/schemas';
import { commandRoutes } from '@ccp/command-service';
import { DEMO_TENANT } from '@ccp/infra';
import { apiClient, login, type TestPlatform } from '../support/platform.js';
import { demoUser, startReadSidePlatform, tomorrowAt } from '../support/read-side.js';

/**
 * Server-side request forgery: every URL a tenant can set that the platform itself calls goes through the one
 * outbound-request guard, when it is set (a clear 400 that stores nothing) and again when it is called (DNS may
 * have changed since). The operator allows 127.0.0.1 here, as they would a company network; 127.0.0.2 (loopback
 * too) stands for an internal service nobody allowed, and counts every request that reaches it.
 */

let test: TestPlatform;
let admin: ReturnType<typeof apiClient>;
let internal: Server;
let internalHits = 0;
let internalPort = 0;
let redirector: Server;
let redirectorPort = 0;
let clock: Date | undefined;

const listen = async (server: Server, host: string): Promise<number> => {
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
};

beforeAll(async () => {
  internal = createServer((_request, response) => {
    internalHits += 1;
    response.end('{"secret":true}');
  });
  internalPort = await listen(internal, '127.0.0.2');
  // An allowed receiver that answers every delivery with a redirect to the internal service.
  redirector = createServer((request, response) => {
    request.resume();
    response.writeHead(307, { location: `http://127.0.0.2:${internalPort}/admin` });
    response.end();
  });
  redirectorPort = await listen(redirector, '127.0.0.1');
  test = await startReadSidePlatform({
    env: { OUTBOUND_ALLOW: '127.0.0.1/32' },
    hooks: { now: () => clock ?? new Date(), reportTickMs: 200 },
  });
  admin = await demoUser(test, 'tenant_admin');
}, 120_000);
afterAll(async () => {
  await test?.stop();
  internal?.close();
  redirector?.close();
});

/** Addresses no tenant may aim the platform at, in the spellings an attacker tries. */
const INTERNAL_URLS = (port: number) => [
  `http://127.0.0.2:${port}/`,
  `http://[::1]:${port}/`,
  'http://169.254.169.254/latest/meta-data/',
  'http://10.0.0.7/',
  'http://192.168.0.1/',
  'http://172.16.0.1/',
  'http://0.0.0.0/',
  `http://[::ffff:127.0.0.2]:${port}/`,
  'http://2130706434/',
  'http://[fd12::1]/',
];
// Names that resolve to internal addresses (localhost, DNS rebinding) are the guard's unit test's: the operator
// allowed 127.0.0.1 here, so localhost is a permitted name in this platform.

/** Connection settings holding an address the platform calls: a webhook, a CRM instance, a model server. */
const CONNECTION_URLS: Record<string, (url: string) => Record<string, unknown>> = {
  'settings.url': (url) => ({ kind: 'webhook', url, eventTypes: ['CallEnded'] }),
  'settings.instanceUrl': (url) => ({ kind: 'salesforce', instanceUrl: url }),
  'settings.apiDomain': (url) => ({ kind: 'zoho', apiDomain: url }),
  'settings.baseUrl': (url) => ({ kind: 'openai_compatible', baseUrl: url, model: 'llama' }),
};
const connectionProbes = (type: 'CreateConnection' | 'UpdateConnection') =>
  Object.fromEntries(
    Object.entries(CONNECTION_URLS).map(([field, settings]) => [
      `${type} ${field}`,
      (url: string) => ({
        type,
        data: {
          tenantId: DEMO_TENANT,
          connectionId: 'probe',
          name: 'Probe',
          settings: settings(url),
          ...(type === 'CreateConnection' && { secrets: {} }),
        },
      }),
    ]),
  );

/** Each URL field a tenant can set that the platform calls, as a command that sets it to `url`. */
const PROBES: Record<string, (url: string) => { type: string; data: unknown }> = {
  'SaveReport delivery.url': (url) => ({
    type: 'SaveReport',
    data: {
      tenantId: DEMO_TENANT,
      reportId: 'probe',
      name: 'Probe',
      kind: 'sla',
      format: 'csv',
      schedule: { every: 'day', at: '08:00' },
      delivery: { kind: 'webhook', url },
    },
  }),
  'UpdateTenantSettings settings.sso.*.issuer': (url) => ({
    type: 'UpdateTenantSettings',
    data: { tenantId: DEMO_TENANT, settings: { sso: [{ issuer: url, audience: 'client-1' }] } },
  }),
  'UpdateTenantSettings settings.sso.*.jwksUri': (url) => ({
    type: 'UpdateTenantSettings',
    data: {
      tenantId: DEMO_TENANT,
      settings: { sso: [{ issuer: 'https://login.example.com', audience: 'client-1', jwksUri: url }] },
    },
  }),
  'CreateTenant settings.sso.*.issuer': (url) => ({
    type: 'CreateTenant',
    data: {
      tenantId: 'probe',
      name: 'Probe',
      planTier: 'starter',
      settings: { sso: [{ issuer: url, audience: 'client-1' }] },
    },
  }),
  ...connectionProbes('CreateConnection'),
  ...connectionProbes('UpdateConnection'),
  'CreateTenant settings.sso.*.jwksUri': (url) => ({
    type: 'CreateTenant',
    data: {
      tenantId: 'probe',
      name: 'Probe',
      planTier: 'starter',
      settings: { sso: [{ issuer: 'https://login.example.com', audience: 'c', jwksUri: url }] },
    },
  }),
};

/**
 * URL fields the platform never calls itself, and why. A new URL field must be added either to PROBES (and to its
 * route's `outboundUrls`) or here: the scan below fails until it is.
 */
const NOT_CALLED: Record<string, string> = {
  'CreateTenant settings.branding.logoUrl': "the console's browser loads the logo, under the console's CSP",
  'UpdateTenantSettings settings.branding.logoUrl': "the console's browser loads the logo, under the CSP",
  'MarkRecordingAvailable url': 'set by the media gateway from the carrier, not by a tenant',
  'RecordInvoice invoice.hostedUrl':
    "platform-only, from Stripe's signed webhook; only people's browsers open it",
  'RecordInvoice invoice.pdfUrl':
    "platform-only, from Stripe's signed webhook; the PDF route redirects browsers to it",
};

/** Every `format: uri` string in a JSON Schema, as a dotted path (`*` for array items). */
const uriFields = (schema: unknown, path: string[] = []): string[] => {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const own = node['format'] === 'uri' ? [path.join('.')] : [];
  const nested = [
    ...Object.entries((node['properties'] as Record<string, unknown> | undefined) ?? {}).flatMap(([k, v]) =>
      uriFields(v, [...path, k]),
    ),
    ...uriFields(node['items'], [...path, '*']),
    ...(['anyOf', 'oneOf', 'allOf'] as const).flatMap((k) =>
      ((node[k] as unknown[] | undefined) ?? []).flatMap((v) => uriFields(v, path)),
    ),
  ];
  return [...own, ...nested];
};

const position = async () => (await test.platform.store.readAll()).length;

describe('SSRF: URLs a tenant sets', () => {
  it('every URL field of every command is either probed here or never called by the platform', () => {
    const found = new Set(
      commandRoutes.flatMap((route) =>
        uriFields(commandJsonSchema(route.definition)).map((field) => `${route.definition.type} ${field}`),
      ),
    );
    expect([...found].sort()).toEqual([...Object.keys(PROBES), ...Object.keys(NOT_CALLED)].sort());
  });

  it('refuses an internal address in every such field with a clear 400, storing nothing', async () => {
    const superAdmin = apiClient(test.url, await login(test.url, 'root@test.example', 'root-password-1'));
    const before = await position();
    for (const [field, probe] of Object.entries(PROBES)) {
      for (const url of INTERNAL_URLS(internalPort)) {
        const { type, data } = probe(url);
        const client = type === 'CreateTenant' ? superAdmin : admin;
        const answer = await client.command(type, data);
        const error = answer.body['error'] as { code?: string } | undefined;
        expect({ field, url, status: answer.status, code: error?.code }).toEqual({
          field,
          url,
          status: 400,
          code: 'URL_NOT_ALLOWED',
        });
        expect(JSON.stringify(answer.body)).not.toContain('secret');
      }
    }
    expect(await position()).toBe(before);
    expect(internalHits).toBe(0);
  });

  it('refuses an internal Slack incoming-webhook address, although it travels as a secret', async () => {
    const before = await position();
    for (const type of ['CreateConnection', 'RotateConnectionSecrets'] as const) {
      const answer = await admin.command(type, {
        tenantId: DEMO_TENANT,
        connectionId: 'probe-slack',
        ...(type === 'CreateConnection' && {
          name: 'Probe',
          settings: { kind: 'slack', mode: 'incoming_webhook', topics: ['voicemail'] },
        }),
        secrets: { webhookUrl: 'http://169.254.169.254/latest/meta-data/' },
      });
      const error = answer.body['error'] as { code?: string; field?: string } | undefined;
      expect({ type, status: answer.status, code: error?.code, field: error?.field }).toEqual({
        type,
        status: 400,
        code: 'URL_NOT_ALLOWED',
        field: 'secrets.webhookUrl',
      });
    }
    expect(await position()).toBe(before);
  });

  it('takes a public name and an allowed range', async () => {
    const allowed = await admin.command(
      'SaveReport',
      (PROBES['SaveReport delivery.url'] as (url: string) => { data: unknown })(
        `http://127.0.0.1:${redirectorPort}/reports`,
      ).data,
    );
    expect(allowed.status).toBe(200);
  });

  it(
    'a delivery that is redirected to an internal address fails with a generic reason and never reaches it',
    { timeout: 60_000 },
    async () => {
      // Tomorrow 08:05 in the demo tenant's time zone: the daily report saved above falls due.
      clock = tomorrowAt('America/New_York', 8, 5);
      try {
        const report = await vi.waitFor(
          async () => {
            const read = await admin.request<{ lastDelivery: { outcome: string; detail: string } | null }>(
              'GET',
              '/api/reports/probe',
            );
            expect(read.body.lastDelivery).not.toBeNull();
            return read.body;
          },
          { timeout: 30_000, interval: 200 },
        );
        expect(report.lastDelivery?.outcome).toBe('failed');
        expect(report.lastDelivery?.detail).toMatch(/not a public internet address/);
        expect(report.lastDelivery?.detail).not.toMatch(/secret|ECONNREFUSED/);
        expect(internalHits).toBe(0);
      } finally {
        clock = undefined;
      }
    },
  );
});
