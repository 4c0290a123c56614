import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hangUp, placeInboundCall, say, scripted } from '@ccp/media-gateway/simulator';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { CALLER, DAY } from '../support/gateway-calls.js';
import { apiClient, login, SUPER_ADMIN } from '../support/platform.js';

// A tenant that connected HubSpot: while a call runs, the AI's lookup_caller_history tool tells the model who the
// caller is there, and the agent workspace's GET /api/integrations/crm-record shows the same record without
// asking HubSpot again. HubSpot is a stand-in of its CRM v3 search API (contacts and calls search) on 127.0.0.1;
// the call comes through signed Twilio webhooks from the simulator.
const TOKEN = 'pat-na1-e2e-crm-token';

let env: GatewayPlatform;
let root: ReturnType<typeof apiClient>;
let hubspot: Server;
const hubspotRequests: { url: string; auth: string | undefined; body: string }[] = [];
const logs: string[] = [];

beforeAll(async () => {
  hubspot = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      hubspotRequests.push({ url: req.url ?? '', auth: req.headers.authorization, body });
      const answer = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`)
        return answer(401, { category: 'INVALID_AUTHENTICATION' });
      if (req.method === 'POST' && req.url === '/crm/v3/objects/contacts/search')
        return answer(200, {
          results: body.includes(CALLER)
            ? [
                {
                  id: '77',
                  properties: { firstname: 'Dana', lastname: 'Kim', company: 'Kim Bakery', phone: CALLER },
                },
              ]
            : [],
        });
      if (req.method === 'POST' && req.url === '/crm/v3/objects/calls/search')
        return answer(200, {
          results: [
            {
              id: '5',
              properties: { hs_call_title: 'Asked about a crown', hs_timestamp: '2026-11-30T15:00:00Z' },
            },
          ],
        });
      return answer(404, { message: 'no route' });
    });
  });
  await new Promise<void>((resolve) => hubspot.listen(0, '127.0.0.1', resolve));
  const hubspotUrl = `http://127.0.0.1:${(hubspot.address() as AddressInfo).port}`;
  env = await startGatewayPlatform({
    now: () => DAY,
    env: {
      LLM_PROVIDER: 'offline',
      OUTBOUND_ALLOW: '127.0.0.1/32',
      INTEGRATION_API_URLS: JSON.stringify({ hubspot: hubspotUrl }),
    },
    log: (message) => logs.push(message),
  });
  root = apiClient(env.test.url, await login(env.test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  const created = await root.command('CreateConnection', {
    tenantId: DEMO_TENANT,
    connectionId: 'hubspot',
    name: 'HubSpot',
    settings: { kind: 'hubspot' },
    secrets: { accessToken: TOKEN },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
}, 60_000);
afterAll(async () => {
  await env?.stop();
  hubspot?.closeAllConnections();
  await new Promise<void>((resolve) => (hubspot ? hubspot.close(() => resolve()) : resolve()));
});

describe('caller lookup in the tenant’s CRM during a call', () => {
  it(
    'lookup_caller_history carries the HubSpot record; the workspace route shows it from the cache',
    { timeout: 60_000 },
    async () => {
      const result = await placeInboundCall({
        baseUrl: env.test.url,
        voicePath: '/twilio/voice',
        statusCallbackPath: '/twilio/status',
        authToken: env.authToken,
        accountSid: env.accountSid,
        from: CALLER,
        to: DEMO_NUMBER,
        caller: scripted([say('I need to cancel my appointment.'), hangUp()]),
        registry: env.carrier.registry,
      });
      expect(result.errors).toEqual([]);
      const lookups = (await env.callEvents(result.callSid))
        .filter((e) => e.type === 'ToolInvoked')
        .map((e) => e.data as { name: string; result: Record<string, unknown> })
        .filter((d) => d.name === 'lookup_caller_history');
      expect(lookups.length).toBeGreaterThan(0);
      expect(lookups[0]?.result['crm']).toEqual({
        system: 'hubspot',
        name: 'Dana Kim',
        company: 'Kim Bakery',
        recent: [{ at: '2026-11-30T15:00:00Z', text: 'Asked about a crown' }],
      });
      expect(hubspotRequests.every((r) => r.auth === `Bearer ${TOKEN}`)).toBe(true);
      // The finished call is also logged to HubSpot by the delivery engine; a lookup is what reads the contact's calls.
      const contactSearches = () =>
        hubspotRequests.filter((r) => r.body.includes('associations.contact')).length;
      const asked = contactSearches();
      expect(asked).toBeGreaterThan(0);

      const shown = await root.request(
        'GET',
        `/api/integrations/crm-record?callId=${result.callSid}&tenantId=${DEMO_TENANT}`,
      );
      expect(shown.status, JSON.stringify(shown.body)).toBe(200);
      expect(shown.body).toMatchObject({ record: { system: 'hubspot', id: '77', name: 'Dana Kim' } });
      // Within the minute: HubSpot is not asked again.
      expect(contactSearches()).toBe(asked);
      expect(logs.join('\n')).not.toContain(TOKEN);
    },
  );

  it('refuses without a credential and answers 404 for a call that is not there', async () => {
    const anonymous = apiClient(env.test.url);
    const refused = await anonymous.request(
      'GET',
      `/api/integrations/crm-record?callId=CAx&tenantId=${DEMO_TENANT}`,
    );
    expect(refused.status).toBe(401);
    const missing = await root.request(
      'GET',
      `/api/integrations/crm-record?callId=nope&tenantId=${DEMO_TENANT}`,
    );
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'CALL_NOT_FOUND', field: 'callId' } });
    const bad = await root.request('GET', `/api/integrations/crm-record?tenantId=${DEMO_TENANT}`);
    expect(bad.status).toBe(400);
  });
});
