import type { z } from 'zod';
import type {
  CommandDefinition,
  CommandMetadata,
  DomainEvent,
  QuotaResource,
  Role,
  StreamNameParts,
} from '@ccp/schemas';
import type { Decider } from '../domain/decider.js';

/** Where a command is decided, who may send it and what it takes from the tenant's plan. */
export interface RouteSpec<Data> {
  /** The stream whose state the command is decided on (and where its events go). */
  readonly stream: (data: Data) => StreamNameParts;
  /** Roles that may send it; super admins and the platform itself always may. */
  readonly roles: readonly Role[];
  /**
   * Whether a 409 may be retried by re-reading the stream and deciding again. True for commands whose
   * decision does not depend on what the sender saw (appending an utterance); false where the sender acted on
   * a state that may have changed (changing a role).
   */
  readonly retryOnConflict: boolean;
  /** A plan-limited unit this command takes (before it is decided) or gives back (after it is stored). */
  readonly quota?: {
    readonly resource: QuotaResource;
    readonly action: 'reserve' | 'release';
    readonly key: (data: Data) => string;
  };
}

export interface CommandRoute extends RouteSpec<never> {
  readonly definition: CommandDefinition;
  readonly decider: Decider<AnyCommand, DomainEvent, unknown>;
  readonly stream: (data: unknown) => StreamNameParts;
  readonly quota?: {
    readonly resource: QuotaResource;
    readonly action: 'reserve' | 'release';
    readonly key: (data: unknown) => string;
  };
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
  spec: RouteSpec<z.output<D['data']>> &
    ([Extract<C, { type: D['type'] }>] extends [never] ? never : unknown),
): CommandRoute => ({ definition, decider, ...spec }) as unknown as CommandRoute;
