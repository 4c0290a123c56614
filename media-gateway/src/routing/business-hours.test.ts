import { describe, expect, it } from 'vitest';
import type { BusinessHours } from '@ccp/schemas';
import { nextOpening } from './business-hours.js';

const NY = 'America/New_York';
// The demo clinic: weekdays 08:00-18:00, Saturday 09:00-13:00, closed on Sunday.
const hours: BusinessHours = {
  weekly: [
    ...(['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, open: '08:00', close: '18:00' })),
    { day: 'sat', open: '09:00', close: '13:00' },
  ],
};

describe('nextOpening: when the hours open next, in their time zone', () => {
  it('is now while open', () => {
    const noon = new Date('2026-12-14T17:00:00Z'); // Monday 12:00 EST
    expect(nextOpening(hours, NY, noon)).toEqual(noon);
  });

  it('is the next morning at night', () => {
    // Monday 23:00 EST → Tuesday 08:00 EST.
    expect(nextOpening(hours, NY, new Date('2026-12-15T04:00:00Z'))?.toISOString()).toBe(
      '2026-12-15T13:00:00.000Z',
    );
  });

  it('skips a closed Sunday to Monday', () => {
    // Sunday 09:00 EST → Monday 08:00 EST.
    expect(nextOpening(hours, NY, new Date('2026-12-13T14:00:00Z'))?.toISOString()).toBe(
      '2026-12-14T13:00:00.000Z',
    );
  });

  it('takes the offset of the day it opens, across a DST change', () => {
    // Sunday March 8 2026 09:00 EDT (clocks went forward that night) → Monday 08:00 EDT = 12:00 UTC.
    expect(nextOpening(hours, NY, new Date('2026-03-08T13:00:00Z'))?.toISOString()).toBe(
      '2026-03-09T12:00:00.000Z',
    );
  });

  it('is undefined for hours that never open', () => {
    expect(nextOpening({ weekly: [] }, NY, new Date('2026-12-13T14:00:00Z'))).toBeUndefined();
  });
});
