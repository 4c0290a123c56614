import { describe, it } from 'vitest';
import {
  CancelDelivery,
  MAX_DELIVERY_ATTEMPTS,
  RecordDeliveryAttempt,
  ReplayDelivery,
  ScheduleDelivery,
} from '@ccp/schemas';
import { deliveryDecider, type DeliveryEvent } from './delivery.js';
import { DeciderSpecification, command, refusedWith } from '../testing.js';

const given = DeciderSpecification.for(deliveryDecider);
const key = { tenantId: 'acme', deliveryId: 'dlv_abc' };
const source = {
  eventId: 'e1',
  eventType: 'CallEnded',
  streamId: 'call-acme.CA1',
  position: 42,
  occurredAt: '2026-03-02T09:59:00.000Z',
};
const scheduled: DeliveryEvent = {
  type: 'DeliveryScheduled',
  data: {
    connectionId: 'orders-hook',
    kind: 'webhook',
    action: 'send_webhook',
    source,
    dueAt: '2026-03-02T10:00:00.000Z',
  },
};
const schedule = command(ScheduleDelivery, { ...key, ...scheduled.data });
const failedAt = (attempt: number, retryAt?: string): DeliveryEvent => ({
  type: 'DeliveryAttemptFailed',
  data: {
    attempt,
    latencyMs: 5,
    errorKind: 'server_error',
    statusCode: 500,
    ...(retryAt !== undefined && { retryAt }),
  },
});
const RETRY = '2026-03-02T10:00:02.000Z';
/** A failed attempt, to be tried again at `retryAt` (null: not at all). */
const fail = (attempt: number, retryAt: string | null = RETRY) =>
  command(RecordDeliveryAttempt, {
    ...key,
    attempt,
    outcome: 'failed',
    statusCode: 500,
    latencyMs: 5,
    errorKind: 'server_error',
    ...(retryAt !== null && { retryAt }),
  });

describe('delivery decider', () => {
  it('schedules a delivery once, however often the planner sees its event', () => {
    given([]).when(schedule).then([scheduled]);
    given([scheduled]).when(schedule).thenNothingHappened();
  });

  it('records a success with the target’s record, and ignores an attempt recorded twice', () => {
    const delivered = command(RecordDeliveryAttempt, {
      ...key,
      attempt: 1,
      outcome: 'delivered',
      statusCode: 201,
      latencyMs: 30,
      externalId: 'T-9',
    });
    given([scheduled])
      .when(delivered)
      .then([
        {
          type: 'DeliverySucceeded',
          data: { attempt: 1, latencyMs: 30, statusCode: 201, externalId: 'T-9' },
        },
      ]);
    given([scheduled, { type: 'DeliverySucceeded', data: { attempt: 1, latencyMs: 30 } }])
      .when(delivered)
      .thenNothingHappened();
    given([]).when(delivered).thenThrows(refusedWith('DELIVERY_NOT_FOUND', 'deliveryId'));
  });

  it('retries a failure when told when, and dead-letters one with no retry or past the last attempt', () => {
    given([scheduled])
      .when(fail(1))
      .then([failedAt(1, RETRY)]);
    given([scheduled])
      .when(fail(1, null))
      .then([
        failedAt(1),
        { type: 'DeliveryDeadLettered', data: { attempts: 1, errorKind: 'server_error' } },
      ]);
    const history = Array.from({ length: MAX_DELIVERY_ATTEMPTS - 1 }, (_, i) => failedAt(i + 1, RETRY));
    given([scheduled, ...history])
      .when(fail(MAX_DELIVERY_ATTEMPTS))
      .then([
        failedAt(MAX_DELIVERY_ATTEMPTS),
        {
          type: 'DeliveryDeadLettered',
          data: { attempts: MAX_DELIVERY_ATTEMPTS, errorKind: 'server_error' },
        },
      ]);
  });

  it('replays a dead letter with a fresh retry budget, numbering its attempts on', () => {
    const history = Array.from({ length: MAX_DELIVERY_ATTEMPTS - 1 }, (_, i) => failedAt(i + 1, RETRY));
    const dead: DeliveryEvent[] = [
      scheduled,
      ...history,
      failedAt(MAX_DELIVERY_ATTEMPTS),
      { type: 'DeliveryDeadLettered', data: { attempts: MAX_DELIVERY_ATTEMPTS, errorKind: 'server_error' } },
    ];
    given(dead)
      .when(command(ReplayDelivery, key))
      .then([{ type: 'DeliveryReplayRequested', data: {} }]);
    given([...dead, { type: 'DeliveryReplayRequested', data: {} }])
      .when(fail(MAX_DELIVERY_ATTEMPTS + 1))
      .then([failedAt(MAX_DELIVERY_ATTEMPTS + 1, RETRY)]);
    given([scheduled]).when(command(ReplayDelivery, key)).thenThrows(refusedWith('DELIVERY_PENDING'));
    given([]).when(command(ReplayDelivery, key)).thenThrows(refusedWith('DELIVERY_NOT_FOUND'));
  });

  it('cancels only a pending delivery; a late failure of a cancelled one changes nothing, a late success is kept', () => {
    const cancel = command(CancelDelivery, { ...key, reason: 'connection_disabled' });
    given([scheduled])
      .when(cancel)
      .then([{ type: 'DeliveryCancelled', data: { reason: 'connection_disabled' } }]);
    const cancelled: DeliveryEvent[] = [
      scheduled,
      { type: 'DeliveryCancelled', data: { reason: 'connection_disabled' } },
    ];
    given(cancelled).when(cancel).thenNothingHappened();
    given(cancelled).when(fail(1)).thenNothingHappened();
    given(cancelled)
      .when(command(RecordDeliveryAttempt, { ...key, attempt: 1, outcome: 'delivered', latencyMs: 3 }))
      .then([{ type: 'DeliverySucceeded', data: { attempt: 1, latencyMs: 3 } }]);
  });
});
