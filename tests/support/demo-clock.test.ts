import { describe, expect, it } from 'vitest';
import { localDay, withinOneLocalDay } from './demo-clock.js';

const NEW_YORK = 'America/New_York';

/** A clock that moves only when the code under test waits. */
const steppedClock = (start: string) => {
  let at = new Date(start).getTime();
  const waited: number[] = [];
  return {
    waited,
    now: () => new Date(at),
    wait: (ms: number) => {
      waited.push(ms);
      at += ms;
      return Promise.resolve();
    },
  };
};

describe('localDay', () => {
  it('is the calendar day in the time zone, not in UTC', () => {
    // 02:30 UTC on the 15th is 21:30 on the 14th in New York (EST).
    expect(localDay(NEW_YORK, new Date('2026-12-15T02:30:00Z'))).toBe('2026-12-14');
    expect(localDay(NEW_YORK, new Date('2026-12-15T05:00:00Z'))).toBe('2026-12-15');
  });
});

describe('withinOneLocalDay', () => {
  it('answers at once when the time needed ends before local midnight', async () => {
    const clock = steppedClock('2026-12-14T12:00:00-05:00');
    expect(await withinOneLocalDay(NEW_YORK, 5 * 60_000, clock)).toBe('2026-12-14');
    expect(clock.waited).toEqual([]);
  });

  it('waits for the new local day when midnight comes sooner than the time needed', async () => {
    const clock = steppedClock('2026-12-14T23:58:00-05:00');
    expect(await withinOneLocalDay(NEW_YORK, 5 * 60_000, clock)).toBe('2026-12-15');
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(new Date('2026-12-15T00:00:00-05:00').getTime());
    expect(clock.waited).toHaveLength(120);
  });
});
