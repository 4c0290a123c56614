import type { CampaignSettings, Lead } from '@ccp/schemas';
import type { CampaignEvent } from './state.js';

/** Shared by the campaign specs: a Monday-to-Friday campaign in New York, starting on the test clock's day. */
export const key = { tenantId: 'acme', campaignId: 'spring' } as const;

export const settings: CampaignSettings = {
  name: 'Spring check-ups',
  agentId: 'ava',
  callerIds: ['+15550100001', '+15550100002'],
  startDate: '2026-03-02',
  endDate: '2026-03-31',
  timeZone: 'America/New_York',
  windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: 9 * 60, end: 17 * 60 }],
  holidays: [],
  retry: {
    busy: { attempts: 2, spacingMinutes: 30 },
    no_answer: { attempts: 1, spacingMinutes: 240 },
    failed: { attempts: 1, spacingMinutes: 60 },
    voicemail: { attempts: 1, spacingMinutes: 1440 },
    maxAttempts: 3,
  },
  pacing: { maxConcurrentCalls: 2, callsPerSecond: 1, inboundReserve: 1 },
  voicemail: { action: 'hang_up' },
};

export const lead = (n: number, extra: Partial<Lead> = {}): Lead => ({
  leadId: `lead-${n}`,
  phone: `+1555020${String(n).padStart(4, '0')}`,
  timeZones: [],
  variables: { first_name: `Person ${n}` },
  ...extra,
});

export const created: CampaignEvent = { type: 'CampaignCreated', data: { kind: 'leads', ...settings } };
export const staged = (leads: Lead[], chunk = 0, importId = 'imp-1'): CampaignEvent => ({
  type: 'LeadsStaged',
  data: { importId, chunk, leads },
});
export const imported = (added: number, merged = 0, importId = 'imp-1'): CampaignEvent => ({
  type: 'LeadsImported',
  data: { importId, rows: added + merged, added, merged, skippedDoNotCall: 0, source: 'csv' },
});
export const scheduled: CampaignEvent = { type: 'CampaignScheduled', data: {} };
export const started: CampaignEvent = { type: 'CampaignStarted', data: {} };
/** A campaign running with leads 1 and 2. */
export const running: CampaignEvent[] = [
  created,
  staged([lead(1), lead(2)]),
  imported(2),
  scheduled,
  started,
];
