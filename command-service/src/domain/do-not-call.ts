import { Set as ISet } from 'immutable';
import type { CommandOf, EventOf, doNotCallCommands, doNotCallEvents } from '@ccp/schemas';
import type { Decider } from './decider.js';

export type DoNotCallCommand = CommandOf<(typeof doNotCallCommands)[number]>;
export type DoNotCallEvent = EventOf<(typeof doNotCallEvents)[number]>;

/** A tenant's list: a persistent set, so adding a batch to a long list does not copy it. */
export interface DoNotCallState {
  readonly numbers: ISet<string>;
}

export const isOnDoNotCallList = (state: DoNotCallState, number: string): boolean =>
  state.numbers.has(number);

const distinct = (numbers: readonly string[]): string[] => [...new Set(numbers)];

export const decide = (command: DoNotCallCommand, state: DoNotCallState): DoNotCallEvent[] => {
  switch (command.type) {
    case 'AddToDoNotCall': {
      const numbers = distinct(command.data.numbers).filter((n) => !state.numbers.has(n));
      if (numbers.length === 0) return [];
      const { source, callId } = command.data;
      return [
        { type: 'DoNotCallAdded', data: { numbers, source, ...(callId === undefined ? {} : { callId }) } },
      ];
    }
    case 'RemoveFromDoNotCall': {
      const numbers = distinct(command.data.numbers).filter((n) => state.numbers.has(n));
      return numbers.length === 0 ? [] : [{ type: 'DoNotCallRemoved', data: { numbers } }];
    }
  }
};

export const evolve = (state: DoNotCallState, event: DoNotCallEvent): DoNotCallState => {
  switch (event.type) {
    case 'DoNotCallAdded':
      return { numbers: state.numbers.union(event.data.numbers) };
    case 'DoNotCallRemoved':
      return { numbers: state.numbers.subtract(event.data.numbers) };
  }
};

export const doNotCallDecider: Decider<DoNotCallCommand, DoNotCallEvent, DoNotCallState> = {
  initialState: () => ({ numbers: ISet<string>() }),
  decide,
  evolve,
};
