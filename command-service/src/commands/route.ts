import type { z } from 'zod';
import type {
  ApiKeyScope,
  CommandDefinition,
  CommandMetadata,
  DomainEvent,
  EventEnvelope,
  PlanFeature,
  Role,
  StreamNameParts,
} from '@ccp/schemas';
import type { Decider } from '../domain/decider.js';

/** What the command was decided on and what it decided, for prerequisites that depend on the aggregate. */
export interface Decision<State = unknown, Event extends DomainEvent = DomainEvent> {
  readonly state: State;
  readonly events: readonly Event[];
}

/** Where a command is decided, who may send it and what it takes from the tenant's plan. */
export interface RouteSpec<Data, State = unknown, Event extends DomainEvent = DomainEvent> {
  /** The stream whose state the command is decided on (and where its events go). */
  readonly stream: (data: Data) => StreamNameParts;
  /** Roles that may send it; super admins and the platform itself always may. */
  readonly roles: readonly Role[];
  /** The scope an API key needs to send it (default `commands`); sessions hold every scope. */
  readonly scope?: ApiKeyScope;
  /** The plan feature the tenant's tier must include (a tier without it is a 403 PLAN_FEATURE). */
  readonly feature?: PlanFeature;
  /**
   * Whether a 409 may be retried by re-reading the stream and deciding again. True for commands whose
   * decision does not depend on what the sender saw (appending an utterance); false where the sender acted on
   * a state that may have changed (changing a role).
   */
  readonly retryOnConflict: boolean;
  /**
   * Commands on other streams that must succeed first, such as taking a unit of the tenant's plan
   * (ReserveQuota) or claiming a platform-wide login. Each must be idempotent: a retried command repeats them.
   * They may read the decision (moving an appointment reserves its new time with the buffers it was booked
   * with, which only its state knows).
   */
  readonly prerequisites?: (data: Data, decision: Decision<State, Event>) => readonly CommandRequest[];
  /**
   * Undoes this command when it ran as a prerequisite of a command that then failed (a plan unit reserved for
   * an agent that was never created). Only what that failed command itself stored is undone.
   */
  readonly compensation?: (data: Data) => CommandRequest;
  /**
   * URLs in the command that the platform itself will call (webhooks, identity providers), by field path: each
   * must pass the outbound-request guard before the command is decided, so a tenant cannot aim the platform at
   * loopback, private or link-local addresses (delivery checks again, as DNS can change).
   */
  readonly outboundUrls?: (data: Data) => readonly OutboundUrl[];
}

export interface OutboundUrl {
  readonly field: string;
  readonly url: string;
}

/** A command to send, before validation: what prerequisites and reactions produce. */
export interface CommandRequest {
  readonly definition: CommandDefinition;
  readonly data: unknown;
}

/**
 * What the platform does after an event is stored, such as giving back a plan unit when an agent is deleted.
 * Reactions run from a checkpointed subscription, so each runs at least once: the commands must be idempotent.
 */
export type Reaction = (event: EventEnvelope) => readonly CommandRequest[];
export type Reactions = Readonly<Record<string, Reaction>>;

export interface CommandRoute extends RouteSpec<never> {
  readonly definition: CommandDefinition;
  readonly decider: Decider<AnyCommand, DomainEvent, unknown>;
  readonly stream: (data: unknown) => StreamNameParts;
  readonly prerequisites?: (data: unknown, decision: Decision) => readonly CommandRequest[];
  readonly compensation?: (data: unknown) => CommandRequest;
  readonly outboundUrls?: (data: unknown) => readonly OutboundUrl[];
}

export interface AnyCommand {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: CommandMetadata;
}

/**
 * Binds a command definition to the decider of its aggregate. The types check that the decider accepts the
 * command; the returned route is type-erased so that every route fits one table.
 */
export const route = <D extends CommandDefinition, C extends AnyCommand, E extends DomainEvent, S>(
  definition: D,
  decider: Decider<C, E, S>,
  spec: RouteSpec<z.output<D['data']>, S, E> &
    ([Extract<C, { type: D['type'] }>] extends [never] ? never : unknown),
): CommandRoute => ({ definition, decider, ...spec }) as unknown as CommandRoute;

/** A request typed against its definition, so prerequisites and reactions are checked at compile time. */
export const request = <D extends CommandDefinition>(
  definition: D,
  data: z.input<D['data']>,
): CommandRequest => ({
  definition,
  data,
});
