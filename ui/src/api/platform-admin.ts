import { ApiError, authHeaders, getJson, postJson } from './client';
import type { AuditEntry, Page } from './types';

/*
 * The super admin's side of the platform: every tenant, their tiers and caps, platform-wide announcements,
 * health and global analytics. Shapes mirror query-api/src/admin/*.ts and the processors' lag
 * (stream-processors/src/lag.ts); the console keeps its own copy so no server code reaches the browser.
 */

/** The pseudo-tenant that owns platform-wide streams (announcements to everyone). */
export const PLATFORM_TENANT = 'platform';

export const REGIONS = [
  'north_america',
  'latin_america',
  'europe',
  'middle_east_africa',
  'asia_pacific',
] as const;
export type Region = (typeof REGIONS)[number];

export const PLAN_TIERS = ['free', 'starter', 'professional', 'enterprise'] as const;
export type PlanTier = (typeof PLAN_TIERS)[number];

export const CAP_RULES = ['block_ai', 'overage_billed'] as const;
export type CapRule = (typeof CAP_RULES)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface TenantRow {
  readonly tenantId: string;
  readonly name: string;
  readonly status: string;
  readonly planTier: string;
  readonly region: string;
  readonly createdAt: string | null;
  readonly calls: number;
  readonly activeCalls: number;
  readonly minutes: number;
  readonly tokens: number;
  readonly escalatedCalls: number;
  readonly escalationRate: number | null;
  readonly ratedCalls: number;
  readonly averageSatisfaction: number | null;
  readonly costUsd: number;
}

export interface TierInfo {
  readonly tier: string;
  readonly features: readonly string[];
  readonly aiAgents: number | null;
  readonly phoneNumbers: number | null;
  readonly teamMembers: number | null;
  readonly includedMinutesPerMonth: number | null;
  readonly llmTokensPerMonth: number | null;
  readonly atUsageCap: string | null;
  readonly callRounding: string;
  readonly monthlyFeeUsd: number;
  readonly perMinuteUsd: number;
  readonly perMillionTokensUsd: number;
}

export interface UsageCapRow {
  readonly tenantId: string;
  readonly planTier: string;
  readonly minutes: number;
  readonly includedMinutes: number | null;
  readonly tokens: number;
  readonly tokenCap: number | null;
  readonly atUsageCap: string | null;
  readonly capUsed: number | null;
  readonly limitsOverridden: boolean;
  readonly costUsd: number;
  readonly billingThresholdUsd: number | null;
  readonly billingThresholdReached: boolean;
}

export interface UsageCaps {
  readonly period: string;
  readonly tenants: readonly UsageCapRow[];
}

export interface Probe {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

export interface ProviderFailure {
  readonly port: 'llm' | 'stt' | 'tts';
  readonly provider: string;
  readonly kind: 'auth' | 'rate-limit' | 'server' | 'client' | 'unreachable';
  readonly status?: number;
  /** Why a model's turn failed (timeout, empty-reply, not-speech, …); the kind alone says "unreachable". */
  readonly reason?: string;
  readonly message: string;
  readonly at: string;
  readonly recovered: boolean;
}

/** How often calls fell back from a provider since the media gateway started, and why. */
export interface ProviderFallbacks {
  readonly port: 'llm' | 'stt' | 'tts';
  readonly provider: string;
  readonly total: number;
  /** By the reason the provider failed: timeout, first-token-timeout, unreachable, http-error, … */
  readonly byReason: Readonly<Record<string, number>>;
  readonly lastReason: string;
  readonly lastAt: string;
}

export interface PlatformHealth {
  readonly status: 'ok' | 'degraded';
  readonly eventStore: Probe;
  readonly readStore: Probe;
  readonly processors: unknown;
  readonly engines: Readonly<Record<string, string>>;
  /** Each remote provider's last failure: calls fell back to the offline engine meanwhile. */
  readonly providerFailures: readonly ProviderFailure[];
  readonly providerFallbacks: readonly ProviderFallbacks[];
  readonly voice: {
    readonly callsLastHour: number;
    readonly failedLastHour: number;
    readonly activeCalls: number;
  };
}

export interface ProcessorLag {
  readonly events: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly lastPosition: number;
}

export interface ProcessorReport {
  readonly processors: Readonly<Record<string, ProcessorLag>>;
  readonly rejections: readonly {
    readonly key: string;
    readonly position?: number;
    readonly type?: string;
    readonly reason: string;
  }[];
}

export interface RegionRow {
  readonly region: string;
  readonly tenants: number;
  readonly calls: number;
  readonly activeCalls: number;
  readonly minutes: number;
  readonly tokens: number;
  readonly escalationRate: number | null;
  readonly averageSatisfaction: number | null;
  readonly costUsd: number;
}

export interface TopAgentRow {
  readonly tenantId: string;
  readonly agentId: string;
  readonly calls: number;
  readonly tokens: number;
}

export interface ApiUsageReport {
  readonly credentials: readonly {
    readonly tenantId: string;
    readonly kind: string;
    readonly credential: string;
    readonly requests: number;
    readonly errors: number;
    readonly p50Ms: number | null;
    readonly p95Ms: number | null;
    readonly lastAt: string | null;
  }[];
  readonly routes: readonly { readonly method: string; readonly route: string; readonly requests: number }[];
}

export interface TicketRow {
  readonly tenantId: string;
  readonly ticketId: string;
  readonly subject: string;
  readonly priority: string;
  readonly status: 'open' | 'resolved';
  readonly workStatus: string | null;
  readonly assigneeId: string | null;
  readonly category: string | null;
  readonly callId: string | null;
  readonly departmentId: string | null;
  readonly openedAt: string;
  readonly updatedAt: string;
}

export interface BrandingSettings {
  readonly displayName?: string;
  readonly primaryColor?: string;
  readonly logoUrl?: string;
  readonly customDomain?: string;
}

export interface UsageLimitOverrides {
  readonly includedMinutesPerMonth?: number | null;
  readonly llmTokensPerMonth?: number | null;
  readonly atUsageCap?: CapRule;
}

/** A tenant as the write side holds it (GET /api/config/tenant): what the editors start from. */
export interface TenantConfig {
  readonly id: string;
  readonly status: string;
  readonly name: string;
  readonly planTier: string;
  readonly settings: {
    readonly timeZone: string;
    readonly region?: string;
    readonly branding?: BrandingSettings;
  };
  readonly limits?: UsageLimitOverrides;
  readonly billingThresholdUsd?: number | null;
}

/** A platform-wide announcement with its whole life: published, maybe replaced, maybe withdrawn. */
export interface PlatformAnnouncement {
  readonly announcementId: string;
  readonly title: string;
  readonly body: string;
  readonly severity: string;
  readonly startsAt: string | null;
  readonly endsAt: string | null;
  readonly publishedAt: string;
  readonly withdrawnAt: string | null;
}

export interface CommandAnswer {
  readonly commandId: string;
  readonly streamId: string;
  readonly position: number;
  readonly events: readonly { readonly id: string; readonly type: string }[];
}

export interface Range {
  from?: string;
  to?: string;
}

const isErrorBody = (value: unknown): value is { error: { code: string; message: string; field?: string } } =>
  typeof value === 'object' &&
  value !== null &&
  'error' in value &&
  typeof (value as { error: { code?: unknown } }).error?.code === 'string';

/**
 * A read of one named tenant. The shared client names the tenant chosen in the header on every tenant-scoped
 * read; a super admin's page about another tenant (or about the platform's own streams) must name that one.
 */
export const readTenant = async <T>(
  path: string,
  tenantId: string,
  query: Record<string, string> = {},
): Promise<T> => {
  const params = new URLSearchParams({ ...query, tenantId });
  let response: Response;
  try {
    response = await fetch(`${path}?${params.toString()}`, {
      headers: { accept: 'application/json', ...authHeaders() },
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the platform cannot be reached');
  }
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => undefined);
    if (isErrorBody(body)) {
      throw new ApiError(response.status, body.error.code, body.error.message, body.error.field);
    }
    throw new ApiError(response.status, `HTTP_${response.status}`, response.statusText || 'request failed');
  }
  return (await response.json()) as T;
};

/** Every write is a command; the answer names the events it recorded. */
export const sendCommand = (type: string, data: Record<string, unknown>) =>
  postJson<CommandAnswer>(`/api/commands/${encodeURIComponent(type)}`, data);

const announcementsOf = (
  published: readonly AuditEntry[],
  withdrawn: readonly AuditEntry[],
): PlatformAnnouncement[] => {
  const idOf = (streamId: string): string => streamId.slice(streamId.indexOf('.') + 1);
  const latest = new Map<string, AuditEntry>();
  for (const entry of published) {
    const id = idOf(entry.streamId);
    const seen = latest.get(id);
    if (!seen || seen.position < entry.position) latest.set(id, entry);
  }
  return [...latest.entries()]
    .map(([announcementId, entry]) => {
      const data = (entry.data ?? {}) as Partial<
        Record<'title' | 'body' | 'severity' | 'startsAt' | 'endsAt', string>
      >;
      // Withdrawn after this publication: publishing the same id again brings it back.
      const withdrawal = withdrawn
        .filter((w) => idOf(w.streamId) === announcementId && w.position > entry.position)
        .sort((a, b) => a.position - b.position)[0];
      return {
        announcementId,
        title: data.title ?? '',
        body: data.body ?? '',
        severity: data.severity ?? 'info',
        startsAt: data.startsAt ?? null,
        endsAt: data.endsAt ?? null,
        publishedAt: entry.occurredAt,
        withdrawnAt: withdrawal?.occurredAt ?? null,
      };
    })
    .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt));
};

export const platformAdmin = {
  tenants: (range: Range = {}) => getJson<{ tenants: readonly TenantRow[] }>('/api/admin/tenants', range),
  tiers: () => getJson<{ tiers: readonly TierInfo[] }>('/api/admin/tiers'),
  usageCaps: () => getJson<UsageCaps>('/api/admin/usage-caps'),
  health: () => getJson<PlatformHealth>('/api/admin/health'),
  processors: () => getJson<ProcessorReport>('/api/admin/processors'),
  regions: (range: Range = {}) =>
    getJson<{ regions: readonly RegionRow[] }>('/api/admin/analytics/regions', range),
  topAgents: (range: Range = {}) =>
    getJson<{ agents: readonly TopAgentRow[] }>('/api/admin/analytics/agents', range),
  apiUsage: (range: Range = {}) => getJson<ApiUsageReport>('/api/admin/api-usage', range),
  tickets: (query: { status?: 'open' | 'resolved'; priority?: string } = {}) =>
    getJson<{ tickets: readonly TicketRow[] }>('/api/admin/tickets', query),
  tenantConfig: (tenantId: string) => readTenant<TenantConfig>('/api/config/tenant', tenantId),
  /** Platform-wide announcements from the platform's own audit trail: scheduled, ended and withdrawn ones too. */
  announcements: async (): Promise<PlatformAnnouncement[]> => {
    const read = (type: string) =>
      readTenant<Page<AuditEntry>>('/api/audit/events', PLATFORM_TENANT, { type, limit: '500' });
    const [published, withdrawn] = await Promise.all([
      read('AnnouncementPublished'),
      read('AnnouncementWithdrawn'),
    ]);
    return announcementsOf(published.items, withdrawn.items);
  },
};

/** Whether an announcement shows in banners now, is still to come, has run out or was withdrawn. */
export const announcementState = (
  a: PlatformAnnouncement,
  now: number,
): 'scheduled' | 'live' | 'ended' | 'withdrawn' => {
  if (a.withdrawnAt !== null) return 'withdrawn';
  if (a.startsAt !== null && Date.parse(a.startsAt) > now) return 'scheduled';
  if (a.endsAt !== null && Date.parse(a.endsAt) <= now) return 'ended';
  return 'live';
};
