import { z } from 'zod';
import {
  EntityId,
  parseStreamName,
  ReportFilters,
  ReportFormat,
  ReportKind,
  tierAllows,
  type Role,
} from '@ccp/schemas';
import { CommandRejected } from '../../command-service/src/application/errors.js';
import type { EventStore } from '../../command-service/src/event-store/port.js';
import type { ReadStore } from '../../projections/src/read-store/port.js';
import { ApiUsageQuery, ApiUsageReport, apiUsage } from './admin/api-usage.js';
import {
  Announcements,
  Branding,
  PlatformHealth,
  RegionReport,
  regionAnalytics,
  TenantPlan,
  TierCatalog,
  tierCatalog,
  brandingForDomain,
  TicketQuery,
  Tickets,
  UsageAgainstCaps,
  supportTickets,
  usageAgainstCaps,
  TenantOverview,
  TopAgents,
  activeAnnouncements,
  platformHealth,
  type ProviderFailure,
  tenantOverview,
  topAgents,
} from './admin/platform.js';
import { CampaignQuery, CampaignReport, campaignPerformance } from './analytics/campaigns.js';
import { CallFilters, rangeOf } from './analytics/filters.js';
import { CatalogItemSchema, type Catalog, type CatalogCategory } from './config/catalog.js';
import { SavedReport, type ReportBook } from './reports/book.js';
import { produceReport } from './reports/run.js';
import {
  AgentComparison,
  agentComparison,
  callVolume,
  DepartmentReport,
  departmentStats,
  Interval,
  IntentReport,
  OutcomeReport,
  outcomes,
  SentimentReport,
  sentimentOverTime,
  SlaReport,
  slaCompliance,
  topIntents,
  UsageReport,
  usage,
  VolumeReport,
  type ReportContext,
} from './analytics/reports.js';
import {
  AUDIT_COLUMNS,
  AuditEntry,
  AuditQuery,
  auditEntryOf,
  auditPage,
  auditWhere,
  CallReplay,
  replayCall,
} from './audit/audit.js';
import {
  CallerHistory,
  CallHandling,
  EscalationInbox,
  callerHistory,
  callHandling,
  escalationInbox,
} from './calls/handling.js';
import {
  CALL_COLUMNS,
  CallDetail,
  CallListQuery,
  CallSummary,
  callDetail,
  callListWhere,
  callSummaryOf,
  listCalls,
} from './calls/calls.js';
import { streamCsv, tableBatches, type CsvColumn } from './export/csv.js';
import { defineRoute, type QueryRoute, type Scope } from './http/route.js';
import { decodeCursor, nextCursor, Page, pageOf } from './http/pagination.js';
import type { LiveFeed } from './live/feed.js';
import { LiveMetrics, liveMetrics } from './live/metrics.js';

/**
 * The role matrix (super admins may call everything): who reads what. Transcripts and replays are what callers
 * said, so viewers, who see dashboards, do not get them; the audit trail is for admins and compliance.
 */
export const ROLE_MATRIX = {
  dashboards: ['tenant_admin', 'supervisor', 'agent', 'analyst', 'compliance', 'viewer'],
  analytics: ['tenant_admin', 'supervisor', 'analyst', 'compliance', 'viewer'],
  calls: ['tenant_admin', 'supervisor', 'agent', 'analyst', 'compliance'],
  exports: ['tenant_admin', 'supervisor', 'analyst', 'compliance'],
  reports: ['tenant_admin', 'supervisor', 'analyst'],
  audit: ['tenant_admin', 'compliance'],
  configuration: ['tenant_admin', 'supervisor'],
  workspace: ['tenant_admin', 'supervisor', 'agent'],
  team: ['tenant_admin'],
} as const satisfies Record<string, readonly Role[]>;

export interface ChainCheck {
  readonly streamId: string;
  readonly events: number;
  readonly valid: boolean;
  readonly unchained: number;
  readonly brokenAt?: { readonly revision: number; readonly eventId: string; readonly reason: string };
}

export interface QueryDependencies {
  readonly readStore: () => ReadStore;
  /** The decrypting event store: replays show what was said. */
  readonly store: EventStore;
  readonly verifyChain: (streamId: string) => Promise<ChainCheck>;
  /** What a report of the tenant needs: the read store, its time zone and tier, the clock. */
  readonly reportContext: (tenantId: string) => Promise<ReportContext>;
  readonly live: LiveFeed;
  readonly now: () => Date;
  readonly log: (message: string) => void;
  /** The stream processors' lag, for the health page. */
  readonly processors: () => unknown;
  /** Which adapter each port runs on. */
  readonly engines: Readonly<Record<string, string>>;
  /** The remote providers' last failures, from the media gateway (none when it does not run here). */
  readonly providerFailures: () => readonly ProviderFailure[];
  readonly reports: ReportBook;
  readonly tenantName: (tenantId: string) => Promise<string>;
  /** What each tenant has configured, for the console's editors. */
  readonly catalog: Catalog;
  /** The secret a report's webhook deliveries are signed with. */
  readonly webhookSecret: (tenantId: string, reportId: string) => string;
}

const CallIdParam = z.strictObject({ callId: EntityId });
const Range = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional().describe('Default: 30 days before `to`'),
  to: z.iso.datetime({ offset: true }).optional().describe('Default: now'),
});
const Reports = CallFilters.extend({ interval: Interval.default('day') });
const IntentQuery = CallFilters.extend({ limit: z.coerce.number().int().min(1).max(100).default(10) });

const ReportIdParam = z.strictObject({ reportId: EntityId });
const ConfigList = z.object({ items: z.array(CatalogItemSchema) });
const Directory = z.object({
  departments: z.array(z.object({ id: z.string(), name: z.string(), status: z.string() })),
  agents: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      type: z.string(),
      status: z.string(),
      departmentId: z.string().nullable(),
    }),
  ),
  members: z.array(z.object({ id: z.string(), name: z.string(), role: z.string() })),
});
const Integrations = z.object({
  engines: z
    .record(z.string(), z.string())
    .describe('Port → adapter: telephony, conversation, speech, email, stores'),
  ssoIssuers: z.number().int().describe('Identity providers the tenant trusts for sign-in'),
  apiAccess: z.boolean().describe('Whether the tier lets API keys read and write'),
});
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

const notFound = (what: string): CommandRejected =>
  new CommandRejected(404, 'NOT_FOUND', `no ${what} in your tenant`);

export const queryRoutes = (deps: QueryDependencies): QueryRoute[] => {
  const reportContext = (scope: Scope): Promise<ReportContext> => deps.reportContext(scope.tenantId);

  /** An analytics report as a route: the same roles, scope and report context for each. */
  const analyticsRoute = <Q extends z.ZodType, R>(
    name: string,
    operationId: string,
    summary: string,
    query: Q,
    response: z.ZodType<R>,
    run: (ctx: ReportContext, query: z.output<Q>) => Promise<R>,
  ): QueryRoute =>
    defineRoute({
      method: 'get',
      path: `/api/analytics/${name}`,
      operationId,
      summary,
      tag: 'analytics',
      roles: ROLE_MATRIX.analytics,
      scope: 'analytics',
      query,
      response,
      handle: async ({ scope, query: parsed }) => ({ body: await run(await reportContext(scope), parsed) }),
    });

  /** A configuration list as a route: the tenant's items of one category, as the write side holds them. */
  const configRoute = (
    name: string,
    operationId: string,
    summary: string,
    category: CatalogCategory,
    roles: readonly Role[],
  ): QueryRoute =>
    defineRoute({
      method: 'get',
      path: `/api/config/${name}`,
      operationId,
      summary,
      tag: 'configuration',
      roles,
      scope: 'read',
      response: ConfigList,
      handle: async ({ scope }) => {
        await deps.catalog.catchUp();
        return { body: { items: deps.catalog.list(scope.tenantId, category) } };
      },
    });

  const sendFile = async (
    ctx: Parameters<QueryRoute['handle']>[0]['ctx'],
    scope: Scope,
    report: Parameters<typeof produceReport>[1],
    format: z.infer<typeof ReportFormat>,
    range: { from: Date; to: Date },
  ): Promise<void> => {
    const file = await produceReport(
      await reportContext(scope),
      report,
      format,
      range,
      await deps.tenantName(scope.tenantId),
    );
    ctx.set('Content-Type', file.contentType);
    ctx.set('Content-Disposition', `attachment; filename="${file.filename}"`);
    ctx.body = file.body;
  };

  const callsCsv: CsvColumn<CallSummary>[] = (
    [
      'callId',
      'direction',
      'status',
      'from',
      'to',
      'agentId',
      'departmentId',
      'startedAt',
      'answeredAt',
      'endedAt',
      'outcome',
      'durationSeconds',
      'escalated',
      'escalationReason',
      'humanUserId',
      'queue',
      'queueWaitSeconds',
      'feedbackScore',
      'utterances',
      'toolCalls',
      'promptTokens',
      'completionTokens',
      'hasRecording',
    ] as const
  ).map((key) => ({ header: key, value: (row: CallSummary) => row[key] }));

  const auditCsv: CsvColumn<AuditEntry>[] = [
    { header: 'position', value: (e) => e.position },
    { header: 'occurredAt', value: (e) => e.occurredAt },
    { header: 'type', value: (e) => e.type },
    { header: 'version', value: (e) => e.version },
    { header: 'streamId', value: (e) => e.streamId },
    { header: 'eventId', value: (e) => e.eventId },
    { header: 'correlationId', value: (e) => e.correlationId },
    { header: 'causationId', value: (e) => e.causationId },
    { header: 'actorKind', value: (e) => e.actor.kind },
    { header: 'actorId', value: (e) => e.actor.id },
    { header: 'actorRole', value: (e) => e.actor.role },
    { header: 'data', value: (e) => JSON.stringify(e.data) },
  ];

  return [
    defineRoute({
      method: 'get',
      path: '/api/branding',
      operationId: 'branding',
      summary: 'Read the white-label look of a custom domain',
      tag: 'platform',
      roles: [],
      scope: 'read',
      public: true,
      query: z.strictObject({
        domain: z
          .string()
          .regex(/^(?=.{4,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i, 'a domain like support.example.com'),
      }),
      response: Branding,
      handle: async ({ query }) => {
        const branding = await brandingForDomain(deps.readStore(), query.domain);
        // A tier without white label has no custom domain: answered as if no tenant used it.
        const allowed =
          branding !== undefined &&
          tierAllows((await deps.reportContext(branding.tenantId)).planTier, 'white_label');
        if (!branding || !allowed)
          throw new CommandRejected(404, 'NOT_FOUND', 'no tenant uses this domain', 'domain');
        await deps.catalog.catchUp();
        const settings = deps.catalog.tenant(branding.tenantId)?.['settings'] as
          { sso?: { issuer: string; audience: string; name?: string }[] } | undefined;
        // The sign-in page needs where to send members and for which client: both are public in any OIDC flow.
        const sso = (settings?.sso ?? []).map(({ issuer, audience, name }) => ({
          issuer,
          clientId: audience,
          ...(name !== undefined && { name }),
        }));
        return { body: { ...branding, sso } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/tenant/branding',
      operationId: 'tenantBranding',
      summary: 'Read the signed-in tenant’s white-label look, to theme the console',
      tag: 'platform',
      roles: ROLE_MATRIX.dashboards,
      scope: 'read',
      response: Branding.omit({ sso: true }),
      handle: async ({ scope }) => {
        await deps.catalog.catchUp();
        const settings = deps.catalog.tenant(scope.tenantId)?.['settings'] as
          { branding?: { displayName?: string; primaryColor?: string; logoUrl?: string } } | undefined;
        // Tiers without white label keep the platform's look.
        const own = tierAllows((await reportContext(scope)).planTier, 'white_label')
          ? settings?.branding
          : undefined;
        return {
          body: {
            tenantId: scope.tenantId,
            displayName: own?.displayName ?? null,
            primaryColor: own?.primaryColor ?? null,
            logoUrl: own?.logoUrl ?? null,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/announcements',
      operationId: 'announcements',
      summary: 'Read the announcements in force',
      tag: 'platform',
      roles: ROLE_MATRIX.dashboards,
      scope: 'read',
      response: Announcements,
      handle: async ({ scope }) => ({
        body: await activeAnnouncements(deps.readStore(), scope.tenantId, deps.now()),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/api-usage',
      operationId: 'apiUsage',
      summary: 'Read API usage by credential and route',
      tag: 'platform',
      roles: ['tenant_admin'],
      scope: 'audit',
      query: ApiUsageQuery,
      response: ApiUsageReport,
      handle: async ({ scope, query }) => ({
        body: await apiUsage(deps.readStore(), scope.tenantId, rangeOf(query, deps.now())),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/admin/tenants',
      operationId: 'adminTenants',
      summary: 'List and monitor all tenants',
      tag: 'super admin',
      roles: [],
      scope: 'read',
      platformWide: true,
      query: Range,
      response: TenantOverview,
      handle: async ({ query }) => ({
        body: await tenantOverview(deps.readStore(), rangeOf(query, deps.now()), deps.now()),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/tickets',
      operationId: 'tickets',
      summary: 'List support tickets',
      tag: 'calls',
      roles: ['tenant_admin', 'supervisor', 'agent'],
      scope: 'read',
      query: TicketQuery,
      response: Tickets,
      handle: async ({ scope, query }) => ({
        body: await supportTickets(deps.readStore(), deps.store, scope.tenantId, query),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/admin/tickets',
      operationId: 'adminTickets',
      summary: 'List every tenant’s support tickets',
      tag: 'super admin',
      roles: [],
      scope: 'read',
      platformWide: true,
      query: TicketQuery,
      response: Tickets,
      handle: async ({ scope, query }) => ({
        body: await supportTickets(deps.readStore(), deps.store, scope.tenantId, query),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/admin/analytics/agents',
      operationId: 'adminTopAgents',
      summary: 'Read the busiest agents across tenants',
      tag: 'super admin',
      roles: [],
      scope: 'analytics',
      platformWide: true,
      query: Range,
      response: TopAgents,
      handle: async ({ query }) => ({ body: await topAgents(deps.readStore(), rangeOf(query, deps.now())) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/admin/analytics/regions',
      operationId: 'adminRegions',
      summary: 'Read traffic, quality and cost of all tenants by region',
      tag: 'super admin',
      roles: [],
      scope: 'analytics',
      platformWide: true,
      query: Range,
      response: RegionReport,
      handle: async ({ query }) => ({
        body: regionAnalytics(await tenantOverview(deps.readStore(), rangeOf(query, deps.now()), deps.now())),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/integrations',
      operationId: 'integrations',
      summary: 'Read which engines and providers the platform runs on, and the tenant’s own connections',
      tag: 'platform',
      roles: ROLE_MATRIX.team,
      scope: 'read',
      response: Integrations,
      handle: async ({ scope }) => {
        await deps.catalog.catchUp();
        const settings = (deps.catalog.tenant(scope.tenantId)?.['settings'] ?? {}) as { sso?: unknown[] };
        return {
          body: {
            engines: deps.engines,
            ssoIssuers: (settings.sso ?? []).length,
            apiAccess: tierAllows((await reportContext(scope)).planTier, 'api_access'),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/plan',
      operationId: 'tenantPlan',
      summary: 'Read the tenant’s tier, its caps and prices, and this month’s usage and cost against them',
      tag: 'platform',
      roles: ROLE_MATRIX.team,
      scope: 'read',
      response: TenantPlan,
      handle: async ({ scope }) => {
        const { planTier, now } = await reportContext(scope);
        const caps = await usageAgainstCaps(deps.readStore(), now, scope.tenantId);
        const tier = tierCatalog().tiers.find((t) => t.tier === planTier);
        if (!tier) throw notFound('plan');
        return {
          body: {
            tier,
            usage: caps.tenants.find((t) => t.tenantId === scope.tenantId) ?? null,
            period: caps.period,
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/admin/tiers',
      operationId: 'adminTiers',
      summary: 'Read the subscription tiers: permission scopes, caps and list prices',
      tag: 'super admin',
      roles: [],
      scope: 'read',
      platformWide: true,
      response: TierCatalog,
      handle: () => Promise.resolve({ body: tierCatalog() }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/admin/usage-caps',
      operationId: 'adminUsageCaps',
      summary: 'Read each tenant’s usage against its tier’s caps this billing period',
      tag: 'super admin',
      roles: [],
      scope: 'analytics',
      platformWide: true,
      response: UsageAgainstCaps,
      handle: async () => ({ body: await usageAgainstCaps(deps.readStore(), deps.now()) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/admin/api-usage',
      operationId: 'adminApiUsage',
      summary: 'Read API usage logs of every tenant',
      tag: 'super admin',
      roles: [],
      scope: 'audit',
      platformWide: true,
      query: ApiUsageQuery,
      response: ApiUsageReport,
      handle: async ({ scope, query }) => ({
        body: await apiUsage(deps.readStore(), scope.tenantId, rangeOf(query, deps.now())),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/admin/health',
      operationId: 'adminHealth',
      summary: 'Read the health of the engines and the voice traffic',
      tag: 'super admin',
      roles: [],
      scope: 'read',
      platformWide: true,
      response: PlatformHealth,
      handle: async () => ({
        body: await platformHealth(
          {
            store: deps.store,
            readStore: deps.readStore(),
            processors: deps.processors,
            engines: deps.engines,
            providerFailures: deps.providerFailures,
          },
          deps.now(),
        ),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/reports',
      operationId: 'listReports',
      summary: 'List saved reports',
      tag: 'reports',
      roles: ROLE_MATRIX.reports,
      scope: 'analytics',
      feature: 'scheduled_reports',
      response: z.object({ reports: z.array(SavedReport) }),
      handle: async ({ scope }) => {
        await deps.reports.catchUp();
        return { body: { reports: deps.reports.list(scope.tenantId) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/reports/:reportId',
      operationId: 'getReport',
      summary: 'Read a saved report',
      tag: 'reports',
      roles: ROLE_MATRIX.reports,
      scope: 'analytics',
      feature: 'scheduled_reports',
      params: ReportIdParam,
      response: SavedReport,
      handle: async ({ scope, params }) => {
        await deps.reports.catchUp();
        const report = deps.reports.get(scope.tenantId, params.reportId);
        if (!report) throw notFound('such report');
        return { body: report };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/reports/:reportId/run',
      operationId: 'runReport',
      summary: 'Run a saved report as a file',
      tag: 'reports',
      roles: ROLE_MATRIX.reports,
      scope: 'analytics',
      feature: 'scheduled_reports',
      params: ReportIdParam,
      query: Range.extend({ format: ReportFormat.optional().describe("Default: the report's own") }),
      response: { mediaType: 'application/octet-stream', description: 'The report as CSV, JSON or PDF' },
      handle: async ({ scope, params, query, ctx }) => {
        await deps.reports.catchUp();
        const report = deps.reports.get(scope.tenantId, params.reportId);
        if (!report) throw notFound('such report');
        await sendFile(ctx, scope, report, query.format ?? report.format, rangeOf(query, deps.now()));
        return { streamed: true };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/reports/:reportId/webhook-secret',
      operationId: 'reportWebhookSecret',
      summary: 'Read the secret that signs a report’s webhook deliveries',
      tag: 'reports',
      roles: ['tenant_admin'],
      scope: 'analytics',
      feature: 'scheduled_reports',
      params: ReportIdParam,
      response: z.object({ secret: z.string(), header: z.string(), timestampHeader: z.string() }),
      handle: async ({ scope, params }) => {
        await deps.reports.catchUp();
        if (!deps.reports.get(scope.tenantId, params.reportId)) throw notFound('such report');
        return {
          body: {
            secret: deps.webhookSecret(scope.tenantId, params.reportId),
            header: 'X-CCP-Signature: sha256=HMAC(secret, "<timestamp>.<body>")',
            timestampHeader: 'X-CCP-Timestamp',
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/analytics/:kind/file',
      operationId: 'analyticsFile',
      summary: 'Download an analytics report as CSV, JSON or PDF with its chart',
      tag: 'reports',
      roles: ROLE_MATRIX.exports,
      scope: 'analytics',
      feature: 'exports',
      params: z.strictObject({ kind: ReportKind }),
      query: CallFilters.extend(ReportFilters.pick({ interval: true }).shape).extend({
        format: ReportFormat.default('pdf'),
      }),
      response: { mediaType: 'application/octet-stream', description: 'The report as CSV, JSON or PDF' },
      handle: async ({ scope, params, query, ctx }) => {
        const { format, from: _from, to: _to, ...filters } = query;
        await sendFile(
          ctx,
          scope,
          { name: `${params.kind} report`, kind: params.kind, filters },
          format,
          rangeOf(query, deps.now()),
        );
        return { streamed: true };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/calls',
      operationId: 'listCalls',
      summary: 'List calls',
      tag: 'calls',
      roles: ROLE_MATRIX.calls,
      scope: 'read',
      query: CallListQuery.extend(Page.shape),
      response: pageOf(CallSummary),
      handle: async ({ scope, query }) => {
        const offset = decodeCursor(query.cursor);
        const { items, total } = await listCalls(
          deps.readStore(),
          scope.tenantId,
          query,
          { offset, limit: query.limit },
          deps.now(),
        );
        return { body: { items, total, nextCursor: nextCursor(offset, items.length, total) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/calls/:callId',
      operationId: 'getCall',
      summary: 'Read a call with its transcript',
      tag: 'calls',
      roles: ROLE_MATRIX.calls,
      scope: 'read',
      params: CallIdParam,
      response: CallDetail,
      handle: async ({ scope, params }) => {
        const detail = await callDetail(deps.readStore(), scope.tenantId, params.callId);
        if (!detail) throw notFound('such call');
        return { body: detail };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/calls/:callId/handling',
      operationId: 'callHandling',
      summary: 'Read how people handled a call: escalation summary, who joined, coaching, wrap-ups',
      tag: 'calls',
      roles: ROLE_MATRIX.calls,
      scope: 'read',
      params: CallIdParam,
      response: CallHandling,
      handle: async ({ scope, params }) => {
        const handling = await callHandling(deps.store, scope.tenantId, params.callId);
        if (!handling) throw notFound('call');
        return { body: handling };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/calls/:callId/caller',
      operationId: 'callerHistory',
      summary: 'Read the caller’s record: their other calls and the tickets opened from them',
      tag: 'calls',
      roles: ROLE_MATRIX.calls,
      scope: 'read',
      params: CallIdParam,
      response: CallerHistory,
      handle: async ({ scope, params }) => {
        const history = await callerHistory(deps.readStore(), deps.store, scope.tenantId, params.callId);
        if (!history) throw notFound('call');
        return { body: history };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/escalations',
      operationId: 'escalationInbox',
      summary: 'List escalated calls that wait for people or have them on, with the AI’s summary',
      tag: 'calls',
      roles: ROLE_MATRIX.workspace,
      scope: 'read',
      response: EscalationInbox,
      handle: async ({ scope }) => ({
        body: await escalationInbox(deps.readStore(), deps.store, scope.tenantId, deps.now()),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/calls/:callId/replay',
      operationId: 'replayCall',
      summary: 'Replay a call step by step',
      tag: 'audit',
      roles: ROLE_MATRIX.calls,
      scope: 'read',
      feature: 'audit_trail',
      params: CallIdParam,
      response: CallReplay,
      handle: async ({ scope, params }) => {
        const replay = await replayCall(deps.store, scope.tenantId, params.callId);
        if (!replay) throw notFound('such call');
        return { body: replay };
      },
    }),
    analyticsRoute('volume', 'callVolume', 'Read call volume over time', Reports, VolumeReport, (ctx, q) =>
      callVolume(ctx, q, q.interval),
    ),
    analyticsRoute(
      'outcomes',
      'callOutcomes',
      'Read success and resolution rates',
      CallFilters,
      OutcomeReport,
      outcomes,
    ),
    analyticsRoute(
      'sentiment',
      'sentimentOverTime',
      'Read caller sentiment over time',
      Reports,
      SentimentReport,
      (ctx, q) => sentimentOverTime(ctx, q, q.interval),
    ),
    analyticsRoute(
      'intents',
      'topIntents',
      'Read the most common intents',
      IntentQuery,
      IntentReport,
      (ctx, q) => topIntents(ctx, q, q.limit),
    ),
    analyticsRoute(
      'agents',
      'agentComparison',
      'Compare AI and human agents',
      CallFilters,
      AgentComparison,
      agentComparison,
    ),
    analyticsRoute(
      'departments',
      'departmentStats',
      'Read department and queue statistics',
      CallFilters,
      DepartmentReport,
      departmentStats,
    ),
    analyticsRoute(
      'sla',
      'slaCompliance',
      'Read SLA compliance and breaches',
      CallFilters,
      SlaReport,
      slaCompliance,
    ),
    analyticsRoute(
      'usage',
      'usage',
      'Read usage and its cost (minutes, tokens, US dollars at list prices)',
      CallFilters,
      UsageReport,
      usage,
    ),
    analyticsRoute(
      'campaigns',
      'campaignPerformance',
      'Read outbound campaign conversion, cost and ROI',
      CampaignQuery,
      CampaignReport,
      campaignPerformance,
    ),
    configRoute(
      'departments',
      'configDepartments',
      'List departments with their routing and escalation',
      'department',
      ROLE_MATRIX.configuration,
    ),
    configRoute(
      'agents',
      'configAgents',
      'List AI agents with their voice, personality, prompts, hours and rules',
      'agent',
      ROLE_MATRIX.configuration,
    ),
    configRoute(
      'numbers',
      'configNumbers',
      'List the phone numbers and SIP extensions the tenant holds',
      'number',
      ROLE_MATRIX.configuration,
    ),
    configRoute(
      'articles',
      'configArticles',
      'List knowledge base articles, drafts included',
      'article',
      ROLE_MATRIX.configuration,
    ),
    configRoute('scripts', 'configScripts', 'List call scripts', 'script', ROLE_MATRIX.configuration),
    configRoute('members', 'configMembers', 'List team members and their roles', 'member', ROLE_MATRIX.team),
    defineRoute({
      method: 'get',
      path: '/api/config/tenant',
      operationId: 'configTenant',
      summary: 'Read the tenant’s settings, tier, status and plan usage',
      tag: 'configuration',
      roles: ROLE_MATRIX.team,
      scope: 'read',
      response: CatalogItemSchema,
      handle: async ({ scope }) => {
        await deps.catalog.catchUp();
        const tenant = deps.catalog.tenant(scope.tenantId);
        if (!tenant) throw notFound('tenant');
        return { body: tenant };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/config/directory',
      operationId: 'configDirectory',
      summary: 'Read the names of departments, agents and people, for filters and labels',
      tag: 'configuration',
      roles: ROLE_MATRIX.dashboards,
      scope: 'read',
      response: Directory,
      handle: async ({ scope }) => {
        await deps.catalog.catchUp();
        const list = (category: CatalogCategory) => deps.catalog.list(scope.tenantId, category);
        return {
          body: {
            departments: list('department').map((d) => ({
              id: d.id,
              name: str(d['name']),
              status: str(d['status']),
            })),
            agents: list('agent').map((a) => ({
              id: a.id,
              name: str(a['name']),
              type: str(a['type']),
              status: str(a['status']),
              departmentId: typeof a['departmentId'] === 'string' ? a['departmentId'] : null,
            })),
            members: list('member').map((m) => ({ id: m.id, name: str(m['name']), role: str(m['role']) })),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/live',
      operationId: 'liveMetrics',
      summary: 'Read live metrics now',
      tag: 'live',
      roles: ROLE_MATRIX.dashboards,
      scope: 'read',
      response: LiveMetrics,
      handle: async ({ scope }) => {
        const { store, tenantId, timeZone, now } = await reportContext(scope);
        return { body: await liveMetrics(store, tenantId, timeZone, now) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/live/stream',
      operationId: 'liveMetricsStream',
      summary: 'Follow live metrics as Server-Sent Events',
      tag: 'live',
      roles: ROLE_MATRIX.dashboards,
      scope: 'read',
      response: {
        mediaType: 'text/event-stream',
        description: 'A `metrics` event carrying LiveMetrics JSON each time they change',
      },
      handle: async ({ scope, ctx }) => {
        deps.live.watch(ctx, scope.tenantId);
        return { streamed: true };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/events',
      operationId: 'auditEvents',
      summary: 'Read the audit trail',
      tag: 'audit',
      roles: ROLE_MATRIX.audit,
      scope: 'audit',
      feature: 'audit_trail',
      query: AuditQuery.extend(Page.shape).extend({
        order: z.enum(['asc', 'desc']).default('asc').describe('asc: log order; desc: newest first'),
      }),
      response: pageOf(AuditEntry),
      handle: async ({ scope, query }) => {
        const offset = decodeCursor(query.cursor);
        const { items, total } = await auditPage(deps.readStore(), scope.tenantId, query, {
          offset,
          limit: query.limit,
          order: query.order,
        });
        return { body: { items, total, nextCursor: nextCursor(offset, items.length, total) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/audit/streams/:streamId/verify',
      operationId: 'verifyStream',
      summary: 'Verify the hash chain of a stream',
      tag: 'audit',
      roles: ROLE_MATRIX.audit,
      scope: 'audit',
      feature: 'audit_trail',
      params: z.strictObject({ streamId: z.string().min(3).max(300) }),
      response: z.object({
        streamId: z.string(),
        events: z.number().int(),
        valid: z.boolean(),
        unchained: z.number().int(),
        brokenAt: z
          .object({ revision: z.number().int(), eventId: z.string(), reason: z.string() })
          .optional(),
      }),
      handle: async ({ scope, params }) => {
        // A stream names its tenant; another tenant's stream is as absent as a stream that does not exist.
        if (parseStreamName(params.streamId)?.tenantId !== scope.tenantId) throw notFound('such stream');
        const result = await deps.verifyChain(params.streamId);
        if (result.events === 0) throw notFound('such stream');
        return { body: result };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/exports/calls.csv',
      operationId: 'exportCalls',
      summary: 'Export calls as CSV',
      tag: 'exports',
      roles: ROLE_MATRIX.exports,
      scope: 'analytics',
      feature: 'exports',
      query: CallListQuery.omit({ sort: true, order: true }),
      response: { mediaType: 'text/csv', description: 'Every matching call, by call id, streamed' },
      handle: async ({ scope, query, ctx }) => {
        const store = deps.readStore();
        const where = callListWhere(
          scope.tenantId,
          { ...query, sort: 'started_at', order: 'asc' },
          deps.now(),
        );
        streamCsv(
          ctx,
          `calls-${scope.tenantId}.csv`,
          callsCsv,
          tableBatches(store, {
            table: 'calls',
            columns: CALL_COLUMNS,
            where,
            key: { column: 'call_id', type: 'String' },
            map: callSummaryOf,
            keyOf: (r) => r.callId,
          }),
          deps.log,
        );
        return { streamed: true };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/exports/audit.csv',
      operationId: 'exportAudit',
      summary: 'Export the audit trail as CSV',
      tag: 'exports',
      roles: ROLE_MATRIX.audit,
      scope: 'audit',
      feature: 'audit_trail',
      query: AuditQuery,
      response: { mediaType: 'text/csv', description: 'Every matching event in log order, streamed' },
      handle: async ({ scope, query, ctx }) => {
        const store = deps.readStore();
        const where = auditWhere(scope.tenantId, query);
        streamCsv(
          ctx,
          `audit-${scope.tenantId}.csv`,
          auditCsv,
          tableBatches(store, {
            table: 'events',
            columns: AUDIT_COLUMNS,
            where,
            key: { column: 'position', type: 'UInt64' },
            map: auditEntryOf,
            keyOf: (e) => e.position,
          }),
          deps.log,
        );
        return { streamed: true };
      },
    }),
  ];
};
