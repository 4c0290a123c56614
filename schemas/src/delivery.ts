import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { ConnectionKind } from './integration.js';
import { EntityId, IsoDateTime, TenantId } from './primitives.js';

/**
 * Deliveries to tenants' connections (`delivery-<tenant>.<deliveryId>`), an event-sourced timer each: scheduled
 * from a source event with a deterministic id (the connection and the source event), attempted by the delivery
 * worker, recorded as delivered, failed (with when to try again) or dead-lettered after the last attempt; a tenant
 * admin may replay it. The delivery id is what the target is told as its idempotency key or message id
 * (`webhook-id`), so a retry after a crash is recognisable. Connections are in integration.ts.
 */
const deliveryCategory = 'delivery';

/** What a delivery does at its target. */
export const DeliveryAction = z.enum(['send_webhook', 'notify', 'log_call', 'open_ticket']);
export type DeliveryAction = z.infer<typeof DeliveryAction>;

/** Why an attempt failed, in words that carry no personal data (the provider's own text is in `error`). */
export const DeliveryErrorKind = z.enum([
  'timeout',
  'network',
  'url_refused',
  'rate_limited',
  'server_error',
  'client_error',
  'auth_failed',
  'payload_too_large',
  'secrets_unavailable',
]);
export type DeliveryErrorKind = z.infer<typeof DeliveryErrorKind>;

/** Attempts after a schedule or a replay before the delivery is dead-lettered. */
export const MAX_DELIVERY_ATTEMPTS = 8;

export const DeliverySource = z.object({
  eventId: z.string().min(1).max(100),
  eventType: z.string().min(1).max(100),
  streamId: z.string().min(1).max(300),
  /** The source event's global position in the log. */
  position: z.number().int().nonnegative(),
  occurredAt: IsoDateTime,
});
export type DeliverySource = z.infer<typeof DeliverySource>;

export const DeliveryCancelReason = z.enum(['connection_disabled', 'connection_removed']);

const deliveryKey = { tenantId: TenantId, deliveryId: EntityId };
const UtcDateTime = IsoDateTime.transform((at) => new Date(at).toISOString());

export const ScheduleDelivery = defineCommand(
  deliveryCategory,
  'ScheduleDelivery',
  z.object({
    ...deliveryKey,
    connectionId: EntityId,
    kind: ConnectionKind,
    action: DeliveryAction,
    source: DeliverySource,
    dueAt: UtcDateTime,
  }),
  'Internal: the delivery engine found an event a connection wants; scheduling the same delivery again changes nothing.',
);
export const RecordDeliveryAttempt = defineCommand(
  deliveryCategory,
  'RecordDeliveryAttempt',
  z
    .object({
      ...deliveryKey,
      /** Counted from 1 over the delivery's whole life (replays go on counting). */
      attempt: z.number().int().min(1),
      outcome: z.enum(['delivered', 'failed']),
      statusCode: z.number().int().min(100).max(599).optional(),
      latencyMs: z.number().nonnegative(),
      errorKind: DeliveryErrorKind.optional(),
      error: z.string().max(500).optional(),
      /** The record the target made (a ticket, an engagement, a message id). */
      externalId: z.string().min(1).max(200).optional(),
      /** When to try again; absent on a failure means none (the delivery is dead-lettered). */
      retryAt: UtcDateTime.optional(),
    })
    .refine((a) => a.outcome === 'delivered' || a.errorKind !== undefined, {
      message: 'a failed attempt says what kind of failure it was',
      path: ['errorKind'],
    }),
  'Internal: the delivery worker made an attempt.',
);
export const CancelDelivery = defineCommand(
  deliveryCategory,
  'CancelDelivery',
  z.object({ ...deliveryKey, reason: DeliveryCancelReason }),
  'Internal: a pending delivery is not made, because its connection was disabled or removed.',
);
export const ReplayDelivery = defineCommand(
  deliveryCategory,
  'ReplayDelivery',
  z.object(deliveryKey),
  'Deliver again a delivery that was dead-lettered, cancelled or already delivered, with the same id.',
);

export const DeliveryScheduled = defineEvent(
  deliveryCategory,
  'DeliveryScheduled',
  1,
  z.object({
    connectionId: EntityId,
    kind: ConnectionKind,
    action: DeliveryAction,
    source: DeliverySource,
    dueAt: IsoDateTime,
  }),
);
export const DeliverySucceeded = defineEvent(
  deliveryCategory,
  'DeliverySucceeded',
  1,
  z.object({
    attempt: z.number().int().min(1),
    statusCode: z.number().int().optional(),
    latencyMs: z.number().nonnegative(),
    externalId: z.string().optional(),
  }),
);
export const DeliveryAttemptFailed = defineEvent(
  deliveryCategory,
  'DeliveryAttemptFailed',
  1,
  z.object({
    attempt: z.number().int().min(1),
    statusCode: z.number().int().optional(),
    latencyMs: z.number().nonnegative(),
    errorKind: DeliveryErrorKind,
    error: z.string().optional(),
    retryAt: IsoDateTime.optional(),
  }),
);
export const DeliveryDeadLettered = defineEvent(
  deliveryCategory,
  'DeliveryDeadLettered',
  1,
  z.object({ attempts: z.number().int().min(1), errorKind: DeliveryErrorKind }),
);
export const DeliveryCancelled = defineEvent(
  deliveryCategory,
  'DeliveryCancelled',
  1,
  z.object({ reason: DeliveryCancelReason }),
);
export const DeliveryReplayRequested = defineEvent(
  deliveryCategory,
  'DeliveryReplayRequested',
  1,
  z.object({}),
);

export const deliveryCommands = [
  ScheduleDelivery,
  RecordDeliveryAttempt,
  CancelDelivery,
  ReplayDelivery,
] as const;
export const deliveryEvents = [
  DeliveryScheduled,
  DeliverySucceeded,
  DeliveryAttemptFailed,
  DeliveryDeadLettered,
  DeliveryCancelled,
  DeliveryReplayRequested,
] as const;
