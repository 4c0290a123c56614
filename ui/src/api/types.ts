/*
 * The query and command APIs' answers as the console reads them. They mirror the schemas the server validates
 * its answers against (query-api/src, described at GET /api/openapi.json); the console keeps its own copy so that
 * it never imports server code into the browser bundle.
 */

export const ROLES = ['tenant_admin', 'supervisor', 'agent', 'analyst', 'compliance', 'viewer'] as const;
export type TenantRole = (typeof ROLES)[number];
export type Role = TenantRole | 'super_admin';

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

export interface SessionUser {
  readonly userId: string;
  readonly tenantId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
}

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: SessionUser;
}

export interface MfaChallenge {
  readonly mfaRequired: true;
  readonly challenge: string;
  readonly expiresAt: string;
}

export interface Actor {
  readonly kind: string;
  readonly id: string;
  readonly role?: Role;
  readonly tenantId?: string;
}

/** An identity provider the tenant's members sign in with: its issuer and the console's client id there. */
export interface SsoOption {
  readonly issuer: string;
  readonly clientId: string;
  readonly name?: string;
}

export interface Branding {
  readonly tenantId: string;
  readonly displayName: string | null;
  readonly primaryColor: string | null;
  readonly logoUrl: string | null;
  readonly sso: readonly SsoOption[];
}

export interface Announcement {
  readonly announcementId: string;
  readonly scope: 'platform' | 'tenant';
  readonly title: string;
  readonly body: string;
  readonly severity: string;
  readonly startsAt: string | null;
  readonly endsAt: string | null;
  readonly publishedAt: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
  readonly total: number;
}

export interface LiveBreakdown {
  readonly id: string;
  readonly activeCalls: number;
  readonly waiting: number;
  readonly endedToday: number;
  readonly averageHandleSeconds: number | null;
}

export interface LiveMetrics {
  readonly at: string;
  readonly activeCalls: number;
  readonly waiting: number;
  readonly longestWaitSeconds: number | null;
  readonly droppedToday: number;
  readonly endedToday: number;
  readonly averageHandleSeconds: number | null;
  readonly satisfaction: number | null;
  readonly sentiment: number | null;
  readonly departments: readonly LiveBreakdown[];
  readonly agents: readonly LiveBreakdown[];
}

export type Interval = 'hour' | 'day' | 'week';
export type Direction = 'inbound' | 'outbound';

/** The filters every call-based report and the call list take. */
export interface CallFilters {
  from?: string;
  to?: string;
  agentId?: string;
  departmentId?: string;
  direction?: Direction;
  outcome?: string;
}

export type CallSort = 'started_at' | 'duration_seconds' | 'feedback_score' | 'utterance_count';
export type CallStatus = 'in_progress' | 'queued' | 'ended';

export interface CallListQuery extends CallFilters {
  status?: CallStatus;
  escalated?: 'true' | 'false';
  /** Calls in which the caller had this intent. */
  intent?: string;
  /** Calls a person joined or took over. */
  humanUserId?: string;
  /** Calls wrapped up with this tag. */
  tag?: string;
  sort?: CallSort;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
}

export interface CallSummary {
  readonly callId: string;
  readonly direction: string;
  readonly status: string;
  readonly from: string;
  readonly to: string;
  readonly agentId: string | null;
  readonly departmentId: string | null;
  readonly startedAt: string;
  readonly answeredAt: string | null;
  readonly endedAt: string | null;
  readonly outcome: string | null;
  readonly durationSeconds: number | null;
  readonly escalated: boolean;
  readonly escalationReason: string | null;
  readonly humanUserId: string | null;
  readonly queue: string | null;
  readonly queueWaitSeconds: number | null;
  readonly feedbackScore: number | null;
  readonly utterances: number;
  readonly toolCalls: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly hasRecording: boolean;
}

export interface TranscriptLine {
  readonly utteranceId: string;
  readonly speaker: string;
  readonly text: string;
  readonly language: string;
  readonly confidence: number;
  readonly sentiment: number | null;
  readonly intent: string | null;
  readonly at: string;
}

export interface CallDetail {
  readonly call: CallSummary;
  readonly transcript: readonly TranscriptLine[];
}

export interface ReplayStep {
  readonly step: number;
  readonly at: string;
  readonly offsetMs: number;
  readonly revision: number;
  readonly type: string;
  readonly actor: { readonly kind: string; readonly id: string; readonly role: string | null };
  readonly data: unknown;
}

export interface CallReplay {
  readonly callId: string;
  readonly steps: readonly ReplayStep[];
}

export interface VolumeReport {
  readonly interval: Interval;
  readonly timeZone: string;
  readonly buckets: readonly {
    readonly bucket: string;
    readonly calls: number;
    readonly answered: number;
    readonly escalated: number;
    readonly resolved: number;
    readonly abandoned: number;
  }[];
}

export interface OutcomeReport {
  readonly calls: number;
  readonly ended: number;
  readonly resolved: number;
  readonly escalated: number;
  readonly abandoned: number;
  readonly outcomes: readonly { readonly outcome: string; readonly calls: number }[];
  readonly successRate: number | null;
  readonly resolutionByAiRate: number | null;
  readonly escalationRate: number | null;
  readonly averageHandleSeconds: number | null;
  readonly averageSatisfaction: number | null;
  readonly feedbackCount: number;
}

export interface SentimentReport {
  readonly interval: Interval;
  readonly timeZone: string;
  readonly buckets: readonly {
    readonly bucket: string;
    readonly averageScore: number | null;
    readonly positive: number;
    readonly neutral: number;
    readonly negative: number;
  }[];
}

export interface IntentReport {
  readonly intents: readonly {
    readonly intent: string;
    readonly utterances: number;
    readonly calls: number;
  }[];
}

export interface AgentRow {
  readonly kind: 'ai' | 'human';
  readonly agentId: string;
  readonly calls: number;
  readonly resolvedRate: number | null;
  readonly escalationRate: number | null;
  readonly averageHandleSeconds: number | null;
  readonly averageSatisfaction: number | null;
  readonly averageAiLatencyMs: number | null;
  readonly tokens: number;
}

export interface AgentComparison {
  readonly agents: readonly AgentRow[];
}

export interface DepartmentRow {
  readonly departmentId: string;
  readonly calls: number;
  readonly queued: number;
  readonly answeredByHuman: number;
  readonly abandonedInQueue: number;
  readonly averageQueueWaitSeconds: number | null;
  readonly maxQueueWaitSeconds: number | null;
  readonly averageHandleSeconds: number | null;
}

export interface DepartmentReport {
  readonly departments: readonly DepartmentRow[];
}

export interface SlaReport {
  readonly calls: number;
  readonly compliant: number;
  readonly complianceRate: number | null;
  readonly breaches: readonly { readonly metric: string; readonly calls: number }[];
  readonly averageTimeToAnswerSeconds: number | null;
  readonly averageQueueWaitSeconds: number | null;
}

export interface UsageReport {
  readonly periods: readonly { readonly period: string; readonly kinds: Readonly<Record<string, number>> }[];
  readonly calls: number;
  readonly minutes: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export const REPORT_KINDS = [
  'volume',
  'outcomes',
  'sentiment',
  'intents',
  'agents',
  'departments',
  'sla',
  'usage',
] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface AuditQuery {
  /** asc: log order (the default); desc: newest first. */
  order?: 'asc' | 'desc';
  type?: string;
  actorId?: string;
  actorRole?: string;
  streamId?: string;
  correlationId?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface AuditEntry {
  readonly position: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly type: string;
  readonly version: number;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly actor: { readonly kind: string; readonly id: string; readonly role: string | null };
  readonly data: unknown;
}

export interface ChainCheck {
  readonly streamId: string;
  readonly events: number;
  readonly valid: boolean;
  readonly unchained: number;
  readonly brokenAt?: { readonly revision: number; readonly eventId: string; readonly reason: string };
}

export interface TenantOverview {
  readonly tenants: readonly {
    readonly tenantId: string;
    readonly name: string;
    readonly status: string;
    readonly planTier: string;
  }[];
}
