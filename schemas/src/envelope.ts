import { z } from 'zod';
import { EntityId, Role, TenantId, PLATFORM_TENANT } from './primitives.js';

export const ActorKind = z.enum(['user', 'api_key', 'system', 'ai', 'telephony']);

/** Who caused an event: kept on every event for the audit trail. */
export const Actor = z.object({
  kind: ActorKind,
  id: z.string().min(1).max(200),
  role: Role.optional(),
  tenantId: z.union([TenantId, z.literal(PLATFORM_TENANT)]).optional(),
});
export type Actor = z.infer<typeof Actor>;

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'platform' };

/** What is stored beside an event's data; together with id and type it forms the envelope. */
export const EventMetadata = z.object({
  version: z.number().int().positive(),
  tenantId: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  causationId: z.string().nullable(),
  correlationId: z.string().min(1),
  actor: Actor,
});
export type EventMetadata = z.infer<typeof EventMetadata>;

/** An event as the domain sees it: a past-tense fact with its data. */
export interface DomainEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
}

/** The envelope of ARCHITECTURE.md around a domain event. */
export type EventEnvelope<E extends DomainEvent = DomainEvent> = E & {
  readonly id: string;
  readonly version: number;
  readonly tenantId: string;
  readonly streamId: string;
  readonly occurredAt: string;
  readonly causationId: string | null;
  readonly correlationId: string;
  readonly actor: Actor;
};

/** Stream names are `<category>-<tenantId>.<id>`; categories are lowercase words without dashes. */
export const streamName = (category: string, tenantId: string, id: string): string => {
  EntityIdOrClaimKey.parse(id);
  return `${category}-${tenantId}.${id}`;
};

const EntityIdOrClaimKey = z.union([
  EntityId,
  z.string().regex(/^(\+\d{7,15}|sip:[^\s]{1,200}|[0-9a-f]{64})$/),
]);

export interface StreamNameParts {
  readonly category: string;
  readonly tenantId: string;
  readonly id: string;
}

export const parseStreamName = (stream: string): StreamNameParts | undefined => {
  const match = /^([a-z]+)-([a-z0-9-]+)\.(.+)$/.exec(stream);
  if (!match) return undefined;
  const [, category, tenantId, id] = match as unknown as [string, string, string, string];
  return { category, tenantId, id };
};

export { EntityId, TenantId };
