import type { z } from 'zod';
import type { CommandDefinition, CommandMetadata } from '@ccp/schemas';

export const TEST_NOW = new Date('2026-03-02T10:00:00.000Z');

export const testMetadata = (overrides: Partial<CommandMetadata> = {}): CommandMetadata => ({
  now: TEST_NOW,
  actor: { kind: 'user', id: 'u-admin', role: 'tenant_admin', tenantId: 'acme' },
  commandId: 'cmd-1',
  correlationId: 'corr-1',
  ...overrides,
});

/** Builds a command the way the API does: validated against its schema, defaults filled in. */
export const command = <const T extends string, S extends z.ZodType>(
  definition: CommandDefinition<T, S>,
  input: z.input<S>,
  metadata: Partial<CommandMetadata> = {},
): { type: T; data: z.output<S>; metadata: CommandMetadata } => ({
  type: definition.type,
  data: definition.data.parse(input),
  metadata: testMetadata(metadata),
});
