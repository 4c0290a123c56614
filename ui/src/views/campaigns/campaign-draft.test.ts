import { describe, expect, it } from 'vitest';
import type { CampaignDetail } from '../../api/campaigns';
import { blankDraft, changesOf, draftOf, minutesOf, settingsOf, timeOf } from './campaign-draft';

const campaign: CampaignDetail = {
  campaignId: 'spring',
  kind: 'leads',
  status: 'running',
  revision: 3,
  name: 'Spring',
  agentId: 'sofia',
  callerIds: ['+15550100001'],
  startDate: '2026-12-01',
  timeZone: 'America/New_York',
  windows: [{ days: ['mon', 'tue'], start: 1320, end: 1440 }],
  holidays: ['2026-12-25'],
  retry: {
    busy: { attempts: 2, spacingMinutes: 30 },
    no_answer: { attempts: 2, spacingMinutes: 240 },
    failed: { attempts: 1, spacingMinutes: 60 },
    voicemail: { attempts: 1, spacingMinutes: 1440 },
    maxAttempts: 4,
  },
  pacing: { maxConcurrentCalls: 5, callsPerSecond: 1, inboundReserve: 1 },
  voicemail: { action: 'hang_up' },
};

describe('the campaign editor draft', () => {
  it('reads times of day as minutes, a window ending at 00:00 ending at midnight', () => {
    expect(minutesOf('09:30', false)).toBe(570);
    expect(minutesOf('00:00', false)).toBe(0);
    expect(minutesOf('00:00', true)).toBe(1440);
    expect(minutesOf('nine', false)).toBeNaN();
    expect(timeOf(570)).toBe('09:30');
    expect(timeOf(1440)).toBe('00:00');
  });

  it('gives back the settings it was read from', () => {
    const { campaignId: _id, kind: _kind, status: _status, revision: _revision, ...settings } = campaign;
    expect(settingsOf(draftOf(campaign))).toEqual(settings);
  });

  it('sends only what changed, and while running only what may change', () => {
    const draft = draftOf(campaign);
    draft.name = 'Renamed';
    draft.maxConcurrentCalls = '2';
    draft.windows.push({ days: ['sat'], from: '22:00', to: '02:00' });
    expect(changesOf(draft, campaign, false)).toEqual({
      name: 'Renamed',
      windows: [
        { days: ['mon', 'tue'], start: 1320, end: 1440 },
        { days: ['sat'], start: 1320, end: 120 },
      ],
      pacing: { maxConcurrentCalls: 2, callsPerSecond: 1, inboundReserve: 1 },
    });
    expect(Object.keys(changesOf(draft, campaign, true)).sort()).toEqual(['pacing', 'windows']);
  });

  it('leaves out what is empty and the message of a machine the campaign hangs up on', () => {
    const draft = blankDraft();
    draft.voicemailMessage = 'Hi {{first_name}}';
    const settings = settingsOf(draft);
    expect(settings).not.toHaveProperty('agentId');
    expect(settings).not.toHaveProperty('endDate');
    expect(settings.voicemail).toEqual({ action: 'hang_up' });
    draft.voicemailAction = 'leave_message';
    expect(settingsOf(draft).voicemail).toEqual({ action: 'leave_message', message: 'Hi {{first_name}}' });
  });
});
