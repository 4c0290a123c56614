import { createHash } from 'node:crypto';
import {
  CONNECTION_GROUPS,
  PLATFORM_TENANT,
  SYSTEM_ACTOR,
  parseStreamName,
  topicOf,
  type ConnectionKind,
  type DeliveryAction,
  type DeliverySource,
  type EventEnvelope,
} from '@ccp/schemas';
import {
  CommandRejected,
  isPassingRefusal,
  type CheckpointStore,
  type CommandHandler,
  type CommandResult,
  type EventStore,
  type SubjectKeys,
} from '@ccp/command-service';
import { followLog, type LogFollower } from '../process-manager/follow-log.js';
import { ConnectionsView, type Connection } from './connections.js';
import type { IntegrationTarget } from './port.js';
import { takes } from './targets/index.js';

/** Streams of the platform's own bookkeeping: never a tenant's business event to deliver. */
const INTERNAL_CATEGORIES = new Set(['connection', 'delivery', 'idempotency', 'checkpoint', 'claim', 'lock']);

/** The same connection and source event always make the same delivery, however often the log is planned. */
export const deliveryIdOf = (connectionId: string, eventId: string): string =>
  `dlv_${createHash('sha256').update(`${connectionId}:${eventId}`).digest('base64url').slice(0, 26)}`;

export interface PlannedDelivery {
  readonly connection: Connection;
  readonly action: DeliveryAction;
}

const actionFor = (connection: Connection, event: EventEnvelope): DeliveryAction | undefined => {
  const settings = connection.settings;
  switch (CONNECTION_GROUPS[connection.kind]) {
    case 'events':
      return settings.kind === 'webhook' &&
        (settings.eventTypes.includes('*') || settings.eventTypes.includes(event.type))
        ? 'send_webhook'
        : undefined;
    case 'notify': {
      const topic = topicOf(event);
      const topics = 'topics' in settings ? (settings.topics as readonly string[]) : [];
      return topic !== undefined && topics.includes(topic) ? 'notify' : undefined;
    }
    case 'crm':
      return event.type === 'CallEnded' ? 'log_call' : undefined;
    case 'helpdesk':
      // Tickets people open, and calls the AI itself hands over (a person's escalation is theirs to file).
      return event.type === 'TicketOpened' ||
        (event.type === 'EscalationRequested' && event.actor.kind === 'ai')
        ? 'open_ticket'
        : undefined;
    default:
      return undefined;
  }
};

/** Whether an event is a tenant's business event, the kind connections are told about. */
export const deliverable = (event: EventEnvelope): boolean => {
  if (event.tenantId === PLATFORM_TENANT) return false;
  const parts = parseStreamName(event.streamId);
  return (
    parts !== undefined && parts.tenantId !== PLATFORM_TENANT && !INTERNAL_CATEGORIES.has(parts.category)
  );
};

/** The deliveries an event makes: one per enabled connection of its tenant that wants it and can take it. */
export const plan = (
  event: EventEnvelope,
  view: ConnectionsView,
  targets: ReadonlyMap<ConnectionKind, IntegrationTarget>,
): PlannedDelivery[] => {
  if (!deliverable(event)) return [];
  return view.connections(event.tenantId).flatMap((connection) => {
    if (!connection.enabled) return [];
    const action = actionFor(connection, event);
    return action !== undefined && takes(targets, connection.kind, action) ? [{ connection, action }] : [];
  });
};

/** What the planner hands over: the dispatcher takes new deliveries at once and cancels a connection's. */
export interface PlannerDispatch {
  enqueue(delivery: {
    readonly tenantId: string;
    readonly deliveryId: string;
    readonly connectionId: string;
    readonly due: Date;
    /** Given only when this call stored the schedule: the dispatcher then need not read it back. */
    readonly scheduled?: {
      readonly kind: ConnectionKind;
      readonly action: DeliveryAction;
      readonly source: DeliverySource;
    };
  }): void;
  cancelConnection(
    tenantId: string,
    connectionId: string,
    reason: 'connection_disabled' | 'connection_removed',
  ): Promise<void>;
}

/**
 * Plans deliveries from the log (checkpoint `integrations-planner`). It folds its own connections view in log
 * order, so a connection is told only of events after it was created or enabled; history before the engine's
 * first start is not delivered.
 */
export const startPlanner = async (options: {
  readonly store: EventStore;
  readonly checkpoints: CheckpointStore;
  readonly keys: SubjectKeys;
  readonly handler: Pick<CommandHandler, 'handleTrusted'>;
  readonly targets: ReadonlyMap<ConnectionKind, IntegrationTarget>;
  readonly dispatch: PlannerDispatch;
  readonly now: () => Date;
  readonly log: (message: string) => void;
}): Promise<LogFollower> => {
  const { handler, targets, dispatch, now } = options;
  const view = new ConnectionsView(options.keys);
  const planned = (event: EventEnvelope): PlannedDelivery[] => plan(event, view, targets);
  return followLog({
    store: options.store,
    checkpoints: options.checkpoints,
    checkpointName: 'integrations-planner',
    firstStart: 'log-end',
    name: 'integrations planner',
    folds: () => true,
    apply: (event) => view.apply(event),
    reactsTo: (event) =>
      event.type === 'ConnectionDisabled' || event.type === 'ConnectionRemoved' || planned(event).length > 0,
    react: async (event) => {
      if (event.type === 'ConnectionDisabled' || event.type === 'ConnectionRemoved') {
        const parts = parseStreamName(event.streamId);
        if (!parts) return;
        const removed = event.type === 'ConnectionRemoved';
        await dispatch.cancelConnection(
          parts.tenantId,
          parts.id,
          removed ? 'connection_removed' : 'connection_disabled',
        );
        // After cancelling: nothing is left that would need them.
        if (removed) view.eraseSecretsOf(parts.tenantId, event.streamId);
        return;
      }
      const source = {
        eventId: event.id,
        eventType: event.type,
        streamId: event.streamId,
        position: 0,
        occurredAt: event.occurredAt,
      };
      const position = await positionOf(options.store, event);
      for (const { connection, action } of planned(event)) {
        const deliveryId = deliveryIdOf(connection.connectionId, event.id);
        const due = now();
        const facts = { kind: connection.kind, action, source: { ...source, position } };
        const result = await scheduleOrSkip(handler, options.log, [
          'ScheduleDelivery',
          {
            tenantId: event.tenantId,
            deliveryId,
            connectionId: connection.connectionId,
            ...facts,
            dueAt: due.toISOString(),
          },
          { actor: SYSTEM_ACTOR, correlationId: event.correlationId, causationId: event.id },
        ]);
        if (!result) continue;
        // Planned again after a restart, the delivery may have been attempted already: then only its stream says.
        const stored = result.events.some((e) => e.type === 'DeliveryScheduled');
        dispatch.enqueue({
          tenantId: event.tenantId,
          deliveryId,
          connectionId: connection.connectionId,
          due,
          ...(stored && { scheduled: facts }),
        });
      }
    },
    log: options.log,
  });
};

/**
 * Schedules a delivery; a final refusal (an event the delivery cannot describe, a tenant gone) is logged and
 * skipped, for a planner stuck on it would deliver nothing more. Anything passing is thrown: tried again.
 */
const scheduleOrSkip = async (
  handler: Pick<CommandHandler, 'handleTrusted'>,
  log: (message: string) => void,
  args: Parameters<CommandHandler['handleTrusted']>,
): Promise<CommandResult | undefined> => {
  try {
    return await handler.handleTrusted(...args);
  } catch (error) {
    if (!(error instanceof CommandRejected) || isPassingRefusal(error)) throw error;
    log(`integrations planner: delivery not scheduled (${error.code}): ${error.message}`);
    return undefined;
  }
};

/** The event's global position (the envelope does not carry it): read from its stream's end, where it is live. */
const positionOf = async (store: EventStore, event: EventEnvelope): Promise<number> => {
  for (let from: number | undefined; ;) {
    const page = await store.readStream(event.streamId, {
      direction: 'backwards',
      maxCount: 100,
      ...(from !== undefined && { fromRevision: from }),
    });
    const found = page.find((r) => r.id === event.id);
    if (found) return found.position;
    const last = page.at(-1);
    if (!last || page.length < 100 || last.revision === 0) return 0;
    from = last.revision - 1;
  }
};
