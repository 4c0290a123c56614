import { describe, expect, it } from 'vitest';
import { DEFAULT_PACING, DEFAULT_RETRY_POLICY, type Lead } from '@ccp/schemas';
import type { CampaignEvent } from '@ccp/command-service';
import { attemptsIn, campaignOfStream, emptyView, evolveView, leadIn } from './campaign-view.js';

const AT = '2026-03-02T15:00:00.000Z';
const lead = (leadId: string, phone: string, extra: Partial<Lead> = {}): Lead => ({
  leadId,
  phone,
  timeZones: [],
  variables: {},
  ...extra,
});
const created: CampaignEvent = {
  type: 'CampaignCreated',
  data: {
    kind: 'leads',
    name: 'Spring recall',
    agentId: 'lucas',
    callerIds: ['+15550100001'],
    startDate: '2026-03-02',
    timeZone: 'America/New_York',
    windows: [{ days: ['mon'], start: 540, end: 1020 }],
    holidays: [],
    retry: DEFAULT_RETRY_POLICY,
    pacing: DEFAULT_PACING,
    voicemail: { action: 'hang_up' },
  },
};

const fold = (events: readonly CampaignEvent[], at = AT) => {
  const view = emptyView('demo', 'spring');
  for (const event of events) evolveView(view, event, at);
  return view;
};

describe("the dialer's campaign view", () => {
  it('counts staged leads only once their import is committed, merging a number imported again', () => {
    const staged = fold([
      created,
      {
        type: 'LeadsStaged',
        data: {
          importId: 'i1',
          chunk: 0,
          leads: [lead('l1', '+15550000001', { name: 'Ana', variables: { plan: 'Gold', city: 'NY' } })],
        },
      },
    ]);
    expect(leadIn(staged, 'l1')).toBeUndefined();
    const view = fold([
      created,
      {
        type: 'LeadsStaged',
        data: {
          importId: 'i1',
          chunk: 0,
          leads: [lead('l1', '+15550000001', { name: 'Ana', variables: { plan: 'Gold', city: 'NY' } })],
        },
      },
      {
        type: 'LeadsImported',
        data: { importId: 'i1', rows: 1, added: 1, merged: 0, skippedDoNotCall: 0, source: 'json' },
      },
      {
        type: 'LeadsStaged',
        data: {
          importId: 'i2',
          chunk: 0,
          leads: [lead('l1', '+15550000001', { variables: { plan: 'Platinum' } })],
        },
      },
      {
        type: 'LeadsImported',
        data: { importId: 'i2', rows: 1, added: 0, merged: 1, skippedDoNotCall: 0, source: 'csv' },
      },
    ]);
    expect(leadIn(view, 'l1')).toMatchObject({
      leadId: 'l1',
      phone: '+15550000001',
      name: 'Ana',
      variables: { plan: 'Platinum', city: 'NY' },
    });
  });

  it('keeps when each active attempt started, beside the decider’s state, and forgets it once ended', () => {
    const imported: CampaignEvent[] = [
      created,
      {
        type: 'LeadsStaged',
        data: { importId: 'i1', chunk: 0, leads: [lead('l1', '+15550000001'), lead('l2', '+15550000002')] },
      },
      {
        type: 'LeadsImported',
        data: { importId: 'i1', rows: 2, added: 2, merged: 0, skippedDoNotCall: 0, source: 'json' },
      },
      { type: 'CampaignScheduled', data: {} },
      { type: 'CampaignStarted', data: {} },
    ];
    const view = fold(imported);
    const started = (attemptId: string, leadId: string, at: string) =>
      evolveView(
        view,
        {
          type: 'DialStarted',
          data: { attemptId, leadId, attempt: 1, callerId: '+15550100001', leaseUntil: AT },
        },
        at,
      );
    started('l1-a1', 'l1', '2026-03-02T15:00:01.000Z');
    started('l2-a1', 'l2', '2026-03-02T15:00:02.000Z');
    evolveView(view, { type: 'DialPlaced', data: { attemptId: 'l1-a1', callId: 'CA1' } }, AT);
    evolveView(
      view,
      { type: 'DialEnded', data: { attemptId: 'l2-a1', leadId: 'l2', attempt: 1, outcome: 'busy' } },
      AT,
    );
    evolveView(view, { type: 'CampaignPaused', data: { by: 'platform', reason: 'usage cap reached' } }, AT);
    expect(view.state.status).toBe('paused');
    expect(attemptsIn(view)).toEqual([
      expect.objectContaining({
        attemptId: 'l1-a1',
        leadId: 'l1',
        callId: 'CA1',
        startedAt: '2026-03-02T15:00:01.000Z',
      }),
    ]);
    expect(view.startedAt.has('l2-a1')).toBe(false);
  });

  it('reads tenant and campaign from a campaign stream name only', () => {
    expect(campaignOfStream('campaign-demo.spring-recall')).toEqual({
      tenantId: 'demo',
      campaignId: 'spring-recall',
    });
    expect(campaignOfStream('call-demo.CA1')).toBeUndefined();
    expect(campaignOfStream('campaigns-demo.x')).toBeUndefined();
  });
});
