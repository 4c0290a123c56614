import type { z } from 'zod';
import type { ReportKind } from '@ccp/schemas';
import {
  AgentComparison,
  DepartmentReport,
  IntentReport,
  OutcomeReport,
  SentimentReport,
  SlaReport,
  UsageReport,
  VolumeReport,
} from '../analytics/reports.js';

export type Cell = string | number | null;

/** A report as rows and columns, with the chart that shows it best. */
export interface ReportTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  readonly chart?: {
    readonly kind: 'bar' | 'line';
    readonly x: string;
    readonly y: readonly string[];
    /** The rows to plot when not all of them (counts, not the rates beside them); absent, all rows. */
    readonly rows?: readonly (readonly Cell[])[];
  };
}

/** Each kind's result parsed with its own schema: a result of another shape fails here, loudly. */
export const tableOf = (kind: z.infer<typeof ReportKind>, result: unknown): ReportTable => {
  switch (kind) {
    case 'volume': {
      const r = VolumeReport.parse(result);
      return {
        title: `Call volume by ${r.interval} (${r.timeZone})`,
        columns: ['bucket', 'calls', 'answered', 'escalated', 'resolved', 'abandoned'],
        rows: r.buckets.map((b) => [b.bucket, b.calls, b.answered, b.escalated, b.resolved, b.abandoned]),
        chart: { kind: 'line', x: 'bucket', y: ['calls', 'resolved', 'escalated'] },
      };
    }
    case 'outcomes': {
      const r = OutcomeReport.parse(result);
      return {
        title: 'Call outcomes',
        columns: ['metric', 'value'],
        rows: [
          ['calls', r.calls],
          ['ended', r.ended],
          ['resolved', r.resolved],
          ['escalated', r.escalated],
          ['abandoned', r.abandoned],
          ['success rate', r.successRate],
          ['resolved by AI rate', r.resolutionByAiRate],
          ['escalation rate', r.escalationRate],
          ['average handle seconds', r.averageHandleSeconds],
          ['average satisfaction (1-5)', r.averageSatisfaction],
          ...r.outcomes.map((o): Cell[] => [`outcome: ${o.outcome}`, o.calls]),
        ],
        chart: { kind: 'bar', x: 'metric', y: ['value'], rows: r.outcomes.map((o) => [o.outcome, o.calls]) },
      };
    }
    case 'sentiment': {
      const r = SentimentReport.parse(result);
      return {
        title: `Caller sentiment by ${r.interval} (${r.timeZone})`,
        columns: ['bucket', 'average score', 'positive', 'neutral', 'negative'],
        rows: r.buckets.map((b) => [b.bucket, b.averageScore, b.positive, b.neutral, b.negative]),
        chart: { kind: 'line', x: 'bucket', y: ['average score'] },
      };
    }
    case 'intents': {
      const r = IntentReport.parse(result);
      return {
        title: 'Most common intents',
        columns: ['intent', 'utterances', 'calls'],
        rows: r.intents.map((i) => [i.intent, i.utterances, i.calls]),
        chart: { kind: 'bar', x: 'intent', y: ['calls'] },
      };
    }
    case 'agents': {
      const r = AgentComparison.parse(result);
      return {
        title: 'Agents compared (AI and people)',
        columns: [
          'agent',
          'kind',
          'calls',
          'resolved rate',
          'escalation rate',
          'average handle seconds',
          'average satisfaction',
          'average AI latency ms',
          'tokens',
        ],
        rows: r.agents.map((a) => [
          a.agentId,
          a.kind,
          a.calls,
          a.resolvedRate,
          a.escalationRate,
          a.averageHandleSeconds,
          a.averageSatisfaction,
          a.averageAiLatencyMs,
          a.tokens,
        ]),
        chart: { kind: 'bar', x: 'agent', y: ['calls'] },
      };
    }
    case 'departments': {
      const r = DepartmentReport.parse(result);
      return {
        title: 'Departments and queues',
        columns: [
          'department',
          'calls',
          'queued',
          'answered by a person',
          'abandoned in queue',
          'average wait seconds',
          'longest wait seconds',
          'average handle seconds',
        ],
        rows: r.departments.map((d) => [
          d.departmentId,
          d.calls,
          d.queued,
          d.answeredByHuman,
          d.abandonedInQueue,
          d.averageQueueWaitSeconds,
          d.maxQueueWaitSeconds,
          d.averageHandleSeconds,
        ]),
        chart: { kind: 'bar', x: 'department', y: ['calls', 'queued'] },
      };
    }
    case 'sla': {
      const r = SlaReport.parse(result);
      return {
        title: 'SLA compliance',
        columns: ['metric', 'value'],
        rows: [
          ['calls', r.calls],
          ['compliant', r.compliant],
          ['compliance rate', r.complianceRate],
          ['average time to answer seconds', r.averageTimeToAnswerSeconds],
          ['average queue wait seconds', r.averageQueueWaitSeconds],
          ...r.breaches.map((b): Cell[] => [`breaches: ${b.metric}`, b.calls]),
        ],
        chart: { kind: 'bar', x: 'metric', y: ['value'], rows: r.breaches.map((b) => [b.metric, b.calls]) },
      };
    }
    case 'usage': {
      const r = UsageReport.parse(result);
      const kinds = [...new Set(r.periods.flatMap((p) => Object.keys(p.kinds)))].sort();
      return {
        title: `Usage: ${r.calls} calls, ${r.minutes.toFixed(1)} minutes, ${r.promptTokens + r.completionTokens} tokens`,
        columns: ['period', ...kinds],
        rows: r.periods.map((p) => [p.period, ...kinds.map((k) => p.kinds[k] ?? 0)]),
        ...(kinds.length > 0 && { chart: { kind: 'bar' as const, x: 'period', y: kinds } }),
      };
    }
  }
};
