/**
 * Test support for the row-per-entity processors (imported by tests only): events of any category built from
 * their schemas, each validated as the event store validates what it appends, in the envelopes and positions
 * the bus hands over. A personal field can be handed over erased, as the event store reads it once its subject
 * was erased.
 */
import { randomUUID } from 'node:crypto';
import {
  appointmentEvents,
  billingEvents,
  calendarEvents,
  contactEvents,
  ERASED,
  messageEvents,
  scheduleEvents,
  serviceEvents,
  streamName,
  SYSTEM_ACTOR,
  ticketEvents,
  type EventDefinition,
} from '@ccp/schemas';
import type { BusEvent } from '../bus/port.js';

const definitions: readonly EventDefinition[] = [
  ...serviceEvents,
  ...calendarEvents,
  ...scheduleEvents,
  ...appointmentEvents,
  ...contactEvents,
  ...ticketEvents,
  ...messageEvents,
  ...billingEvents,
];

export interface EntityLog {
  /** Sets the events' clock. */
  at(iso: string): void;
  /** One event of stream `<category>-<tenant>.<id>`, its data checked against the event's schema. */
  append(
    category: string,
    id: string,
    type: string,
    data: Record<string, unknown>,
    erased?: string[],
  ): BusEvent;
  readonly events: BusEvent[];
}

export const entityLog = (tenantId: string, firstPosition = 1): EntityLog => {
  let now = '2024-03-01T09:00:00.000Z';
  let position = firstPosition;
  const events: BusEvent[] = [];
  return {
    at(iso) {
      now = iso;
    },
    append(category, id, type, data, erased = []) {
      const definition = definitions.find((d) => d.type === type);
      if (definition === undefined) throw new Error(`no event ${type}`);
      const parsed = definition.data.parse(data) as Record<string, unknown>;
      for (const field of erased) parsed[field] = ERASED;
      const stream = streamName(category, tenantId, id);
      const envelope = {
        id: randomUUID(),
        type,
        version: definition.version,
        data: parsed,
        tenantId,
        streamId: stream,
        occurredAt: now,
        causationId: null,
        correlationId: randomUUID(),
        actor: SYSTEM_ACTOR,
      };
      const busEvent: BusEvent = { envelope, position, key: stream };
      position += 1;
      events.push(busEvent);
      return busEvent;
    },
    events,
  };
};
