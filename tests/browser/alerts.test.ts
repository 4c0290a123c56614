import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANT } from '@ccp/infra';
import { BOT_TOKEN, startAlertReceivers, type AlertReceivers } from '../support/alerts.js';
import {
  containsText,
  eventually,
  expectAccessible,
  fieldError,
  hasText,
  isVisible,
  shot,
  startConsole,
  type ConsoleHarness,
} from './harness.js';

/*
 * Issue 18, item 4, in Chromium against the real platform (its own process, evaluating every half second): the
 * super admin sets a platform rule on the health page and watches it fire; a rule the server refuses shows its
 * error and changes nothing; the super admin adds the platform's own Telegram channel there (a bad chat id
 * refused beside its field), tests, edits, disables and removes it, and sets a rule telling it; a tenant admin sets
 * a rule of their own tenant on the Alerts page. Every rule and channel set on screen is read back from the API.
 * Telegram's Bot API is a stand-in on loopback (tests/support/alerts.ts).
 */

let h: ConsoleHarness;
let receivers: AlertReceivers;

interface Report {
  rules: { ruleId: string; status: string; kind: string; threshold: number; channels: string[] }[];
  transitions: { ruleId: string; transition: string }[];
}
const alertsOf = async (tenantId: string) =>
  (await h.root.request<Report>('GET', `/api/alerts?tenantId=${tenantId}`)).body;

beforeAll(async () => {
  receivers = await startAlertReceivers();
  h = await startConsole({
    env: { ALERTS_EVERY_SECONDS: '0.5', INTEGRATION_API_URLS: JSON.stringify({ telegram: receivers.url }) },
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
  await receivers?.stop();
});

interface PlatformConnection {
  connectionId: string;
  name: string;
  kind: string;
  enabled: boolean;
  settings: Record<string, unknown>;
}
const platformConnections = async () =>
  (
    await h.root.request<{ connections: PlatformConnection[] }>(
      'GET',
      '/api/integrations/connections?tenantId=platform',
    )
  ).body.connections;

const fillRule = async (
  page: Awaited<ReturnType<ConsoleHarness['newPage']>>,
  rule: { id: string; name: string; kind: string; threshold: string; forSeconds: string; channel?: string },
) => {
  const form = page.getByTestId('alert-rule-form');
  await form.getByLabel('Rule id', { exact: true }).fill(rule.id);
  await form.getByLabel('Name', { exact: true }).fill(rule.name);
  await form.getByLabel('Watches', { exact: true }).selectOption({ label: rule.kind });
  await form.getByLabel('Threshold', { exact: true }).fill(rule.threshold);
  await form.getByLabel('For (seconds)', { exact: true }).fill(rule.forSeconds);
  if (rule.channel !== undefined) await form.getByLabel(rule.channel).check();
  await form.getByRole('button', { name: 'Save rule' }).click();
};

describe('alerts', () => {
  it(
    'the super admin sets a platform rule on the health page and sees it fire',
    { timeout: 90_000 },
    async () => {
      const page = await h.newPage();
      await h.signIn(page, 'super_admin');
      await page.getByRole('link', { name: 'Platform health' }).click();
      const panel = page.getByTestId('alerts-panel');
      await containsText(panel, 'No alert rules yet.');
      await containsText(panel, 'No Telegram, Slack or email connection yet');

      // No threshold: the server names the field, and no rule is stored.
      const rule = { id: 'disk', name: 'Data disk', kind: 'Free disk (MB, fires below)', forSeconds: '0' };
      await fillRule(page, { ...rule, threshold: '' });
      await isVisible(fieldError(page, 'Threshold'));
      expect((await alertsOf('platform')).rules).toEqual([]);

      // More free megabytes than any disk here has: it fires at the next evaluation.
      await fillRule(page, { ...rule, threshold: '999999999' });
      const rules = page.getByTestId('alert-rules');
      await containsText(rules, 'Data disk');
      await hasText(rules.locator('tr', { hasText: 'Data disk' }).locator('td').nth(5), 'Firing', 20_000);
      await containsText(page.getByTestId('alert-transitions'), 'Fired');
      const report = await alertsOf('platform');
      expect(report.rules).toMatchObject([
        { ruleId: 'disk', kind: 'disk_space', threshold: 999999999, status: 'firing' },
      ]);
      expect(report.transitions).toMatchObject([{ ruleId: 'disk', transition: 'fired' }]);
      await shot(page, 'platform-alerts');
      await expectAccessible(page, 'platform health with alerts');
    },
  );

  it(
    "the super admin adds the platform's Telegram channel on the health page and sets a rule telling it",
    { timeout: 90_000 },
    async () => {
      const page = await h.newPage();
      await h.signIn(page, 'super_admin');
      await page.getByRole('link', { name: 'Platform health' }).click();
      const channels = page.getByTestId('alert-channels');
      await containsText(channels, 'No alert channel yet');
      const form = channels.getByTestId('connect-form');
      // The kinds an alert can tell, and no notification topics: the platform has no tenant events.
      expect(await form.getByLabel('Kind').locator('option').allTextContents()).toEqual([
        'Telegram',
        'Slack',
        'Email',
      ]);
      expect(await form.getByText('Topics').count()).toBe(0);
      await form.getByLabel('Kind').selectOption({ label: 'Telegram' });
      await form.getByLabel('Name', { exact: true }).fill('Ops chat');
      expect(await form.getByLabel('Bot token').getAttribute('type')).toBe('password');
      await form.getByLabel('Bot token').fill(BOT_TOKEN);

      // A chat id Telegram has no such thing as: refused beside its field, nothing stored.
      await form.getByLabel('Chat ID').fill('ops room');
      await form.getByRole('button', { name: 'Connect' }).click();
      const chatError = form
        .locator('.admin-field', { has: page.getByLabel('Chat ID') })
        .getByTestId('field-error');
      await isVisible(chatError);
      expect(await platformConnections()).toEqual([]);

      await form.getByLabel('Chat ID').fill('-1001234567890');
      await form.getByRole('button', { name: 'Connect' }).click();
      const item = channels.getByRole('listitem').filter({ hasText: 'Ops chat' });
      await isVisible(item, 15_000);
      // The token is write-only: its last four characters at most.
      await containsText(item.getByTestId('secret-hints'), '…Dsaw');
      expect(await channels.textContent()).not.toContain(BOT_TOKEN);
      const [created] = await eventually(platformConnections, (list) =>
        expect(list).toMatchObject([
          {
            name: 'Ops chat',
            kind: 'telegram',
            enabled: true,
            settings: { chatId: '-1001234567890', topics: [] },
          },
        ]),
      );
      const connectionId = created?.connectionId ?? '';

      // Test-send: Telegram (the stand-in) accepts the bot token.
      await item.getByRole('button', { name: 'Test' }).click();
      await containsText(item.getByTestId('test-result'), 'Test passed');

      // A rule of the platform telling it, set in the rules form beside.
      await containsText(page.getByTestId('alert-rule-channels'), 'Ops chat (Telegram)', 15_000);
      await fillRule(page, {
        channel: 'Ops chat (Telegram)',
        id: 'errors',
        name: 'Server errors',
        kind: 'Server error rate (%)',
        threshold: '50',
        forSeconds: '60',
      });
      const rules = page.getByTestId('alert-rules');
      await containsText(rules.locator('tr', { hasText: 'Server errors' }), connectionId);
      await eventually(
        () => alertsOf('platform'),
        (r) =>
          expect(r.rules.find((rule) => rule.ruleId === 'errors')).toMatchObject({
            kind: 'error_rate',
            threshold: 50,
            channels: [connectionId],
          }),
      );
      await shot(page, 'platform-alert-channels');
      await expectAccessible(page, 'platform alert channels');

      // Edited, disabled, then removed: each read back from the API.
      await item.getByRole('button', { name: 'Edit' }).click();
      const edit = page.getByTestId('edit-form');
      await edit.getByLabel('Name', { exact: true }).fill('Ops night chat');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      const renamed = channels.getByRole('listitem').filter({ hasText: 'Ops night chat' });
      await isVisible(renamed, 15_000);
      await renamed.getByRole('button', { name: 'Disable' }).click();
      await hasText(renamed.getByTestId('connection-state'), 'Disabled', 15_000);
      await eventually(platformConnections, (list) =>
        expect(list).toMatchObject([{ name: 'Ops night chat', enabled: false, settings: { topics: [] } }]),
      );
      await renamed.getByRole('button', { name: 'Remove' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
      await containsText(channels, 'No alert channel yet', 15_000);
      await eventually(platformConnections, (list) => expect(list).toEqual([]));

      // In Spanish: the channels' card and form.
      await page.getByRole('button', { name: /ES/ }).click();
      await hasText(channels.getByRole('heading', { level: 2 }).first(), 'Canales de alerta');
      await containsText(channels, 'Añadir un canal de alerta');
      await expectAccessible(page, 'platform alert channels, Spanish');
    },
  );

  it('a tenant admin sets a rule of their tenant on the Alerts page', { timeout: 90_000 }, async () => {
    const page = await h.newPage();
    await h.signIn(page, 'tenant_admin');
    // A Telegram chat of the clinic, made on its integrations page (here through the command API).
    const admin = await h.clientAs('tenant_admin');
    const connected = await admin.command('CreateConnection', {
      tenantId: DEMO_TENANT,
      connectionId: 'front-desk',
      name: 'Front desk chat',
      settings: { kind: 'telegram', chatId: '-1001234567890', topics: ['sla_breach'] },
      secrets: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' },
    });
    expect(connected.status).toBe(200);
    await page.getByRole('link', { name: 'Alerts' }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Alerts');
    await containsText(page.getByTestId('alert-rule-channels'), 'Front desk chat (Telegram)', 15_000);
    await fillRule(page, {
      channel: 'Front desk chat (Telegram)',
      id: 'sla-burst',
      name: 'SLA burst',
      kind: 'SLA breaches in 15 min',
      threshold: '5',
      forSeconds: '60',
    });
    const rules = page.getByTestId('alert-rules');
    await containsText(rules, 'SLA burst');
    await hasText(rules.locator('tr', { hasText: 'SLA burst' }).locator('td').nth(5), 'OK', 20_000);
    await eventually(
      () => alertsOf(DEMO_TENANT),
      (r) =>
        expect(r.rules).toMatchObject([
          { ruleId: 'sla-burst', kind: 'sla_breach_burst', threshold: 5, channels: ['front-desk'] },
        ]),
    );
    // The platform's rules are not the tenant's to see.
    expect((await alertsOf(DEMO_TENANT)).rules.map((r) => r.ruleId)).toEqual(['sla-burst']);
    await shot(page, 'tenant-alerts');
    await expectAccessible(page, 'tenant alerts');

    // In Spanish: the page, the rule's status and what it watches.
    await page.getByRole('button', { name: /ES/ }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Alertas');
    const reglas = page.getByTestId('alert-rules');
    await containsText(reglas, 'Incumplimientos de SLA en 15 min');
    await hasText(reglas.locator('tr', { hasText: 'SLA burst' }).locator('td').nth(5), 'Correcto');
    await expectAccessible(page, 'tenant alerts, Spanish');
  });
});
