import { z } from 'zod';
import {
  ConnectionKind,
  DeliveryAction,
  DeliveryErrorKind,
  EntityId,
  decodeEvent,
  streamName,
} from '@ccp/schemas';
import type { EventStore } from '@ccp/command-service';
import type { QueryParams, ReadStore } from '@ccp/projections';
import { decodeInstantKeyset, isoFromClickHouse, pageOfRows } from '../appointments/paging.js';
import { instantOrNull } from '../billing/account.js';

/**
 * Deliveries to a tenant's connections, newest first, from the read side; one delivery's attempts and events
 * from its own stream in the event store, which alone keeps the provider's text of a failure (personal data,
 * decrypted for the tenant admin who asks).
 */

export const DeliveryStatus = z.enum(['pending', 'delivered', 'dead_letter', 'cancelled']);

export const DeliveryParam = z.strictObject({ deliveryId: EntityId });

export const DeliveryQuery = z.strictObject({
  connectionId: EntityId.optional().describe('Only the deliveries to this connection'),
  status: DeliveryStatus.optional().describe('Only deliveries in this state'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Deliveries per page (1-200)'),
  cursor: z.string().max(400).optional().describe('nextCursor of the previous page'),
});

export const DeliveryRow = z.object({
  deliveryId: z.string(),
  connectionId: z.string(),
  kind: ConnectionKind,
  action: DeliveryAction,
  sourceEventType: z.string(),
  sourceEventId: z.string(),
  sourceStreamId: z.string(),
  scheduledAt: z.string(),
  status: DeliveryStatus,
  attempts: z.number().int(),
  lastStatusCode: z.number().int().optional(),
  lastErrorKind: DeliveryErrorKind.optional(),
  lastLatencyMs: z.number().optional(),
  nextAttemptAt: z.string().optional(),
  deliveredAt: z.string().optional(),
  externalId: z.string().optional(),
  updatedAt: z.string(),
});
export type DeliveryRow = z.infer<typeof DeliveryRow>;

export const DeliveryList = z.object({
  deliveries: z.array(DeliveryRow),
  nextCursor: z.string().optional().describe('Absent on the last page'),
});

const Attempt = z.object({
  attempt: z.number().int(),
  at: z.string(),
  outcome: z.enum(['delivered', 'failed']),
  statusCode: z.number().int().optional(),
  latencyMs: z.number(),
  errorKind: DeliveryErrorKind.optional(),
  error: z.string().optional().describe('The provider’s own text of the failure'),
  retryAt: z.string().optional(),
});
type Attempt = z.infer<typeof Attempt>;

export const DeliveryDetail = DeliveryRow.extend({
  attempts: z.array(Attempt),
  events: z.array(z.object({ type: z.string(), at: z.string() })),
});
type DeliveryDetail = z.infer<typeof DeliveryDetail>;

const COLUMNS = `delivery_id, connection_id, kind, action, source_event_type, source_event_id, source_stream_id,
  toString(scheduled_at) AS scheduled_text, status, attempts, last_status_code, last_error_kind, last_latency_ms,
  toString(next_attempt_at) AS next_text, toString(delivered_at) AS delivered_text, external_id,
  toString(updated_at) AS updated_text`;

const present = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

const deliveryOf = (r: Record<string, unknown>): DeliveryRow => {
  const nextAttemptAt = instantOrNull(r['next_text']);
  const deliveredAt = instantOrNull(r['delivered_text']);
  const errorKind = r['last_error_kind'];
  const externalId = r['external_id'];
  return {
    deliveryId: String(r['delivery_id']),
    connectionId: String(r['connection_id']),
    // The processor wrote these from validated events; a row that does not parse is a bug worth a 500.
    kind: ConnectionKind.parse(r['kind']),
    action: DeliveryAction.parse(r['action']),
    sourceEventType: String(r['source_event_type']),
    sourceEventId: String(r['source_event_id']),
    sourceStreamId: String(r['source_stream_id']),
    scheduledAt: isoFromClickHouse(r['scheduled_text']),
    status: DeliveryStatus.parse(r['status']),
    attempts: Number(r['attempts']),
    ...(present(r['last_status_code']) && { lastStatusCode: Number(r['last_status_code']) }),
    ...(present(errorKind) && { lastErrorKind: DeliveryErrorKind.parse(errorKind) }),
    ...(present(r['last_latency_ms']) && { lastLatencyMs: Number(r['last_latency_ms']) }),
    ...(nextAttemptAt !== null && { nextAttemptAt }),
    ...(deliveredAt !== null && { deliveredAt }),
    ...(typeof externalId === 'string' && { externalId }),
    updatedAt: isoFromClickHouse(r['updated_text']),
  };
};

/** The tenant's deliveries, newest first (by when they were scheduled, then id), filtered. */
export const listDeliveries = async (
  store: ReadStore,
  tenantId: string,
  query: z.output<typeof DeliveryQuery>,
): Promise<z.infer<typeof DeliveryList>> => {
  const params: Record<string, QueryParams[string]> = { tenantId, limit: query.limit + 1 };
  const clauses = ['tenant_id = {tenantId:String}'];
  if (query.connectionId !== undefined) {
    clauses.push('connection_id = {connectionId:String}');
    params['connectionId'] = query.connectionId;
  }
  if (query.status !== undefined) {
    clauses.push('status = {status:String}');
    params['status'] = query.status;
  }
  const after = decodeInstantKeyset(query.cursor);
  if (after !== undefined) {
    clauses.push(`(scheduled_at, delivery_id) < ({afterAt:DateTime64(3, 'UTC')}, {afterId:String})`);
    params['afterAt'] = after[0];
    params['afterId'] = after[1];
  }
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM integration_deliveries FINAL WHERE ${clauses.join(' AND ')}
      ORDER BY scheduled_at DESC, delivery_id DESC LIMIT {limit:UInt32}`,
    params,
  );
  const page = pageOfRows(rows.map(deliveryOf), query.limit, (d) => [d.scheduledAt, d.deliveryId]);
  return {
    deliveries: page.rows,
    ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
  };
};

const AttemptData = z.object({
  attempt: z.number().int(),
  statusCode: z.number().int().optional(),
  latencyMs: z.number(),
  errorKind: DeliveryErrorKind.optional(),
  error: z.string().optional(),
  retryAt: z.string().optional(),
});

/** One of the tenant's deliveries with its attempts and events; undefined when it has none by that id. */
export const deliveryDetail = async (
  deps: { readonly readStore: ReadStore; readonly store: EventStore },
  tenantId: string,
  deliveryId: string,
): Promise<DeliveryDetail | undefined> => {
  const [row] = await deps.readStore.query<Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM integration_deliveries FINAL
      WHERE tenant_id = {tenantId:String} AND delivery_id = {deliveryId:String}`,
    { tenantId, deliveryId },
  );
  if (row === undefined) return undefined;
  // The tenant's own stream: the stream name carries the tenant, so no other tenant's delivery is read.
  const recorded = await deps.store.readStream(streamName('delivery', tenantId, deliveryId));
  const attempts: Attempt[] = [];
  const events: { type: string; at: string }[] = [];
  for (const event of recorded) {
    const decoded = decodeEvent(event);
    if (!decoded.ok) continue;
    const { type, data, occurredAt } = decoded.value;
    const at = new Date(occurredAt).toISOString();
    events.push({ type, at });
    if (type !== 'DeliverySucceeded' && type !== 'DeliveryAttemptFailed') continue;
    const parsed = AttemptData.safeParse(data);
    if (!parsed.success) continue;
    const { attempt, statusCode, latencyMs, errorKind, error, retryAt } = parsed.data;
    attempts.push({
      attempt,
      at,
      outcome: type === 'DeliverySucceeded' ? 'delivered' : 'failed',
      ...(statusCode !== undefined && { statusCode }),
      latencyMs,
      ...(errorKind !== undefined && { errorKind }),
      ...(error !== undefined && { error }),
      ...(retryAt !== undefined && { retryAt: new Date(retryAt).toISOString() }),
    });
  }
  return { ...deliveryOf(row), attempts, events };
};
