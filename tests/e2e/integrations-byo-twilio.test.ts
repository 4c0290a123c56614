import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hangUp,
  placeInboundCall,
  say,
  scripted,
  sendSignedRequest,
  twilioSid,
  voiceParams,
} from '@ccp/media-gateway/simulator';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { startGatewayPlatform, nextMondayInNewYork, type GatewayPlatform } from '../support/gateway.js';
import { apiClient, login, SUPER_ADMIN } from '../support/platform.js';

// A tenant that brings its own Twilio account: its webhooks are signed with its own auth token and name its own
// AccountSid; the platform's account keeps working for everyone else, and again for the tenant once it disconnects.
const TENANT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TENANT_TOKEN = 'tenant-own-auth-token-9f8e7d6c5b4a';
const OTHER_TENANT = 'other-clinic';
const OTHER_NUMBER = '+15550107777';
const CALLER = '+15557654321';
// The other tenant's own account: it must not reach the first tenant's calls with its own token.
const OTHER_SID = `AC${'fedcba9876543210'.repeat(2)}`;
const OTHER_TOKEN = 'other-own-auth-token-1a2b3c4d5e6f';

let env: GatewayPlatform;
let root: ReturnType<typeof apiClient>;

beforeAll(async () => {
  env = await startGatewayPlatform({ now: () => nextMondayInNewYork(11) });
  root = apiClient(env.test.url, await login(env.test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  expect((await root.command('CreateTenant', { tenantId: OTHER_TENANT, name: 'Other Clinic' })).status).toBe(
    200,
  );
  const number = await root.command('ProvisionNumber', {
    tenantId: OTHER_TENANT,
    address: OTHER_NUMBER,
    kind: 'pstn',
    provider: 'twilio',
  });
  expect(number.status).toBe(200);
  const connected = await root.command('CreateConnection', {
    tenantId: DEMO_TENANT,
    connectionId: 'own-twilio',
    name: 'Our Twilio account',
    settings: { kind: 'twilio', accountSid: TENANT_SID },
    secrets: { authToken: TENANT_TOKEN },
  });
  expect(connected.status, JSON.stringify(connected.body)).toBe(200);
  const other = await root.command('CreateConnection', {
    tenantId: OTHER_TENANT,
    connectionId: 'other-twilio',
    name: 'Their Twilio account',
    settings: { kind: 'twilio', accountSid: OTHER_SID },
    secrets: { authToken: OTHER_TOKEN },
  });
  expect(other.status, JSON.stringify(other.body)).toBe(200);
}, 60_000);
afterAll(() => env?.stop());

const ring = (options: {
  authToken: string;
  accountSid: string;
  to: string;
  from?: string;
  callSid?: string;
  direction?: 'inbound' | 'outbound-api';
}) =>
  sendSignedRequest({
    url: `${env.test.url}/twilio/voice`,
    authToken: options.authToken,
    params: voiceParams(
      {
        callSid: options.callSid ?? twilioSid('CA'),
        accountSid: options.accountSid,
        from: options.from ?? CALLER,
        to: options.to,
        caller: CALLER,
        direction: options.direction ?? 'inbound',
      },
      'ringing',
    ),
  });

const placeOutbound = () =>
  root.request('POST', '/api/calls/outbound', {
    tenantId: DEMO_TENANT,
    agentId: 'lucas',
    to: '+15551112222',
    from: DEMO_NUMBER,
  });

describe("a tenant's own Twilio account", () => {
  it("answers a call signed with the tenant's token and naming its AccountSid", async () => {
    const response = await ring({ authToken: TENANT_TOKEN, accountSid: TENANT_SID, to: DEMO_NUMBER });
    expect(response.status, response.body).toBe(200);
    expect(response.body).toMatch(/<Response>/);
  });

  it("refuses the platform's signature on a request that claims the tenant's AccountSid", async () => {
    const response = await ring({ authToken: env.authToken, accountSid: TENANT_SID, to: DEMO_NUMBER });
    expect(response.status).toBe(403);
  });

  it("refuses the tenant's account driving another tenant's number", async () => {
    const response = await ring({ authToken: TENANT_TOKEN, accountSid: TENANT_SID, to: OTHER_NUMBER });
    expect(response.status).toBe(403);
    expect(response.body).toMatch(/number/);
  });

  it("takes a call from another tenant's number to the tenant's own number", async () => {
    const response = await ring({
      authToken: TENANT_TOKEN,
      accountSid: TENANT_SID,
      from: OTHER_NUMBER,
      to: DEMO_NUMBER,
    });
    expect(response.status, response.body).toBe(200);
  });

  it("refuses the tenant's account ringing another tenant's number as if it called out", async () => {
    const response = await ring({
      authToken: TENANT_TOKEN,
      accountSid: TENANT_SID,
      from: DEMO_NUMBER,
      to: OTHER_NUMBER,
      direction: 'outbound-api',
    });
    expect(response.status).toBe(403);
  });

  // The join leg names the call in its form body: another tenant's token must not reach this tenant's call.
  it("refuses another tenant's account joining the tenant's call by the callId in the body", async () => {
    const callSid = twilioSid('CA');
    const answered = await ring({
      authToken: TENANT_TOKEN,
      accountSid: TENANT_SID,
      to: DEMO_NUMBER,
      callSid,
    });
    expect(answered.status, answered.body).toBe(200);
    const leg = await sendSignedRequest({
      url: `${env.test.url}/twilio/human-leg?tenantId=${OTHER_TENANT}`,
      authToken: OTHER_TOKEN,
      params: { AccountSid: OTHER_SID, CallSid: twilioSid('CA'), From: 'client:mallory', callId: callSid },
    });
    expect(leg.status, leg.body).toBe(403);
  });

  it("keeps the platform's account working for other tenants' calls", async () => {
    const response = await ring({ authToken: env.authToken, accountSid: env.accountSid, to: DEMO_NUMBER });
    expect(response.status, response.body).toBe(200);
  });

  it("streams the audio of a call on the tenant's account (upgrade signed with its token)", async () => {
    const result = await placeInboundCall({
      baseUrl: env.test.url,
      voicePath: '/twilio/voice?mode=stream',
      statusCallbackPath: '/twilio/status',
      authToken: TENANT_TOKEN,
      accountSid: TENANT_SID,
      from: CALLER,
      to: DEMO_NUMBER,
      caller: scripted([say('Do you accept Cigna insurance?'), hangUp()]),
      registry: env.carrier.registry,
      media: { realtime: false, endSilenceMs: 600 },
    });
    expect(result.errors).toEqual([]);
    expect(result.heard.length).toBeGreaterThan(1);
  }, 30_000);

  // The platform's API base (a stand-in of Twilio's REST API here) knows only the platform's account: the tenant's
  // SID and token reaching it, refused, show the call was placed through the tenant's own account.
  it("places the tenant's outbound calls through its own account", async () => {
    const placed = await placeOutbound();
    expect(placed.status).toBe(502);
    expect(JSON.stringify(placed.body)).toMatch(/Authenticate/);
  });

  it("after DisableConnection refuses the tenant's signature and accepts the platform's", async () => {
    const disabled = await root.command('DisableConnection', {
      tenantId: DEMO_TENANT,
      connectionId: 'own-twilio',
    });
    expect(disabled.status).toBe(200);
    const own = await ring({ authToken: TENANT_TOKEN, accountSid: TENANT_SID, to: DEMO_NUMBER });
    expect(own.status).toBe(403);
    const platform = await ring({ authToken: env.authToken, accountSid: env.accountSid, to: DEMO_NUMBER });
    expect(platform.status, platform.body).toBe(200);
    const placed = await placeOutbound();
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  });
});
