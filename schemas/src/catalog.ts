import { z } from 'zod';
import type { CommandDefinition, EventDefinition } from './define.js';
import { Actor, EventMetadata, type EventEnvelope } from './envelope.js';
import type { Upcaster } from './upcasting.js';
import { parseWith, type Parsed } from './validation.js';
import { ERASED_FIELDS_KEY } from './personal-data.js';
import { tenantCommands, tenantEvents } from './tenant.js';
import { departmentCommands, departmentEvents } from './department.js';
import { memberCommands, memberEvents } from './member.js';
import { loginCommands, loginEvents } from './login.js';
import { agentCommands, agentEvents } from './agent.js';
import { numberCommands, numberEvents } from './number.js';
import { callCommands, callEvents } from './call.js';
import { articleCommands, articleEvents } from './article.js';
import { scriptCommands, scriptEvents } from './script.js';
import { appointmentCommands, appointmentEvents } from './appointment.js';
import { ticketCommands, ticketEvents } from './ticket.js';
import { callUpcasters } from './call.js';
import { idempotencyEvents } from './idempotency.js';
import { apiKeyCommands, apiKeyEvents, apiKeyUpcasters } from './apikey.js';
import { announcementCommands, announcementEvents } from './announcement.js';
import { reportCommands, reportEvents } from './report.js';
import { campaignCommands, campaignEvents } from './campaign.js';
import { doNotCallCommands, doNotCallEvents } from './do-not-call.js';
import {
  calendarCommands,
  calendarEvents,
  scheduleCommands,
  scheduleEvents,
  serviceCommands,
  serviceEvents,
} from './scheduling.js';
import { contactCommands, contactEvents } from './contact.js';
import { messageCommands, messageEvents } from './message.js';
import { billingCommands, billingEvents } from './billing.js';
import { connectionCommands, connectionEvents } from './integration.js';
import { deliveryCommands, deliveryEvents } from './delivery.js';
import { alertCommands, alertEvents } from './alert.js';
import { erasureCommands, erasureEvents } from './erasure.js';
import { retentionCommands, retentionEvents } from './retention.js';

/**
 * Every event definition, superseded versions included: an old version stays here for as long as stored
 * events of that version may be read.
 */
export const eventDefinitions: readonly EventDefinition[] = [
  ...tenantEvents,
  ...departmentEvents,
  ...memberEvents,
  ...loginEvents,
  ...agentEvents,
  ...numberEvents,
  ...callEvents,
  ...articleEvents,
  ...scriptEvents,
  ...appointmentEvents,
  ...ticketEvents,
  ...idempotencyEvents,
  ...apiKeyEvents,
  ...announcementEvents,
  ...reportEvents,
  ...campaignEvents,
  ...doNotCallEvents,
  ...serviceEvents,
  ...calendarEvents,
  ...scheduleEvents,
  ...contactEvents,
  ...messageEvents,
  ...billingEvents,
  ...connectionEvents,
  ...deliveryEvents,
  ...alertEvents,
  ...erasureEvents,
  ...retentionEvents,
];

export const commandDefinitions: readonly CommandDefinition[] = [
  ...tenantCommands,
  ...departmentCommands,
  ...memberCommands,
  ...loginCommands,
  ...agentCommands,
  ...numberCommands,
  ...callCommands,
  ...articleCommands,
  ...scriptCommands,
  ...appointmentCommands,
  ...ticketCommands,
  ...apiKeyCommands,
  ...announcementCommands,
  ...reportCommands,
  ...campaignCommands,
  ...doNotCallCommands,
  ...serviceCommands,
  ...calendarCommands,
  ...scheduleCommands,
  ...contactCommands,
  ...messageCommands,
  ...billingCommands,
  ...connectionCommands,
  ...deliveryCommands,
  ...alertCommands,
  ...erasureCommands,
  ...retentionCommands,
];

export const upcasters: readonly Upcaster[] = [...callUpcasters, ...apiKeyUpcasters];

const key = (type: string, version: number) => `${type}@${version}`;
const definitionsByVersion = new Map(eventDefinitions.map((d) => [key(d.type, d.version), d]));
const latestDefinitions = new Map<string, EventDefinition>();
for (const d of eventDefinitions) {
  const seen = latestDefinitions.get(d.type);
  if (!seen || seen.version < d.version) latestDefinitions.set(d.type, d);
}
const upcastersByVersion = new Map(upcasters.map((u) => [key(u.type, u.fromVersion), u]));
const commandsByType = new Map(commandDefinitions.map((c) => [c.type, c]));

export const latestEventDefinition = (type: string): EventDefinition | undefined =>
  latestDefinitions.get(type);
export const eventDefinition = (type: string, version: number): EventDefinition | undefined =>
  definitionsByVersion.get(key(type, version));
export const commandDefinition = (type: string): CommandDefinition | undefined => commandsByType.get(type);

/** An event as an event store holds it: the data and metadata are plain JSON. */
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

/** Upcasts data of `fromVersion` step by step to the latest version of its type. */
export const upcast = (
  type: string,
  fromVersion: number,
  data: unknown,
): { version: number; data: unknown } => {
  let version = fromVersion;
  let current = data;
  for (
    let step = upcastersByVersion.get(key(type, version));
    step;
    step = upcastersByVersion.get(key(type, version))
  ) {
    current = step.up(current);
    version += 1;
  }
  return { version, data: current };
};

/**
 * Validates stored data, except personal fields (or elements of them) whose key was erased: they read as ERASED
 * whatever their schema, and the rest of the event must still be valid.
 */
const parseErasable = (definition: EventDefinition, stored: StoredEvent): Parsed<unknown> => {
  const result = definition.data.safeParse(stored.data);
  if (result.success) return { ok: true, value: result.data };
  const erased = (stored.metadata as Record<string, unknown> | null)?.[ERASED_FIELDS_KEY];
  const erasedFields = Array.isArray(erased) ? erased : [];
  // A field erased whole is listed by name; an element erased on its own (PERSONAL_ELEMENTS) as `field.index`.
  const excused = (path: readonly PropertyKey[]): boolean =>
    erasedFields.includes(path[0]) || erasedFields.includes(`${String(path[0])}.${String(path[1])}`);
  const remaining = result.error.issues.filter((issue) => !excused(issue.path));
  if (remaining.length === 0 && erasedFields.length > 0) return { ok: true, value: stored.data };
  return parseWith(definition.data, stored.data);
};

/** Reads a stored event back as the latest version of its type, validating what it reads. */
export const decodeEvent = (stored: StoredEvent): Parsed<EventEnvelope> => {
  const meta = parseWith(EventMetadata, stored.metadata);
  if (!meta.ok) return { ok: false, error: { ...meta.error, field: `metadata.${meta.error.field}` } };
  const definition = eventDefinition(stored.type, meta.value.version);
  if (!definition) {
    return {
      ok: false,
      error: {
        code: 'UNKNOWN_EVENT',
        message: `no schema for ${stored.type} v${meta.value.version}`,
        field: 'type',
      },
    };
  }
  const data = parseErasable(definition, stored);
  if (!data.ok) return { ok: false, error: { ...data.error, field: `data.${data.error.field}` } };
  const upcasted = upcast(stored.type, meta.value.version, data.value);
  const latest = latestEventDefinition(stored.type);
  if (!latest || latest.version !== upcasted.version) {
    return {
      ok: false,
      error: {
        code: 'NO_UPCAST_PATH',
        message: `${stored.type} v${meta.value.version} cannot be upcast to v${latest?.version ?? '?'}`,
        field: 'metadata.version',
      },
    };
  }
  const { version: _version, ...rest } = meta.value;
  return {
    ok: true,
    value: {
      id: stored.id,
      type: stored.type,
      streamId: stored.streamId,
      version: upcasted.version,
      data: upcasted.data,
      ...rest,
    },
  };
};

/** The JSON Schema of one event version's full envelope, as registered in the schema registry. */
export const eventJsonSchema = (definition: EventDefinition): Record<string, unknown> =>
  z.toJSONSchema(
    z.object({
      id: z.string(),
      type: z.literal(definition.type),
      version: z.literal(definition.version),
      tenantId: z.string(),
      streamId: z.string(),
      occurredAt: z.string(),
      causationId: z.string().nullable(),
      correlationId: z.string(),
      actor: Actor,
      data: definition.data,
    }),
    { io: 'input', unrepresentable: 'any' },
  ) as Record<string, unknown>;

export const commandJsonSchema = (definition: CommandDefinition): Record<string, unknown> =>
  z.toJSONSchema(definition.data, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
