import type { z } from 'zod';
import {
  streamName,
  type CommandDefinition,
  type EventDefinition,
  type EventEnvelope,
  type StreamNameParts,
} from '@ccp/schemas';
import { TEST_NOW } from '../domain/testing.js';
import type { CommandRequest, CommandRoute, Decision } from './route.js';

const routeOf = (routes: readonly CommandRoute[], definition: CommandDefinition): CommandRoute => {
  const found = routes.find((r) => r.definition === definition);
  if (!found) throw new Error(`no route for ${definition.type}`);
  return found;
};

/** The stream a command is decided on, for input as the API receives it. */
export const streamOf = <D extends CommandDefinition>(
  routes: readonly CommandRoute[],
  definition: D,
  input: z.input<D['data']>,
): string => {
  const { category, tenantId, id } = routeOf(routes, definition).stream(definition.data.parse(input));
  return streamName(category, tenantId, id);
};

/**
 * The prerequisites a command's route asks for, each checked against its own command's schema; `decision` is
 * what the command was decided on (by default a new aggregate that decided nothing).
 */
export const prerequisitesOf = <D extends CommandDefinition>(
  routes: readonly CommandRoute[],
  definition: D,
  input: z.input<D['data']>,
  decision?: Decision,
): readonly CommandRequest[] => {
  const route = routeOf(routes, definition);
  const decided = decision ?? { state: route.decider.initialState(), events: [] };
  return validated(route.prerequisites?.(definition.data.parse(input), decided) ?? []);
};

/** Requests that would be refused as input are a bug of the route or reaction that made them. */
export const validated = (requests: readonly CommandRequest[]): readonly CommandRequest[] => {
  for (const r of requests) r.definition.data.parse(r.data);
  return requests;
};

/**
 * A stored event as reactions receive it. `tenantId` is the envelope's: the sender's tenant, which differs
 * from the stream's on platform-wide streams.
 */
export const storedEvent = <D extends EventDefinition>(
  definition: D,
  data: z.input<D['data']>,
  stream: StreamNameParts,
  tenantId: string = stream.tenantId,
): EventEnvelope => ({
  id: 'evt-1',
  type: definition.type,
  version: definition.version,
  data: definition.data.parse(data),
  tenantId,
  streamId: streamName(stream.category, stream.tenantId, stream.id),
  occurredAt: TEST_NOW.toISOString(),
  causationId: 'cmd-1',
  correlationId: 'corr-1',
  actor: { kind: 'user', id: 'u-admin', role: 'tenant_admin', tenantId },
});
