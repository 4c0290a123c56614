import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_SLA_TARGETS } from '@ccp/schemas';
import { alertModule, DEMO_NUMBER, DEMO_TENANT, DEMO_USERS, seedDemo, streamProcessing } from '@ccp/infra';
import { createProcessors } from '@ccp/stream-processors';
import { alertEvents, BOT_TOKEN as TOKEN, startAlertReceivers, waitFor } from '../support/alerts.js';
import { apiClient, login, SUPER_ADMIN, startTestPlatform, type TestPlatform } from '../support/platform.js';

/*
 * Issue 18, item 4, a tenant's own alert: the demo clinic's admin watches SLA breach bursts of their tenant. Real
 * calls that miss the tenant's service levels are projected by the real SLA processor into chdb; the rule fires
 * once to the clinic's own Telegram chat, never to the platform's, and the alert shows to the clinic's admin, who
 * cannot read the platform's alerts nor set rules on the platform's machinery. Telegram's Bot API cannot run
 * here: a stand-in on loopback answers sendMessage in its documented wire format (tests/support/alerts.ts).
 */

const CLINIC_CHAT = '-1001111111111';
const PLATFORM_CHAT = '-1002222222222';
const PASSWORD = 'demo-password-1';

let receivers: Awaited<ReturnType<typeof startAlertReceivers>>;
let test: TestPlatform;

beforeAll(async () => {
  receivers = await startAlertReceivers();
  const processing = streamProcessing(createProcessors());
  test = await startTestPlatform(undefined, {
    processing,
    env: {
      OUTBOUND_ALLOW: '127.0.0.1/32',
      INTEGRATION_API_URLS: JSON.stringify({
        telegram: receivers.url,
      }),
    },
    modules: () => [
      alertModule({ everySeconds: 0.2, notifyAttempts: 2 }, { readStore: () => processing.readStore() }),
    ],
  });
  await seedDemo(test.platform, PASSWORD);
}, 90_000);

afterAll(async () => {
  await test?.stop();
  await receivers?.stop();
});

it("fires a tenant's SLA breach burst once, to the tenant's own chat only", async () => {
  const root = apiClient(test.url, await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
  const adminEmail = DEMO_USERS.find((u) => u.role === 'tenant_admin')?.email ?? '';
  const admin = apiClient(test.url, await login(test.url, adminEmail, PASSWORD));
  const ok = async (response: Promise<{ status: number; body: unknown }>) => {
    const answer = await response;
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };

  // Every call now misses its targets: no time at all to answer or to handle it.
  await ok(
    root.command('UpdateTenantSettings', {
      tenantId: DEMO_TENANT,
      settings: { slaTargets: { ...DEFAULT_SLA_TARGETS, answerWithinSeconds: 0, maxHandleSeconds: 0 } },
    }),
  );
  await ok(
    admin.command('CreateConnection', {
      tenantId: DEMO_TENANT,
      connectionId: 'clinic-telegram',
      name: 'Front desk chat',
      settings: { kind: 'telegram', chatId: CLINIC_CHAT, topics: ['sla_breach'] },
      secrets: { botToken: TOKEN },
    }),
  );
  await ok(
    root.command('CreateConnection', {
      tenantId: 'platform',
      connectionId: 'ops-telegram',
      name: 'Ops chat',
      settings: { kind: 'telegram', chatId: PLATFORM_CHAT, topics: ['sla_breach'] },
      secrets: { botToken: TOKEN },
    }),
  );
  // The platform's own rule over every tenant's breaches, set high: it must stay quiet.
  await ok(
    root.command('SetAlertRule', {
      tenantId: 'platform',
      ruleId: 'sla-all',
      name: 'Breaches anywhere',
      kind: 'sla_breach_burst',
      threshold: 100,
      forSeconds: 0,
      channels: ['ops-telegram'],
    }),
  );

  // What the clinic's admin may not do: watch the platform's machinery, or touch the platform's rules.
  const rule = {
    tenantId: DEMO_TENANT,
    ruleId: 'sla-burst',
    name: 'Missed service levels',
    kind: 'sla_breach_burst',
    threshold: 1,
    forSeconds: 0,
    channels: ['clinic-telegram'],
  };
  const disk = await admin.command('SetAlertRule', { ...rule, kind: 'disk_space' });
  expect(disk.status).toBe(400);
  expect(disk.body).toMatchObject({ error: { field: 'kind' } });
  const theirs = await admin.command('SetAlertRule', { ...rule, tenantId: 'platform' });
  expect(theirs.status).toBe(403);
  expect((await admin.request('GET', '/api/alerts?tenantId=platform')).status).toBe(403);
  await ok(admin.command('SetAlertRule', rule));

  // Two real calls, each longer than the zero-second targets.
  for (const callId of ['CA-alert-1', 'CA-alert-2']) {
    await ok(
      root.command('StartCall', {
        tenantId: DEMO_TENANT,
        callId,
        direction: 'inbound',
        from: '+15550001111',
        to: DEMO_NUMBER,
        provider: 'simulator',
        agentId: 'sofia',
      }),
    );
    await new Promise((r) => setTimeout(r, 1200));
    await ok(root.command('EndCall', { tenantId: DEMO_TENANT, callId, outcome: 'abandoned' }));
  }

  await waitFor(() => receivers.telegram.length >= 1, "the clinic's chat to be told", 30_000);
  // Several more evaluations with the breaches still in the window: nothing more.
  await new Promise((r) => setTimeout(r, 1500));
  expect(receivers.telegram).toHaveLength(1);
  expect(receivers.telegram[0]).toMatchObject({ chatId: CLINIC_CHAT });
  expect(receivers.telegram[0]?.text).toMatch(
    new RegExp(`^FIRING: Missed service levels \\(Tenant ${DEMO_TENANT}\\)`),
  );
  const fired = (await alertEvents(test)).filter((e) => e.type === 'AlertFired');
  expect(fired.map((e) => [e.streamId, (e.data as { value: number }).value])).toEqual([
    [`alert-${DEMO_TENANT}.sla-burst`, 2],
  ]);

  const mine = await admin.request<{ rules: { ruleId: string; status: string; value: number }[] }>(
    'GET',
    '/api/alerts',
  );
  expect(mine.status).toBe(200);
  expect(mine.body.rules).toMatchObject([{ ruleId: 'sla-burst', status: 'firing', value: 2 }]);
  const platform = await root.request<{ rules: { ruleId: string; status: string; value: number }[] }>(
    'GET',
    '/api/alerts?tenantId=platform',
  );
  expect(platform.body.rules).toMatchObject([{ ruleId: 'sla-all', status: 'ok', value: 2 }]);
}, 120_000);
