import {
  CALLBACKS_CAMPAIGN,
  EDITABLE_WHILE_RUNNING,
  type CampaignSettings,
  type CommandMetadata,
} from '@ccp/schemas';
import { changedFields, isEmpty } from '../changes.js';
import { DomainError } from '../decider.js';
import { stagedRows } from './evolve.js';
import { addImport, leadIdsWithPhones, orderOf } from './lead-book.js';
import { checkSettings, checkStartNotPast } from './settings-rules.js';
import {
  isEnded,
  type CampaignCommand,
  type CampaignEvent,
  type CampaignState,
  type ExistingCampaign,
} from './state.js';

type Command<T extends CampaignCommand['type']> = Extract<CampaignCommand, { type: T }>;

export const existing = (state: CampaignState): ExistingCampaign => {
  if (state.status === 'none' || state.settings === undefined) {
    throw new DomainError('CAMPAIGN_NOT_FOUND', 'the campaign does not exist', 'campaignId');
  }
  return state as ExistingCampaign;
};

const notEnded = (state: ExistingCampaign): ExistingCampaign => {
  if (isEnded(state.status)) {
    throw new DomainError('CAMPAIGN_ENDED', `the campaign is ${state.status}`, 'campaignId');
  }
  return state;
};

export const createCampaign = (command: Command<'CreateCampaign'>, state: CampaignState): CampaignEvent[] => {
  if (state.status !== 'none') {
    throw new DomainError(
      'CAMPAIGN_EXISTS',
      `campaign ${command.data.campaignId} already exists`,
      'campaignId',
    );
  }
  const { tenantId: _tenantId, campaignId: _campaignId, ...settings } = command.data;
  if (settings.agentId === undefined) {
    throw new DomainError('AGENT_REQUIRED', 'a campaign needs the AI agent that talks', 'agentId');
  }
  checkSettings(settings);
  checkStartNotPast(settings, command.metadata);
  return [{ type: 'CampaignCreated', data: { kind: 'leads', ...settings } }];
};

export const updateCampaign = (command: Command<'UpdateCampaign'>, state: CampaignState): CampaignEvent[] => {
  const campaign = existing(state);
  if (isEnded(campaign.status)) {
    throw new DomainError('CAMPAIGN_ENDED', `the campaign is ${campaign.status}`, 'campaignId');
  }
  if (command.data.revision !== campaign.revision) {
    throw new DomainError(
      'CAMPAIGN_CHANGED',
      `the campaign was changed since revision ${command.data.revision} (now ${campaign.revision}): reload it`,
      'revision',
    );
  }
  // Optional settings (end date, script) read as undefined when unset: setting one is a change.
  const current = campaign.settings as { readonly [K in keyof CampaignSettings]-?: unknown };
  const changes: Partial<CampaignSettings> = changedFields(current, command.data.changes);
  if (isEmpty(changes)) return [];
  if (campaign.status === 'running' || campaign.status === 'paused') {
    const editable: readonly string[] = EDITABLE_WHILE_RUNNING;
    const fixed = Object.keys(changes).find((field) => !editable.includes(field));
    if (fixed !== undefined) {
      throw new DomainError(
        'CAMPAIGN_RUNNING',
        `${fixed} cannot change while the campaign is ${campaign.status}; only ${EDITABLE_WHILE_RUNNING.join(', ')} can`,
        `changes.${fixed}`,
      );
    }
  }
  const next = { ...campaign.settings, ...changes };
  checkSettings(next);
  if (changes.startDate !== undefined) checkStartNotPast(next, command.metadata);
  return [{ type: 'CampaignUpdated', data: { changes, revision: campaign.revision + 1 } }];
};

const hasCommittedLeads = (state: CampaignState): boolean => state.book.size > 0;

export const scheduleCampaign = (state: CampaignState): CampaignEvent[] => {
  const campaign = notEnded(existing(state));
  if (campaign.status === 'scheduled') return [];
  if (campaign.status !== 'draft') {
    throw new DomainError('CAMPAIGN_NOT_DRAFT', `the campaign is already ${campaign.status}`, 'campaignId');
  }
  if (!hasCommittedLeads(campaign)) {
    throw new DomainError('NO_LEADS', 'import leads before launching the campaign', 'campaignId');
  }
  return [{ type: 'CampaignScheduled', data: {} }];
};

export const pauseCampaign = (command: Command<'PauseCampaign'>, state: CampaignState): CampaignEvent[] => {
  const campaign = notEnded(existing(state));
  if (campaign.status === 'paused') return [];
  if (campaign.status !== 'running' && campaign.status !== 'scheduled') {
    throw new DomainError(
      'CAMPAIGN_NOT_RUNNING',
      `a ${campaign.status} campaign cannot be paused`,
      'campaignId',
    );
  }
  const by = command.metadata.actor.kind === 'system' ? 'platform' : 'person';
  const { reason } = command.data;
  return [{ type: 'CampaignPaused', data: { ...(reason === undefined ? {} : { reason }), by } }];
};

export const resumeCampaign = (state: CampaignState): CampaignEvent[] => {
  const campaign = notEnded(existing(state));
  if (campaign.status === 'running' || campaign.status === 'scheduled') return [];
  if (campaign.status !== 'paused') {
    throw new DomainError(
      'CAMPAIGN_NOT_PAUSED',
      `a ${campaign.status} campaign cannot be resumed`,
      'campaignId',
    );
  }
  return [{ type: 'CampaignResumed', data: {} }];
};

export const cancelCampaign = (command: Command<'CancelCampaign'>, state: CampaignState): CampaignEvent[] => {
  const campaign = existing(state);
  if (campaign.status === 'cancelled') return [];
  notEnded(campaign);
  if (campaign.kind === 'callbacks') {
    // Promised callbacks keep coming in; pausing stops the dialling without dropping them.
    throw new DomainError(
      'CALLBACKS_CAMPAIGN_PERMANENT',
      'the callbacks campaign cannot be cancelled; pause it instead',
      'campaignId',
    );
  }
  return [{ type: 'CampaignCancelled', data: { reason: command.data.reason } }];
};

export const stageLeads = (command: Command<'StageLeads'>, state: CampaignState): CampaignEvent[] => {
  const campaign = notEnded(existing(state));
  const { importId, chunk, leads } = command.data;
  const staged = campaign.imports.get(importId);
  if (staged?.committed) {
    // A chunk staged again after the commit (a retried request) is already in.
    if (chunk < (staged.committedChunks ?? 0)) return [];
    throw new DomainError('IMPORT_COMMITTED', `import ${importId} was already committed`, 'importId');
  }
  if (staged?.chunks.has(chunk)) return [];
  return [{ type: 'LeadsStaged', data: { importId, chunk, leads } }];
};

export const commitLeadImport = (
  command: Command<'CommitLeadImport'>,
  state: CampaignState,
): CampaignEvent[] => {
  const campaign = notEnded(existing(state));
  const { importId, chunks, rows, skippedDoNotCall, source, fileName } = command.data;
  const staged = campaign.imports.get(importId);
  if (staged?.committed) return [];
  const have = staged?.chunks ?? undefined;
  for (let chunk = 0; chunk < chunks; chunk += 1) {
    if (!have?.has(chunk)) {
      throw new DomainError(
        'IMPORT_INCOMPLETE',
        `chunk ${chunk} of import ${importId} was not staged`,
        'chunks',
      );
    }
  }
  if (have && have.size !== chunks) {
    throw new DomainError(
      'IMPORT_INCOMPLETE',
      `import ${importId} has ${have.size} chunks staged, not ${chunks}`,
      'chunks',
    );
  }
  const { added, merged } = addImport(campaign.book, stagedRows(campaign, importId));
  return [
    {
      type: 'LeadsImported',
      data: {
        importId,
        rows,
        added,
        merged,
        skippedDoNotCall,
        source,
        ...(fileName === undefined ? {} : { fileName }),
      },
    },
  ];
};

const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** The callbacks campaign a tenant gets with its first callback: always running, in UTC, at the legal floor. */
const callbacksCampaign = (metadata: CommandMetadata): CampaignEvent[] => [
  {
    type: 'CampaignCreated',
    data: {
      kind: 'callbacks',
      name: 'Callbacks',
      callerIds: [],
      startDate: metadata.now.toISOString().slice(0, 10),
      timeZone: 'UTC',
      windows: [{ days: [...EVERY_DAY], start: 8 * 60, end: 21 * 60 }],
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
  },
  { type: 'CampaignStarted', data: {} },
];

/**
 * An erased person's leads, by their numbers: the imported ones, the callbacks and the rows staged for a commit
 * still to come. Sent before their keys are shredded, so that every fold of the campaign held in memory (the
 * command handler's, the dialer's) learns of it from the stream; once shredded there is nothing left to find.
 */
export const eraseCampaignLeads = (
  command: Command<'EraseCampaignLeads'>,
  state: CampaignState,
): CampaignEvent[] => {
  const phones: ReadonlySet<string> = new Set(command.data.phones);
  const leadIds = new Set(leadIdsWithPhones(state.book, phones));
  for (const staged of state.imports.values())
    for (const rows of staged.chunks.values())
      for (const row of rows) if (phones.has(row.phone)) leadIds.add(row.leadId);
  return leadIds.size === 0 ? [] : [{ type: 'CampaignLeadsErased', data: { leadIds: [...leadIds] } }];
};

export const scheduleCallbackDial = (
  command: Command<'ScheduleCallbackDial'>,
  state: CampaignState,
): CampaignEvent[] => {
  const { callbackId, kind, reason, at, phone, agentId, callerId, sourceCallId, timeZones, country } =
    command.data;
  if (orderOf(state.book, callbackId) !== undefined) return [];
  const created = state.status === 'none' ? callbacksCampaign(command.metadata) : [];
  if (state.status !== 'none') {
    const campaign = notEnded(existing(state));
    if (campaign.kind !== 'callbacks') {
      throw new DomainError('NOT_CALLBACKS_CAMPAIGN', `campaign ${CALLBACKS_CAMPAIGN} is not for callbacks`);
    }
  }
  return [
    ...created,
    {
      type: 'CallbackDialScheduled',
      data: {
        kind,
        reason,
        lead: {
          leadId: callbackId,
          phone,
          agentId,
          callerId,
          sourceCallId,
          dueAt: at,
          timeZones,
          ...(country === undefined ? {} : { country }),
          variables: {},
        },
      },
    },
  ];
};
