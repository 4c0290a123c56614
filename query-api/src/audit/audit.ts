import { z } from 'zod';
import { decodeEvent, streamName, withoutWithheldFields } from '@ccp/schemas';
import type { EventStore } from '@ccp/command-service';
import type { QueryParams, ReadStore } from '@ccp/projections';
import { isoOf } from '../calls/calls.js';
import { readPage } from '../http/pagination.js';

const Instant = z.iso.datetime({ offset: true });

export const AuditQuery = z.strictObject({
  type: z.string().min(1).max(100).optional().describe('Event type, e.g. CallEnded'),
  actorId: z.string().min(1).max(200).optional(),
  actorRole: z.string().min(1).max(50).optional(),
  streamId: z.string().min(1).max(300).optional(),
  correlationId: z.string().min(1).max(200).optional().describe('A call id: everything that happened in it'),
  from: Instant.optional(),
  to: Instant.optional(),
});

export const AuditEntry = z.object({
  position: z.number().int(),
  eventId: z.string(),
  streamId: z.string(),
  type: z.string(),
  version: z.number().int(),
  occurredAt: z.string(),
  correlationId: z.string(),
  causationId: z.string().nullable(),
  actor: z.object({ kind: z.string(), id: z.string(), role: z.string().nullable() }),
  data: z.unknown().describe("The event's data; personal fields read [personal], secret hashes [withheld]"),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const auditWhere = (
  tenantId: string,
  query: z.output<typeof AuditQuery>,
): { sql: string; params: QueryParams } => {
  const clauses = ['tenant_id = {tenantId:String}'];
  const params: Record<string, string | Date> = { tenantId };
  const add = (clause: string, name: string, value: string | Date | undefined) => {
    if (value === undefined) return;
    clauses.push(clause);
    params[name] = value;
  };
  add('type = {type:String}', 'type', query.type);
  add('actor_id = {actorId:String}', 'actorId', query.actorId);
  add('actor_role = {actorRole:String}', 'actorRole', query.actorRole);
  add('stream_id = {streamId:String}', 'streamId', query.streamId);
  add('correlation_id = {correlationId:String}', 'correlationId', query.correlationId);
  add(`occurred_at >= {from:DateTime64(3, 'UTC')}`, 'from', query.from ? new Date(query.from) : undefined);
  add(`occurred_at < {to:DateTime64(3, 'UTC')}`, 'to', query.to ? new Date(query.to) : undefined);
  return { sql: clauses.join(' AND '), params };
};

export const AUDIT_COLUMNS = `position, event_id, stream_id, type, version, toString(occurred_at) AS occurred_text,
  correlation_id, causation_id, actor_kind, actor_id, actor_role, data`;

export const auditEntryOf = (r: Record<string, unknown>): AuditEntry => ({
  position: Number(r['position']),
  eventId: String(r['event_id']),
  streamId: String(r['stream_id']),
  type: String(r['type']),
  version: Number(r['version']),
  occurredAt: isoOf(r['occurred_text']) ?? '',
  correlationId: String(r['correlation_id']),
  causationId: r['causation_id'] === null ? null : String(r['causation_id']),
  actor: {
    kind: String(r['actor_kind']),
    id: String(r['actor_id']),
    role: r['actor_role'] === '' ? null : String(r['actor_role']),
  },
  // Withheld here too: rows an older audit-log processor wrote hold the hashes until its rebuild replaced them.
  data: withoutWithheldFields(String(r['type']), JSON.parse(String(r['data'])) as unknown),
});

/** The audit log of a tenant in log order (or newest first), a page at a time. */
export const auditPage = async (
  store: ReadStore,
  tenantId: string,
  query: z.output<typeof AuditQuery>,
  page: { offset: number; limit: number; order?: 'asc' | 'desc' },
): Promise<{ items: AuditEntry[]; total: number }> => {
  const where = auditWhere(tenantId, query);
  const { rows, total } = await readPage(
    store,
    {
      columns: AUDIT_COLUMNS,
      from: 'events FINAL',
      where: where.sql,
      orderBy: `position ${page.order === 'desc' ? 'DESC' : 'ASC'}`,
      params: where.params,
    },
    page,
  );
  return { items: rows.map(auditEntryOf), total };
};

export const ReplayStep = z.object({
  step: z.number().int().describe('1 for the first event of the call'),
  at: z.string(),
  offsetMs: z.number().int().describe('Milliseconds since the first event'),
  revision: z.number().int(),
  type: z.string(),
  actor: z.object({ kind: z.string(), id: z.string(), role: z.string().nullable() }),
  data: z.unknown(),
});
export const CallReplay = z.object({ callId: z.string(), steps: z.array(ReplayStep) });

/**
 * A call step by step, straight from its events in the event store (decrypted: people allowed to replay a call
 * hear what was said), with the time of each step and its offset from the start.
 */
export const replayCall = async (
  store: EventStore,
  tenantId: string,
  callId: string,
): Promise<z.infer<typeof CallReplay> | undefined> => {
  const recorded = await store.readStream(streamName('call', tenantId, callId));
  if (recorded.length === 0) return undefined;
  const steps: z.infer<typeof ReplayStep>[] = [];
  let start: number | undefined;
  for (const event of recorded) {
    const decoded = decodeEvent(event);
    if (!decoded.ok) continue;
    const e = decoded.value;
    const at = Date.parse(e.occurredAt);
    start ??= at;
    steps.push({
      step: steps.length + 1,
      at: new Date(at).toISOString(),
      offsetMs: at - start,
      revision: event.revision,
      type: e.type,
      actor: { kind: e.actor.kind, id: e.actor.id, role: e.actor.role ?? null },
      data: e.data,
    });
  }
  return { callId, steps };
};
