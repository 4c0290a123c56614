import { z } from 'zod';
import { CONNECTION_GROUPS, ConnectionKind, EntityId, SecretHints } from '@ccp/schemas';
import type { QueryParams, ReadStore } from '@ccp/projections';
import { isoFromClickHouse } from '../appointments/paging.js';
import { instantOrNull } from '../billing/account.js';

/**
 * A tenant's connections as the console lists them: settings (never secret), state, the hints of the secrets
 * (last four characters, never more), the last rotation and test, and how many deliveries are in each state.
 * Removed connections are gone from the API: their id cannot be used again and their secrets cannot be opened.
 */

export const ConnectionParam = z.strictObject({ connectionId: EntityId });

export const DeliveryCounts = z.object({
  pending: z.number().int(),
  delivered: z.number().int(),
  deadLetter: z.number().int(),
  cancelled: z.number().int(),
});
type DeliveryCounts = z.infer<typeof DeliveryCounts>;

export const ConnectionRow = z.object({
  connectionId: z.string(),
  kind: ConnectionKind,
  group: z.enum(['events', 'notify', 'crm', 'helpdesk', 'provider']),
  name: z.string(),
  settings: z.record(z.string(), z.unknown()).describe('The kind’s settings: nothing here is secret'),
  enabled: z.boolean(),
  secretHints: SecretHints.describe('Each secret’s last four characters; the secrets are never shown'),
  createdAt: z.string(),
  updatedAt: z.string(),
  secretsRotatedAt: z.string().optional(),
  previousValidUntil: z
    .string()
    .optional()
    .describe('Until when the secrets before the last rotation are still used beside the new ones'),
  lastTest: z
    .object({
      ok: z.boolean(),
      message: z.string(),
      statusCode: z.number().int().optional(),
      latencyMs: z.number(),
      at: z.string(),
    })
    .optional(),
  deliveries: DeliveryCounts,
});
export type ConnectionRow = z.infer<typeof ConnectionRow>;

export const ConnectionList = z.object({ connections: z.array(ConnectionRow) });

const COLUMNS = `connection_id, kind, name, settings, enabled, secret_hints, toString(created_at) AS created_text,
  toString(updated_at) AS updated_text, toString(secrets_rotated_at) AS rotated_text,
  toString(previous_valid_until) AS previous_text, last_test_ok, last_test_message, last_test_status,
  last_test_latency_ms, toString(last_tested_at) AS tested_text`;

const NO_DELIVERIES: DeliveryCounts = { pending: 0, delivered: 0, deadLetter: 0, cancelled: 0 };
const COUNT_OF: Readonly<Record<string, keyof DeliveryCounts>> = {
  pending: 'pending',
  delivered: 'delivered',
  dead_letter: 'deadLetter',
  cancelled: 'cancelled',
};

/** Deliveries by state of each of the tenant's connections (or of one). */
const deliveryCounts = async (
  store: ReadStore,
  tenantId: string,
  connectionId?: string,
): Promise<Map<string, DeliveryCounts>> => {
  const params: Record<string, QueryParams[string]> = { tenantId };
  let only = '';
  if (connectionId !== undefined) {
    only = 'AND connection_id = {connectionId:String}';
    params['connectionId'] = connectionId;
  }
  const rows = await store.query<{ connection_id: string; status: string; n: string | number }>(
    `SELECT connection_id, status, count() AS n FROM integration_deliveries FINAL
      WHERE tenant_id = {tenantId:String} ${only} GROUP BY connection_id, status`,
    params,
  );
  const counts = new Map<string, DeliveryCounts>();
  for (const row of rows) {
    const field = COUNT_OF[row.status];
    if (field === undefined) continue;
    const current = counts.get(row.connection_id) ?? { ...NO_DELIVERIES };
    counts.set(row.connection_id, { ...current, [field]: Number(row.n) });
  }
  return counts;
};

const nullableNumber = (value: unknown): number | undefined =>
  value === null || value === undefined || value === '' ? undefined : Number(value);

const connectionOf = (r: Record<string, unknown>, deliveries: DeliveryCounts): ConnectionRow => {
  // The processor wrote these from validated events; a row that does not parse is a bug worth a 500.
  const kind = ConnectionKind.parse(r['kind']);
  const rotatedAt = instantOrNull(r['rotated_text']);
  const previousValidUntil = instantOrNull(r['previous_text']);
  const testedAt = instantOrNull(r['tested_text']);
  const testOk = nullableNumber(r['last_test_ok']);
  const statusCode = nullableNumber(r['last_test_status']);
  return {
    connectionId: String(r['connection_id']),
    kind,
    group: CONNECTION_GROUPS[kind],
    name: String(r['name']),
    settings: z.record(z.string(), z.unknown()).parse(JSON.parse(String(r['settings']))),
    enabled: Number(r['enabled']) === 1,
    secretHints: SecretHints.parse(JSON.parse(String(r['secret_hints']))),
    createdAt: isoFromClickHouse(r['created_text']),
    updatedAt: isoFromClickHouse(r['updated_text']),
    ...(rotatedAt !== null && { secretsRotatedAt: rotatedAt }),
    ...(previousValidUntil !== null && { previousValidUntil }),
    ...(testedAt !== null &&
      testOk !== undefined && {
        lastTest: {
          ok: testOk === 1,
          message: String(r['last_test_message']),
          ...(statusCode !== undefined && { statusCode }),
          latencyMs: Number(r['last_test_latency_ms']),
          at: testedAt,
        },
      }),
    deliveries,
  };
};

/** The tenant's connections (not the removed ones), oldest first. */
export const listConnections = async (
  store: ReadStore,
  tenantId: string,
): Promise<z.infer<typeof ConnectionList>> => {
  const [rows, counts] = await Promise.all([
    store.query<Record<string, unknown>>(
      `SELECT ${COLUMNS} FROM integration_connections FINAL
        WHERE tenant_id = {tenantId:String} AND removed = 0 ORDER BY created_at, connection_id`,
      { tenantId },
    ),
    deliveryCounts(store, tenantId),
  ]);
  return {
    connections: rows.map((r) =>
      connectionOf(r, counts.get(String(r['connection_id'])) ?? { ...NO_DELIVERIES }),
    ),
  };
};

/** One of the tenant's connections; undefined when it has none by that id (or removed it). */
export const connectionDetail = async (
  store: ReadStore,
  tenantId: string,
  connectionId: string,
): Promise<ConnectionRow | undefined> => {
  const [row] = await store.query<Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM integration_connections FINAL
      WHERE tenant_id = {tenantId:String} AND connection_id = {connectionId:String} AND removed = 0`,
    { tenantId, connectionId },
  );
  if (row === undefined) return undefined;
  const counts = await deliveryCounts(store, tenantId, connectionId);
  return connectionOf(row, counts.get(connectionId) ?? { ...NO_DELIVERIES });
};
