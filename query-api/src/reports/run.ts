import type { z } from 'zod';
import type { ReportFilters, ReportFormat, ReportKind } from '@ccp/schemas';
import {
  agentComparison,
  callVolume,
  departmentStats,
  outcomes,
  sentimentOverTime,
  slaCompliance,
  topIntents,
  usage,
  type ReportContext,
} from '../analytics/reports.js';
import { renderReport, type RenderedReport } from './render.js';
import { tableOf } from './tables.js';

type Kind = z.infer<typeof ReportKind>;
type Filters = z.infer<typeof ReportFilters>;

/** Runs one analytics report over a range: the same functions the dashboards call. */
export const runAnalytics = async (
  ctx: ReportContext,
  kind: Kind,
  filters: Filters,
  range: { from: Date; to: Date },
): Promise<unknown> => {
  const callFilters = {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    ...(filters.agentId !== undefined && { agentId: filters.agentId }),
    ...(filters.departmentId !== undefined && { departmentId: filters.departmentId }),
    ...(filters.direction !== undefined && { direction: filters.direction }),
    ...(filters.outcome !== undefined && { outcome: filters.outcome }),
  };
  const interval = filters.interval ?? 'day';
  switch (kind) {
    case 'volume':
      return callVolume(ctx, callFilters, interval);
    case 'outcomes':
      return outcomes(ctx, callFilters);
    case 'sentiment':
      return sentimentOverTime(ctx, callFilters, interval);
    case 'intents':
      return topIntents(ctx, callFilters, 20);
    case 'agents':
      return agentComparison(ctx, callFilters);
    case 'departments':
      return departmentStats(ctx, callFilters);
    case 'sla':
      return slaCompliance(ctx, callFilters);
    case 'usage':
      return usage(ctx, callFilters);
  }
};

/** A report run and rendered as a file: what the run endpoint answers and what deliveries carry. */
export const produceReport = async (
  ctx: ReportContext,
  report: { readonly name: string; readonly kind: Kind; readonly filters: Filters },
  format: z.infer<typeof ReportFormat>,
  range: { from: Date; to: Date },
  tenantName: string,
): Promise<RenderedReport> =>
  renderReport(
    {
      tenantName,
      reportName: report.name,
      range,
      timeZone: ctx.timeZone,
      generatedAt: ctx.now,
      table: tableOf(report.kind, await runAnalytics(ctx, report.kind, report.filters, range)),
    },
    format,
  );
