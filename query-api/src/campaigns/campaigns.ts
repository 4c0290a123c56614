import { z } from 'zod';
import { CampaignKind, CampaignSettings, CampaignStatus, DialOutcome, DoNotCallSource } from '@ccp/schemas';
import { CommandRejected } from '@ccp/command-service';
import type { ReadStore } from '@ccp/projections';
import type { ReportContext } from '../analytics/reports.js';
import { num } from '../analytics/numbers.js';
import { isoOf } from '../calls/calls.js';
import {
  campaignProgress,
  LEAD_STATES_SQL,
  parseSettings,
  Progress,
  type CampaignSchedule,
} from './progress.js';

/** The campaign pages of the console: campaigns with their progress, leads, a lead's attempts, do-not-call. */

const Instant = z.iso.datetime().nullable();

export const CampaignSummary = z.object({
  campaignId: z.string(),
  kind: CampaignKind,
  name: z.string(),
  status: CampaignStatus,
  agentId: z.string().nullable(),
  startDate: z.string(),
  endDate: z.string().nullable(),
  timeZone: z.string(),
  revision: z.number().int().describe('Send it with an edit: another edit since is a 409 CAMPAIGN_CHANGED'),
  leads: z.number().int(),
  pending: z.number().int(),
  inProgress: z.number().int(),
  done: z.number().int(),
  attempts: z.number().int(),
  connected: z.number().int(),
  connectRate: z.number().nullable(),
  conversions: z.number().int(),
  costUsd: z.number(),
  nextWindowAt: Instant,
  updatedAt: z.iso.datetime(),
});
export const CampaignList = z.object({ campaigns: z.array(CampaignSummary) });

export const CampaignImport = z.object({
  importId: z.string(),
  rows: z.number().int(),
  added: z.number().int(),
  merged: z.number().int(),
  skippedDoNotCall: z.number().int(),
  source: z.enum(['csv', 'json']),
  fileName: z.string().nullable(),
  at: z.iso.datetime(),
});

export const CampaignPage = z.object({
  campaign: CampaignSettings.extend({
    campaignId: z.string(),
    kind: CampaignKind,
    status: CampaignStatus,
    revision: z.number().int(),
    pausedReason: z.string().nullable(),
  }),
  progress: Progress,
  imports: z.array(CampaignImport),
});

export const LeadStatus = z.enum(['pending', 'in_progress', 'done']);
export const LeadSummary = z.object({
  leadId: z.string(),
  phone: z.string().describe("E.164, or '[erased]'"),
  name: z.string().nullable(),
  status: LeadStatus,
  attempts: z.number().int(),
  lastOutcome: DialOutcome.nullable(),
  nextAt: Instant.describe('When the lead is dialled next at the earliest: a retry or a callback time'),
  variables: z.record(z.string(), z.string()),
});
export const LeadQuery = z.strictObject({
  status: LeadStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const LeadList = z.object({ leads: z.array(LeadSummary), total: z.number().int() });

export const LeadAttempt = z.object({
  attemptId: z.string(),
  attempt: z.number().int(),
  callerId: z.string(),
  startedAt: z.iso.datetime(),
  callId: z.string().nullable(),
  endedAt: Instant,
  outcome: DialOutcome.nullable(),
  retryAt: Instant,
});
export const LeadDetail = z.object({ lead: LeadSummary, attempts: z.array(LeadAttempt) });

export const DoNotCallQuery = z.strictObject({
  q: z.string().trim().max(20).optional().describe('Part of the number'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export const DoNotCallList = z.object({
  numbers: z.array(
    z.object({
      number: z.string(),
      source: DoNotCallSource,
      addedAt: z.iso.datetime(),
      callId: z.string().nullable(),
    }),
  ),
  total: z.number().int(),
});

const CampaignRow = z.object({
  campaign_id: z.string(),
  kind: CampaignKind,
  status: CampaignStatus,
  settings: z.string(),
  revision: z.coerce.number(),
  paused_reason: z.string(),
  updated_at: z.string(),
});
type CampaignRow = z.infer<typeof CampaignRow>;

const campaignNotFound = (): CommandRejected =>
  new CommandRejected(404, 'CAMPAIGN_NOT_FOUND', 'no such campaign in your tenant', 'campaignId');

const campaignRows = async (ctx: ReportContext, campaignId?: string): Promise<CampaignRow[]> => {
  const rows = await ctx.store.query<unknown>(
    `SELECT campaign_id, kind, status, settings, revision, paused_reason, updated_at FROM campaigns FINAL
      WHERE tenant_id = {tenantId:String} ${campaignId === undefined ? '' : 'AND campaign_id = {campaignId:String}'}
      ORDER BY created_at DESC, campaign_id`,
    { tenantId: ctx.tenantId, ...(campaignId !== undefined && { campaignId }) },
  );
  return rows.map((row) => CampaignRow.parse(row));
};

const schedules = (rows: readonly CampaignRow[]): Map<string, CampaignSchedule> =>
  new Map(
    rows.map((row) => [row.campaign_id, { status: row.status, settings: parseSettings(row.settings) }]),
  );

export const listCampaigns = async (ctx: ReportContext): Promise<z.infer<typeof CampaignList>> => {
  const rows = await campaignRows(ctx);
  const campaigns = schedules(rows);
  const progress = await campaignProgress(ctx, campaigns);
  return {
    campaigns: rows.flatMap((row) => {
      const settings = campaigns.get(row.campaign_id)?.settings;
      const p = progress.get(row.campaign_id);
      if (settings === undefined || p === undefined) return [];
      const { doneByOutcome: _byOutcome, ...counts } = p;
      return [
        {
          campaignId: row.campaign_id,
          kind: row.kind,
          name: settings.name,
          status: row.status,
          agentId: settings.agentId ?? null,
          startDate: settings.startDate,
          endDate: settings.endDate ?? null,
          timeZone: settings.timeZone,
          revision: row.revision,
          ...counts,
          updatedAt: isoOf(row.updated_at) ?? '',
        },
      ];
    }),
  };
};

export const campaignPage = async (
  ctx: ReportContext,
  campaignId: string,
): Promise<z.infer<typeof CampaignPage>> => {
  const [row] = await campaignRows(ctx, campaignId);
  if (row === undefined) throw campaignNotFound();
  const campaigns = schedules([row]);
  const settings = parseSettings(row.settings);
  const progress = (await campaignProgress(ctx, campaigns)).get(campaignId);
  const imports = await ctx.store.query<Record<string, unknown>>(
    `SELECT import_id, rows, added, merged, skipped_do_not_call, source, file_name, imported_at
       FROM campaign_imports FINAL
      WHERE tenant_id = {tenantId:String} AND campaign_id = {campaignId:String} ORDER BY imported_at, import_id`,
    { tenantId: ctx.tenantId, campaignId },
  );
  return {
    campaign: {
      ...settings,
      campaignId,
      kind: row.kind,
      status: row.status,
      revision: row.revision,
      pausedReason: row.paused_reason === '' ? null : row.paused_reason,
    },
    progress: Progress.parse(progress),
    imports: imports.map((r) => ({
      importId: String(r['import_id']),
      rows: num(r['rows']),
      added: num(r['added']),
      merged: num(r['merged']),
      skippedDoNotCall: num(r['skipped_do_not_call']),
      source: z.enum(['csv', 'json']).parse(r['source']),
      fileName: r['file_name'] === '' ? null : String(r['file_name']),
      at: isoOf(r['imported_at']) ?? '',
    })),
  };
};

const requireCampaign = async (ctx: ReportContext, campaignId: string): Promise<void> => {
  const [row] = await ctx.store.query<{ n: string | number }>(
    'SELECT count() AS n FROM campaigns FINAL WHERE tenant_id = {tenantId:String} AND campaign_id = {campaignId:String}',
    { tenantId: ctx.tenantId, campaignId },
  );
  if (num(row?.n) === 0) throw campaignNotFound();
};

/** Each lead's newest details (a number imported again keeps one row per import) joined to its state. */
const LEADS_SQL = `
  SELECT s.lead_id AS lead_id, s.state AS state, s.tries AS tries, s.last_outcome AS last_outcome,
         s.last_retry_at AS last_retry_at, d.phone AS phone, d.name AS name, d.variables AS variables,
         d.due_at AS due_at, s.first AS first
    FROM (${LEAD_STATES_SQL}) AS s
   INNER JOIN (SELECT lead_id, argMax(phone, version) AS phone, argMax(name, version) AS name,
                      argMax(variables, version) AS variables, argMax(due_at, version) AS due_at
                 FROM campaign_leads FINAL
                WHERE tenant_id = {tenantId:String} AND campaign_id IN {campaigns:Array(String)}
                  AND (import_id = '' OR (campaign_id, import_id) IN (
                        SELECT campaign_id, import_id FROM campaign_imports FINAL
                         WHERE tenant_id = {tenantId:String} AND campaign_id IN {campaigns:Array(String)}))
                GROUP BY lead_id) AS d
      ON s.lead_id = d.lead_id`;

const Variables = z.record(z.string(), z.string());

const leadOf = (r: Record<string, unknown>): z.infer<typeof LeadSummary> => {
  const status = LeadStatus.parse(r['state']);
  const tries = num(r['tries']);
  // An attempt not ended yet has no outcome.
  const lastOutcome = tries === 0 || r['last_outcome'] === '' ? null : DialOutcome.parse(r['last_outcome']);
  const retryAt = status === 'pending' && tries > 0 ? isoOf(r['last_retry_at']) : null;
  return {
    leadId: String(r['lead_id']),
    phone: String(r['phone']),
    name: r['name'] === '' ? null : String(r['name']),
    status,
    attempts: tries,
    lastOutcome,
    nextAt: retryAt ?? (tries === 0 ? isoOf(r['due_at']) : null),
    variables: Variables.parse(JSON.parse(String(r['variables']))),
  };
};

export const campaignLeads = async (
  ctx: ReportContext,
  campaignId: string,
  query: z.output<typeof LeadQuery>,
): Promise<z.infer<typeof LeadList>> => {
  await requireCampaign(ctx, campaignId);
  const params = {
    tenantId: ctx.tenantId,
    campaigns: [campaignId],
    status: query.status ?? '',
    limit: query.limit,
    offset: query.offset,
  };
  const filter = `WHERE {status:String} = '' OR state = {status:String}`;
  const rows = await ctx.store.query<Record<string, unknown>>(
    `SELECT * FROM (${LEADS_SQL}) ${filter} ORDER BY first, lead_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params,
  );
  const [count] = await ctx.store.query<{ n: string | number }>(
    `SELECT count() AS n FROM (${LEAD_STATES_SQL}) ${filter}`,
    params,
  );
  return { leads: rows.map(leadOf), total: num(count?.n) };
};

export const campaignLead = async (
  ctx: ReportContext,
  campaignId: string,
  leadId: string,
): Promise<z.infer<typeof LeadDetail>> => {
  await requireCampaign(ctx, campaignId);
  const params = { tenantId: ctx.tenantId, campaigns: [campaignId], campaignId, leadId };
  const [row] = await ctx.store.query<Record<string, unknown>>(
    `SELECT * FROM (${LEADS_SQL}) WHERE lead_id = {leadId:String}`,
    params,
  );
  if (row === undefined)
    throw new CommandRejected(404, 'LEAD_NOT_FOUND', 'no such lead in this campaign', 'leadId');
  const attempts = await ctx.store.query<Record<string, unknown>>(
    `SELECT attempt_id, attempt, caller_id, started_at, call_id, ended_at, outcome, retry_at
       FROM campaign_attempts FINAL
      WHERE tenant_id = {tenantId:String} AND campaign_id = {campaignId:String} AND lead_id = {leadId:String}
      ORDER BY seq`,
    params,
  );
  return {
    lead: leadOf(row),
    attempts: attempts.map((a) => ({
      attemptId: String(a['attempt_id']),
      attempt: num(a['attempt']),
      callerId: String(a['caller_id']),
      startedAt: isoOf(a['started_at']) ?? '',
      callId: a['call_id'] === '' ? null : String(a['call_id']),
      endedAt: isoOf(a['ended_at']),
      outcome: a['outcome'] === '' ? null : DialOutcome.parse(a['outcome']),
      retryAt: isoOf(a['retry_at']),
    })),
  };
};

export const doNotCallList = async (
  store: ReadStore,
  tenantId: string,
  query: z.output<typeof DoNotCallQuery>,
): Promise<z.infer<typeof DoNotCallList>> => {
  const params = { tenantId, q: query.q ?? '', limit: query.limit, offset: query.offset };
  const where = `tenant_id = {tenantId:String} AND removed = 0 AND position(number, {q:String}) > 0`;
  const rows = await store.query<Record<string, unknown>>(
    `SELECT number, source, added_at, call_id FROM do_not_call FINAL WHERE ${where}
      ORDER BY number LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params,
  );
  const [count] = await store.query<{ n: string | number }>(
    `SELECT count() AS n FROM do_not_call FINAL WHERE ${where}`,
    params,
  );
  return {
    numbers: rows.map((r) => ({
      number: String(r['number']),
      source: DoNotCallSource.parse(r['source']),
      addedAt: isoOf(r['added_at']) ?? '',
      callId: r['call_id'] === '' ? null : String(r['call_id']),
    })),
    total: num(count?.n),
  };
};
