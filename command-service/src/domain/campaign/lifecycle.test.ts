import { describe, expect, it } from 'vitest';
import {
  CancelCampaign,
  CommitLeadImport,
  CreateCampaign,
  PauseCampaign,
  ResumeCampaign,
  ScheduleCallbackDial,
  ScheduleCampaign,
  StageLeads,
  UpdateCampaign,
} from '@ccp/schemas';
import { fold } from '../decider.js';
import { DeciderSpecification, command, refusedWith } from '../testing.js';
import { campaignDecider } from './decider.js';
import { created, imported, key, lead, running, scheduled, settings, staged, started } from './fixtures.js';
import { leadOf, type CampaignEvent } from './state.js';

const given = DeciderSpecification.for(campaignDecider);
const system = { actor: { kind: 'system', id: 'platform' } } as const;

describe('CreateCampaign', () => {
  it('creates a draft of kind leads', () =>
    given([])
      .when(command(CreateCampaign, { ...key, ...settings }))
      .then([created]));

  it('refuses a campaign that exists', () =>
    given([created])
      .when(command(CreateCampaign, { ...key, ...settings }))
      .thenThrows(refusedWith('CAMPAIGN_EXISTS', 'campaignId')));

  it('needs the agent that talks', () => {
    const { agentId: _agentId, ...noAgent } = settings;
    given([])
      .when(command(CreateCampaign, { ...key, ...noAgent }))
      .thenThrows(refusedWith('AGENT_REQUIRED', 'agentId'));
  });

  it('refuses an end date before the start date', () =>
    given([])
      .when(command(CreateCampaign, { ...key, ...settings, endDate: '2026-03-01' }))
      .thenThrows(refusedWith('END_BEFORE_START', 'endDate')));

  it('refuses a window outside the legal floor, naming it', () =>
    given([])
      .when(
        command(CreateCampaign, {
          ...key,
          ...settings,
          windows: [settings.windows[0]!, { days: ['sat'], start: 7 * 60, end: 10 * 60 }],
        }),
      )
      .thenThrows(refusedWith('WINDOW_OUTSIDE_LEGAL_HOURS', 'windows.1')));

  it('refuses a window crossing midnight (the default floor ends at 21:00)', () =>
    given([])
      .when(
        command(CreateCampaign, { ...key, ...settings, windows: [{ days: ['fri'], start: 1200, end: 60 }] }),
      )
      .thenThrows(refusedWith('WINDOW_OUTSIDE_LEGAL_HOURS', 'windows.0')));

  it('refuses a start date gone in the campaign’s zone, and takes today there', () => {
    // TEST_NOW is 2026-03-02T10:00Z: still March 2 in New York, already March 2 in Tokyo.
    given([])
      .when(command(CreateCampaign, { ...key, ...settings, startDate: '2026-03-01' }))
      .thenThrows(refusedWith('START_DATE_IN_PAST', 'startDate'));
    given([])
      .when(
        command(
          CreateCampaign,
          { ...key, ...settings, startDate: '2026-03-01' },
          { now: new Date('2026-03-02T04:00:00Z') },
        ),
      )
      .then([{ type: 'CampaignCreated', data: { kind: 'leads', ...settings, startDate: '2026-03-01' } }]);
  });
});

describe('UpdateCampaign', () => {
  const update = (revision: number, changes: object) =>
    command(UpdateCampaign, { ...key, revision, changes });

  it('records only what changes, with the next revision', () =>
    given([created])
      .when(update(1, { name: settings.name, pacing: { ...settings.pacing, callsPerSecond: 2 } }))
      .then([
        {
          type: 'CampaignUpdated',
          data: { changes: { pacing: { ...settings.pacing, callsPerSecond: 2 } }, revision: 2 },
        },
      ]));

  it('restating the settings stores nothing', () =>
    given([created])
      .when(update(1, { name: settings.name }))
      .thenNothingHappened());

  it('refuses an edit made on an older revision (409)', () =>
    given([created, { type: 'CampaignUpdated', data: { changes: { name: 'Other' }, revision: 2 } }])
      .when(update(1, { name: 'Mine' }))
      .thenThrows(refusedWith('CAMPAIGN_CHANGED', 'revision')));

  it('while running, changes only what applies to the next dial', () => {
    given(running)
      .when(update(1, { holidays: ['2026-03-10'] }))
      .then([{ type: 'CampaignUpdated', data: { changes: { holidays: ['2026-03-10'] }, revision: 2 } }]);
    given(running)
      .when(update(1, { holidays: ['2026-03-10'], agentId: 'bob' }))
      .thenThrows(refusedWith('CAMPAIGN_RUNNING', 'changes.agentId'));
  });

  it('checks the windows against the legal floor', () =>
    given(running)
      .when(update(1, { windows: [{ days: ['mon'], start: 20 * 60, end: 22 * 60 }] }))
      .thenThrows(refusedWith('WINDOW_OUTSIDE_LEGAL_HOURS', 'windows.0')));

  it('refuses to edit a cancelled campaign', () =>
    given([...running, { type: 'CampaignCancelled', data: { reason: 'done' } }])
      .when(update(1, { holidays: [] }))
      .thenThrows(refusedWith('CAMPAIGN_ENDED')));

  it('refuses a campaign that does not exist', () =>
    given([])
      .when(update(1, { name: 'x' }))
      .thenThrows(refusedWith('CAMPAIGN_NOT_FOUND', 'campaignId')));
});

describe('ScheduleCampaign, PauseCampaign, ResumeCampaign, CancelCampaign', () => {
  it('schedules a draft with committed leads, once', () => {
    given([created, staged([lead(1)]), imported(1)])
      .when(command(ScheduleCampaign, key))
      .then([scheduled]);
    given([created, staged([lead(1)]), imported(1), scheduled])
      .when(command(ScheduleCampaign, key))
      .thenNothingHappened();
  });

  it('refuses a draft whose leads are only staged', () =>
    given([created, staged([lead(1)])])
      .when(command(ScheduleCampaign, key))
      .thenThrows(refusedWith('NO_LEADS')));

  it('refuses to schedule a running campaign', () =>
    given(running).when(command(ScheduleCampaign, key)).thenThrows(refusedWith('CAMPAIGN_NOT_DRAFT')));

  it('pauses, saying whether a person or the platform did', () => {
    given(running)
      .when(command(PauseCampaign, { ...key, reason: 'agent training' }))
      .then([{ type: 'CampaignPaused', data: { reason: 'agent training', by: 'person' } }]);
    given(running)
      .when(command(PauseCampaign, { ...key, reason: 'usage cap reached' }, system))
      .then([{ type: 'CampaignPaused', data: { reason: 'usage cap reached', by: 'platform' } }]);
  });

  const paused: CampaignEvent = { type: 'CampaignPaused', data: { by: 'person' } };

  it('pausing twice is one pause; a draft cannot be paused', () => {
    given([...running, paused])
      .when(command(PauseCampaign, key))
      .thenNothingHappened();
    given([created]).when(command(PauseCampaign, key)).thenThrows(refusedWith('CAMPAIGN_NOT_RUNNING'));
  });

  it('resumes a paused campaign; resuming a running one changes nothing', () => {
    given([...running, paused])
      .when(command(ResumeCampaign, key))
      .then([{ type: 'CampaignResumed', data: {} }]);
    given(running).when(command(ResumeCampaign, key)).thenNothingHappened();
    given([created]).when(command(ResumeCampaign, key)).thenThrows(refusedWith('CAMPAIGN_NOT_PAUSED'));
  });

  it('a campaign paused before its start resumes as scheduled', () => {
    const resumed: CampaignEvent = { type: 'CampaignResumed', data: {} };
    const events = [created, staged([lead(1)]), imported(1), scheduled, paused, resumed];
    expect(fold(campaignDecider, events).status).toBe('scheduled');
    expect(fold(campaignDecider, [...running, paused, resumed]).status).toBe('running');
  });

  it('cancels once; an ended campaign stays ended', () => {
    const cancelled = { type: 'CampaignCancelled', data: { reason: 'budget' } } as const;
    given(running)
      .when(command(CancelCampaign, { ...key, reason: 'budget' }))
      .then([cancelled]);
    given([...running, cancelled])
      .when(command(CancelCampaign, { ...key, reason: 'again' }))
      .thenNothingHappened();
    given([...running, { type: 'CampaignCompleted', data: { reason: 'all_leads_done' } }])
      .when(command(CancelCampaign, { ...key, reason: 'late' }))
      .thenThrows(refusedWith('CAMPAIGN_ENDED'));
  });
});

describe('StageLeads and CommitLeadImport', () => {
  const stage = (chunk: number, leads = [lead(chunk)], importId = 'imp-1') =>
    command(StageLeads, { ...key, importId, chunk, leads });
  const commit = (chunks: number, importId = 'imp-1') =>
    command(CommitLeadImport, {
      ...key,
      importId,
      chunks,
      rows: chunks,
      skippedDoNotCall: 1,
      source: 'csv',
      fileName: 'leads.csv',
    });

  it('stages a chunk once', () => {
    given([created])
      .when(stage(0))
      .then([staged([lead(0)])]);
    given([created, staged([lead(0)])])
      .when(stage(0))
      .thenNothingHappened();
  });

  it('refuses staging into a campaign that does not exist or has ended', () => {
    given([]).when(stage(0)).thenThrows(refusedWith('CAMPAIGN_NOT_FOUND'));
    given([...running, { type: 'CampaignCancelled', data: { reason: 'x' } }])
      .when(stage(0))
      .thenThrows(refusedWith('CAMPAIGN_ENDED'));
  });

  it('commits an import whose chunks are all staged, once', () => {
    const events = [created, staged([lead(0)], 0), staged([lead(1)], 1)];
    given(events)
      .when(commit(2))
      .then([
        {
          type: 'LeadsImported',
          data: {
            importId: 'imp-1',
            rows: 2,
            added: 2,
            merged: 0,
            skippedDoNotCall: 1,
            source: 'csv',
            fileName: 'leads.csv',
          },
        },
      ]);
    given([...events, imported(2)])
      .when(commit(2))
      .thenNothingHappened();
    // Staged again after the commit: a retried request, already in; a new chunk is refused.
    given([...events, imported(2)])
      .when(stage(1))
      .thenNothingHappened();
    given([...events, imported(2)])
      .when(stage(2))
      .thenThrows(refusedWith('IMPORT_COMMITTED'));
  });

  it('refuses an import with a chunk missing', () =>
    given([created, staged([lead(1)], 1)])
      .when(commit(2))
      .thenThrows(refusedWith('IMPORT_INCOMPLETE', 'chunks')));

  it('merges rows whose number or id the campaign has, the later row winning', () => {
    const first = [
      created,
      staged([lead(1, { variables: { first_name: 'Ann', plan: 'basic' } })]),
      imported(1),
    ];
    const again = lead(9, {
      phone: lead(1).phone,
      name: 'Ann Lee',
      timeZones: ['America/Chicago'],
      variables: { plan: 'gold' },
    });
    const events = [...first, staged([again, lead(2), lead(2, { language: 'es' })], 0, 'imp-2')];
    given(events)
      .when(commit(1, 'imp-2'))
      .then([
        {
          type: 'LeadsImported',
          data: {
            importId: 'imp-2',
            rows: 1,
            added: 1,
            merged: 2,
            skippedDoNotCall: 1,
            source: 'csv',
            fileName: 'leads.csv',
          },
        },
      ]);
    const state = fold(campaignDecider, [...events, imported(1, 2, 'imp-2')]);
    expect(state.book.size).toBe(2);
    expect(leadOf(state, 'lead-1')?.lead).toEqual({
      ...lead(1),
      name: 'Ann Lee',
      timeZones: ['America/Chicago'],
      variables: { first_name: 'Ann', plan: 'gold' },
    });
    expect(leadOf(state, 'lead-9')).toBeUndefined();
    expect(leadOf(state, 'lead-2')?.lead.language).toBe('es');
  });

  it('adds leads to a running campaign', () =>
    given([...running, staged([lead(3)], 0, 'imp-2')])
      .when(commit(1, 'imp-2'))
      .then([
        {
          type: 'LeadsImported',
          data: {
            importId: 'imp-2',
            rows: 1,
            added: 1,
            merged: 0,
            skippedDoNotCall: 1,
            source: 'csv',
            fileName: 'leads.csv',
          },
        },
      ]));
});

describe('ScheduleCallbackDial', () => {
  const callback = {
    tenantId: 'acme',
    callbackId: 'cb-1',
    kind: 'callback' as const,
    at: '2026-03-02T15:00:00.000Z',
    phone: '+15550300001',
    agentId: 'ava',
    callerId: '+15550100001',
    timeZones: ['America/New_York'],
    country: 'US',
    sourceCallId: 'CA1',
    reason: 'wants a quote',
  };
  const scheduledDial: Extract<CampaignEvent, { type: 'CallbackDialScheduled' }> = {
    type: 'CallbackDialScheduled',
    data: {
      kind: 'callback',
      reason: 'wants a quote',
      lead: {
        leadId: 'cb-1',
        phone: '+15550300001',
        agentId: 'ava',
        callerId: '+15550100001',
        sourceCallId: 'CA1',
        dueAt: '2026-03-02T15:00:00.000Z',
        timeZones: ['America/New_York'],
        country: 'US',
        variables: {},
      },
    },
  };
  const callbacksCreated: CampaignEvent = {
    type: 'CampaignCreated',
    data: {
      kind: 'callbacks',
      name: 'Callbacks',
      callerIds: [],
      startDate: '2026-03-02',
      timeZone: 'UTC',
      windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: 480, end: 1260 }],
      holidays: [],
      retry: {
        busy: { attempts: 2, spacingMinutes: 15 },
        no_answer: { attempts: 2, spacingMinutes: 15 },
        failed: { attempts: 1, spacingMinutes: 15 },
        voicemail: { attempts: 0, spacingMinutes: 15 },
        maxAttempts: 3,
      },
      pacing: { maxConcurrentCalls: 2, callsPerSecond: 0.2, inboundReserve: 0 },
      voicemail: { action: 'leave_message' },
    },
  };

  it('creates and starts the tenant’s callbacks campaign with the first callback', () =>
    given([])
      .when(command(ScheduleCallbackDial, callback, system))
      .then([callbacksCreated, started, scheduledDial]));

  it('adds later callbacks to it, each once', () => {
    const events = [callbacksCreated, started, scheduledDial];
    given(events)
      .when(command(ScheduleCallbackDial, callback, system))
      .thenNothingHappened();
    given(events)
      .when(command(ScheduleCallbackDial, { ...callback, callbackId: 'cb-2' }, system))
      .then([
        {
          ...scheduledDial,
          data: { ...scheduledDial.data, lead: { ...scheduledDial.data.lead, leadId: 'cb-2' } },
        },
      ]);
  });

  it('never lets the callbacks campaign be cancelled', () =>
    given([callbacksCreated, started])
      .when(command(CancelCampaign, { ...key, campaignId: 'callbacks', reason: 'x' }))
      .thenThrows(refusedWith('CALLBACKS_CAMPAIGN_PERMANENT')));
});
