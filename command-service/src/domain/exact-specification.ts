import { DeciderSpecification } from '@event-driven-io/emmett';
import type { DomainEvent } from '@ccp/schemas';
import { expect } from 'vitest';
import { fold, type Decider } from './decider.js';

/**
 * Emmett's given/when/then, with `then` requiring exactly the expected events. Emmett's own `then` only
 * checks that each expected event is a subset of some actual one, which would pass an update that records
 * fields it should have left out (and it cannot compare nulls).
 */
export const exactSpecification =
  <C, E extends DomainEvent, S>(decider: Decider<C, E, S>) =>
  (given: E[]) => ({
    when: (command: C) => ({
      ...DeciderSpecification.for(decider)(given).when(command),
      then: (expected: E[]): void => {
        expect(decider.decide(command, fold(decider, given))).toStrictEqual(expected);
      },
    }),
  });
