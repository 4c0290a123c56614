import type { z } from 'zod';

/**
 * Refuses an update command that names nothing to change. An empty update is a client mistake, so it gets a
 * 400 at once instead of being accepted and silently storing nothing.
 */
export const requireSomeField = <S extends z.ZodObject>(
  schema: S,
  fields: readonly (keyof z.output<S> & string)[],
): S =>
  schema.refine((data) => fields.some((f) => (data as Record<string, unknown>)[f] !== undefined), {
    message: `nothing to update: give at least one of ${fields.join(', ')}`,
  });
