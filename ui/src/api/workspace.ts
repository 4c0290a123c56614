import { readonly, ref } from 'vue';
import { ApiError, authHeaders, getJson, postJson, urlOf } from './client';
import type { CallSummary, Page, TranscriptLine } from './types';

/*
 * The agent workspace: the escalation inbox, a call as the people on it see it (its handling, the caller's
 * record) and what they do (join, whisper to the AI, take over, wrap up). Shapes mirror
 * query-api/src/calls/handling.ts and calls.ts.
 */

export const SUPERVISION_MODES = ['listen', 'whisper', 'barge'] as const;
export type SupervisionMode = (typeof SUPERVISION_MODES)[number];

/** A call as the list and detail answer it, with what the workspace adds (wrap-up, tags, follow-up). */
export interface WorkspaceCall extends CallSummary {
  readonly campaignId: string | null;
  readonly leadId: string | null;
  readonly converted: boolean;
  readonly wrappedUp: boolean;
  readonly wrapUpResolved: boolean | null;
  readonly tags: readonly string[];
  readonly followUpDue: string | null;
}

export interface WrapUp {
  readonly userId: string;
  readonly tags: readonly string[];
  readonly resolved: boolean;
  readonly followUp: { readonly dueAt: string; readonly reason: string } | null;
  readonly note: string | null;
  readonly at: string;
}

export interface CallHandling {
  readonly callId: string;
  readonly escalation: { readonly reason: string; readonly summary: string; readonly at: string } | null;
  readonly queue: { readonly departmentId: string; readonly queue: string; readonly at: string } | null;
  readonly people: readonly { readonly userId: string; readonly mode: string; readonly joinedAt: string }[];
  readonly inControl: string | null;
  readonly coaching: readonly { readonly userId: string; readonly note: string; readonly at: string }[];
  readonly summary: { readonly text: string; readonly followUps: readonly string[] } | null;
  readonly wrapUps: readonly WrapUp[];
  readonly ended: boolean;
  /** The caller's answer to recording consent; null when the tenant's policy asked none (or before it existed). */
  readonly recordingConsent?: {
    readonly outcome: 'given' | 'refused';
    readonly policy: string;
    readonly method: string;
    readonly key: string | null;
    readonly at: string;
  } | null;
}

export interface InboxItem {
  readonly call: WorkspaceCall;
  readonly waitingSince: string | null;
  readonly handling: CallHandling;
}

export interface CallerRecord {
  readonly caller: string;
  readonly calls: readonly WorkspaceCall[];
  readonly tickets: readonly {
    readonly ticketId: string;
    readonly subject: string;
    readonly status: string;
    readonly callId: string;
  }[];
}

export interface Directory {
  readonly departments: readonly { readonly id: string; readonly name: string; readonly status: string }[];
  readonly agents: readonly { readonly id: string; readonly name: string }[];
  readonly members: readonly { readonly id: string; readonly name: string; readonly role: string }[];
}

export interface WrapUpInput {
  tags: string[];
  resolved: boolean;
  followUp?: { dueAt: string; reason: string };
  note?: string;
}

const segment = (value: string): string => encodeURIComponent(value);

const command = (type: string, data: Record<string, unknown>) =>
  postJson<{ position: number }>(`/api/commands/${type}`, data);

/** PUT with the session's credentials; the shared client only reads and posts. */
const putJson = async <T>(
  path: string,
  body: unknown,
  credentials: Record<string, string> = authHeaders(),
): Promise<T> => {
  let response: Response;
  try {
    response = await fetch(urlOf(path), {
      method: 'PUT',
      headers: { accept: 'application/json', 'content-type': 'application/json', ...credentials },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the platform cannot be reached');
  }
  const answer: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (answer as { error?: { code?: unknown; message?: unknown; field?: unknown } } | undefined)
      ?.error;
    if (typeof error?.code === 'string' && typeof error.message === 'string') {
      throw new ApiError(
        response.status,
        error.code,
        error.message,
        typeof error.field === 'string' ? error.field : undefined,
      );
    }
    throw new ApiError(response.status, `HTTP_${response.status}`, response.statusText || 'request failed');
  }
  return answer as T;
};

/** A contact in the tenant's CRM, as media-gateway/src/integrations/port.ts answers it. */
export interface CrmRecord {
  readonly system: string;
  readonly id: string;
  readonly name?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly company?: string;
  readonly url?: string;
  readonly recent: readonly { readonly at?: string; readonly text: string }[];
}

export const workspace = {
  inbox: () => getJson<{ items: readonly InboxItem[] }>('/api/escalations'),
  call: (callId: string) =>
    getJson<{ call: WorkspaceCall; transcript: readonly TranscriptLine[] }>(`/api/calls/${segment(callId)}`),
  handling: (callId: string) => getJson<CallHandling>(`/api/calls/${segment(callId)}/handling`),
  caller: (callId: string) => getJson<CallerRecord>(`/api/calls/${segment(callId)}/caller`),
  /** The caller's record in the tenant's connected CRM (null when none is connected or it has none). */
  crmRecord: (callId: string) =>
    getJson<{ record: CrmRecord | null }>('/api/integrations/crm-record', { callId }),
  directory: () => getJson<Directory>('/api/config/directory'),
  calls: (query: Record<string, string | number | undefined>) =>
    getJson<Page<WorkspaceCall>>('/api/calls', query),

  join: (tenantId: string, callId: string, userId: string, mode: SupervisionMode) =>
    command('JoinHuman', { tenantId, callId, userId, mode }),
  coach: (tenantId: string, callId: string, userId: string, note: string) =>
    command('CoachAi', { tenantId, callId, userId, note }),
  takeOver: (tenantId: string, callId: string, userId: string) =>
    command('TakeOverCall', { tenantId, callId, userId }),
  wrapUp: (tenantId: string, callId: string, userId: string, input: WrapUpInput) =>
    command('WrapUpCall', { tenantId, callId, userId, ...input }),

  presence: () =>
    getJson<{ available: readonly { userId: string; departmentIds: readonly string[] | 'all' }[] }>(
      '/api/presence',
    ),
  /** `credentials`: a heartbeat keeps the session that started it, never whoever signs in next in the tab. */
  setPresence: (tenantId: string, available: boolean, credentials?: Record<string, string>) =>
    putJson<{ available: readonly { userId: string }[] }>(
      '/api/presence',
      { tenantId, available },
      credentials,
    ),
};

/*
 * Presence is live state on the server that lapses when nobody renews it (60 s), so that a closed browser does
 * not leave callers queued for nobody. While a person says they are available, the console renews it on every
 * screen of the session, not just while the workspace is open.
 */
const HEARTBEAT_MS = 20_000;
const available = ref(false);
let heartbeat: ReturnType<typeof setInterval> | undefined;
let heartbeatTenant: string | undefined;

const stopHeartbeat = (): void => {
  clearInterval(heartbeat);
  heartbeat = undefined;
};

const startHeartbeat = (tenantId: string): void => {
  stopHeartbeat();
  heartbeatTenant = tenantId;
  const credentials = authHeaders();
  heartbeat = setInterval(() => {
    workspace.setPresence(tenantId, true, credentials).catch((error: unknown) => {
      // Signed out or no longer allowed: there is nobody to keep available.
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        available.value = false;
        stopHeartbeat();
      }
    });
  }, HEARTBEAT_MS);
};

export const presence = {
  available: readonly(available),
  /** Reads whether the signed-in person is among the available ones (after a reload, say). */
  async refresh(tenantId: string, userId: string): Promise<readonly { userId: string }[]> {
    const answer = await workspace.presence();
    const mine = answer.available.some((entry) => entry.userId === userId);
    available.value = mine;
    if (mine && (heartbeat === undefined || heartbeatTenant !== tenantId)) startHeartbeat(tenantId);
    if (!mine) stopHeartbeat();
    return answer.available;
  },
  async set(tenantId: string, next: boolean): Promise<readonly { userId: string }[]> {
    const answer = await workspace.setPresence(tenantId, next);
    available.value = next;
    if (next) startHeartbeat(tenantId);
    else stopHeartbeat();
    return answer.available;
  },
};
