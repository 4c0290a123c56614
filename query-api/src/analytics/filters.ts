import { z } from 'zod';
import { EntityId } from '@ccp/schemas';
import type { QueryParams } from '@ccp/projections';

const Instant = z.iso.datetime({ offset: true }).describe('An ISO 8601 instant, e.g. 2026-11-01T00:00:00Z');

/** The filters every call-based report takes: a date range and what to narrow it to. */
export const CallFilters = z.strictObject({
  from: Instant.optional().describe('Calls started at or after this instant (default: 30 days ago)'),
  to: Instant.optional().describe('Calls started before this instant (default: now)'),
  agentId: EntityId.optional(),
  departmentId: EntityId.optional(),
  direction: z.enum(['inbound', 'outbound']).optional(),
  outcome: z.string().min(1).max(50).optional(),
});
export type CallFilters = z.output<typeof CallFilters>;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface Range {
  readonly from: Date;
  readonly to: Date;
}

export const rangeOf = (
  filters: { from?: string | undefined; to?: string | undefined },
  now: Date,
): Range => {
  const to = filters.to !== undefined ? new Date(filters.to) : now;
  const from = filters.from !== undefined ? new Date(filters.from) : new Date(to.getTime() - 30 * DAY_MS);
  return { from, to };
};

/**
 * The WHERE clause over a table with the calls' columns (calls, call_sla, ...), tenant first so ClickHouse
 * reads only the tenant's part of the primary key. Values go as parameters, never into the SQL text.
 */
export const callWhere = (
  tenantId: string,
  filters: CallFilters,
  now: Date,
  column: { readonly startedAt: string } = { startedAt: 'started_at' },
): { readonly sql: string; readonly params: QueryParams } => {
  const { from, to } = rangeOf(filters, now);
  const clauses = [
    'tenant_id = {tenantId:String}',
    `${column.startedAt} >= {from:DateTime64(3, 'UTC')}`,
    `${column.startedAt} < {to:DateTime64(3, 'UTC')}`,
  ];
  const params: Record<string, string | Date> = { tenantId, from, to };
  if (filters.agentId !== undefined) {
    clauses.push('agent_id = {agentId:String}');
    params['agentId'] = filters.agentId;
  }
  if (filters.departmentId !== undefined) {
    clauses.push('department_id = {departmentId:String}');
    params['departmentId'] = filters.departmentId;
  }
  if (filters.direction !== undefined) {
    clauses.push('direction = {direction:String}');
    params['direction'] = filters.direction;
  }
  if (filters.outcome !== undefined) {
    clauses.push('outcome = {outcome:String}');
    params['outcome'] = filters.outcome;
  }
  return { sql: clauses.join(' AND '), params };
};
