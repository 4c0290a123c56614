import type { z } from 'zod';
import { parseStreamName, type EventDefinition, type EventEnvelope } from '@ccp/schemas';

export interface ReactionInput<Data> {
  /** The tenant the event happened in (for platform-wide streams, the tenant that sent the command). */
  readonly tenantId: string;
  /** The id in the event's stream name: the agent, member or address the event is about. */
  readonly id: string;
  readonly data: Data;
}

/** What a reaction needs from a stored event, with the data typed by the event's definition. */
export const reactionInput = <D extends EventDefinition>(
  definition: D,
  event: EventEnvelope,
): ReactionInput<z.output<D['data']>> => {
  const stream = parseStreamName(event.streamId);
  if (!stream) throw new Error(`${event.type} ${event.id}: ${event.streamId} is not a stream name`);
  return {
    tenantId: event.tenantId,
    id: stream.id,
    data: definition.data.parse(event.data) as z.output<D['data']>,
  };
};
