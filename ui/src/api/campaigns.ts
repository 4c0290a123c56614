import { ApiError, authHeaders, getJson, urlOf } from './client';
import { followEvents, type LiveFollower, type LiveState } from './live';

/*
 * Outbound campaigns: the read routes of the query API (GET /api/campaigns…, the live progress stream), the
 * lead and do-not-call imports of the command service, and the shapes of schemas/src/campaign.ts the editor
 * sends through POST /api/commands/<Type>.
 */

const segment = (value: string): string => encodeURIComponent(value);

export const CAMPAIGN_WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type CampaignWeekday = (typeof CAMPAIGN_WEEKDAYS)[number];
export const CAMPAIGN_STATUSES = [
  'draft',
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const RETRIED_OUTCOMES = ['busy', 'no_answer', 'failed', 'voicemail'] as const;
export type RetriedOutcome = (typeof RETRIED_OUTCOMES)[number];
export const DONE_OUTCOMES = [
  'answered',
  'voicemail',
  'busy',
  'no_answer',
  'failed',
  'do_not_call',
  'lease_expired',
] as const;
export const LEAD_STATUSES = ['pending', 'in_progress', 'done'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];
/** What may change while a campaign runs or is paused (EDITABLE_WHILE_RUNNING in the contract). */
export const EDITABLE_WHILE_RUNNING = ['windows', 'holidays', 'retry', 'pacing', 'voicemail', 'endDate'];

/** Minutes from local midnight; an end before the start crosses midnight. */
export interface CallingWindow {
  days: CampaignWeekday[];
  start: number;
  end: number;
}
export interface RetryRule {
  attempts: number;
  spacingMinutes: number;
}
export type RetryPolicy = Record<RetriedOutcome, RetryRule> & { maxAttempts: number };
export interface Pacing {
  maxConcurrentCalls: number;
  callsPerSecond: number;
  inboundReserve: number;
}
export interface VoicemailPolicy {
  action: 'hang_up' | 'leave_message';
  message?: string;
}
export interface CampaignSettings {
  name: string;
  agentId?: string;
  callerIds: string[];
  scriptId?: string;
  startDate: string;
  endDate?: string;
  timeZone: string;
  windows: CallingWindow[];
  holidays: string[];
  retry: RetryPolicy;
  pacing: Pacing;
  voicemail: VoicemailPolicy;
}

export interface Progress {
  leads: number;
  pending: number;
  inProgress: number;
  done: number;
  doneByOutcome: Partial<Record<(typeof DONE_OUTCOMES)[number], number>>;
  attempts: number;
  connected: number;
  connectRate: number | null;
  conversions: number;
  costUsd: number | null;
  nextWindowAt: string | null;
}

export interface CampaignSummary {
  campaignId: string;
  kind: 'leads' | 'callbacks';
  name: string;
  status: CampaignStatus;
  agentId: string | null;
  startDate: string;
  endDate: string | null;
  timeZone: string;
  revision: number;
  leads: number;
  pending: number;
  inProgress: number;
  done: number;
  attempts: number;
  connected: number;
  connectRate: number | null;
  conversions: number;
  costUsd: number | null;
  nextWindowAt: string | null;
  updatedAt: string;
}

export type CampaignDetail = CampaignSettings & {
  campaignId: string;
  kind: 'leads' | 'callbacks';
  status: CampaignStatus;
  revision: number;
  pausedReason?: string | null;
};

export interface LeadImportRecord {
  importId: string;
  rows: number;
  added: number;
  merged: number;
  skippedDoNotCall: number;
  source: 'csv' | 'json';
  fileName?: string | null;
  at: string;
}

export interface CampaignPage {
  campaign: CampaignDetail;
  progress: Progress;
  imports: LeadImportRecord[];
}

export interface LeadRow {
  leadId: string;
  phone: string;
  name: string | null;
  status: LeadStatus;
  attempts: number;
  lastOutcome: string | null;
  nextAt: string | null;
  variables: Record<string, string>;
}

export interface LeadAttempt {
  attemptId: string;
  attempt: number;
  callerId: string;
  startedAt: string;
  callId: string | null;
  endedAt: string | null;
  outcome: string | null;
  retryAt: string | null;
}

export interface DoNotCallEntry {
  number: string;
  source: string;
  addedAt: string;
  callId: string | null;
}

export interface RowError {
  row?: number;
  line?: number;
  column?: string;
  reason: string;
}

export interface ImportPreview {
  rows: number;
  valid: number;
  duplicates: number;
  doNotCall: number;
  willImport: number;
}
export interface ImportResult {
  importId: string;
  rows: number;
  added: number;
  merged: number;
  skippedDoNotCall: number;
}

/** The period (ISO instants, end exclusive) and what one conversion is worth, in US dollars. */
export interface RoiQuery {
  from: string;
  to: string;
  valuePerConversion?: string;
}

/** A campaign's calls in the period; status null when the campaign was not set up in the platform. */
export interface RoiRow {
  campaignId: string;
  name: string | null;
  status: CampaignStatus | null;
  calls: number;
  leads: number;
  connected: number;
  conversions: number;
  connectRate: number | null;
  conversionRate: number | null;
  costUsd: number;
  costPerConversionUsd: number | null;
  revenueUsd: number | null;
  roi: number | null;
}
export interface RoiReport {
  campaigns: RoiRow[];
}

/** A file refused row by row: nothing of it was stored. */
export class RowsRefused extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly invalidRows: number,
    readonly totalRows: number,
    readonly rows: readonly RowError[],
  ) {
    super(status, code, message);
    this.name = 'RowsRefused';
  }
}

export const campaigns = {
  list: () => getJson<{ campaigns: CampaignSummary[] }>('/api/campaigns'),
  /** The ROI report (GET /api/analytics/campaigns): read by whoever may read the analytics. */
  roi: (query: RoiQuery, signal?: AbortSignal) =>
    getJson<RoiReport>('/api/analytics/campaigns', query, signal),
  get: (campaignId: string) => getJson<CampaignPage>(`/api/campaigns/${segment(campaignId)}`),
  leads: (campaignId: string, query: { status?: LeadStatus; limit: number; offset: number }) =>
    getJson<{ leads: LeadRow[]; total: number }>(`/api/campaigns/${segment(campaignId)}/leads`, query),
  lead: (campaignId: string, leadId: string) =>
    getJson<{ lead: LeadRow; attempts: LeadAttempt[] }>(
      `/api/campaigns/${segment(campaignId)}/leads/${segment(leadId)}`,
    ),
};

export const doNotCall = {
  list: (query: { q?: string; limit: number; offset: number }) =>
    getJson<{ numbers: DoNotCallEntry[]; total: number }>('/api/do-not-call', query),
};

const refusalOf = async (response: Response): Promise<ApiError> => {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const parsed = body as
    | {
        error?: { code?: string; message?: string; field?: string };
        invalidRows?: number;
        totalRows?: number;
        rows?: RowError[];
      }
    | undefined;
  const code = parsed?.error?.code ?? `HTTP_${response.status}`;
  const message = parsed?.error?.message ?? (response.statusText || 'request failed');
  if (Array.isArray(parsed?.rows)) {
    return new RowsRefused(
      response.status,
      code,
      message,
      parsed.invalidRows ?? parsed.rows.length,
      parsed.totalRows ?? 0,
      parsed.rows,
    );
  }
  return new ApiError(response.status, code, message, parsed?.error?.field);
};

/** Sends a file as it is (CSV) or as JSON; a refusal keeps its row-by-row report. */
const upload = async <T>(path: string, query: object, body: string, contentType: string): Promise<T> => {
  let response: Response;
  try {
    response = await fetch(urlOf(path, query), {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': contentType, ...authHeaders() },
      body,
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the platform cannot be reached');
  }
  if (!response.ok) throw await refusalOf(response);
  return (await response.json()) as T;
};

/** A pasted or picked text: JSON when it looks like JSON, else CSV. */
const contentTypeOf = (text: string): string =>
  text.trimStart().startsWith('{') ? 'application/json' : 'text/csv';

export const previewLeads = (campaignId: string, text: string, defaultCountry: string) =>
  upload<{ preview: ImportPreview }>(
    `/api/campaigns/${segment(campaignId)}/leads/import`,
    { dryRun: true, defaultCountry },
    text,
    contentTypeOf(text),
  );

/** `fileName`: the picked file's name, kept with the import in its history. */
export const importLeads = (campaignId: string, text: string, defaultCountry: string, fileName?: string) =>
  upload<ImportResult>(
    `/api/campaigns/${segment(campaignId)}/leads/import`,
    { dryRun: false, defaultCountry, fileName: fileName?.slice(0, 200) },
    text,
    contentTypeOf(text),
  );

export const importDoNotCall = (text: string, defaultCountry: string) =>
  upload<{ added: number; alreadyListed: number; rows: number }>(
    '/api/do-not-call/import',
    { defaultCountry },
    text,
    contentTypeOf(text),
  );

/** Follows GET /api/campaigns/:id/live (`event: progress`), as the console's live feed follows its stream. */
export const followProgress = (
  campaignId: string,
  handlers: {
    readonly onProgress: (progress: Progress) => void;
    readonly onState: (state: LiveState) => void;
    readonly onError?: (error: ApiError) => void;
  },
): LiveFollower =>
  followEvents<Progress>(`/api/campaigns/${segment(campaignId)}/live`, 'progress', {
    ...handlers,
    onData: handlers.onProgress,
  });
