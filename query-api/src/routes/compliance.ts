import { z } from 'zod';
import { Actor, EntityId, ErasureCertificate } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import { isoOf } from '../calls/calls.js';
import { defineRoute, type QueryRoute } from '../http/route.js';
import type { QueryDependencies } from './dependencies.js';
import { ROLE_MATRIX } from './role-matrix.js';
import { notFound } from './route-helpers.js';

/**
 * GDPR erasures as the audit trail (the events table) holds them: whom an erasure was about is sealed there and
 * erased with it, so it is never shown; who asked, when, how far it got and its certificate are.
 */
export const ErasureSummary = z.object({
  erasureId: z.string(),
  /** A person's erasure, or a daily retention run (RetentionErasureRequested) through the same path. */
  kind: z.enum(['subject', 'retention']),
  status: z.enum(['requested', 'planned', 'erased']),
  requestedAt: z.string(),
  requestedBy: Actor,
  erasedAt: z.string().nullable(),
  counts: z.record(z.string(), z.number()).nullable(),
});
export type ErasureSummary = z.infer<typeof ErasureSummary>;
export const ErasureDetail = ErasureSummary.extend({
  plannedStreams: z.number().int().nullable(),
  certificate: ErasureCertificate.nullable(),
});
export type ErasureDetail = z.infer<typeof ErasureDetail>;

interface Row {
  readonly stream_id: string;
  readonly type: string;
  readonly occurred_text: string;
  readonly actor_kind: string;
  readonly actor_id: string;
  readonly actor_role: string;
  readonly data: string;
}

const PREFIX = (tenantId: string) => `erasure-${tenantId}.`;

const erasuresOf = async (
  store: ReadStore,
  tenantId: string,
  erasureId?: string,
): Promise<ErasureDetail[]> => {
  const rows = await store.query<Row>(
    `SELECT stream_id, type, toString(occurred_at) AS occurred_text, actor_kind, actor_id, actor_role,
        if(type = 'DataSubjectErasureRequested', '{}', data) AS data
      FROM events FINAL
      WHERE tenant_id = {tenantId:String} AND startsWith(stream_id, {prefix:String})
        AND type IN ('DataSubjectErasureRequested', 'RetentionErasureRequested', 'DataSubjectErasurePlanned',
                     'DataSubjectErased')
      ORDER BY position`,
    { tenantId, prefix: erasureId === undefined ? PREFIX(tenantId) : `${PREFIX(tenantId)}${erasureId}` },
  );
  const erasures = new Map<string, ErasureDetail>();
  for (const row of rows) {
    const erasureId = row.stream_id.slice(PREFIX(tenantId).length);
    const seen = erasures.get(erasureId);
    if (row.type === 'DataSubjectErasureRequested' || row.type === 'RetentionErasureRequested') {
      const actor = Actor.safeParse({
        kind: row.actor_kind,
        id: row.actor_id,
        ...(row.actor_role !== '' && { role: row.actor_role }),
      });
      erasures.set(erasureId, {
        erasureId,
        kind: row.type === 'RetentionErasureRequested' ? 'retention' : 'subject',
        status: 'requested',
        requestedAt: isoOf(row.occurred_text) ?? '',
        requestedBy: actor.success ? actor.data : { kind: 'system', id: row.actor_id },
        erasedAt: null,
        counts: null,
        plannedStreams: null,
        certificate: null,
      });
    } else if (seen && row.type === 'DataSubjectErasurePlanned') {
      const streams = z.object({ streams: z.array(z.string()) }).safeParse(JSON.parse(row.data));
      erasures.set(erasureId, {
        ...seen,
        status: 'planned',
        plannedStreams: streams.success ? streams.data.streams.length : null,
      });
    } else if (seen && row.type === 'DataSubjectErased') {
      const parsed = z.object({ certificate: ErasureCertificate }).safeParse(JSON.parse(row.data));
      const certificate = parsed.success ? parsed.data.certificate : null;
      erasures.set(erasureId, {
        ...seen,
        status: 'erased',
        erasedAt: certificate?.erasedAt ?? isoOf(row.occurred_text),
        counts: certificate?.counts ?? null,
        certificate,
      });
    }
  }
  // An id that merely starts like the one asked for is another erasure.
  return [...erasures.values()].filter((e) => erasureId === undefined || e.erasureId === erasureId);
};

/** The tenant's erasures, newest first, and one erasure with its certificate. */
export const complianceRoutes = (deps: QueryDependencies): QueryRoute[] => [
  defineRoute({
    method: 'get',
    path: '/api/compliance/erasures',
    operationId: 'listErasures',
    summary: "List the tenant's GDPR erasures",
    tag: 'compliance',
    roles: ROLE_MATRIX.compliance,
    scope: 'audit',
    query: z.strictObject({}),
    response: z.object({ items: z.array(ErasureSummary) }),
    handle: async ({ scope }) => {
      const erasures = await erasuresOf(deps.readStore(), scope.tenantId);
      return {
        body: {
          items: erasures.reverse().map((erasure) => ({
            erasureId: erasure.erasureId,
            kind: erasure.kind,
            status: erasure.status,
            requestedAt: erasure.requestedAt,
            requestedBy: erasure.requestedBy,
            erasedAt: erasure.erasedAt,
            counts: erasure.counts,
          })),
        },
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/compliance/erasures/:erasureId',
    operationId: 'getErasure',
    summary: 'Read a GDPR erasure and its certificate',
    tag: 'compliance',
    roles: ROLE_MATRIX.compliance,
    scope: 'audit',
    params: z.strictObject({ erasureId: EntityId }),
    response: ErasureDetail,
    handle: async ({ scope, params }) => {
      const [erasure] = await erasuresOf(deps.readStore(), scope.tenantId, params.erasureId);
      if (!erasure) throw notFound('such erasure');
      return { body: erasure };
    },
  }),
];
