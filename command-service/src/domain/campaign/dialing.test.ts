import { describe, expect, it } from 'vitest';
import { AdvanceCampaign, RecordDialOutcome, RecordDialPlacement, type DialOutcome } from '@ccp/schemas';
import { fold } from '../decider.js';
import { DeciderSpecification, command, refusedWith } from '../testing.js';
import { campaignDecider } from './decider.js';
import { attemptIdOf } from './dialing.js';
import { created, imported, key, lead, running, scheduled, settings, staged, started } from './fixtures.js';
import { activeAttempts, leadOf, type CampaignEvent } from './state.js';

const given = DeciderSpecification.for(campaignDecider);
const system = { actor: { kind: 'system', id: 'platform' } } as const;
// Monday 2026-03-02 10:00 in New York (EST): inside the 09:00–17:00 window.
const OPEN = '2026-03-02T15:00:00.000Z';
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const advance = (now: string, capacity = 10, leaseSeconds = 120) =>
  command(AdvanceCampaign, { ...key, capacity, leaseSeconds }, { ...system, now: new Date(now) });
const outcome = (attemptId: string, result: DialOutcome, now = plus(OPEN, 60_000), callId?: string) =>
  command(
    RecordDialOutcome,
    { ...key, attemptId, outcome: result, ...(callId ? { callId } : {}) },
    { ...system, now: new Date(now) },
  );
const dialStarted = (n: number, callerId: string, now = OPEN, attempt = 1, pacedAt = now): CampaignEvent => ({
  type: 'DialStarted',
  data: {
    attemptId: `lead-${n}-a${attempt}`,
    leadId: `lead-${n}`,
    attempt,
    callerId,
    leaseUntil: plus(now, 120_000),
    pacedAt,
  },
});
const [CALLER_A, CALLER_B] = settings.callerIds as [string, string];

describe('AdvanceCampaign', () => {
  it('starts a scheduled campaign on its date and dials the first lead', () =>
    given([created, staged([lead(1), lead(2)]), imported(2), scheduled])
      .when(advance(OPEN))
      .then([started, dialStarted(1, CALLER_A)]));

  it('waits for the start date in the campaign’s zone', () => {
    const later = {
      type: 'CampaignUpdated',
      data: { changes: { startDate: '2026-03-03' }, revision: 2 },
    } as const;
    given([created, later, staged([lead(1)]), imported(1), scheduled])
      .when(advance(OPEN))
      .thenNothingHappened();
    // 2026-03-03T04:00Z is still March 2 in New York.
    given([created, later, staged([lead(1)]), imported(1), scheduled])
      .when(advance('2026-03-03T04:00:00.000Z'))
      .thenNothingHappened();
  });

  it('dials nobody outside the windows (08:00 in New York)', () =>
    given(running).when(advance('2026-03-02T13:00:00.000Z')).thenNothingHappened());

  it('paces: one call per second at 1/s, the next second the next lead from the next caller ID', () => {
    const first = [...running, dialStarted(1, CALLER_A)];
    given(first)
      .when(advance(plus(OPEN, 500)))
      .thenNothingHappened();
    given(first)
      .when(advance(plus(OPEN, 1000)))
      .then([dialStarted(2, CALLER_B, plus(OPEN, 1000))]);
  });

  it('at 2 calls/s a long tick dials a second’s worth at most (2), slots half a second apart', () => {
    const fast = {
      type: 'CampaignUpdated',
      data: {
        changes: { pacing: { ...settings.pacing, maxConcurrentCalls: 5, callsPerSecond: 2 } },
        revision: 2,
      },
    } as const;
    const events = [
      ...running.slice(0, 2),
      staged([lead(1), lead(2), lead(3), lead(4)]),
      imported(4),
      scheduled,
      started,
      fast,
    ];
    const now = plus(OPEN, 30_000);
    given([
      ...events.filter((e) => e.type !== 'LeadsStaged' || e.data.leads.length === 4),
      dialStarted(1, CALLER_A),
    ])
      .when(advance(now))
      .then([
        dialStarted(2, CALLER_B, now, 1, plus(now, -999)),
        dialStarted(3, CALLER_A, now, 1, plus(now, -499)),
      ]);
  });

  it('never exceeds the concurrent calls, nor the dialer’s capacity', () => {
    const three = [created, staged([lead(1), lead(2), lead(3)]), imported(3), scheduled, started];
    const two = [...three, dialStarted(1, CALLER_A), dialStarted(2, CALLER_B, plus(OPEN, 1000))];
    given(two)
      .when(advance(plus(OPEN, 5000)))
      .thenNothingHappened();
    given(three).when(advance(OPEN, 0)).thenNothingHappened();
  });

  it('expires an overdue dial as failed, retried by the failed rule, and frees its line', () => {
    const now = plus(OPEN, 121_000);
    given([...running, dialStarted(1, CALLER_A)])
      .when(advance(now))
      .then([
        {
          type: 'DialEnded',
          data: {
            attemptId: 'lead-1-a1',
            leadId: 'lead-1',
            attempt: 1,
            outcome: 'lease_expired',
            retryAt: plus(now, 3_600_000),
          },
        },
        dialStarted(2, CALLER_B, now, 1, plus(now, -999)),
      ]);
  });

  it('a paused campaign only expires leases', () => {
    const paused = { type: 'CampaignPaused', data: { by: 'person' } } as const;
    given([...running, paused])
      .when(advance(OPEN))
      .thenNothingHappened();
    const now = plus(OPEN, 121_000);
    given([...running, dialStarted(1, CALLER_A), paused])
      .when(advance(now))
      .then([
        {
          type: 'DialEnded',
          data: {
            attemptId: 'lead-1-a1',
            leadId: 'lead-1',
            attempt: 1,
            outcome: 'lease_expired',
            retryAt: plus(now, 3_600_000),
          },
        },
      ]);
  });

  it('completes when every lead is done, and after its end date', () => {
    const answered = (n: number): CampaignEvent => ({
      type: 'DialEnded',
      data: { attemptId: `lead-${n}-a1`, leadId: `lead-${n}`, attempt: 1, outcome: 'answered' },
    });
    given([...running, dialStarted(1, CALLER_A), answered(1), dialStarted(2, CALLER_B), answered(2)])
      .when(advance(plus(OPEN, 5000)))
      .then([{ type: 'CampaignCompleted', data: { reason: 'all_leads_done' } }]);
    // April 1 in New York: the end date (March 31) is over.
    given(running)
      .when(advance('2026-04-01T14:00:00.000Z'))
      .then([{ type: 'CampaignCompleted', data: { reason: 'end_date_passed' } }]);
  });

  it('keeps a lead waiting for its retry', () => {
    const busy: CampaignEvent = {
      type: 'DialEnded',
      data: {
        attemptId: 'lead-1-a1',
        leadId: 'lead-1',
        attempt: 1,
        outcome: 'busy',
        retryAt: plus(OPEN, 1_800_000),
      },
    };
    const events = [
      created,
      staged([lead(1)]),
      imported(1),
      scheduled,
      started,
      dialStarted(1, CALLER_A),
      busy,
    ];
    given(events)
      .when(advance(plus(OPEN, 60_000)))
      .thenNothingHappened();
    given(events)
      .when(advance(plus(OPEN, 1_800_000)))
      .then([dialStarted(1, CALLER_B, plus(OPEN, 1_800_000), 2, plus(OPEN, 1_800_000 - 999))]);
  });

  it('dials callbacks by due time, each from its own number', () => {
    const callback = (id: string, dueAt: string): CampaignEvent => ({
      type: 'CallbackDialScheduled',
      data: {
        kind: 'callback',
        reason: 'asked',
        lead: {
          ...lead(0),
          leadId: id,
          dueAt,
          callerId: '+15550100009',
          agentId: 'ava',
          timeZones: ['America/New_York'],
        },
      },
    });
    const cbCreated: CampaignEvent = {
      type: 'CampaignCreated',
      data: {
        kind: 'callbacks',
        ...settings,
        agentId: undefined,
        callerIds: [],
        pacing: { ...settings.pacing, callsPerSecond: 5 },
      },
    };
    const events = [
      cbCreated,
      started,
      callback('late', plus(OPEN, -60_000)),
      callback('early', plus(OPEN, -120_000)),
      callback('future', plus(OPEN, 60_000)),
    ];
    const first = campaignDecider.decide(advance(OPEN), fold(campaignDecider, events));
    // The first dial ever takes one slot; a second later the pacing (5/s) and concurrency (2) allow the next.
    const later = fold(campaignDecider, [...events, ...first]);
    const second = campaignDecider.decide(advance(plus(OPEN, 1000)), later);
    expect(
      [...first, ...second].map((e) =>
        e.type === 'DialStarted' ? [e.data.leadId, e.data.callerId] : e.type,
      ),
    ).toEqual([
      ['early', '+15550100009'],
      ['late', '+15550100009'],
    ]);
  });

  it('keeps attempt ids within 80 characters for long lead ids, and unique', () => {
    const long = 'x'.repeat(80);
    expect(attemptIdOf(long, 12).length).toBeLessThanOrEqual(80);
    expect(attemptIdOf(long, 12)).toMatch(/^x{64}-[0-9a-f]{8}-a12$/);
    expect(attemptIdOf(long, 1)).not.toBe(attemptIdOf(`${'x'.repeat(79)}y`, 1));
    expect(attemptIdOf('lead-1', 2)).toBe('lead-1-a2');
  });
});

describe('RecordDialPlacement', () => {
  const events = [...running, dialStarted(1, CALLER_A)];
  const placement = (attemptId: string, callId = 'CA1') =>
    command(RecordDialPlacement, { ...key, attemptId, callId }, system);

  it('records the call of an attempt once', () => {
    given(events)
      .when(placement('lead-1-a1'))
      .then([{ type: 'DialPlaced', data: { attemptId: 'lead-1-a1', callId: 'CA1' } }]);
    const placed = [
      ...events,
      { type: 'DialPlaced', data: { attemptId: 'lead-1-a1', callId: 'CA1' } } as const,
    ];
    given(placed).when(placement('lead-1-a1')).thenNothingHappened();
    given(placed).when(placement('lead-1-a1', 'CA2')).thenThrows(refusedWith('ATTEMPT_ALREADY_PLACED'));
  });

  it('refuses an unknown attempt', () =>
    given(events).when(placement('nope')).thenThrows(refusedWith('ATTEMPT_NOT_FOUND', 'attemptId')));
});

describe('RecordDialOutcome', () => {
  const events = [...running, dialStarted(1, CALLER_A)];
  const ended = (result: DialOutcome, extra: object = {}): CampaignEvent => ({
    type: 'DialEnded',
    data: { attemptId: 'lead-1-a1', leadId: 'lead-1', attempt: 1, outcome: result, ...extra },
  });
  const at = plus(OPEN, 60_000);

  it('answered and do_not_call end the lead', () => {
    given(events)
      .when(outcome('lead-1-a1', 'answered', at, 'CA1'))
      .then([ended('answered', { callId: 'CA1' })]);
    given(events)
      .when(outcome('lead-1-a1', 'do_not_call', at))
      .then([ended('do_not_call')]);
    expect(leadOf(fold(campaignDecider, [...events, ended('answered')]), 'lead-1')?.status).toBe('done');
  });

  it('busy, no answer, failed and voicemail are retried after their spacing', () => {
    given(events)
      .when(outcome('lead-1-a1', 'busy', at))
      .then([ended('busy', { retryAt: plus(at, 30 * 60_000) })]);
    given(events)
      .when(outcome('lead-1-a1', 'no_answer', at))
      .then([ended('no_answer', { retryAt: plus(at, 240 * 60_000) })]);
    given(events)
      .when(outcome('lead-1-a1', 'voicemail', at))
      .then([ended('voicemail', { retryAt: plus(at, 1440 * 60_000) })]);
  });

  it('stops when the outcome’s retries are used up', () => {
    const again = [
      ...events,
      ended('no_answer', { retryAt: plus(at, 1000) }),
      dialStarted(1, CALLER_B, plus(at, 1000), 2),
    ];
    given(again)
      .when(outcome('lead-1-a2', 'no_answer', plus(at, 5000)))
      .then([
        {
          type: 'DialEnded',
          data: { attemptId: 'lead-1-a2', leadId: 'lead-1', attempt: 2, outcome: 'no_answer' },
        },
      ]);
  });

  it('stops at the lead’s attempt cap whatever the outcomes', () => {
    const retried = (n: number, result: DialOutcome): CampaignEvent[] => [
      {
        type: 'DialEnded',
        data: {
          attemptId: `lead-1-a${n}`,
          leadId: 'lead-1',
          attempt: n,
          outcome: result,
          retryAt: plus(at, n),
        },
      },
      dialStarted(1, CALLER_A, plus(at, n), n + 1),
    ];
    // busy, then voicemail: the third attempt is the last (maxAttempts 3) although busy has a retry left.
    given([...events, ...retried(1, 'busy'), ...retried(2, 'voicemail')])
      .when(outcome('lead-1-a3', 'busy', plus(at, 10)))
      .then([
        {
          type: 'DialEnded',
          data: { attemptId: 'lead-1-a3', leadId: 'lead-1', attempt: 3, outcome: 'busy' },
        },
      ]);
  });

  it('a dial never placed does not count: the lead is dialled again at once with a new attempt id', () => {
    const notPlaced = [...events, ended('not_placed')];
    given(events)
      .when(outcome('lead-1-a1', 'not_placed', at))
      .then([ended('not_placed')]);
    const state = fold(campaignDecider, notPlaced);
    expect(leadOf(state, 'lead-1')).toMatchObject({ status: 'pending', attempts: 0, dials: 1 });
    expect(activeAttempts(state)).toEqual([]);
    given(notPlaced)
      .when(advance(plus(OPEN, 1000)))
      .then([dialStarted(1, CALLER_B, plus(OPEN, 1000), 2)]);
  });

  it('the first outcome stands', () =>
    given([...events, ended('answered')])
      .when(outcome('lead-1-a1', 'busy', at))
      .thenNothingHappened());

  it('refuses an unknown attempt', () =>
    given(events)
      .when(outcome('lead-9-a1', 'answered', at))
      .thenThrows(refusedWith('ATTEMPT_NOT_FOUND')));

  it('a cancelled campaign retries nobody', () =>
    given([...events, { type: 'CampaignCancelled', data: { reason: 'x' } }])
      .when(outcome('lead-1-a1', 'busy', at))
      .then([ended('busy')]));
});
