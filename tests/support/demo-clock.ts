import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Instants a simulated call is placed "as if" at (the signed `DemoAt`, honoured by a platform started with
 * DEMO_CLOCK=true). Fixed, so a test means one hour of the demo clinic's week whatever the real clock says:
 * the clinic (America/New_York) opens weekdays 08:00-18:00 and Saturday 09:00-13:00.
 */
export const MONDAY_NOON_NEW_YORK = '2026-12-14T12:00:00-05:00';
/** Closed: the after-hours agent answers. */
export const SUNDAY_MORNING_NEW_YORK = '2026-12-13T09:00:00-05:00';

/** The calendar day (YYYY-MM-DD) it is at `at` in a time zone: what the live board counts as "today". */
export const localDay = (timeZone: string, at: Date): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    at,
  );

/**
 * "Ended today" is counted from the tenant's local midnight by the real clock of the spawned platform, which a
 * test cannot shift. A check that needs `needMs` within one local day waits, when midnight is nearer than
 * that, until the new day has begun; it returns the day the check runs in.
 */
export const withinOneLocalDay = async (
  timeZone: string,
  needMs: number,
  clock: { now: () => Date; wait: (ms: number) => Promise<unknown> } = {
    now: () => new Date(),
    wait: (ms) => sleep(ms),
  },
): Promise<string> => {
  const today = localDay(timeZone, clock.now());
  if (localDay(timeZone, new Date(clock.now().getTime() + needMs)) === today) return today;
  while (localDay(timeZone, clock.now()) === today) await clock.wait(1_000);
  return localDay(timeZone, clock.now());
};
