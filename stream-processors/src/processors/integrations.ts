import { z } from 'zod';
import { connectionEvents, deliveryEvents, type EventOf } from '@ccp/schemas';
import type { BusEvent } from '../bus/port.js';
import type { Processor, ProcessorContext } from '../processor.js';
import { utcInstant } from './call-stream.js';
import { ClickHouseCount, ClickHouseInstant } from './read-rows.js';
import { eventsOf, foldInto, key, type At } from './row-fold.js';

/**
 * Integrations on the read side (019_integrations): each tenant's connections (settings, state, secret hints,
 * last test) and the deliveries made to them (status, attempts, the last attempt's outcome). Rows are folded
 * from their events (row-fold: an event at or below a row's version leaves the row as it is), so redelivery,
 * replay and rebuild give the same rows.
 *
 * What is never written: a connection's `secrets` (sealed ciphertext, or the command's clear values on a store
 * that does not seal) and a failed attempt's `error` (the provider's text, personal data). Only hints and error
 * kinds are projected; the API reads the error from the delivery's stream when a tenant admin asks.
 */

type ConnectionEvent = EventOf<(typeof connectionEvents)[number]>;
type DeliveryEvent = EventOf<(typeof deliveryEvents)[number]>;
const CONNECTION_TYPES: ReadonlySet<string> = new Set(connectionEvents.map((d) => d.type));
const DELIVERY_TYPES: ReadonlySet<string> = new Set(deliveryEvents.map((d) => d.type));

const Nullable = <T extends z.ZodType>(schema: T) => schema.nullable();

const ConnectionRow = z.object({
  tenant_id: z.string(),
  connection_id: z.string(),
  kind: z.string(),
  name: z.string(),
  settings: z.string(),
  enabled: ClickHouseCount,
  removed: ClickHouseCount,
  secret_hints: z.string(),
  created_at: ClickHouseInstant,
  updated_at: ClickHouseInstant,
  secrets_rotated_at: Nullable(ClickHouseInstant),
  previous_valid_until: Nullable(ClickHouseInstant),
  last_test_ok: Nullable(ClickHouseCount),
  last_test_message: z.string(),
  last_test_status: Nullable(ClickHouseCount),
  last_test_latency_ms: z.number(),
  last_tested_at: Nullable(ClickHouseInstant),
  version: ClickHouseCount,
});
type ConnectionRow = z.output<typeof ConnectionRow>;

const DeliveryRow = z.object({
  tenant_id: z.string(),
  delivery_id: z.string(),
  connection_id: z.string(),
  kind: z.string(),
  action: z.string(),
  source_event_type: z.string(),
  source_event_id: z.string(),
  source_stream_id: z.string(),
  scheduled_at: ClickHouseInstant,
  status: z.string(),
  attempts: ClickHouseCount,
  last_status_code: Nullable(ClickHouseCount),
  last_error_kind: z.string().nullable(),
  last_latency_ms: z.number().nullable(),
  next_attempt_at: Nullable(ClickHouseInstant),
  delivered_at: Nullable(ClickHouseInstant),
  external_id: z.string().nullable(),
  updated_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type DeliveryRow = z.output<typeof DeliveryRow>;

export const applyToConnection = (
  row: ConnectionRow | undefined,
  at: At<ConnectionEvent>,
): ConnectionRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  const { event } = at;
  if (event.type === 'ConnectionCreated') {
    // A second creation of the same id is refused by the decider; a row already there stays.
    if (row !== undefined) return row;
    return {
      tenant_id: at.tenantId,
      connection_id: at.id,
      kind: event.data.settings.kind,
      name: event.data.name,
      settings: JSON.stringify(event.data.settings),
      enabled: 1,
      removed: 0,
      secret_hints: JSON.stringify(event.data.secretHints),
      created_at: at.occurredAt,
      updated_at: at.occurredAt,
      secrets_rotated_at: null,
      previous_valid_until: null,
      last_test_ok: null,
      last_test_message: '',
      last_test_status: null,
      last_test_latency_ms: 0,
      last_tested_at: null,
      version: at.position,
    };
  }
  if (row === undefined) return undefined;
  const changed = (change: Partial<ConnectionRow>): ConnectionRow => ({
    ...row,
    ...change,
    updated_at: at.occurredAt,
    version: at.position,
  });
  switch (event.type) {
    case 'ConnectionUpdated':
      return changed({
        ...(event.data.name !== undefined && { name: event.data.name }),
        ...(event.data.settings !== undefined && { settings: JSON.stringify(event.data.settings) }),
      });
    case 'ConnectionSecretsRotated':
      return changed({
        secret_hints: JSON.stringify(event.data.secretHints),
        secrets_rotated_at: at.occurredAt,
        previous_valid_until:
          event.data.previousValidUntil === undefined ? null : utcInstant(event.data.previousValidUntil),
      });
    case 'ConnectionEnabled':
      return changed({ enabled: 1 });
    case 'ConnectionDisabled':
      return changed({ enabled: 0 });
    case 'ConnectionRemoved':
      return changed({ enabled: 0, removed: 1 });
    case 'ConnectionTested':
      return changed({
        last_test_ok: event.data.ok ? 1 : 0,
        last_test_message: event.data.message,
        last_test_status: event.data.statusCode ?? null,
        last_test_latency_ms: event.data.latencyMs,
        last_tested_at: at.occurredAt,
      });
    default:
      return row;
  }
};

export const applyToDelivery = (
  row: DeliveryRow | undefined,
  at: At<DeliveryEvent>,
): DeliveryRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  const { event } = at;
  if (event.type === 'DeliveryScheduled') {
    // Scheduling the same delivery again records nothing; a row already there stays.
    if (row !== undefined) return row;
    const { connectionId, kind, action, source, dueAt } = event.data;
    return {
      tenant_id: at.tenantId,
      delivery_id: at.id,
      connection_id: connectionId,
      kind,
      action,
      source_event_type: source.eventType,
      source_event_id: source.eventId,
      source_stream_id: source.streamId,
      scheduled_at: at.occurredAt,
      status: 'pending',
      attempts: 0,
      last_status_code: null,
      last_error_kind: null,
      last_latency_ms: null,
      next_attempt_at: utcInstant(dueAt),
      delivered_at: null,
      external_id: null,
      updated_at: at.occurredAt,
      version: at.position,
    };
  }
  if (row === undefined) return undefined;
  const changed = (change: Partial<DeliveryRow>): DeliveryRow => ({
    ...row,
    ...change,
    updated_at: at.occurredAt,
    version: at.position,
  });
  switch (event.type) {
    case 'DeliverySucceeded':
      return changed({
        status: 'delivered',
        attempts: event.data.attempt,
        last_status_code: event.data.statusCode ?? null,
        last_error_kind: null,
        last_latency_ms: event.data.latencyMs,
        next_attempt_at: null,
        delivered_at: at.occurredAt,
        external_id: event.data.externalId ?? row.external_id,
      });
    case 'DeliveryAttemptFailed':
      // The provider's `error` text is personal data: only its kind is kept here.
      return changed({
        attempts: event.data.attempt,
        last_status_code: event.data.statusCode ?? null,
        last_error_kind: event.data.errorKind,
        last_latency_ms: event.data.latencyMs,
        next_attempt_at: event.data.retryAt === undefined ? null : utcInstant(event.data.retryAt),
      });
    case 'DeliveryDeadLettered':
      return changed({ status: 'dead_letter', next_attempt_at: null });
    case 'DeliveryCancelled':
      return changed({ status: 'cancelled', next_attempt_at: null });
    case 'DeliveryReplayRequested':
      // The worker picks a replayed delivery up at once.
      return changed({ status: 'pending', next_attempt_at: at.occurredAt });
    default:
      return row;
  }
};

export const INTEGRATIONS = 'integrations';
export const INTEGRATION_TABLES = ['integration_connections', 'integration_deliveries'] as const;

/** Connections and their deliveries, from the connection and delivery streams. */
export const createIntegrationsProcessor = (): Processor => ({
  name: INTEGRATIONS,
  categories: ['connection', 'delivery'],
  tables: [...INTEGRATION_TABLES],
  async handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void> {
    const { readStore } = context;
    await foldInto(
      readStore,
      {
        table: 'integration_connections',
        column: 'connection_id',
        idsOf: (at) => [at.id],
        rowKey: (row: ConnectionRow) => key(row.tenant_id, row.connection_id),
        keysOf: (at) => [key(at.tenantId, at.id)],
        schema: ConnectionRow,
        apply: applyToConnection,
      },
      eventsOf<ConnectionEvent>(batch, 'connection', CONNECTION_TYPES),
    );
    await foldInto(
      readStore,
      {
        table: 'integration_deliveries',
        column: 'delivery_id',
        idsOf: (at) => [at.id],
        rowKey: (row: DeliveryRow) => key(row.tenant_id, row.delivery_id),
        keysOf: (at) => [key(at.tenantId, at.id)],
        schema: DeliveryRow,
        apply: applyToDelivery,
      },
      eventsOf<DeliveryEvent>(batch, 'delivery', DELIVERY_TYPES),
    );
  },
});
