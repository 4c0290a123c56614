import { z } from 'zod';
import { CampaignQuery, CampaignReport, campaignPerformance } from '../analytics/campaigns.js';
import { CallFilters } from '../analytics/filters.js';
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
} from '../analytics/reports.js';
import { defineRoute, type QueryRoute } from '../http/route.js';
import type { QueryDependencies } from './dependencies.js';
import { ROLE_MATRIX } from './role-matrix.js';
import { reportContextOf } from './route-helpers.js';

const Reports = CallFilters.extend({ interval: Interval.default('day') });
const IntentQuery = CallFilters.extend({ limit: z.coerce.number().int().min(1).max(100).default(10) });

/**
 * The analytics reports of a tenant's calls: volume, outcomes, sentiment, intents, agents, departments, SLA,
 * usage and campaigns.
 */
export const analyticsRoutes = (deps: QueryDependencies): QueryRoute[] => {
  const reportContext = reportContextOf(deps);

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

  return [
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
  ];
};
