import { AUDIT_COLUMNS, AuditQuery, auditEntryOf, auditWhere, type AuditEntry } from '../audit/audit.js';
import {
  CALL_COLUMNS,
  CallListQuery,
  callListWhere,
  callSummaryOf,
  type CallSummary,
} from '../calls/calls.js';
import { streamCsv, tableBatches, type CsvColumn } from '../export/csv.js';
import { defineRoute, type QueryRoute } from '../http/route.js';
import type { QueryDependencies } from './dependencies.js';
import { ROLE_MATRIX } from './role-matrix.js';

/** Calls and the audit trail as CSV files, streamed batch by batch. */
export const exportRoutes = (deps: QueryDependencies): QueryRoute[] => {
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
