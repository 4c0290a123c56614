import { describe, expect, it } from 'vitest';
import { AdvanceCampaign, LEADS_PER_CHUNK, type Lead } from '@ccp/schemas';
import { fold } from '../decider.js';
import { command } from '../testing.js';
import { campaignDecider } from './decider.js';
import { created, key, scheduled, started } from './fixtures.js';
import { leadOf, type CampaignEvent } from './state.js';

/**
 * The state of a 100,000-lead campaign is folded once and then evolved per event; these bounds are loose (a
 * loaded CI machine) but an evolve that copied the lead map per event, or a tick that asked Intl per lead,
 * misses them by an order of magnitude.
 */
const ZONES = [[], ['America/New_York'], ['America/Los_Angeles', 'America/Denver'], ['Europe/Madrid']];
const chunk = (c: number): Lead[] =>
  Array.from({ length: LEADS_PER_CHUNK }, (_, i) => ({
    leadId: `lead-${c}-${i}`,
    phone: `+1${String(c * LEADS_PER_CHUNK + i).padStart(10, '0')}`,
    timeZones: ZONES[i % ZONES.length]!,
    variables: { first_name: 'Ann' },
  }));
const events: CampaignEvent[] = [created];
for (let c = 0; c < 100; c += 1) {
  events.push({ type: 'LeadsStaged', data: { importId: 'big', chunk: c, leads: chunk(c) } });
}
events.push({
  type: 'LeadsImported',
  data: { importId: 'big', rows: 100_000, added: 100_000, merged: 0, skippedDoNotCall: 0, source: 'csv' },
});

describe('a campaign of 100,000 leads', () => {
  it('folds 100 staged chunks of 1,000 and the commit well under a second', () => {
    fold(campaignDecider, events); // warm-up: the first fold also compiles
    const begin = performance.now();
    const state = fold(campaignDecider, events);
    const elapsed = performance.now() - begin;
    expect(state.book.size).toBe(100_000);
    expect(leadOf(state, 'lead-99-999')?.lead.phone).toBe('+10000099999');
    expect(elapsed).toBeLessThan(1000);
  });

  it('decides a tick over 100,000 pending leads in well under 10 ms, open or closed', () => {
    const state = fold(campaignDecider, [...events, scheduled, started]);
    for (const now of ['2026-03-02T18:00:00Z', '2026-03-03T04:00:00Z']) {
      const tick = command(
        AdvanceCampaign,
        { ...key, capacity: 10, leaseSeconds: 120 },
        { now: new Date(now), actor: { kind: 'system', id: 'platform' } },
      );
      campaignDecider.decide(tick, state);
      const begin = performance.now();
      for (let i = 0; i < 200; i += 1) campaignDecider.decide(tick, state);
      expect((performance.now() - begin) / 200).toBeLessThan(10);
    }
  });
});
