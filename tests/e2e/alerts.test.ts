import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { alertModule, alertSettingsFromEnv } from '@ccp/infra';
import {
  alertEvents,
  BOT_TOKEN as TOKEN,
  pause,
  startAlertReceivers,
  waitFor,
  type AlertReceivers,
} from '../support/alerts.js';
import { apiClient, login, SUPER_ADMIN, startTestPlatform, type TestPlatform } from '../support/platform.js';
import { mails, startReportInboxes, stopReportInboxes } from '../support/report-inboxes.js';

/*
 * Issue 18, item 4: a platform rule on the data directory's free disk space fires once when a file fills the
 * disk past its threshold, telling a Telegram chat, a Slack channel and an email address once, and resolves once
 * when the file is deleted; a restart while it fires does not fire it again. The platform, its SMTP receiver
 * (smtp-server) and the disk are real. Telegram's Bot API and Slack cannot run here: their stand-ins
 * (tests/support/alerts.ts) answer in their documented wire formats, Telegram failing its first request with a
 * 502 so that the retry is exercised.
 */

const CHAT = '-1001234567890';
/** A chat the stand-in always answers with a 500: every attempt fails. */
const DOWN_CHAT = '-1009999999999';
const MB = 1024 * 1024;

let receivers: AlertReceivers;
let smtpUrl: string;
let dataDir: string;
let test: TestPlatform | undefined;

const start = async (): Promise<TestPlatform> => {
  const settings = alertSettingsFromEnv({ ALERTS_EVERY_SECONDS: '0.2', ALERT_NOTIFY_ATTEMPTS: '4' });
  return startTestPlatform(dataDir, {
    env: {
      OUTBOUND_ALLOW: '127.0.0.1/32',
      INTEGRATION_API_URLS: JSON.stringify({ telegram: receivers.url }),
      INTEGRATION_RETRY_BASE_MS: '50',
      SMTP_URL: smtpUrl,
    },
    modules: () => [alertModule(settings)],
  });
};

const freeMb = (): number => {
  const disk = statfsSync(dataDir);
  return (disk.bavail * disk.bsize) / MB;
};

beforeAll(async () => {
  receivers = await startAlertReceivers({ failFirst: true, downChat: DOWN_CHAT });
  smtpUrl = await startReportInboxes();
  dataDir = mkdtempSync(join(tmpdir(), 'ccp-alerts-'));
  test = await start();
}, 60_000);

afterAll(async () => {
  await test?.stop();
  await stopReportInboxes();
  await receivers?.stop();
});

it('refuses bad rules with nothing stored, fires once on low disk space, survives a restart, resolves once', async () => {
  if (test === undefined) throw new Error('no platform');
  const token = await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password);
  const root = apiClient(test.url, token);
  const created = [
    await root.command('CreateConnection', {
      tenantId: 'platform',
      connectionId: 'ops-telegram',
      name: 'Ops chat',
      settings: { kind: 'telegram', chatId: CHAT, topics: ['sla_breach'] },
      secrets: { botToken: TOKEN },
    }),
    await root.command('CreateConnection', {
      tenantId: 'platform',
      connectionId: 'down-telegram',
      name: 'A chat whose server fails',
      settings: { kind: 'telegram', chatId: DOWN_CHAT, topics: ['sla_breach'] },
      secrets: { botToken: TOKEN },
    }),
    await root.command('CreateConnection', {
      tenantId: 'platform',
      connectionId: 'ops-slack',
      name: 'Ops channel',
      settings: { kind: 'slack', mode: 'incoming_webhook', topics: ['sla_breach'] },
      secrets: { webhookUrl: `${receivers.url}/slack/hook` },
    }),
    await root.command('CreateConnection', {
      tenantId: 'platform',
      connectionId: 'ops-email',
      name: 'Ops mailbox',
      settings: { kind: 'email', to: ['ops@platform.example'], topics: ['sla_breach'] },
    }),
  ];
  expect(created.map((r) => r.status)).toEqual([200, 200, 200, 200]);

  // Bad input: a kind that does not exist, a negative threshold, a platform kind on a tenant, a channel twice.
  const rule = {
    tenantId: 'platform',
    ruleId: 'disk',
    name: 'Data disk filling up',
    kind: 'disk_space',
    forSeconds: 1,
    channels: ['ops-telegram', 'down-telegram', 'ops-slack', 'ops-email'],
  };
  const refused = [
    await root.command('SetAlertRule', { ...rule, threshold: 100, kind: 'cpu' }),
    await root.command('SetAlertRule', { ...rule, threshold: -1 }),
    await root.command('SetAlertRule', { ...rule, threshold: 100, tenantId: 'acme-clinic' }),
    await root.command('SetAlertRule', { ...rule, threshold: 100, channels: ['ops-email', 'ops-email'] }),
  ];
  expect(refused.map((r) => [r.status, (r.body as { error?: { field?: string } }).error?.field])).toEqual([
    [400, 'kind'],
    [400, 'threshold'],
    [400, 'kind'],
    [400, 'channels'],
  ]);
  expect(await alertEvents(test)).toEqual([]);
  expect((await root.request('GET', '/api/alerts?tenantId=platform')).body).toMatchObject({ rules: [] });

  // Fires below the threshold: half a gigabyte under what is free now, so other writers' noise does not cross it.
  const threshold = Math.floor(freeMb() - 512);
  expect((await root.command('SetAlertRule', { ...rule, threshold })).status).toBe(200);
  await pause(1500);
  expect(await alertEvents(test)).toHaveLength(1);

  const filler = join(dataDir, 'filler.bin');
  const chunk = Buffer.alloc(64 * MB, 1);
  for (let i = 0; i < 16; i += 1) writeFileSync(filler, chunk, { flag: i === 0 ? 'w' : 'a' });
  await waitFor(
    () => receivers.telegram.length >= 1 && receivers.slack.length >= 1 && mails.length >= 1,
    'the firing alert to be told',
  );
  expect(receivers.slack[0]?.text).toMatch(/^FIRING: Data disk filling up \(Platform\)/);
  expect(receivers.telegram[0]).toMatchObject({ path: `/bot${TOKEN}/sendMessage`, chatId: CHAT });
  expect(receivers.telegram[0]?.text).toMatch(/^FIRING: Data disk filling up \(Platform\)/);
  expect(mails[0]?.subject).toMatch(/^FIRING: Data disk filling up/);
  expect(mails[0]?.to).toMatchObject({ text: 'ops@platform.example' });
  const firing = await root.request<{ rules: { status: string; value: number }[] }>(
    'GET',
    '/api/alerts?tenantId=platform',
  );
  expect(firing.body.rules).toMatchObject([{ ruleId: 'disk', status: 'firing' }]);
  expect(firing.body.rules[0]?.value).toBeLessThan(threshold);

  // A channel that keeps failing is tried ALERT_NOTIFY_ATTEMPTS times, then recorded as failed; the others were told.
  await waitFor(
    async () => (await alertEvents(test!)).some((e) => e.type === 'AlertNotificationFailed'),
    'the failing channel to be given up on',
  );
  expect(receivers.downRequests()).toBe(4);

  // A restart while it fires: the evaluator rebuilds from the log and neither fires nor tells it again.
  await test.stop({ keepData: true });
  test = await start();
  await pause(1500);
  const afterRestart = await alertEvents(test);
  expect(afterRestart.filter((e) => e.type === 'AlertFired')).toHaveLength(1);
  expect(receivers.telegram).toHaveLength(1);
  expect(receivers.slack).toHaveLength(1);
  expect(mails).toHaveLength(1);
  expect(receivers.downRequests()).toBe(4);

  rmSync(filler);
  await waitFor(
    () => receivers.telegram.length >= 2 && receivers.slack.length >= 2 && mails.length >= 2,
    'the resolution to be told',
  );
  expect(receivers.slack[1]?.text).toMatch(/^RESOLVED: Data disk filling up/);
  expect(receivers.telegram[1]?.text).toMatch(/^RESOLVED: Data disk filling up/);
  expect(mails[1]?.subject).toMatch(/^RESOLVED: Data disk filling up/);
  // Several more evaluations with the figure back: nothing more is recorded or told.
  await pause(1500);
  const events = await alertEvents(test);
  expect(events.map((e) => e.type).sort()).toEqual(
    [
      'AlertRuleSet',
      'AlertFired',
      ...Array<string>(3).fill('AlertNotified'),
      'AlertNotificationFailed',
      'AlertResolved',
      ...Array<string>(3).fill('AlertNotified'),
      'AlertNotificationFailed',
    ].sort(),
  );
  const toldTelegram = events.filter(
    (e) => e.type === 'AlertNotified' && (e.data as { connectionId: string }).connectionId === 'ops-telegram',
  );
  // The stand-in's 502 was retried: the firing took two attempts, the resolution one.
  expect(toldTelegram.map((e) => (e.data as { attempts: number }).attempts)).toEqual([2, 1]);
  expect(receivers.telegram).toHaveLength(2);
  expect(receivers.slack).toHaveLength(2);
  expect(mails).toHaveLength(2);
  // The session outlives the restart; the platform listens on a new port.
  const read = await apiClient(test.url, token).request<{
    rules: unknown[];
    transitions: unknown[];
    failures: { error: string }[];
    channels: unknown[];
  }>('GET', '/api/alerts?tenantId=platform');
  expect(read.body.rules).toMatchObject([{ ruleId: 'disk', status: 'ok' }]);
  expect(receivers.downRequests()).toBe(8);
  expect(read.body.channels).toEqual([
    { connectionId: 'ops-telegram', name: 'Ops chat', kind: 'telegram', enabled: true },
    { connectionId: 'down-telegram', name: 'A chat whose server fails', kind: 'telegram', enabled: true },
    { connectionId: 'ops-slack', name: 'Ops channel', kind: 'slack', enabled: true },
    { connectionId: 'ops-email', name: 'Ops mailbox', kind: 'email', enabled: true },
  ]);
  expect(read.body.failures).toMatchObject([
    { ruleId: 'disk', connectionId: 'down-telegram', transition: 'resolved', attempts: 4 },
    { ruleId: 'disk', connectionId: 'down-telegram', transition: 'fired', attempts: 4 },
  ]);
  expect(read.body.failures[0]?.error).toMatch(/^500: Internal Server Error/);
  expect(read.body.transitions).toMatchObject([
    { ruleId: 'disk', transition: 'resolved' },
    { ruleId: 'disk', transition: 'fired', threshold },
  ]);
}, 120_000);
