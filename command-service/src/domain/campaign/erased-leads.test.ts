import { describe, expect, it } from 'vitest';
import { AdvanceCampaign, EraseCampaignLeads, ERASED, RecordDialOutcome, type Lead } from '@ccp/schemas';
import { fold } from '../decider.js';
import { command } from '../testing.js';
import { campaignDecider } from './decider.js';
import { created, imported, key, lead, scheduled, settings, staged, started } from './fixtures.js';
import { leadOf, type CampaignEvent } from './state.js';

/**
 * A lead whose person was erased reads as ERASED in its chunk (its own key shredded, the campaign's kept): the
 * decider folds the campaign as if that lead had never been staged, so it is never dialled, and a rebuild
 * after the erasure agrees with itself on what is left.
 */
const system = { actor: { kind: 'system', id: 'platform' } } as const;
// Monday 2026-03-02 10:00 in New York: inside the window.
const OPEN = '2026-03-02T15:00:00.000Z';
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const advance = (now: string) =>
  command(AdvanceCampaign, { ...key, capacity: 10, leaseSeconds: 120 }, { ...system, now: new Date(now) });
const erasedChunk = (...leads: (Lead | typeof ERASED)[]): CampaignEvent =>
  // As the event store hands it over once a lead's person was erased: typed as leads, ERASED in its place.
  ({ type: 'LeadsStaged', data: { importId: 'imp-1', chunk: 0, leads: leads as Lead[] } });
const decideAll = (events: CampaignEvent[], now: string) => {
  const state = fold(campaignDecider, events);
  return campaignDecider.decide(advance(now), state);
};

describe('a campaign with an erased lead', () => {
  it('dials only the leads still readable and completes when they are done', () => {
    const history = [created, erasedChunk(ERASED, lead(2)), imported(2), scheduled, started];
    expect(leadOf(fold(campaignDecider, history), 'lead-1')).toBeUndefined();
    const first = decideAll(history, OPEN);
    expect(first.map((e) => (e.type === 'DialStarted' ? e.data.leadId : e.type))).toEqual(['lead-2']);
    const attemptId = first[0]?.type === 'DialStarted' ? first[0].data.attemptId : '';
    const answered = campaignDecider.decide(
      command(
        RecordDialOutcome,
        { ...key, attemptId, outcome: 'answered' },
        { ...system, now: new Date(plus(OPEN, 60_000)) },
      ),
      fold(campaignDecider, [...history, ...first]),
    );
    const after = [...history, ...first, ...answered];
    // Nothing is left to dial: the erased lead neither waits nor keeps the campaign open.
    expect(decideAll(after, plus(OPEN, 120_000))).toEqual([
      { type: 'CampaignCompleted', data: { reason: 'all_leads_done' } },
    ]);
  });

  it('folds the attempts of a lead dialled before its erasure and lets them end', () => {
    const dialled: CampaignEvent = {
      type: 'DialStarted',
      data: {
        attemptId: 'lead-1-a1',
        leadId: 'lead-1',
        attempt: 1,
        callerId: settings.callerIds[0] ?? '',
        leaseUntil: plus(OPEN, 120_000),
        pacedAt: OPEN,
      },
    };
    const history = [created, erasedChunk(ERASED, lead(2)), imported(2), scheduled, started, dialled];
    const state = fold(campaignDecider, history);
    expect(state.active.get('lead-1-a1')?.leadId).toBe('lead-1');
    const ended = campaignDecider.decide(
      command(
        RecordDialOutcome,
        { ...key, attemptId: 'lead-1-a1', outcome: 'busy' },
        { ...system, now: new Date(plus(OPEN, 60_000)) },
      ),
      state,
    );
    // Ended for good: no retry is planned for a lead that is no longer there.
    expect(ended).toMatchObject([{ type: 'DialEnded', data: { leadId: 'lead-1', outcome: 'busy' } }]);
    expect(ended[0]?.type === 'DialEnded' && ended[0].data.retryAt).toBeUndefined();
  });

  it('never dials a callback whose person was erased', () => {
    const cbCreated: CampaignEvent = {
      type: 'CampaignCreated',
      data: { kind: 'callbacks', ...settings, agentId: undefined, callerIds: [] },
    };
    const erasedCallback = {
      type: 'CallbackDialScheduled',
      data: { kind: 'callback', reason: ERASED, lead: ERASED },
    } as unknown as CampaignEvent;
    expect(decideAll([cbCreated, started, erasedCallback], OPEN)).toEqual([]);
  });

  it('forgets the leads of an erased number in a state folded before the erasure, as a fold after it has them', () => {
    const history = [
      created,
      staged([lead(1), lead(2)]),
      imported(2),
      scheduled,
      started,
      // Staged, not yet committed: her row there goes as well.
      staged([lead(3, { phone: lead(1).phone }), lead(4)], 0, 'imp-2'),
    ];
    const forget = command(EraseCampaignLeads, { ...key, phones: [lead(1).phone] }, system);
    const erased = campaignDecider.decide(forget, fold(campaignDecider, history));
    expect(erased).toEqual([{ type: 'CampaignLeadsErased', data: { leadIds: ['lead-1', 'lead-3'] } }]);
    const after = [...history, ...erased];
    expect(leadOf(fold(campaignDecider, after), 'lead-1')).toBeUndefined();
    // Asked again (a resumed erasure): nothing left to forget.
    expect(campaignDecider.decide(forget, fold(campaignDecider, after))).toEqual([]);
    const dialled = decideAll(after, OPEN).map((e) => (e.type === 'DialStarted' ? e.data.leadId : e.type));
    expect(dialled).toEqual(['lead-2']);
    // The later commit adds only the row that is not hers.
    const commit = fold(campaignDecider, [...after, imported(1, 0, 'imp-2')]);
    expect(leadOf(commit, 'lead-3')).toBeUndefined();
    expect(leadOf(commit, 'lead-4')).toBeDefined();
    // Imported again later, the number is a new lead, as it would be in a fold where hers reads ERASED.
    const again = fold(campaignDecider, [
      ...after,
      staged([lead(9, { phone: lead(1).phone })], 0, 'imp-3'),
      imported(1, 0, 'imp-3'),
    ]);
    expect(leadOf(again, 'lead-9')?.lead.phone).toBe(lead(1).phone);
  });
});
