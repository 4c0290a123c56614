import { expect } from 'vitest';
import type { z } from 'zod';
import type { CommandDefinition, CommandMetadata } from '@ccp/schemas';
import { DomainError } from './decider.js';

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

interface Decides<C, E, S> {
  readonly initialState: () => S;
  readonly decide: (command: C, state: S) => E[];
  readonly evolve: (state: S, event: E) => S;
}

/**
 * Given events / when command / then events, compared exactly. Emmett's DeciderSpecification matches expected
 * events as subsets (an expected `{}` or `[]` matches anything), which would let a decider emit extra data
 * unnoticed; this one uses strict equality.
 */
export const DeciderSpecification = {
  for:
    <C, E, S>(decider: Decides<C, E, S>) =>
    (given: E | readonly E[]) => {
      const state = () =>
        (Array.isArray(given) ? given : [given as E]).reduce(decider.evolve, decider.initialState());
      return {
        when: (command: C) => ({
          then: (expected: E | readonly E[]) => {
            expect(decider.decide(command, state())).toStrictEqual(
              Array.isArray(expected) ? expected : [expected],
            );
          },
          thenNothingHappened: () => {
            expect(decider.decide(command, state())).toStrictEqual([]);
          },
          thenThrows: (check?: (error: Error) => boolean) => {
            let thrown: unknown;
            try {
              decider.decide(command, state());
            } catch (error) {
              thrown = error;
            }
            expect(thrown, 'the command should have been refused').toBeInstanceOf(Error);
            if (check) expect(check(thrown as Error), `unexpected refusal: ${String(thrown)}`).toBe(true);
          },
        }),
      };
    },
};

/** For `thenThrows`: the command was refused by a business rule with this code (and field, when given). */
export const refusedWith =
  (code: string, field?: string) =>
  (error: Error): boolean =>
    error instanceof DomainError && error.code === code && (field === undefined || error.field === field);
