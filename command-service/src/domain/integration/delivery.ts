import {
  MAX_DELIVERY_ATTEMPTS,
  type CommandOf,
  type ConnectionKind,
  type DeliveryAction,
  type DeliverySource,
  type EventOf,
  type deliveryCommands,
  type deliveryEvents,
} from '@ccp/schemas';
import { DomainError, type Decider } from '../decider.js';

export type DeliveryCommand = CommandOf<(typeof deliveryCommands)[number]>;
export type DeliveryEvent = EventOf<(typeof deliveryEvents)[number]>;

export type DeliveryStatus = 'pending' | 'delivered' | 'dead_letter' | 'cancelled';

export type DeliveryState =
  | { readonly status: 'none' }
  | {
      readonly status: DeliveryStatus;
      readonly connectionId: string;
      // Not needed to decide: carried so the dispatcher folds a delivery with this same evolve.
      readonly kind: ConnectionKind;
      readonly action: DeliveryAction;
      readonly source: DeliverySource;
      /** Attempts over the delivery's whole life; the next one is numbered attempts + 1. */
      readonly attempts: number;
      /** Attempts since it was scheduled or last replayed: the retry budget. */
      readonly attemptsSinceReplay: number;
    };

export const decide = (command: DeliveryCommand, state: DeliveryState): DeliveryEvent[] => {
  switch (command.type) {
    case 'ScheduleDelivery': {
      // Planned from the log at least once: the same connection and source event make the same delivery.
      if (state.status !== 'none') return [];
      const { connectionId, kind, action, source, dueAt } = command.data;
      return [{ type: 'DeliveryScheduled', data: { connectionId, kind, action, source, dueAt } }];
    }
    case 'RecordDeliveryAttempt': {
      if (state.status === 'none')
        throw new DomainError('DELIVERY_NOT_FOUND', 'no delivery with this id', 'deliveryId');
      const { attempt, outcome, statusCode, latencyMs, errorKind, error, externalId, retryAt } = command.data;
      // An attempt recorded already (the worker retried the command) or an answer after the delivery ended.
      if (attempt <= state.attempts || state.status === 'delivered' || state.status === 'dead_letter')
        return [];
      const code = statusCode !== undefined ? { statusCode } : {};
      if (outcome === 'delivered')
        return [
          {
            type: 'DeliverySucceeded',
            data: { attempt, latencyMs, ...code, ...(externalId !== undefined && { externalId }) },
          },
        ];
      // A cancelled delivery's late failure changes nothing: it was not going to be tried again anyway.
      if (state.status === 'cancelled') return [];
      const kind = errorKind ?? 'server_error';
      const failed = { attempt, latencyMs, errorKind: kind, ...code, ...(error !== undefined && { error }) };
      const lastAttempt = retryAt === undefined || state.attemptsSinceReplay + 1 >= MAX_DELIVERY_ATTEMPTS;
      return lastAttempt
        ? [
            { type: 'DeliveryAttemptFailed', data: failed },
            { type: 'DeliveryDeadLettered', data: { attempts: attempt, errorKind: kind } },
          ]
        : [{ type: 'DeliveryAttemptFailed', data: { ...failed, retryAt } }];
    }
    case 'CancelDelivery':
      return state.status === 'pending'
        ? [{ type: 'DeliveryCancelled', data: { reason: command.data.reason } }]
        : [];
    case 'ReplayDelivery':
      if (state.status === 'none')
        throw new DomainError('DELIVERY_NOT_FOUND', 'no delivery with this id', 'deliveryId');
      if (state.status === 'pending')
        throw new DomainError(
          'DELIVERY_PENDING',
          'this delivery is still being attempted: wait for it to be delivered or dead-lettered',
          'deliveryId',
        );
      return [{ type: 'DeliveryReplayRequested', data: {} }];
  }
};

export const evolve = (state: DeliveryState, event: DeliveryEvent): DeliveryState => {
  if (event.type === 'DeliveryScheduled')
    return {
      status: 'pending',
      connectionId: event.data.connectionId,
      kind: event.data.kind,
      action: event.data.action,
      source: event.data.source,
      attempts: 0,
      attemptsSinceReplay: 0,
    };
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'DeliverySucceeded':
      return { ...state, status: 'delivered', attempts: event.data.attempt, attemptsSinceReplay: 0 };
    case 'DeliveryAttemptFailed':
      return {
        ...state,
        attempts: event.data.attempt,
        attemptsSinceReplay: state.attemptsSinceReplay + 1,
      };
    case 'DeliveryDeadLettered':
      return { ...state, status: 'dead_letter' };
    case 'DeliveryCancelled':
      return { ...state, status: 'cancelled' };
    case 'DeliveryReplayRequested':
      return { ...state, status: 'pending', attemptsSinceReplay: 0 };
  }
};

export const deliveryDecider: Decider<DeliveryCommand, DeliveryEvent, DeliveryState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
