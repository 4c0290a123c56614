import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AxeResults } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_USERS } from '@ccp/infra';
import { ensureUiBuilt } from '@ccp/ui';
import { apiClient, login } from '../support/platform.js';
import { spawnPlatform, type PlatformProcess } from '../support/process.js';

/*
 * The browser tests' harness: the real platform process on a fresh data directory, Debian's Chromium through
 * playwright-core, sign-in, axe-core, screenshots and waiting assertions on locators.
 */

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots', import.meta.url));
export const SUPER_ADMIN_EMAIL = 'admin@customercare.local';

export type ApiClient = ReturnType<typeof apiClient>;
export type Locator = ReturnType<Page['locator']>;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const emailOf = (role: string): string => {
  const user = DEMO_USERS.find((u) => u.role === role);
  if (!user) throw new Error(`no demo user with role ${role}`);
  return user.email;
};

export const userIdOf = (role: string): string => {
  const user = DEMO_USERS.find((u) => u.role === role);
  if (!user) throw new Error(`no demo user with role ${role}`);
  return user.userId;
};

export interface ConsoleHarness {
  readonly url: string;
  readonly dataDir: string;
  readonly demoPassword: string;
  readonly superAdminPassword: string;
  /** The super admin over the API: writes what the media gateway would, and checks what the screens did. */
  readonly root: ApiClient;
  /** Uncaught errors in any page: a console that throws is broken even when the screen looks right. */
  readonly pageErrors: string[];
  newPage(options?: {
    width?: number;
    height?: number;
    locale?: string;
    baseUrl?: string;
    /** False to run the page under the console's own Content-Security-Policy (then axe cannot be injected). */
    bypassCSP?: boolean;
  }): Promise<Page>;
  /** Signs in through the sign-in page as a demo role, or as the super admin, or with other credentials. */
  signIn(page: Page, role: string, credentials?: { email: string; password: string }): Promise<void>;
  /** An API client signed in as a demo role. */
  clientAs(role: string): Promise<ApiClient>;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, with nothing reaching out to the network on its own. */
export const launchChromium = (extraArgs: readonly string[] = []): Promise<Browser> =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      ...extraArgs,
    ],
  });

export const startConsole = async (
  options: {
    browserArgs?: readonly string[];
    /** DEMO_CLOCK=true: simulated calls may be placed "as if" at a given time (signed DemoAt). */
    demoClock?: boolean;
    /** More of the platform's settings (INTEGRATION_RETRY_BASE_MS…). */
    env?: Readonly<Record<string, string>>;
  } = {},
): Promise<ConsoleHarness> => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await ensureUiBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'ccp-console-'));
  let platform: PlatformProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  const close = async (): Promise<void> => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (platform) {
      platform.child.kill('SIGTERM');
      const gone = await Promise.race([platform.exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!gone) {
        platform.child.kill('SIGKILL');
        await platform.exited;
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    platform = await spawnPlatform({
      DATA_DIR: dataDir,
      SUPER_ADMIN_EMAIL,
      // Integrations are connected to receivers the tests start on loopback.
      OUTBOUND_ALLOW: '127.0.0.1/32',
      ...(options.demoClock === true && { DEMO_CLOCK: 'true' }),
      ...options.env,
    });
    const url = platform.url;
    const credentials = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
      demoPassword: string;
      superAdminPassword: string;
    };
    // The seed finishes after the process says where it listens; sign-in works once the demo users exist.
    let seeded = false;
    for (let i = 0; i < 150 && !seeded; i++) {
      seeded = await login(url, emailOf('tenant_admin'), credentials.demoPassword).then(
        () => true,
        () => false,
      );
      if (!seeded) await sleep(200);
    }
    if (!seeded) throw new Error(`the demo tenant was not seeded:\n${platform.output()}`);
    const root = apiClient(url, await login(url, SUPER_ADMIN_EMAIL, credentials.superAdminPassword));

    const launched = await launchChromium(options.browserArgs);
    browser = launched;

    const newPage: ConsoleHarness['newPage'] = async (o = {}) => {
      const context = await launched.newContext({
        viewport: { width: o.width ?? 1366, height: o.height ?? 900 },
        // axe is injected as a script tag, which the console's Content-Security-Policy rightly refuses.
        bypassCSP: o.bypassCSP ?? true,
        acceptDownloads: true,
        locale: o.locale ?? 'en-US',
        colorScheme: 'light',
        ...(o.baseUrl !== undefined && { baseURL: o.baseUrl }),
      });
      contexts.push(context);
      // `npm run test:at` moves every process's clock; Chromium's is moved here (it does not run under libfaketime).
      if (process.env.CCP_CLOCK_SHIFT_MS) await context.clock.setSystemTime(new Date());
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
      return page;
    };

    const signIn: ConsoleHarness['signIn'] = async (page, role, given) => {
      const superAdmin = role === 'super_admin';
      await page.goto(`${url}/login`);
      await page.getByLabel('Email').fill(given?.email ?? (superAdmin ? SUPER_ADMIN_EMAIL : emailOf(role)));
      await page
        .getByLabel('Password', { exact: true })
        .fill(given?.password ?? (superAdmin ? credentials.superAdminPassword : credentials.demoPassword));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    };

    return {
      url,
      dataDir,
      demoPassword: credentials.demoPassword,
      superAdminPassword: credentials.superAdminPassword,
      root,
      pageErrors,
      newPage,
      signIn,
      clientAs: async (role) => apiClient(url, await login(url, emailOf(role), credentials.demoPassword)),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
};

export const shot = async (page: Page, name: string): Promise<void> => {
  // Charts animate in and toasts fade; a short pause keeps screenshots from catching them half drawn.
  await page.waitForTimeout(700);
  // From the top: the sticky header and menu then sit where they belong in a full-page capture.
  await page.evaluate(() =>
    (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0),
  );
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
};

/** Runs axe-core on the page as it is and fails on serious or critical violations. */
export const expectAccessible = async (page: Page, screen: string): Promise<void> => {
  // Colours are checked as they end up: Naive UI fades them in over a theme or language switch, and a check in
  // the middle of a fade reads colours no one is meant to see.
  await page.addStyleTag({
    content: '*, *::before, *::after { transition: none !important; animation: none !important; }',
  });
  await page.waitForTimeout(100);
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<AxeResults> } }).axe;
    const r = await axe.run();
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
  const blocking = results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(blocking, `axe on ${screen}: ${JSON.stringify(blocking, null, 2)}`).toEqual([]);
};

export const navLinks = async (page: Page, name = 'Main navigation'): Promise<string[]> =>
  (await page.getByRole('navigation', { name }).getByRole('link').allTextContents()).map((text) =>
    text.trim(),
  );

/** Whether a chart's canvas has been drawn on (some pixels not transparent). */
export const chartDrawn = async (page: Page, testId: string): Promise<boolean> =>
  page
    .getByTestId(testId)
    .locator('canvas')
    .first()
    .evaluate((canvas) => {
      const c = canvas as unknown as {
        width: number;
        height: number;
        getContext(kind: '2d'): {
          getImageData(x: number, y: number, w: number, h: number): { data: number[] };
        };
      };
      const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted += 1;
      return painted > 500;
    });

/*
 * Waiting assertions on locators (vitest has no Playwright matchers): each polls until the page shows what is
 * expected or the time is up.
 */
export const WAIT = { timeout: 10_000 };
export const textOf = async (locator: Locator): Promise<string> =>
  (await locator.count()) === 0 ? '' : (await locator.first().innerText()).trim();
export const hasText = (locator: Locator, expected: string | RegExp, timeout = WAIT.timeout) =>
  typeof expected === 'string'
    ? expect.poll(() => textOf(locator), { timeout }).toBe(expected)
    : expect.poll(() => textOf(locator), { timeout }).toMatch(expected);
export const containsText = (locator: Locator, expected: string, timeout = WAIT.timeout) =>
  expect.poll(() => textOf(locator), { timeout }).toContain(expected);
export const lacksText = (locator: Locator, unexpected: string, timeout = WAIT.timeout) =>
  expect.poll(() => textOf(locator), { timeout }).not.toContain(unexpected);
export const isVisible = (locator: Locator, timeout = WAIT.timeout) =>
  locator.first().waitFor({ state: 'visible', timeout });
export const hasCount = (locator: Locator, count: number, timeout = WAIT.timeout) =>
  expect.poll(() => locator.count(), { timeout }).toBe(count);

/** The API's refusal shown beside a labelled field of a command form. */
export const fieldError = (page: Page, label: string): Locator =>
  page.locator('.command-field', { has: page.getByLabel(label, { exact: true }) }).getByTestId('field-error');

/** Polls the API until `check` passes on its answer (the read side follows the log within moments). */
export const eventually = async <T>(
  read: () => Promise<T>,
  check: (value: T) => void,
  timeout = 10_000,
): Promise<T> => {
  const started = Date.now();
  for (;;) {
    const value = await read();
    try {
      check(value);
      return value;
    } catch (error) {
      if (Date.now() - started > timeout) throw error;
      await sleep(200);
    }
  }
};
