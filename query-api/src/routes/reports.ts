import { z } from 'zod';
import { EntityId, ReportFilters, ReportFormat, ReportKind } from '@ccp/schemas';
import { CallFilters, rangeOf } from '../analytics/filters.js';
import { SavedReport } from '../reports/book.js';
import { produceReport } from '../reports/run.js';
import { defineRoute, type QueryRoute, type Scope } from '../http/route.js';
import type { QueryDependencies } from './dependencies.js';
import { ROLE_MATRIX } from './role-matrix.js';
import { notFound, Range, reportContextOf } from './route-helpers.js';

const ReportIdParam = z.strictObject({ reportId: EntityId });

/** Saved reports (read, run as a file, their webhook secret) and any analytics report as a CSV, JSON or PDF file. */
export const reportRoutes = (deps: QueryDependencies): QueryRoute[] => {
  const reportContext = reportContextOf(deps);

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

  return [
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
  ];
};
