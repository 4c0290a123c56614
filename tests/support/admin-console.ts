import { afterAll, beforeAll, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_TENANT } from '@ccp/infra';
import {
  navLinks,
  sleep,
  startConsole,
  WAIT,
  type ApiClient,
  type ConsoleHarness,
  type Locator,
} from '../browser/harness.js';
import { recordCall } from './calls.js';

/*
 * The tenant admin's screens in a real browser (Debian's Chromium through playwright-core) against the real
 * platform process on a fresh data directory. Every change is made on screen and then read back twice: after a
 * reload of the page and from the configuration API, where the command API's write is folded from the log.
 *
 * What the admin browser test files share: the console each file starts (useAdminConsole), the menus each role
 * sees, and the helpers that find rows, confirm dialogs and read the configuration back.
 */

/** The console of the test file that called useAdminConsole (set before its first test). */
export let ui: ConsoleHarness;
/** The demo tenant's admin over the API: reads back what the screens did. */
export let admin: ApiClient;

/** The administration menu each role sees, in order. */
export const ADMIN_MENU: Record<string, readonly string[]> = {
  tenant_admin: [
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
  ],
  supervisor: ['Departments', 'AI agents', 'Phone numbers', 'Knowledge base', 'Call scripts'],
  agent: [],
  analyst: [],
  compliance: [],
  viewer: [],
};

export const newPage: ConsoleHarness['newPage'] = (options) => ui.newPage(options);
export const signIn = (page: Page, role: string, email?: string, password?: string): Promise<void> =>
  ui.signIn(page, role, email !== undefined && password !== undefined ? { email, password } : undefined);

export const adminLinks = async (page: Page): Promise<string[]> => {
  const all = ADMIN_MENU['tenant_admin'] ?? [];
  return (await navLinks(page)).filter((label) => all.includes(label));
};

export const isGone = (locator: Locator, timeout = WAIT.timeout) =>
  expect.poll(() => locator.count(), { timeout }).toBe(0);
export const valueOf = (locator: Locator) => expect.poll(() => locator.inputValue(), WAIT);

/** A table row that contains the text. */
export const rowWith = (page: Page, testId: string, text: string): Locator =>
  page.getByTestId(testId).locator('tbody tr').filter({ hasText: text });

/** The confirmation dialog's button (Naive UI's dialog). */
export const confirm = async (page: Page, button: string): Promise<void> => {
  const dialog = page
    .getByRole('dialog')
    .filter({ has: page.getByRole('button', { name: button, exact: true }) });
  await dialog.getByRole('button', { name: button, exact: true }).click();
};

type Item = { id: string } & Record<string, unknown>;
export const configItems = async (name: string): Promise<Item[]> => {
  const response = await admin.request<{ items: Item[] }>('GET', `/api/config/${name}`);
  expect(response.status).toBe(200);
  return response.body.items;
};
export const configItem = async (name: string, id: string): Promise<Item | undefined> =>
  (await configItems(name)).find((item) => item.id === id);
export const tenantSettings = async (): Promise<Record<string, unknown>> => {
  const response = await admin.request<{ settings: Record<string, unknown> }>('GET', '/api/config/tenant');
  expect(response.status).toBe(200);
  return response.body.settings;
};

/**
 * Starts the test file's own console before its first test (one recorded call, so that this month has usage)
 * and closes it after the last; a page that threw fails the file.
 */
export const useAdminConsole = (): void => {
  beforeAll(async () => {
    // Voice samples play without a click in the tests.
    ui = await startConsole({ browserArgs: ['--autoplay-policy=no-user-gesture-required'] });
    admin = await ui.clientAs('tenant_admin');
    // One call as the media gateway records it, so that this month has usage and cost to show.
    await recordCall(ui.root, DEMO_TENANT, 'CA-admin-1');
    for (let i = 0; i < 300; i++) {
      const plan = await admin.request<{ usage: { tokens: number } | null }>('GET', '/api/plan');
      if ((plan.body.usage?.tokens ?? 0) > 0) break;
      await sleep(100);
    }
  }, 240_000);

  afterAll(async () => {
    const errors = ui ? [...ui.pageErrors] : [];
    await ui?.close();
    expect(errors).toEqual([]);
  }, 60_000);
};
