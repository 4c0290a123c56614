import { z } from 'zod';
import { defineEvent } from './define.js';

/**
 * The answer given to a command sent with an Idempotency-Key, kept in stream
 * `idempotency-<tenantId>.<sha256(key)>` so that a retry gets the same answer instead of a second effect.
 */
export const CommandAccepted = defineEvent(
  'idempotency',
  'CommandAccepted',
  1,
  z.object({
    commandType: z.string(),
    requestHash: z.string(),
    result: z.object({
      commandId: z.string(),
      streamId: z.string(),
      nextRevision: z.number().int().nullable(),
      position: z.number().int().nullable(),
      events: z.array(z.object({ id: z.string(), type: z.string() })),
    }),
  }),
);

export const idempotencyEvents = [CommandAccepted] as const;
