import { z } from 'zod';
import { parseStreamName } from '@ccp/schemas';
import { AuditEntry, AuditQuery, auditPage } from '../audit/audit.js';
import { defineRoute, type QueryRoute } from '../http/route.js';
import { decodeCursor, nextCursor, Page, pageOf } from '../http/pagination.js';
import type { QueryDependencies } from './dependencies.js';
import { ROLE_MATRIX } from './role-matrix.js';
import { notFound } from './route-helpers.js';

/** The audit trail, page by page, and the check of a stream's hash chain. */
export const auditRoutes = (deps: QueryDependencies): QueryRoute[] => [
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
      brokenAt: z.object({ revision: z.number().int(), eventId: z.string(), reason: z.string() }).optional(),
    }),
    handle: async ({ scope, params }) => {
      // A stream names its tenant; another tenant's stream is as absent as a stream that does not exist.
      if (parseStreamName(params.streamId)?.tenantId !== scope.tenantId) throw notFound('such stream');
      const result = await deps.verifyChain(params.streamId);
      if (result.events === 0) throw notFound('such stream');
      return { body: result };
    },
  }),
];
