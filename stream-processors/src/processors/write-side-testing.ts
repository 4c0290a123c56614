/**
 * Test support for processors that send commands (imported by tests only): the real command handler over an
 * in-memory SQLite event store, whose log the tests hand to a processor as the bus would, and whose
 * handleTrusted receives what the processor sends, with its idempotency key, as the platform wires it
 * (infra/platform/stream-processing.ts: a refusal is final and logged, anything else fails the batch).
 */
import { decodeEvent, parseStreamName, SYSTEM_ACTOR, type PlanTier } from '@ccp/schemas';
import {
  createCommandHandler,
  CommandRejected,
  commandRoutes,
  createSqliteEventStore,
} from '@ccp/command-service';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import type { ProcessorContext, SendCommand } from '../processor.js';

export interface SentCommand {
  readonly type: string;
  readonly data: unknown;
  readonly idempotencyKey: string;
  /** What the write side did: stored these events, answered an earlier identical send again, or refused. */
  readonly outcome:
    | { readonly kind: 'stored'; readonly events: readonly string[] }
    | { readonly kind: 'replayed' }
    | { readonly kind: 'refused'; readonly code: string };
}

export interface WriteSide {
  /** Sets the write side's clock: occurredAt, startedAt and call durations follow it. */
  at(iso: string): void;
  /** A command as the platform (no role check); tenantId is filled in. */
  send(type: string, data: Record<string, unknown>): Promise<void>;
  /** The log as the bus hands it over: decoded, with positions, keyed by stream. */
  busEvents(categories?: readonly string[]): Promise<BusEvent[]>;
  /** Types of the events stored on one stream, in order. */
  streamTypes(category: string, id: string): Promise<string[]>;
  /** What processors send, into the real command handler. */
  readonly processorSend: SendCommand;
  /** Every command processors sent, in order. */
  readonly sent: SentCommand[];
  context(readStore: ReadStore, log?: string[]): ProcessorContext;
  close(): Promise<void>;
}

export const writeSide = async (
  tenantId: string,
  tenant: { planTier?: PlanTier; settings?: Record<string, unknown> } = {},
): Promise<WriteSide> => {
  const store = createSqliteEventStore({ path: ':memory:' });
  let now = new Date('2024-03-01T08:00:00.000Z');
  const handler = createCommandHandler({ store, routes: commandRoutes, clock: () => now });
  const sent: SentCommand[] = [];
  await handler.handleTrusted(
    'CreateTenant',
    { tenantId, name: `Tenant ${tenantId}`, ...tenant },
    { actor: SYSTEM_ACTOR },
  );
  const processorSend: SendCommand = async (type, data, options) => {
    try {
      const result = await handler.handleTrusted(type, data, { actor: SYSTEM_ACTOR, ...options });
      sent.push({
        type,
        data,
        idempotencyKey: options.idempotencyKey,
        outcome: result.replayed
          ? { kind: 'replayed' }
          : { kind: 'stored', events: result.events.map((e) => e.type) },
      });
    } catch (error) {
      if (!(error instanceof CommandRejected)) throw error;
      sent.push({
        type,
        data,
        idempotencyKey: options.idempotencyKey,
        outcome: { kind: 'refused', code: error.code },
      });
    }
  };
  return {
    at(iso) {
      now = new Date(iso);
    },
    async send(type, data) {
      await handler.handleTrusted(type, { tenantId, ...data }, { actor: SYSTEM_ACTOR });
    },
    async busEvents(categories) {
      const events: BusEvent[] = [];
      for (const recorded of await store.readAll()) {
        const decoded = decodeEvent(recorded);
        if (!decoded.ok) throw new Error(`event ${recorded.id} does not decode: ${decoded.error.message}`);
        const category = parseStreamName(recorded.streamId)?.category;
        if (categories !== undefined && (category === undefined || !categories.includes(category))) continue;
        events.push({ envelope: decoded.value, position: recorded.position, key: recorded.streamId });
      }
      return events;
    },
    async streamTypes(category, id) {
      const recorded = await store.readStream(`${category}-${tenantId}.${id}`);
      return recorded.map((event) => event.type);
    },
    processorSend,
    sent,
    context: (readStore, log = []) => ({
      readStore,
      send: processorSend,
      log: (message) => log.push(message),
      now: () => now,
    }),
    close: () => store.close(),
  };
};
