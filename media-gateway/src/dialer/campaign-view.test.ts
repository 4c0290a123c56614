import { describe, expect, it } from 'vitest';
import { DEFAULT_PACING, DEFAULT_RETRY_POLICY, type Lead } from '@ccp/schemas';
import { campaignOfStream, emptyView, evolveView, type CampaignEvent } from './campaign-view.js';

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

const fold = (events: readonly CampaignEvent[]) => {
  const view = emptyView('demo', 'spring');
  for (const event of events) evolveView(view, event, AT);
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
    expect(staged.leads.size).toBe(0);
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
    expect(view.leads.get('l1')).toEqual({
      leadId: 'l1',
      phone: '+15550000001',
      name: 'Ana',
      variables: { plan: 'Platinum', city: 'NY' },
    });
    expect(view.staged.size).toBe(0);
  });

  it('follows attempts from start to placement to end, and the campaign through its lifecycle', () => {
    const view = fold([
      created,
      { type: 'CampaignScheduled', data: {} },
      { type: 'CampaignStarted', data: {} },
      {
        type: 'DialStarted',
        data: { attemptId: 'l1-a1', leadId: 'l1', attempt: 1, callerId: '+15550100001', leaseUntil: AT },
      },
      {
        type: 'DialStarted',
        data: { attemptId: 'l2-a1', leadId: 'l2', attempt: 1, callerId: '+15550100001', leaseUntil: AT },
      },
      { type: 'DialPlaced', data: { attemptId: 'l1-a1', callId: 'CA1' } },
      { type: 'DialEnded', data: { attemptId: 'l2-a1', leadId: 'l2', attempt: 1, outcome: 'busy' } },
      { type: 'CampaignPaused', data: { by: 'platform', reason: 'usage cap reached' } },
    ]);
    expect(view.status).toBe('paused');
    expect([...view.active.values()]).toEqual([
      {
        attemptId: 'l1-a1',
        leadId: 'l1',
        attempt: 1,
        callerId: '+15550100001',
        leaseUntil: AT,
        startedAt: AT,
        callId: 'CA1',
      },
    ]);
    expect(view.ended.has('l2-a1')).toBe(true);
    evolveView(
      view,
      {
        type: 'CampaignUpdated',
        data: {
          revision: 2,
          changes: { voicemail: { action: 'leave_message', message: 'Hi {{first_name}}' } },
        },
      },
      AT,
    );
    expect(view.settings?.voicemail).toEqual({ action: 'leave_message', message: 'Hi {{first_name}}' });
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
