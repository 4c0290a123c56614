import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '@ccp/command-service';
import { DEMO_NUMBER, DEMO_TENANT, DEMO_TIME_ZONE, DEMO_USERS } from '@ccp/infra';
import { placeInboundCall, scenario } from '@ccp/media-gateway/simulator';
import { recordCall } from '../support/calls.js';
import { localDay, MONDAY_NOON_NEW_YORK, withinOneLocalDay } from '../support/demo-clock.js';
import { apiClient, login } from '../support/platform.js';
import {
  chartDrawn,
  containsText,
  emailOf,
  expectAccessible,
  hasCount,
  hasText,
  isVisible,
  navLinks,
  shot,
  sleep,
  startConsole,
  SUPER_ADMIN_EMAIL,
  WAIT,
  type ApiClient,
  type ConsoleHarness,
  type Locator,
} from './harness.js';

/*
 * The web console in a real browser (Debian's Chromium through playwright-core) against the real platform
 * process on a fresh data directory: every figure on screen comes from calls placed here, through the caller
 * simulator (signed Twilio webhooks) and through the command API as the media gateway sends them.
 */

let ui: ConsoleHarness;
let root: ApiClient;
/** Calls placed before the tests run, all in the demo tenant and all ended. */
const seededCalls: string[] = [];

const HOME: Record<string, { path: string; heading: string }> = {
  tenant_admin: { path: '/dashboard', heading: 'Real-time dashboard' },
  supervisor: { path: '/dashboard', heading: 'Real-time dashboard' },
  agent: { path: '/calls', heading: 'Calls' },
  analyst: { path: '/analytics', heading: 'Analytics' },
  compliance: { path: '/compliance/audit', heading: 'Audit trail' },
  viewer: { path: '/dashboard', heading: 'Real-time dashboard' },
};

const ADMINISTRATION = [
  'Departments',
  'AI agents',
  'Phone numbers',
  'IVR and routing',
  'Knowledge base',
  'Call scripts',
  'Team',
  'API keys and engines',
  'Plan and usage',
  'Billing',
  'Integrations',
  'Alerts',
];
const COMPLIANCE = ['Audit trail', 'Chain verification', 'Call replay', 'GDPR requests'];

/** Outbound campaigns: read by analysts too, run by admins and supervisors. */
const CAMPAIGNS = ['Campaigns', 'Do-not-call list'];
const SCHEDULE = ['Calendar', 'Services', 'Staff and rooms'];
const APPOINTMENTS = [...SCHEDULE, 'Contacts', 'Messages', 'Schedule settings'];

/** Menu entries each role must see (and no others). */
const MENU: Record<string, readonly string[]> = {
  tenant_admin: [
    'Dashboard',
    'Analytics',
    'Calls',
    'Workspace',
    ...CAMPAIGNS,
    ...APPOINTMENTS,
    ...COMPLIANCE,
    ...ADMINISTRATION,
  ],
  supervisor: [
    'Dashboard',
    'Analytics',
    'Calls',
    'Workspace',
    ...CAMPAIGNS,
    ...APPOINTMENTS,
    'Departments',
    'AI agents',
    'Phone numbers',
    'Knowledge base',
    'Call scripts',
  ],
  agent: ['Dashboard', 'Calls', 'Workspace', ...APPOINTMENTS],
  analyst: ['Dashboard', 'Analytics', 'Calls', ...CAMPAIGNS, ...SCHEDULE, 'Schedule settings'],
  compliance: ['Dashboard', 'Analytics', 'Calls', ...COMPLIANCE],
  viewer: ['Dashboard', 'Analytics'],
  super_admin: [
    ...['Dashboard', 'Analytics', 'Calls', 'Workspace', ...CAMPAIGNS, ...APPOINTMENTS],
    ...[...COMPLIANCE, ...ADMINISTRATION],
    ...['Tenants', 'Plans and caps', 'Revenue and dunning', 'Announcements', 'Platform health'],
    'Global analytics',
  ],
};

const newPage: ConsoleHarness['newPage'] = (options) => ui.newPage(options);
const signIn = (page: Page, role: string): Promise<void> => ui.signIn(page, role);

const kpi = (page: Page, name: string) =>
  page.getByRole('region', { name, exact: true }).locator('[data-kpi-value]');

const hasAttribute = (locator: Locator, name: string, value: string) =>
  expect.poll(() => locator.getAttribute(name), WAIT).toBe(value);
const isFocused = (locator: Locator) =>
  expect
    .poll(
      () =>
        locator.evaluate(
          (element) =>
            (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement ===
            element,
        ),
      WAIT,
    )
    .toBe(true);

/**
 * "Ended today" counts from New York midnight by the platform's real clock. The file's calls and checks are
 * kept within one New York day (this budget covers a run of the whole file), and each count checks it was.
 */
const FILE_BUDGET_MS = 5 * 60_000;
let fileDay = '';
const endedToday = async (page: Page, count: number): Promise<void> => {
  await hasText(kpi(page, 'Ended today'), String(count), 20_000);
  expect(localDay(DEMO_TIME_ZONE, new Date()), 'the file ran across New York midnight').toBe(fileDay);
};
/** Sofia, the day agent, answers: the simulated calls are placed "as if" at Monday noon in New York. */
const SOFIA_GREETING = 'Thanks for calling Bright Smile Dental, this is Sofia. How can I help?';

beforeAll(async () => {
  fileDay = await withinOneLocalDay(DEMO_TIME_ZONE, FILE_BUDGET_MS);
  ui = await startConsole({ demoClock: true });
  root = ui.root;
  const adminToken = await login(ui.url, emailOf('tenant_admin'), ui.demoPassword);

  // Calls as the media gateway records them (known transcripts, known agent)...
  await recordCall(root, DEMO_TENANT, 'CA-ui-1');
  await recordCall(root, DEMO_TENANT, 'CA-ui-2', ['Where is my refund, this is terrible'], 'escalated');
  await recordCall(root, DEMO_TENANT, 'CA-ui-3', ['I want to cancel my appointment'], 'abandoned');
  seededCalls.push('CA-ui-1', 'CA-ui-2', 'CA-ui-3');
  // ...and a whole call through the caller simulator: signed Twilio webhooks into the media gateway.
  const account = JSON.parse(readFileSync(join(ui.dataDir, 'twilio-local.json'), 'utf8')) as {
    accountSid: string;
    authToken: string;
  };
  const faq = scenario('faq', { callerName: 'Ada Lovelace', question: 'Do you accept Cigna insurance?' });
  const simulated = await placeInboundCall({
    baseUrl: ui.url,
    voicePath: '/twilio/voice',
    statusCallbackPath: '/twilio/status',
    authToken: account.authToken,
    accountSid: account.accountSid,
    from: '+15555550123',
    to: DEMO_NUMBER,
    caller: faq.caller,
    timeScale: 0.02,
    demoAt: MONDAY_NOON_NEW_YORK,
  });
  expect(simulated.errors).toEqual([]);
  expect(simulated.failures).toEqual([]);
  expect(simulated.heard[0]).toBe(SOFIA_GREETING);
  expect(simulated.heard.join(' ')).toMatch(/We accept Delta Dental, Cigna/);
  seededCalls.push(simulated.callSid);

  const admin = apiClient(ui.url, adminToken);
  expect(
    (
      await admin.command('PublishAnnouncement', {
        tenantId: DEMO_TENANT,
        announcementId: 'maintenance-window',
        title: 'Scheduled maintenance',
        body: 'Phone lines stay up; the console may be slow on Sunday from 02:00 to 03:00.',
        severity: 'info',
      })
    ).status,
  ).toBe(200);

  // Wait until the read side has every call, ended.
  for (let i = 0; i < 300; i++) {
    const ended = await admin.request<{ total: number }>('GET', '/api/calls?status=ended&limit=1');
    if (ended.body.total === seededCalls.length) break;
    await sleep(100);
  }
}, 240_000 + FILE_BUDGET_MS);

afterAll(async () => {
  const errors = ui ? [...ui.pageErrors] : [];
  await ui?.close();
  expect(errors).toEqual([]);
}, 60_000);

describe('serving', () => {
  it('serves the console for app routes and keeps API paths JSON', async () => {
    const page = await fetch(`${ui.url}/calls/CA-ui-1`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${ui.url}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('content-type')).toContain('text/javascript');
    const missingApi = await fetch(`${ui.url}/api/no-such-route`);
    expect(missingApi.status).toBe(404);
    expect(await missingApi.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await fetch(`${ui.url}/assets/no-such-file.js`)).status).toBe(404);
    expect((await fetch(`${ui.url}/twilio/nothing`)).status).toBe(404);
  });
});

describe('signing in', () => {
  it(
    'lands every demo role on its home screen, with its menu and the announcement',
    { timeout: 120_000 },
    async () => {
      for (const user of DEMO_USERS) {
        const page = await newPage();
        await signIn(page, user.role);
        const home = HOME[user.role];
        if (!home) throw new Error(`no home for ${user.role}`);
        await expect.poll(() => new URL(page.url()).pathname).toBe(home.path);
        await hasText(page.getByRole('heading', { level: 1 }), home.heading);
        expect(await navLinks(page)).toEqual(MENU[user.role]);
        await containsText(page.getByTestId('announcement'), 'Scheduled maintenance');
        await page.getByRole('heading', { level: 1 }).waitFor();
        await shot(page, `home-${user.role}`);
        await expectAccessible(page, `home of ${user.role}`);
        await page.context().close();
      }
    },
  );

  it('lets a super admin choose the tenant to read', { timeout: 60_000 }, async () => {
    const page = await newPage();
    await page.goto(`${ui.url}/login`);
    await page.getByLabel('Email').fill(SUPER_ADMIN_EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(ui.superAdminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/dashboard');
    // The first tenant is chosen for them; every read names it (?tenantId=), as the API asks of super admins.
    await expect.poll(() => page.getByLabel('Tenant').inputValue()).toBe(DEMO_TENANT);
    await hasText(kpi(page, 'Ended today'), /^\d+$/);
    expect(await navLinks(page)).toEqual(MENU['super_admin']);
    await containsText(page.getByTestId('announcement'), 'Scheduled maintenance');
    await shot(page, 'home-super_admin');
    await expectAccessible(page, 'home of a super admin');
  });

  it('shows the API’s error on a wrong password and stays on the sign-in page', async () => {
    const page = await newPage();
    await page.goto(`${ui.url}/`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Email').fill(emailOf('analyst'));
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await hasText(page.getByTestId('login-error'), 'Email or password is wrong.');
    expect(new URL(page.url()).pathname).toBe('/login');
    await shot(page, 'login-error');
    await expectAccessible(page, 'sign-in with an error');
  });

  it('signs out, and sends a signed-out visitor to sign-in and back to the page asked for', async () => {
    const page = await newPage();
    await signIn(page, 'supervisor');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
    await page.goto(`${ui.url}/calls?outcome=escalated`);
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Email').fill(emailOf('supervisor'));
    await page.getByLabel('Password', { exact: true }).fill(ui.demoPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.url()).toBe(`${ui.url}/calls?outcome=escalated`);
    await isVisible(page.getByTestId('calls-table').getByRole('link', { name: 'CA-ui-2', exact: true }));
  });

  it('works under the console’s own Content-Security-Policy', async () => {
    const page = await newPage({ bypassCSP: false });
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await signIn(page, 'tenant_admin');
    await hasText(kpi(page, 'Active calls'), /^\d+$/);
    await page.getByRole('link', { name: 'Analytics', exact: true }).click();
    await isVisible(page.getByTestId('chart-volume').locator('canvas').first());
    expect(violations).toEqual([]);
  });
});

describe('the real-time dashboard', () => {
  it('shows a call placed now, live, without reloading the page', { timeout: 90_000 }, async () => {
    const page = await newPage();
    await signIn(page, 'analyst');
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Real-time dashboard');
    await isVisible(page.getByRole('status').filter({ hasText: 'Live' }));
    await hasText(kpi(page, 'Active calls'), '0');
    const endedBefore = Number(await kpi(page, 'Ended today').textContent());
    expect(endedBefore).toBe(seededCalls.length);
    // A marker on the window: gone if the page reloaded.
    await page.evaluate(() => {
      (globalThis as unknown as { consoleMarker: number }).consoleMarker = 42;
    });

    const send = async (type: string, data: Record<string, unknown>) => {
      const answer = await root.command(type, { tenantId: DEMO_TENANT, callId: 'CA-ui-live', ...data });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    };
    await send('StartCall', {
      direction: 'inbound',
      from: '+15550009999',
      to: DEMO_NUMBER,
      provider: 'simulator',
      agentId: 'sofia',
    });
    await hasText(kpi(page, 'Active calls'), '1', 20_000);
    await containsText(page.getByTestId('live-agents'), 'sofia');
    await send('RecordUtterance', {
      utteranceId: 'c0',
      speaker: 'caller',
      text: 'Hello, can I move my appointment to Friday?',
      confidence: 0.9,
      language: 'en',
    });
    await shot(page, 'dashboard-live-call');
    await expectAccessible(page, 'dashboard');

    await send('EndCall', { outcome: 'resolved' });
    await hasText(kpi(page, 'Active calls'), '0', 20_000);
    await endedToday(page, endedBefore + 1);
    expect(
      await page.evaluate(() => (globalThis as unknown as { consoleMarker?: number }).consoleMarker),
    ).toBe(42);
  });
});

describe('a call from the caller simulator', () => {
  it(
    'shows on the dashboard while the simulated caller talks, and leaves it when they hang up',
    { timeout: 120_000 },
    async () => {
      const page = await newPage();
      await signIn(page, 'supervisor');
      await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Real-time dashboard');
      await hasText(kpi(page, 'Active calls'), '0', 20_000);
      const endedBefore = Number(await kpi(page, 'Ended today').textContent());
      const account = JSON.parse(readFileSync(join(ui.dataDir, 'twilio-local.json'), 'utf8')) as {
        accountSid: string;
        authToken: string;
      };
      const faq = scenario('faq', { callerName: 'Grace Hopper', question: 'What are your opening hours?' });
      // Signed Twilio webhooks into the media gateway at a third of a caller's pace: long enough to watch.
      const call = placeInboundCall({
        baseUrl: ui.url,
        voicePath: '/twilio/voice',
        statusCallbackPath: '/twilio/status',
        authToken: account.authToken,
        accountSid: account.accountSid,
        from: '+15555550199',
        to: DEMO_NUMBER,
        caller: faq.caller,
        timeScale: 1,
        demoAt: MONDAY_NOON_NEW_YORK,
      });
      await hasText(kpi(page, 'Active calls'), '1', 20_000);
      await shot(page, 'dashboard-simulated-call');
      const result = await call;
      expect(result.errors).toEqual([]);
      expect(result.failures).toEqual([]);
      expect(result.heard[0]).toBe(SOFIA_GREETING);
      expect(result.heard.join(' ')).toMatch(/We are open Monday to Friday from 8:00 to 18:00/);
      await hasText(kpi(page, 'Active calls'), '0', 20_000);
      await endedToday(page, endedBefore + 1);
    },
  );
});

describe('analytics', () => {
  it(
    'draws every chart from real data and drills down to a call and its transcript',
    { timeout: 90_000 },
    async () => {
      const page = await newPage();
      await signIn(page, 'analyst');
      await hasText(page.getByRole('heading', { level: 1 }), 'Analytics');
      const total = (
        await root.request<{ total: number }>('GET', `/api/calls?tenantId=${DEMO_TENANT}&limit=1`)
      ).body.total;
      expect(total).toBeGreaterThanOrEqual(seededCalls.length);
      await hasText(kpi(page, 'Calls'), String(total));
      for (const chart of [
        'chart-volume',
        'chart-outcomes',
        'chart-sentiment',
        'chart-intents',
        'chart-agents',
      ]) {
        await isVisible(page.getByTestId(chart).locator('canvas').first());
        await expect.poll(() => chartDrawn(page, chart), { message: chart }).toBe(true);
      }
      await containsText(page.getByTestId('agents-table'), 'sofia');
      // Filters offer the tenant's agents by name (the directory), not by id.
      await expect
        .poll(async () => (await page.getByLabel('AI agent').locator('option').allTextContents()).join('|'))
        .toMatch(/Sofia/);
      await shot(page, 'analytics');
      await expectAccessible(page, 'analytics');

      // A bucket of the volume chart: the calls of that period.
      const volume = page.getByTestId('chart-volume').locator('canvas').first();
      await volume.scrollIntoViewIfNeeded();
      const box = await volume.boundingBox();
      if (!box) throw new Error('the volume chart has no size');
      await page.mouse.click(box.x + box.width / 2, box.y + box.height * 0.6);
      await expect.poll(() => new URL(page.url()).pathname).toBe('/calls');
      const drilled = new URL(page.url()).searchParams;
      expect(drilled.get('from')).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(drilled.get('to')).toMatch(/^\d{4}-\d\d-\d\dT/);
      await isVisible(page.getByTestId('drill-filters'));
      await isVisible(page.getByTestId('calls-table').getByRole('link', { name: 'CA-ui-1', exact: true }));

      // An agent: the calls it answered.
      await page.goBack();
      await page.getByTestId('agents-table').getByRole('link', { name: 'Open the calls of sofia' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('agentId')).toBe('sofia');
      const table = page.getByTestId('calls-table');
      for (const callId of ['CA-ui-1', 'CA-ui-2', 'CA-ui-3']) {
        await isVisible(table.getByRole('link', { name: callId }));
      }
      await shot(page, 'calls-drilled-by-agent');
      await expectAccessible(page, 'calls');

      // An intent: the calls in which callers wanted it, as the API lists them.
      await page.goBack();
      const intents = await root.request<{ intents: { intent: string }[] }>(
        'GET',
        `/api/analytics/intents?tenantId=${DEMO_TENANT}`,
      );
      const top = intents.body.intents[0]?.intent;
      if (top === undefined) throw new Error('no intents on the read side');
      await page.getByTestId('chart-intents').getByRole('link').first().click();
      await expect.poll(() => new URL(page.url()).searchParams.get('intent')).toBe(top);
      const withIntent = await root.request<{ items: { callId: string }[] }>(
        'GET',
        `/api/calls?tenantId=${DEMO_TENANT}&intent=${top}`,
      );
      expect(withIntent.body.items.length).toBeGreaterThan(0);
      for (const { callId } of withIntent.body.items) {
        await isVisible(page.getByTestId('calls-table').getByRole('link', { name: callId, exact: true }));
      }
      await page.goBack();
      await page.getByTestId('agents-table').getByRole('link', { name: 'Open the calls of sofia' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('agentId')).toBe('sofia');

      await table.getByRole('link', { name: 'CA-ui-1', exact: true }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Call CA-ui-1');
      const transcript = page.getByTestId('transcript');
      await containsText(transcript, 'Hi, I would like to book a cleaning next Tuesday');
      await containsText(transcript, 'Of course, let me help you with that.');
      await shot(page, 'call-detail');
      await expectAccessible(page, 'call detail');
    },
  );

  it(
    'downloads the calls as CSV and a report as PDF with the session’s credentials',
    { timeout: 60_000 },
    async () => {
      const page = await newPage();
      await signIn(page, 'analyst');
      const [csv] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export calls (CSV)' }).click(),
      ]);
      expect(csv.suggestedFilename()).toBe(`calls-${DEMO_TENANT}.csv`);
      const lines = readFileSync(await csv.path(), 'utf8')
        .trim()
        .split('\n');
      expect(lines[0]).toMatch(/^callId,direction,status,/);
      const total = (
        await root.request<{ total: number }>('GET', `/api/calls?tenantId=${DEMO_TENANT}&limit=1`)
      ).body.total;
      expect(lines.length - 1).toBe(total);
      expect(lines.some((line) => line.startsWith('CA-ui-2,'))).toBe(true);

      await page.getByLabel('Report').selectOption('outcomes');
      const [pdf] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download PDF' }).click(),
      ]);
      expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
      expect(
        readFileSync(await pdf.path())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
    },
  );
});

describe('compliance', () => {
  it(
    'filters the audit trail, replays a call step by step and verifies its hash chain',
    { timeout: 120_000 },
    async () => {
      const page = await newPage();
      await signIn(page, 'compliance');
      await hasText(page.getByRole('heading', { level: 1 }), 'Audit trail');

      await page.getByLabel('Event type').fill('CallEnded');
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('type')).toBe('CallEnded');
      const rows = page.getByTestId('audit-table').locator('tbody tr');
      await containsText(rows.first(), 'CallEnded');
      const types = await page
        .getByTestId('audit-table')
        .locator('tbody tr td:nth-child(3)')
        .allTextContents();
      expect(types.length).toBeGreaterThanOrEqual(seededCalls.length);
      expect(new Set(types.map((t) => t.trim()))).toEqual(new Set(['CallEnded']));
      await shot(page, 'audit-filtered');
      await expectAccessible(page, 'audit trail');

      await page.getByLabel('Event type').fill('');
      await page.getByLabel('Correlation (call ID)').fill('CA-ui-2');
      await page.getByRole('button', { name: 'Apply' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('correlationId')).toBe('CA-ui-2');
      await hasCount(rows, 4);
      const [auditCsv] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export audit (CSV)' }).click(),
      ]);
      const auditLines = readFileSync(await auditCsv.path(), 'utf8')
        .trim()
        .split('\n');
      expect(auditLines[0]).toMatch(/^position,occurredAt,type,/);
      expect(auditLines).toHaveLength(5);

      await rows
        .first()
        .getByRole('button', { name: /Details of event/ })
        .click();
      await containsText(page.getByRole('dialog'), `call-${DEMO_TENANT}.CA-ui-2`);
      await shot(page, 'audit-event-details');
      await page.getByRole('button', { name: 'Replay this call' }).click();

      await hasText(page.getByRole('heading', { level: 1 }), 'Call replay');
      const step = page.getByTestId('replay-step');
      await hasText(step.getByRole('heading', { level: 2 }), 'Step 1 of 4');
      await hasText(page.getByTestId('replay-type'), 'CallStarted');
      await hasText(page.getByTestId('replay-offset'), '+0:00.000');
      await page.getByRole('button', { name: 'Next step' }).click();
      await hasText(step.getByRole('heading', { level: 2 }), 'Step 2 of 4');
      await hasText(page.getByTestId('replay-type'), 'UtteranceRecorded');
      await containsText(step, 'Where is my refund, this is terrible');
      await page.getByRole('button', { name: 'Previous step' }).click();
      await hasText(page.getByTestId('replay-type'), 'CallStarted');
      await page.getByRole('button', { name: 'Play' }).click();
      await hasText(page.getByTestId('replay-type'), 'CallEnded', 15_000);
      await hasText(step.getByRole('heading', { level: 2 }), 'Step 4 of 4');
      await shot(page, 'replay');
      await expectAccessible(page, 'replay');

      await page.getByRole('link', { name: 'Chain verification', exact: true }).click();
      await page.getByLabel('Stream ID').fill(`call-${DEMO_TENANT}.CA-ui-2`);
      await page.getByRole('button', { name: 'Verify' }).click();
      const result = page.getByTestId('verify-result');
      await containsText(result, 'Chain intact');
      await containsText(result, '4 events checked');
      await shot(page, 'verify');
      await expectAccessible(page, 'chain verification');

      // An event changed behind the platform's back (straight in the SQLite file): the check finds where.
      const db = new Database(join(ui.dataDir, 'events.db'));
      try {
        db.prepare(
          `UPDATE events SET data = json_set(data, '$.confidence', 0.1) WHERE stream_id = ? AND revision = 1`,
        ).run(`call-${DEMO_TENANT}.CA-ui-3`);
      } finally {
        db.close();
      }
      await page.getByLabel('Stream ID').fill(`call-${DEMO_TENANT}.CA-ui-3`);
      await page.getByRole('button', { name: 'Verify' }).click();
      await containsText(result, 'Chain broken');
      await containsText(result, 'At revision 1');
      await shot(page, 'verify-broken');
      await expectAccessible(page, 'chain verification, broken');

      await page.getByLabel('Stream ID').fill(`call-${DEMO_TENANT}.no-such-call`);
      await page.getByRole('button', { name: 'Verify' }).click();
      await isVisible(page.getByRole('alert').filter({ hasText: 'no such stream in your tenant' }));
    },
  );
});

describe('roles', () => {
  it(
    'keeps calls and compliance from the viewer: hidden in the menu, refused by address',
    { timeout: 60_000 },
    async () => {
      const page = await newPage();
      await signIn(page, 'viewer');
      expect(await navLinks(page)).toEqual(['Dashboard', 'Analytics']);
      for (const path of [
        '/calls',
        '/calls/CA-ui-1',
        '/compliance/audit',
        '/compliance/verify',
        '/replay/CA-ui-1',
      ]) {
        await page.goto(`${ui.url}${path}`);
        await hasText(page.getByRole('heading', { level: 1 }), 'Not allowed');
        expect(new URL(page.url()).pathname).toBe('/not-allowed');
      }
      await shot(page, 'not-allowed-viewer');
      await expectAccessible(page, 'not allowed');
      // Analytics without the ways out a viewer may not take: no exports, no drill-down links.
      await page.getByRole('link', { name: 'Analytics', exact: true }).click();
      await hasText(kpi(page, 'Calls'), /^\d+$/);
      await hasCount(page.getByRole('button', { name: 'Export calls (CSV)' }), 0);
      await hasCount(page.getByTestId('agents-table').getByRole('link'), 0);
    },
  );
});

describe('language, theme and layout', () => {
  it('switches to Spanish and dark mode, and keeps both after a reload', { timeout: 90_000 }, async () => {
    const page = await newPage();
    await signIn(page, 'supervisor');
    await page.getByRole('button', { name: /ES/ }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Panel en tiempo real');
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    expect(await navLinks(page, 'Navegación principal')).toEqual([
      'Panel',
      'Analítica',
      'Llamadas',
      'Espacio de trabajo',
      'Campañas',
      'Lista de no llamar',
      'Calendario',
      'Servicios',
      'Personal y salas',
      'Contactos',
      'Mensajes',
      'Ajustes de agenda',
      'Departamentos',
      'Agentes de IA',
      'Números de teléfono',
      'Base de conocimiento',
      'Guiones de llamada',
    ]);
    await hasText(kpi(page, 'Llamadas activas'), /^\d+$/);

    await page.getByRole('switch', { name: 'Modo oscuro' }).click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.reload();
    await hasText(page.getByRole('heading', { level: 1 }), 'Panel en tiempo real');
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await hasAttribute(page.getByRole('switch', { name: 'Modo oscuro' }), 'aria-checked', 'true');
    await shot(page, 'dashboard-dark-es');
    await expectAccessible(page, 'dashboard, dark, Spanish');

    await page.getByRole('link', { name: 'Analítica', exact: true }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Analítica');
    await expect.poll(() => chartDrawn(page, 'chart-volume')).toBe(true);
    await shot(page, 'analytics-dark-es');
    await expectAccessible(page, 'analytics, dark, Spanish');

    await page.getByRole('link', { name: 'Llamadas', exact: true }).click();
    await isVisible(page.getByTestId('calls-table').getByRole('link', { name: 'CA-ui-2', exact: true }));
    await shot(page, 'calls-dark-es');
    await expectAccessible(page, 'calls, dark, Spanish');

    await page.getByRole('button', { name: /EN/ }).click();
    await page.getByRole('switch', { name: 'Dark mode' }).click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('light');
    await hasText(page.getByRole('heading', { level: 1 }), 'Calls');
  });

  it('folds the side menu on a phone and stays usable from the keyboard', { timeout: 60_000 }, async () => {
    const page = await newPage({ width: 390, height: 844 });
    await signIn(page, 'tenant_admin');
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    expect((await nav.boundingBox())?.width ?? 0).toBeLessThanOrEqual(64);
    await hasAttribute(page.getByRole('button', { name: 'Expand menu' }), 'aria-expanded', 'false');
    await shot(page, 'mobile-dashboard');
    await expectAccessible(page, 'dashboard on a phone');

    // On a fresh load the first Tab reaches the skip link, which moves focus to the page's content.
    await page.reload();
    await isVisible(page.getByRole('heading', { level: 1 }));
    await page.keyboard.press('Tab');
    await isFocused(page.getByRole('link', { name: 'Skip to content' }));
    await page.keyboard.press('Enter');
    await isFocused(page.locator('main'));
    // Menu links are reachable and work from the keyboard.
    await nav.getByRole('link', { name: 'Calls', exact: true }).focus();
    await page.keyboard.press('Enter');
    await hasText(page.getByRole('heading', { level: 1 }), 'Calls');
    await page.getByRole('button', { name: 'Expand menu' }).click();
    await expect.poll(async () => (await nav.boundingBox())?.width ?? 0).toBeGreaterThan(200);
    await shot(page, 'mobile-menu-open');
    // Choosing a page closes the menu again.
    await nav.getByRole('link', { name: 'Analytics', exact: true }).click();
    await hasText(page.getByRole('heading', { level: 1 }), 'Analytics');
    await expect.poll(async () => (await nav.boundingBox())?.width ?? 0).toBeLessThanOrEqual(64);
  });
});

describe('two-step sign-in', () => {
  it(
    'asks for the authenticator code when the member has one, and refuses a wrong code',
    { timeout: 60_000 },
    async () => {
      // The agent turns on TOTP through the API, as the account page (a later screen) will.
      const agent = apiClient(ui.url, await login(ui.url, emailOf('agent'), ui.demoPassword));
      const started = await agent.request<{ secret: string }>('POST', '/api/auth/mfa/totp', {});
      expect(started.status).toBe(201);
      const { secret } = started.body;
      // Each code is good once: enrolment takes the previous 30-second step's, sign-in the current one.
      const confirmed = await agent.request('POST', '/api/auth/mfa/totp/confirm', {
        code: totpCode(secret, Date.now() - 30_000),
      });
      expect(confirmed.status).toBe(204);

      const page = await newPage();
      await page.goto(`${ui.url}/login`);
      await page.getByLabel('Email').fill(emailOf('agent'));
      await page.getByLabel('Password', { exact: true }).fill(ui.demoPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await hasText(page.getByRole('heading', { level: 1 }), 'Two-step verification');
      await isFocused(page.getByLabel('Verification code'));
      await page.getByLabel('Verification code').fill('000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await hasText(page.getByTestId('login-error'), 'The code is wrong or was already used.');
      await shot(page, 'login-mfa');
      await expectAccessible(page, 'two-step sign-in');
      await page.getByLabel('Verification code').fill(totpCode(secret, Date.now()));
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe('/calls');
      await hasText(page.getByRole('heading', { level: 1 }), 'Calls');
    },
  );
});
