import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_TENANT } from '@ccp/infra';
import {
  containsText,
  eventually,
  expectAccessible,
  hasText,
  isVisible,
  shot,
  startConsole,
  type ApiClient,
  type ConsoleHarness,
} from './harness.js';

/*
 * The integrations page in Chromium against the real platform. The demo tenant's admin is refused an endpoint
 * that is not a URL (beside the field), connects a webhook to a receiver this test runs on loopback, is shown
 * the generated signing secret once, and tests the connection. The receiver then answers 500: the event the
 * webhook wants is retried (INTEGRATION_RETRY_BASE_MS is small here) until it is dead-lettered, its attempts
 * show the 500s, and once the receiver recovers a replay delivers it. The page is axe-clean, in Spanish too.
 */

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}
/** A webhook receiver: answers 200, or 500 while `failing`, and keeps what it was sent. */
const startReceiver = async () => {
  const received: Received[] = [];
  const state = { failing: false };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(state.failing ? 500 : 200, { 'content-type': 'text/plain' });
      response.end(state.failing ? 'receiver down for a moment' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/ccp`,
    received,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

let ui: ConsoleHarness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let demoAdmin: ApiClient;

const openIntegrations = async (page: Page): Promise<void> => {
  // The admin screens have an "Integrations" entry of their own (engines, API keys, SSO): this is the other.
  await page.locator('nav a[href="/integrations"]').click();
  await hasText(page.getByRole('heading', { level: 1 }), 'Integrations');
};

beforeAll(async () => {
  receiver = await startReceiver();
  ui = await startConsole({ env: { INTEGRATION_RETRY_BASE_MS: '20' } });
  demoAdmin = await ui.clientAs('tenant_admin');
}, 240_000);

afterAll(async () => {
  const errors = ui ? [...ui.pageErrors] : [];
  await ui?.close();
  await receiver?.close();
  expect(errors).toEqual([]);
}, 60_000);

describe('the integrations page', () => {
  it(
    'connects a webhook, shows its secret once, tests it, dead-letters a delivery, replays it and sets notification rules',
    { timeout: 90_000 },
    async () => {
      const page = await ui.newPage({ height: 2200 });
      await ui.signIn(page, 'tenant_admin');
      await openIntegrations(page);
      await expectAccessible(page, 'integrations, nothing connected');

      const connect = page.getByTestId('connect-form');
      await connect.getByLabel('Kind').selectOption('webhook');
      await connect.getByLabel('Name', { exact: true }).fill('Order system');
      // Secrets are password inputs, and nothing is prefilled.
      const secret = connect.getByLabel('Signing secret');
      expect(await secret.getAttribute('type')).toBe('password');
      expect(await secret.inputValue()).toBe('');

      // The platform's refusal is shown beside the field it names.
      await connect.getByLabel('Endpoint URL').fill('not a url');
      await connect.getByLabel('Other event types (one a line)').fill('DepartmentCreated');
      await connect.getByRole('button', { name: 'Connect' }).click();
      await isVisible(connect.getByTestId('field-error'));
      expect(await page.getByTestId('secret-once').count()).toBe(0);

      await connect.getByLabel('Endpoint URL').fill(receiver.url);
      await connect.getByRole('button', { name: 'Connect' }).click();
      const once = page.getByTestId('secret-once');
      await isVisible(once);
      await containsText(once, 'shown once');
      expect(await page.getByRole('dialog').count()).toBeGreaterThan(0);
      const shown = (await once.getByTestId('secret-once-value').innerText()).trim();
      expect(shown).toMatch(/^whsec_/);
      await expectAccessible(page, 'integrations, signing secret shown once');
      await once.getByRole('button', { name: 'I have stored it' }).click();
      await expect.poll(() => page.getByTestId('secret-once-value').count()).toBe(0);

      // The connection, with only the last four characters of its secret.
      const events = page.getByTestId('group-events');
      await containsText(events, 'Order system', 15_000);
      const hints = events.getByTestId('secret-hints');
      await containsText(hints, `…${shown.slice(-4)}`);
      expect(await page.content()).not.toContain(shown);

      await events.getByRole('button', { name: 'Test' }).click();
      await containsText(events.getByTestId('test-result'), 'Test passed', 15_000);
      expect(receiver.received.length).toBeGreaterThan(0);
      expect(receiver.received.at(-1)?.headers['webhook-signature']).toMatch(/^v1,/);
      await containsText(events.getByTestId('last-test'), 'Passed', 15_000);

      // The receiver fails for a while: the event is retried, then dead-lettered.
      receiver.state.failing = true;
      const created = await demoAdmin.command('CreateDepartment', {
        tenantId: DEMO_TENANT,
        departmentId: 'integrations-ui',
        name: 'Integrations UI',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const log = page.getByTestId('delivery-log');
      const status = log.getByTestId('delivery-status').first();
      await hasText(status, 'Dead letter', 45_000);
      await containsText(log.getByTestId('deliveries-table'), 'DepartmentCreated');
      await containsText(log.getByTestId('deliveries-table'), '500');

      await log.getByRole('button', { name: 'Details of the delivery of DepartmentCreated' }).click();
      const detail = page.getByTestId('delivery-detail');
      await containsText(detail.getByTestId('detail-attempts'), '500');
      await containsText(detail.getByTestId('detail-attempts'), 'Server error');
      await expectAccessible(page, 'integrations, delivery detail');
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByTestId('delivery-detail').count()).toBe(0);

      // Back up: a replay delivers it.
      receiver.state.failing = false;
      const before = receiver.received.length;
      await log.getByRole('button', { name: 'Replay the delivery of DepartmentCreated' }).click();
      await hasText(status, /Pending|Delivered/);
      await hasText(status, 'Delivered', 20_000);
      expect(receiver.received.length).toBeGreaterThan(before);
      expect(receiver.received.at(-1)?.body).toContain('DepartmentCreated');
      await containsText(events.getByTestId('delivery-counts'), '1 delivered', 15_000);
      await shot(page, 'integrations');
      await expectAccessible(page, 'integrations, delivered after a replay');

      // A Telegram connection's topics, changed in the rules matrix.
      await connect.getByLabel('Kind').selectOption('telegram');
      await connect.getByLabel('Name', { exact: true }).fill('Night desk');
      await connect.getByLabel('Chat ID').fill('-1001234567');
      await connect.getByLabel('Caller waiting for a person').check();
      expect(await connect.getByLabel('Bot token').getAttribute('type')).toBe('password');
      await connect.getByLabel('Bot token').fill('123456:telegram-bot-token-of-the-test');
      await connect.getByRole('button', { name: 'Connect' }).click();
      const rules = page.getByTestId('notification-rules');
      const voicemail = rules.getByLabel('Voicemail left to Night desk');
      await isVisible(voicemail, 15_000);
      expect(await rules.getByLabel('Caller waiting for a person to Night desk').isChecked()).toBe(true);
      await voicemail.check();
      await rules.getByRole('button', { name: 'Save rules' }).click();
      await eventually(
        () =>
          demoAdmin.request<{ connections: { name: string; settings: { topics?: string[] } }[] }>(
            'GET',
            '/api/integrations/connections',
          ),
        (answer) =>
          expect(answer.body.connections.find((c) => c.name === 'Night desk')?.settings.topics).toEqual([
            'escalation_waiting',
            'voicemail',
          ]),
        15_000,
      );
      await expectAccessible(page, 'integrations, notification rules');

      await page.evaluate(() =>
        (
          globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }
        ).localStorage.setItem('ccp.locale', 'es'),
      );
      await page.reload();
      await hasText(page.getByRole('heading', { level: 1 }), 'Integraciones');
      await containsText(page.getByTestId('delivery-log'), 'Registro de entregas');
      await expectAccessible(page, 'integrations in Spanish');
    },
  );
});
