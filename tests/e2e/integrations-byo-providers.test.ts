import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerFailures } from '@ccp/media-gateway';
import { hangUp, placeInboundCall, say, scripted } from '@ccp/media-gateway/simulator';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { CALLER, DAY } from '../support/gateway-calls.js';
import { apiClient, login, SUPER_ADMIN } from '../support/platform.js';
import { startChatStandIn } from '../support/chat-stand-in.js';

// A tenant that brings its own model: its calls are answered by the OpenAI-compatible server it connected (a
// stand-in of the OpenAI chat completions API on 127.0.0.1), with its own key; the platform runs the offline engine
// (LLM_PROVIDER=offline) for everyone else, and a connection of one tenant never answers another tenant's calls.
const OWN_KEY = 'sk-demo-own-model-key-5521';
const OTHER_KEY = 'sk-other-tenant-key-7788';
const OTHER_TENANT = 'other-clinic';
// No fact in it: the facts guard would rightly hold back opening hours the turn never looked up.
const STAND_IN_TEXT = 'This is the clinic’s own model speaking: let me help you with that.';

let env: GatewayPlatform;
let root: ReturnType<typeof apiClient>;
const logs: string[] = [];

/** The clinic's server: every turn gets the same reply, or, while `refusing`, OpenAI's 401 quoting the key. */
const startStandIn = async () => {
  const state = { refusing: false };
  const standIn = await startChatStandIn((request) =>
    state.refusing
      ? {
          status: 401,
          error: {
            message: `Incorrect API key provided: ${(request.headers.authorization ?? '').replace(/^Bearer /, '')}`,
            type: 'invalid_request_error',
          },
        }
      : STAND_IN_TEXT,
  );
  return { ...standIn, state, close: standIn.stop };
};
let standIn: Awaited<ReturnType<typeof startStandIn>>;

beforeAll(async () => {
  standIn = await startStandIn();
  env = await startGatewayPlatform({
    now: () => DAY,
    env: { LLM_PROVIDER: 'offline', OUTBOUND_ALLOW: '127.0.0.1/32' },
    log: (message) => logs.push(message),
  });
  root = apiClient(env.test.url, await login(env.test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  expect((await root.command('CreateTenant', { tenantId: OTHER_TENANT, name: 'Other Clinic' })).status).toBe(
    200,
  );
}, 60_000);
afterAll(async () => {
  await env?.stop();
  await standIn?.close();
});

const connect = async (tenantId: string, apiKey: string) => {
  const created = await root.command('CreateConnection', {
    tenantId,
    connectionId: 'own-model',
    name: 'Our model server',
    settings: { kind: 'openai_compatible', baseUrl: standIn.baseURL, model: 'clinic-llama' },
    secrets: { apiKey },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
};

const callDemo = async () => {
  const result = await placeInboundCall({
    baseUrl: env.test.url,
    voicePath: '/twilio/voice',
    statusCallbackPath: '/twilio/status',
    authToken: env.authToken,
    accountSid: env.accountSid,
    from: CALLER,
    to: DEMO_NUMBER,
    caller: scripted([say('What are your opening hours?'), hangUp()]),
    registry: env.carrier.registry,
  });
  expect(result.errors).toEqual([]);
  const replies = (await env.callEvents(result.callSid))
    .filter((e) => e.type === 'AiReplied')
    .map((e) => e.data as { text: string; model: string });
  return { result, replies };
};

describe("a tenant's own language model", () => {
  it("never answers another tenant's call", { timeout: 60_000 }, async () => {
    await connect(OTHER_TENANT, OTHER_KEY);
    const { replies } = await callDemo();
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.map((r) => r.text)).not.toContain(STAND_IN_TEXT);
    expect(standIn.received).toEqual([]);
  });

  it(
    "answers the tenant's calls with the tenant's key once it connects it",
    { timeout: 60_000 },
    async () => {
      await connect(DEMO_TENANT, OWN_KEY);
      const { result, replies } = await callDemo();
      expect(standIn.received.length).toBeGreaterThan(0);
      for (const request of standIn.received) {
        expect(request.headers.authorization).toBe(`Bearer ${OWN_KEY}`);
        expect(request.body.model).toBe('clinic-llama');
      }
      const asked = standIn.received.flatMap((r) => r.body.messages.filter((m) => m.role === 'user'));
      expect(asked.some((m) => /opening hours/.test(String(m.content)))).toBe(true);
      expect(replies.some((r) => r.text === STAND_IN_TEXT)).toBe(true);
      expect(result.heard).toContain(STAND_IN_TEXT);
      // The platform's own offline engine never held the key, and the logs never show it.
      expect(logs.join('\n')).not.toContain(OWN_KEY);
    },
  );

  it("goes back to the platform's model once the tenant disables it", { timeout: 60_000 }, async () => {
    const disabled = await root.command('DisableConnection', {
      tenantId: DEMO_TENANT,
      connectionId: 'own-model',
    });
    expect(disabled.status).toBe(200);
    const before = standIn.received.length;
    const { replies } = await callDemo();
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.map((r) => r.text)).not.toContain(STAND_IN_TEXT);
    expect(standIn.received.length).toBe(before);
  });

  it(
    "answers with the platform's engine when the tenant's key is refused, and keeps the failure off the platform's health page",
    { timeout: 60_000 },
    async () => {
      standIn.state.refusing = true;
      const enabled = await root.command('EnableConnection', {
        tenantId: DEMO_TENANT,
        connectionId: 'own-model',
      });
      expect(enabled.status).toBe(200);
      const before = standIn.received.length;
      const { result, replies } = await callDemo();
      expect(standIn.received.length).toBeGreaterThan(before);
      expect(replies.length).toBeGreaterThan(0);
      expect(result.heard.length).toBeGreaterThan(0);
      expect(replies.map((r) => r.text)).not.toContain(STAND_IN_TEXT);
      // The tenant's wrong key is the tenant's to fix: the platform is not degraded by it, and no log quotes it.
      expect(providerFailures().filter((f) => f.port === 'llm')).toEqual([]);
      expect(logs.join('\n')).toMatch(new RegExp(`tenant ${DEMO_TENANT}.*HTTP 401`));
      expect(logs.join('\n')).not.toContain(OWN_KEY);
    },
  );
});
