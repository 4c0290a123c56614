import { List as IList, Set as ISet } from 'immutable';
import {
  billingPeriodOf,
  periodBounds,
  type billingCommands,
  type billingEvents,
  type CommandOf,
  type EventOf,
  type MeterItem,
} from '@ccp/schemas';
import { DomainError, type Decider } from '../decider.js';

type MeterTypes = 'RecordUsage' | 'CloseMeter' | 'UsageMetered' | 'MeterClosed';
export type MeterCommand = Extract<CommandOf<(typeof billingCommands)[number]>, { type: MeterTypes }>;
export type MeterEvent = Extract<EventOf<(typeof billingEvents)[number]>, { type: MeterTypes }>;

export interface MeterTotals {
  readonly callSeconds: number;
  readonly llmTokens: number;
  readonly items: number;
}

/** One metered item as the month's totals need it: when it occurred, of what, how much. */
export interface Counted {
  readonly at: number;
  readonly resource: MeterItem['resource'];
  readonly quantity: number;
}

/**
 * One tenant's usage of one UTC month. `seen` holds every identifier ever metered here (persistent, so a month
 * of many thousands of calls is not copied per event): a redelivered, replayed or rebuilt batch meters nothing
 * twice. `counted` is what was metered before the close, kept item by item because what the invoice bills of it
 * is known only at the close (an account opened during the month pays for its usage from then on).
 */
export interface MeterState {
  readonly seen: ISet<string>;
  readonly closed: boolean;
  readonly counted: IList<Counted>;
}

const totalsOf = (counted: Iterable<Counted>): MeterTotals => {
  let callSeconds = 0;
  let llmTokens = 0;
  let items = 0;
  for (const item of counted) {
    if (item.resource === 'call_seconds') callSeconds += item.quantity;
    if (item.resource === 'llm_tokens') llmTokens += item.quantity;
    items += 1;
  }
  return { callSeconds, llmTokens, items };
};

export const decideMeter = (command: MeterCommand, state: MeterState): MeterEvent[] => {
  switch (command.type) {
    case 'RecordUsage': {
      const { period, items, carriedFrom } = command.data;
      // Carried items belong to an earlier month whose meter had closed; any other item belongs to this one.
      if (carriedFrom === undefined) {
        const stray = items.find((item) => billingPeriodOf(new Date(item.occurredAt)) !== period);
        if (stray) {
          throw new DomainError(
            'USAGE_OUTSIDE_PERIOD',
            `${stray.identifier} occurred at ${stray.occurredAt}, outside ${period}`,
            'items',
          );
        }
      }
      const fresh = new Map<string, MeterItem>();
      for (const item of items) {
        if (!state.seen.has(item.identifier) && !fresh.has(item.identifier)) fresh.set(item.identifier, item);
      }
      if (fresh.size === 0) return [];
      return [
        {
          type: 'UsageMetered',
          data: {
            items: [...fresh.values()],
            afterClose: state.closed,
            ...(carriedFrom !== undefined && { carriedFrom }),
          },
        },
      ];
    }
    case 'CloseMeter': {
      const { end } = periodBounds(command.data.period);
      if (command.metadata.now.getTime() < end.getTime()) {
        throw new DomainError(
          'PERIOD_NOT_OVER',
          `${command.data.period} ends at ${end.toISOString()}`,
          'period',
        );
      }
      if (state.closed) return [];
      const { billableFrom } = command.data;
      if (billableFrom === undefined) return [{ type: 'MeterClosed', data: totalsOf(state.counted) }];
      const from = Date.parse(billableFrom);
      return [
        {
          type: 'MeterClosed',
          data: { ...totalsOf(state.counted.filter((item) => item.at >= from)), billableFrom },
        },
      ];
    }
  }
};

export const evolveMeter = (state: MeterState, event: MeterEvent): MeterState => {
  switch (event.type) {
    case 'UsageMetered': {
      const { items, afterClose } = event.data;
      return {
        ...state,
        seen: state.seen.union(items.map((item) => item.identifier)),
        counted: afterClose
          ? state.counted
          : state.counted.concat(
              items.map((item) => ({
                at: Date.parse(item.occurredAt),
                resource: item.resource,
                quantity: item.quantity,
              })),
            ),
      };
    }
    case 'MeterClosed':
      return { ...state, closed: true };
  }
};

export const meterDecider: Decider<MeterCommand, MeterEvent, MeterState> = {
  initialState: () => ({ seen: ISet(), closed: false, counted: IList() }),
  decide: decideMeter,
  evolve: evolveMeter,
};
