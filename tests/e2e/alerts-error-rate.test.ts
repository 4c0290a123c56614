import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { alertModule, DEMO_TENANT, DEMO_USERS, seedDemo } from '@ccp/infra';
import { mediaGatewayModule } from '@ccp/media-gateway';
import { alertEvents, BOT_TOKEN, ruleEvents, startAlertReceivers, waitFor } from '../support/alerts.js';
import { apiClient, login, SUPER_ADMIN, startTestPlatform, type TestPlatform } from '../support/platform.js';

/*
 * Issue 18, item 4, the error_rate kind on a running platform: server errors really happen, with no hook in the
 * product. The platform's Twilio account points at a loopback port where nothing listens (Twilio's API out of
 * reach), so placing an outbound call is answered with the product's own 502 CARRIER_FAILED. While the tenant's
 * supervisor keeps trying, every answer between two evaluations is a server error: the platform's rule fires once,
 * told once to its Telegram chat (a stand-in, see tests/support/alerts.ts); once the tries stop, the share of
 * server errors is back to 0 and the alert resolves once. Nothing here depends on the hour: the outbound route
 * asks the carrier at once.
 */

const CHAT = '-1001234567890';
const PASSWORD = 'demo-password-1';
let receivers: Awaited<ReturnType<typeof startAlertReceivers>>;
let test: TestPlatform;

/** A loopback port that refuses connections: one listened on, then closed. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

beforeAll(async () => {
  receivers = await startAlertReceivers();
  test = await startTestPlatform(undefined, {
    env: {
      OUTBOUND_ALLOW: '127.0.0.1/32',
      INTEGRATION_API_URLS: JSON.stringify({ telegram: receivers.url }),
      TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'test-auth-token-0123456789abcdef',
      TWILIO_API_URL: `http://127.0.0.1:${await closedPort()}`,
    },
    modules: (config) => [
      mediaGatewayModule(config.mediaGateway),
      alertModule({ everySeconds: 0.2, notifyAttempts: 2 }),
    ],
  });
  await seedDemo(test.platform, PASSWORD);
}, 90_000);

afterAll(async () => {
  await test?.stop();
  await receivers?.stop();
});

it('fires once while outbound calls fail with 502 (carrier out of reach), resolves once when they stop', async () => {
  const root = apiClient(test.url, await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  const email = DEMO_USERS.find((u) => u.role === 'supervisor')?.email ?? '';
  const supervisor = apiClient(test.url, await login(test.url, email, PASSWORD));
  const ops = await root.command('CreateConnection', {
    tenantId: 'platform',
    connectionId: 'ops-telegram',
    name: 'Ops chat',
    settings: { kind: 'telegram', chatId: CHAT, topics: ['sla_breach'] },
    secrets: { botToken: BOT_TOKEN },
  });
  expect(ops.status).toBe(200);
  const rule = await root.command('SetAlertRule', {
    tenantId: 'platform',
    ruleId: 'errors',
    name: 'Server errors',
    kind: 'error_rate',
    threshold: 50,
    forSeconds: 1,
    channels: ['ops-telegram'],
  });
  expect(rule.status).toBe(200);

  // Quiet first: the requests so far (sign-ins, commands) were answered well.
  await new Promise((r) => setTimeout(r, 1000));
  expect(await ruleEvents(test, 'platform', 'errors')).toEqual(['AlertRuleSet']);

  // Tries a call every 50 ms, more often than the evaluations, until the alert fires.
  const answers: { status: number; code?: string }[] = [];
  await waitFor(async () => {
    const placed = await supervisor.request<{ error?: { code: string } }>('POST', '/api/calls/outbound', {
      tenantId: DEMO_TENANT,
      agentId: 'sofia',
      to: '+15557654321',
    });
    answers.push({
      status: placed.status,
      ...(placed.body.error !== undefined && { code: placed.body.error.code }),
    });
    await new Promise((r) => setTimeout(r, 50));
    return (await ruleEvents(test, 'platform', 'errors')).includes('AlertFired');
  }, 'the error rate alert to fire');
  expect(new Set(answers.map((a) => `${a.status} ${a.code ?? ''}`))).toEqual(new Set(['502 CARRIER_FAILED']));

  await waitFor(() => receivers.telegram.length >= 1, 'the firing alert to be told');
  expect(receivers.telegram[0]).toMatchObject({ path: `/bot${BOT_TOKEN}/sendMessage`, chatId: CHAT });
  expect(receivers.telegram[0]?.text).toMatch(/^FIRING: Server errors \(Platform\)/);
  const fired = (await alertEvents(test)).find((e) => e.type === 'AlertFired');
  expect((fired?.data as { value: number }).value).toBeGreaterThan(50);

  // No more requests: the share of server errors is 0 and stays so.
  await waitFor(() => receivers.telegram.length >= 2, 'the resolution to be told');
  expect(receivers.telegram[1]?.text).toMatch(/^RESOLVED: Server errors/);
  await new Promise((r) => setTimeout(r, 1500));
  expect(await ruleEvents(test, 'platform', 'errors')).toEqual([
    'AlertRuleSet',
    'AlertFired',
    'AlertNotified',
    'AlertResolved',
    'AlertNotified',
  ]);
  expect(receivers.telegram).toHaveLength(2);
}, 60_000);
