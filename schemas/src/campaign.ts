import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { E164, EntityId, IsoDateTime, LanguageTag, Name, TenantId, TimeZone, Weekday } from './primitives.js';

/**
 * Outbound campaigns. One stream per campaign (`campaign-<tenant>.<campaignId>`) holds its settings, its
 * lifecycle, its leads and every dial attempt, so that the dialer (a process manager) decides the next dials
 * from one state. People's edits carry the settings revision they saw: a concurrent edit is a 409, while the
 * dialer's own appends never conflict with an edit.
 */
const category = 'campaign';

/** The per-tenant campaign that dials callbacks promised on calls and follow-ups set at wrap-up. */
export const CALLBACKS_CAMPAIGN = 'callbacks';

const ShortText = z.string().trim().min(1).max(500);

/** A calendar date (YYYY-MM-DD) that exists. */
export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD')
  .refine((d) => {
    const parsed = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(d);
  }, 'not a calendar date');

/**
 * When calls may start, in the called person's local time: minutes from local midnight. A window whose end is
 * before its start crosses midnight and ends the next day; `days` are the days it opens on.
 */
export const CallingWindow = z
  .object({
    days: z.array(Weekday).min(1).max(7),
    start: z.number().int().min(0).max(1439),
    end: z.number().int().min(1).max(1440),
  })
  .refine((w) => w.start !== w.end, { message: 'a window must not start where it ends', path: ['end'] });
export type CallingWindow = z.infer<typeof CallingWindow>;

/** After an outcome: how many more attempts, and how long to wait before the next. */
export const RetryRule = z.object({
  attempts: z.number().int().min(0).max(10),
  spacingMinutes: z.number().int().min(1).max(43_200),
});
export const RetryPolicy = z.object({
  busy: RetryRule,
  no_answer: RetryRule,
  failed: RetryRule,
  voicemail: RetryRule,
  /** Attempts of one lead in all, whatever their outcomes. */
  maxAttempts: z.number().int().min(1).max(20),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  busy: { attempts: 2, spacingMinutes: 30 },
  no_answer: { attempts: 2, spacingMinutes: 240 },
  failed: { attempts: 1, spacingMinutes: 60 },
  voicemail: { attempts: 1, spacingMinutes: 1440 },
  maxAttempts: 4,
};

export const Pacing = z.object({
  maxConcurrentCalls: z.number().int().min(1).max(500),
  /** Calls started per second, at most (0.5: one every two seconds). */
  callsPerSecond: z.number().positive().max(50),
  /** Of the agent's concurrent calls, how many stay free for inbound callers. */
  inboundReserve: z.number().int().min(0).max(1000),
});
export type Pacing = z.infer<typeof Pacing>;
export const DEFAULT_PACING: Pacing = { maxConcurrentCalls: 5, callsPerSecond: 1, inboundReserve: 1 };

/** On an answering machine: hang up, or leave a message after the beep (the agent's own when none is given). */
export const VoicemailPolicy = z.object({
  action: z.enum(['hang_up', 'leave_message']),
  /** May use the lead's variables: "Hi {{first_name}}, ..." */
  message: z.string().trim().min(1).max(1000).optional(),
});
export type VoicemailPolicy = z.infer<typeof VoicemailPolicy>;

const campaignSettingsShape = {
  name: Name,
  /** The AI agent that talks; absent only for the callbacks campaign, whose leads each name theirs. */
  agentId: EntityId.optional(),
  /**
   * The caller IDs calls come from, rotated; each must be one of the tenant's numbers. Empty only for the
   * callbacks campaign, whose leads each name theirs (the number the caller had called).
   */
  callerIds: z.array(E164).max(50),
  scriptId: EntityId.optional(),
  /** First and last day of calling, in the campaign's time zone. */
  startDate: LocalDate,
  endDate: LocalDate.optional(),
  /** The zone of leads whose own zone is not known and cannot be told from their number. */
  timeZone: TimeZone,
  windows: z.array(CallingWindow).min(1).max(28),
  /** Days without calls, as dates in the called person's local time. */
  holidays: z.array(LocalDate).max(366),
  retry: RetryPolicy,
  pacing: Pacing,
  voicemail: VoicemailPolicy,
};
export const CampaignSettings = z.object(campaignSettingsShape);
const CallerIds = z.array(E164).min(1, 'give at least one caller ID').max(50);
export type CampaignSettings = z.infer<typeof CampaignSettings>;

/** What may change while a campaign runs or is paused: it applies to the next dial. */
export const EDITABLE_WHILE_RUNNING = [
  'windows',
  'holidays',
  'retry',
  'pacing',
  'voicemail',
  'endDate',
] as const;

export const CampaignStatus = z.enum(['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled']);
export type CampaignStatus = z.infer<typeof CampaignStatus>;
export const CampaignKind = z.enum(['leads', 'callbacks']);

/** A lead variable's name as used in prompts and greetings: {{first_name}}. */
export const LeadVariableName = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,39}$/,
    'a variable name is 1-40 lower-case letters, digits or "_", a letter first',
  );

export const Lead = z.object({
  leadId: EntityId,
  phone: E164,
  name: Name.optional(),
  language: LanguageTag.optional(),
  /** ISO 3166 country of the number, for the country's legal calling hours. */
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'a country is two capital letters (ISO 3166)')
    .optional(),
  /** The zones the called person may be in (their own, or their number's); empty: the campaign's zone. */
  timeZones: z.array(TimeZone).max(8),
  variables: z
    .record(LeadVariableName, z.string().max(500))
    .refine((v) => Object.keys(v).length <= 50, 'at most 50 variables'),
  /** Not to be called before this instant (a callback's promised time). */
  dueAt: IsoDateTime.optional(),
  /** The call a callback or follow-up was promised on. */
  sourceCallId: EntityId.optional(),
  /** For callbacks: the agent that talks and the number called from (else the campaign's). */
  agentId: EntityId.optional(),
  callerId: E164.optional(),
});
export type Lead = z.infer<typeof Lead>;

/**
 * How a dial attempt ended. `answered`: a person picked up (the lead is done); `voicemail`, `busy`, `no_answer`,
 * `failed`: retried by the policy; `do_not_call`: the number was on the tenant's list right before dialling
 * (the lead is done, nobody was called); `not_placed`: the platform did not dial after all (it stopped before
 * the carrier had the call): not counted as an attempt; `lease_expired`: no outcome came in time, counted as
 * failed so that the concurrency it held is released.
 */
export const DialOutcome = z.enum([
  'answered',
  'voicemail',
  'busy',
  'no_answer',
  'failed',
  'do_not_call',
  'not_placed',
  'lease_expired',
]);
export type DialOutcome = z.infer<typeof DialOutcome>;

const CampaignKey = { tenantId: TenantId, campaignId: EntityId };
const ImportId = EntityId;
export const LEADS_PER_CHUNK = 1000;

// Commands

export const CreateCampaign = defineCommand(
  category,
  'CreateCampaign',
  z.object({ ...CampaignKey, ...campaignSettingsShape, callerIds: CallerIds }),
  'Create a campaign as a draft: its agent, caller IDs, dates, calling windows, retries, pacing and voicemail.',
);
export const UpdateCampaign = defineCommand(
  category,
  'UpdateCampaign',
  z.object({
    ...CampaignKey,
    /** The settings revision the editor saw; another edit since is a 409. */
    revision: z.number().int().min(1),
    changes: CampaignSettings.extend({ callerIds: CallerIds })
      .partial()
      .refine((c) => Object.keys(c).length > 0, 'change something'),
  }),
  'Change a campaign. While it runs or is paused only windows, holidays, retries, pacing, voicemail and the end date change, from the next dial on.',
);
export const ScheduleCampaign = defineCommand(
  category,
  'ScheduleCampaign',
  z.object(CampaignKey),
  'Launch a draft campaign with leads: it starts dialling on its start date, inside its windows.',
);
export const PauseCampaign = defineCommand(
  category,
  'PauseCampaign',
  z.object({ ...CampaignKey, reason: ShortText.optional() }),
  'Stop starting new calls; calls in progress go on.',
);
export const ResumeCampaign = defineCommand(
  category,
  'ResumeCampaign',
  z.object(CampaignKey),
  'Start dialling a paused campaign again.',
);
export const CancelCampaign = defineCommand(
  category,
  'CancelCampaign',
  z.object({ ...CampaignKey, reason: ShortText }),
  'End a campaign for good; leads not yet done are never called.',
);
export const StageLeads = defineCommand(
  category,
  'StageLeads',
  z.object({
    ...CampaignKey,
    importId: ImportId,
    chunk: z.number().int().min(0).max(10_000),
    leads: z.array(Lead).min(1).max(LEADS_PER_CHUNK),
  }),
  'Store one chunk of an import; staged leads count only once the import is committed.',
);
export const CommitLeadImport = defineCommand(
  category,
  'CommitLeadImport',
  z.object({
    ...CampaignKey,
    importId: ImportId,
    /** The chunks staged, 0..chunks-1: all must be there. */
    chunks: z.number().int().min(1).max(10_000),
    /** Rows read from the file, and those left out because the number is on the do-not-call list. */
    rows: z.number().int().min(0),
    skippedDoNotCall: z.number().int().min(0),
    source: z.enum(['csv', 'json']),
    fileName: z.string().trim().min(1).max(200).optional(),
  }),
  'Make a staged import count: its leads join the campaign, duplicates of a number merged.',
);
export const ScheduleCallbackDial = defineCommand(
  category,
  'ScheduleCallbackDial',
  z.object({
    tenantId: TenantId,
    /** The callback's id (or the wrapped-up call's id for a follow-up): scheduling it again changes nothing. */
    callbackId: EntityId,
    kind: z.enum(['callback', 'follow_up']),
    at: IsoDateTime,
    /** Who to call, the agent that talks and the number to call from: those of the call it was promised on. */
    phone: E164,
    agentId: EntityId,
    callerId: E164,
    /** The called person's zones and country as their number tells (legal hours hold for callbacks too). */
    timeZones: z.array(TimeZone).max(8),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
    sourceCallId: EntityId,
    reason: ShortText,
  }),
  "Dial a promised callback or a wrap-up's follow-up at its time, through the tenant's callbacks campaign.",
);
export const EraseCampaignLeads = defineCommand(
  category,
  'EraseCampaignLeads',
  z.object({ ...CampaignKey, phones: z.array(E164).min(1).max(100) }),
  "The erasure worker forgets an erased person's leads, found by their numbers, before it shreds their keys: whatever folded the campaign before never dials them (the platform only).",
);
export const AdvanceCampaign = defineCommand(
  category,
  'AdvanceCampaign',
  z.object({
    ...CampaignKey,
    /** How many calls the dialer may start now besides the campaign's own limits (the agent's free lines). */
    capacity: z.number().int().min(0).max(500),
    /** How long a dial may go without an outcome before its line is released. */
    leaseSeconds: z.number().int().min(30).max(86_400),
  }),
  "The dialer's tick: start the campaign on its date, expire overdue dials, choose the next leads to dial now, complete it when nothing is left.",
);
export const RecordDialPlacement = defineCommand(
  category,
  'RecordDialPlacement',
  z.object({ ...CampaignKey, attemptId: EntityId, callId: EntityId }),
  'The carrier accepted a dial attempt as this call.',
);
export const RecordDialOutcome = defineCommand(
  category,
  'RecordDialOutcome',
  z.object({
    ...CampaignKey,
    attemptId: EntityId,
    outcome: DialOutcome,
    callId: EntityId.optional(),
    reason: ShortText.optional(),
  }),
  'How a dial attempt ended; the lead is retried by the policy or done. A second outcome changes nothing.',
);

// Events

export const CampaignCreated = defineEvent(
  category,
  'CampaignCreated',
  1,
  z.object({ kind: CampaignKind, ...campaignSettingsShape }),
);
export const CampaignUpdated = defineEvent(
  category,
  'CampaignUpdated',
  1,
  z.object({ changes: CampaignSettings.partial(), revision: z.number().int().min(2) }),
);
export const CampaignScheduled = defineEvent(category, 'CampaignScheduled', 1, z.object({}));
export const CampaignStarted = defineEvent(category, 'CampaignStarted', 1, z.object({}));
export const CampaignPaused = defineEvent(
  category,
  'CampaignPaused',
  1,
  z.object({ reason: z.string().optional(), by: z.enum(['person', 'platform']) }),
);
export const CampaignResumed = defineEvent(category, 'CampaignResumed', 1, z.object({}));
export const CampaignCompleted = defineEvent(
  category,
  'CampaignCompleted',
  1,
  z.object({ reason: z.enum(['all_leads_done', 'end_date_passed']) }),
);
export const CampaignCancelled = defineEvent(
  category,
  'CampaignCancelled',
  1,
  z.object({ reason: z.string() }),
);
export const LeadsStaged = defineEvent(
  category,
  'LeadsStaged',
  1,
  z.object({ importId: ImportId, chunk: z.number().int().min(0), leads: z.array(Lead) }),
);
export const LeadsImported = defineEvent(
  category,
  'LeadsImported',
  1,
  z.object({
    importId: ImportId,
    rows: z.number().int().min(0),
    /** New leads; `merged`: rows whose number the campaign already had (their variables merged in). */
    added: z.number().int().min(0),
    merged: z.number().int().min(0),
    skippedDoNotCall: z.number().int().min(0),
    source: z.enum(['csv', 'json']),
    fileName: z.string().optional(),
  }),
);
export const CallbackDialScheduled = defineEvent(
  category,
  'CallbackDialScheduled',
  1,
  z.object({ kind: z.enum(['callback', 'follow_up']), reason: z.string(), lead: Lead }),
);
/**
 * An erased person's leads (their keys are shredded next): never dialled, merged into or counted again. Their ids
 * only, which dial attempts name too; who they were is in their sealed LeadsStaged elements, erased.
 */
export const CampaignLeadsErased = defineEvent(
  category,
  'CampaignLeadsErased',
  1,
  z.object({ leadIds: z.array(EntityId) }),
);
export const DialStarted = defineEvent(
  category,
  'DialStarted',
  1,
  z.object({
    attemptId: EntityId,
    leadId: EntityId,
    /** 1 for the lead's first attempt. */
    attempt: z.number().int().min(1),
    callerId: E164,
    /** Without an outcome by then, the attempt ends as lease_expired and its line is free again. */
    leaseUntil: IsoDateTime,
    /**
     * The pacing slot the dial took (at most a second before it was decided): the next dial's slot is at
     * least 1 / callsPerSecond later, so the rate holds across ticks of any length.
     */
    pacedAt: IsoDateTime.optional(),
  }),
);
export const DialPlaced = defineEvent(
  category,
  'DialPlaced',
  1,
  z.object({ attemptId: EntityId, callId: EntityId }),
);
export const DialEnded = defineEvent(
  category,
  'DialEnded',
  1,
  z.object({
    attemptId: EntityId,
    leadId: EntityId,
    /** The lead's attempt this was (1 for the first). */
    attempt: z.number().int().min(1),
    outcome: DialOutcome,
    callId: EntityId.optional(),
    reason: z.string().optional(),
    /** When the lead is tried again; absent when the lead is done. */
    retryAt: IsoDateTime.optional(),
  }),
);

export const campaignCommands = [
  CreateCampaign,
  UpdateCampaign,
  ScheduleCampaign,
  PauseCampaign,
  ResumeCampaign,
  CancelCampaign,
  StageLeads,
  CommitLeadImport,
  ScheduleCallbackDial,
  EraseCampaignLeads,
  AdvanceCampaign,
  RecordDialPlacement,
  RecordDialOutcome,
] as const;
export const campaignEvents = [
  CampaignCreated,
  CampaignUpdated,
  CampaignScheduled,
  CampaignStarted,
  CampaignPaused,
  CampaignResumed,
  CampaignCompleted,
  CampaignCancelled,
  LeadsStaged,
  LeadsImported,
  CallbackDialScheduled,
  CampaignLeadsErased,
  DialStarted,
  DialPlaced,
  DialEnded,
] as const;
