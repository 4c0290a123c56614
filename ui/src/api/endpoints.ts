import { download, getJson, postJson } from './client';
import type {
  AgentComparison,
  Announcement,
  AuditEntry,
  AuditQuery,
  Branding,
  CallDetail,
  CallFilters,
  CallListQuery,
  CallReplay,
  CallSummary,
  ChainCheck,
  DepartmentReport,
  IntentReport,
  LiveMetrics,
  Interval,
  MfaChallenge,
  OutcomeReport,
  Page,
  ReportKind,
  Actor,
  Session,
  SentimentReport,
  SlaReport,
  TenantOverview,
  UsageReport,
  VolumeReport,
} from './types';

const segment = (value: string): string => encodeURIComponent(value);

export const auth = {
  login: (email: string, password: string) =>
    postJson<Session | MfaChallenge>('/api/auth/login', { email, password }),
  completeMfa: (challenge: string, code: string) =>
    postJson<Session>('/api/auth/login/mfa', { challenge, code }),
  oidc: (idToken: string) => postJson<Session | MfaChallenge>('/api/auth/oidc', { idToken }),
  me: () => getJson<{ actor: Actor }>('/api/auth/me'),
  logout: () => postJson<never>('/api/auth/logout', {}),
};

export const platform = {
  branding: (domain: string) => getJson<Branding>('/api/branding', { domain }),
  announcements: () => getJson<{ announcements: Announcement[] }>('/api/announcements'),
  ownBranding: () => getJson<Omit<Branding, 'sso'>>('/api/tenant/branding'),
  tenants: () => getJson<TenantOverview>('/api/admin/tenants'),
};

export const live = {
  snapshot: () => getJson<LiveMetrics>('/api/live'),
};

export const calls = {
  list: (query: CallListQuery, signal?: AbortSignal) =>
    getJson<Page<CallSummary>>('/api/calls', query, signal),
  get: (callId: string) => getJson<CallDetail>(`/api/calls/${segment(callId)}`),
  replay: (callId: string) => getJson<CallReplay>(`/api/calls/${segment(callId)}/replay`),
  exportCsv: (filters: CallListQuery) => {
    const { sort: _sort, order: _order, limit: _limit, cursor: _cursor, ...rest } = filters;
    return download('/api/exports/calls.csv', rest, 'calls.csv');
  },
};

type WithInterval = CallFilters & { interval?: Interval };

export const analytics = {
  volume: (q: WithInterval) => getJson<VolumeReport>('/api/analytics/volume', q),
  outcomes: (q: CallFilters) => getJson<OutcomeReport>('/api/analytics/outcomes', q),
  sentiment: (q: WithInterval) => getJson<SentimentReport>('/api/analytics/sentiment', q),
  intents: (q: CallFilters & { limit?: number }) => getJson<IntentReport>('/api/analytics/intents', q),
  agents: (q: CallFilters) => getJson<AgentComparison>('/api/analytics/agents', q),
  departments: (q: CallFilters) => getJson<DepartmentReport>('/api/analytics/departments', q),
  sla: (q: CallFilters) => getJson<SlaReport>('/api/analytics/sla', q),
  usage: (q: CallFilters) => getJson<UsageReport>('/api/analytics/usage', q),
  file: (kind: ReportKind, q: WithInterval, format: 'pdf' | 'csv' | 'json') =>
    download(`/api/analytics/${segment(kind)}/file`, { ...q, format }, `${kind}.${format}`),
};

export const audit = {
  events: (query: AuditQuery, signal?: AbortSignal) =>
    getJson<Page<AuditEntry>>('/api/audit/events', query, signal),
  verify: (streamId: string) => getJson<ChainCheck>(`/api/audit/streams/${segment(streamId)}/verify`),
  exportCsv: (query: AuditQuery) => {
    // The export is always in log order: a file to archive, not a page to read.
    const { limit: _limit, cursor: _cursor, order: _order, ...rest } = query;
    return download('/api/exports/audit.csv', rest, 'audit.csv');
  },
};
