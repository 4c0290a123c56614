import { wallClockAt, wallClockToInstant } from '@ccp/schemas';
import { verifyStreamChain } from '@ccp/command-service';
import { configFromEnv, enginesOf, DEMO_USERS, seedDemo, streamProcessing } from '@ccp/infra';
import { queryApiModule, type QueryApiHooks } from '@ccp/query-api';
import { createProcessors } from '@ccp/stream-processors';
import { apiClient, login, startTestPlatform, type TestPlatform } from './platform.js';

export const DEMO_PASSWORD = 'demo-password-1';

/**
 * The platform with its read side (every processor on the embedded bus, chdb, the query API) and the demo
 * tenant seeded with DEMO_PASSWORD for every demo user.
 */
export const startReadSidePlatform = async (
  options: { readonly env?: Record<string, string>; readonly hooks?: QueryApiHooks } = {},
): Promise<TestPlatform> => {
  const processing = streamProcessing(createProcessors());
  const test = await startTestPlatform(undefined, {
    processing,
    ...(options.env && { env: options.env }),
    modules: () => [
      queryApiModule(() => processing.readStore(), verifyStreamChain, {
        engines: enginesOf(configFromEnv({})),
        ...options.hooks,
      }),
    ],
  });
  await seedDemo(test.platform, DEMO_PASSWORD);
  return test;
};

/** An API client signed in as the demo user with `role`. */
export const demoUser = async (test: TestPlatform, role: string): Promise<ReturnType<typeof apiClient>> => {
  const email = DEMO_USERS.find((u) => u.role === role)?.email;
  if (email === undefined) throw new Error(`the demo has no ${role}`);
  return apiClient(test.url, await login(test.url, email, DEMO_PASSWORD));
};

/** The instant of hour:minute tomorrow, wall-clock time in `zone`: when a daily report falls due. */
export const tomorrowAt = (zone: string, hour: number, minute: number): Date => {
  const today = wallClockAt(new Date(), zone);
  const tomorrow = new Date(Date.UTC(today.year, today.month - 1, today.day + 1));
  return wallClockToInstant(
    {
      year: tomorrow.getUTCFullYear(),
      month: tomorrow.getUTCMonth() + 1,
      day: tomorrow.getUTCDate(),
      hour,
      minute,
    },
    zone,
  );
};
