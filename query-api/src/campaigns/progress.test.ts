import { describe, expect, it } from 'vitest';
import { DEFAULT_PACING, DEFAULT_RETRY_POLICY, type CampaignSettings } from '@ccp/schemas';
import { nextWindowOpening } from './progress.js';

const settings: CampaignSettings = {
  name: 'Spring recall',
  agentId: 'sofia',
  callerIds: ['+15550100001'],
  startDate: '2026-03-02',
  timeZone: 'America/New_York',
  windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: 540, end: 1020 }],
  holidays: [],
  retry: DEFAULT_RETRY_POLICY,
  pacing: DEFAULT_PACING,
  voicemail: { action: 'hang_up' },
};

describe('nextWindowOpening', () => {
  it('is the next window in the campaign zone, null while one is open', () => {
    // Saturday 7 March 2026, noon in New York: the next window opens Monday 09:00 (EDT from 8 March).
    const saturday = new Date('2026-03-07T17:00:00Z');
    expect(nextWindowOpening({ status: 'running', settings }, saturday)).toBe('2026-03-09T13:00:00.000Z');
    expect(nextWindowOpening({ status: 'paused', settings }, saturday)).toBe('2026-03-09T13:00:00.000Z');
    // Tuesday 3 March, 10:00 in New York (EST): open now.
    expect(nextWindowOpening({ status: 'running', settings }, new Date('2026-03-03T15:00:00Z'))).toBeNull();
  });

  it('waits for the start date of a scheduled campaign, and is null for one that will not call', () => {
    const before = new Date('2026-02-25T15:00:00Z');
    expect(nextWindowOpening({ status: 'scheduled', settings }, before)).toBe('2026-03-02T14:00:00.000Z');
    for (const status of ['draft', 'completed', 'cancelled'])
      expect(nextWindowOpening({ status, settings }, before), status).toBeNull();
  });
});
