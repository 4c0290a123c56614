import { Set as ISet } from 'immutable';
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

/**
 * One tenant's usage of one UTC month. `seen` holds every identifier ever metered here (persistent, so a month
 * of many thousands of calls is not copied per event): a redelivered, replayed or rebuilt batch meters nothing
 * twice.
 */
export interface MeterState {
  readonly seen: ISet<string>;
  readonly closed: boolean;
  /** What was metered before the close: the month's invoice. */
  readonly totals: MeterTotals;
}

const addTo = (totals: MeterTotals, items: readonly MeterItem[]): MeterTotals =>
  items.reduce(
    (sum, item) => ({
      callSeconds: sum.callSeconds + (item.resource === 'call_seconds' ? item.quantity : 0),
      llmTokens: sum.llmTokens + (item.resource === 'llm_tokens' ? item.quantity : 0),
      items: sum.items + 1,
    }),
    totals,
  );

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
      return [{ type: 'MeterClosed', data: { ...state.totals } }];
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
        totals: afterClose ? state.totals : addTo(state.totals, items),
      };
    }
    case 'MeterClosed':
      return { ...state, closed: true };
  }
};

export const meterDecider: Decider<MeterCommand, MeterEvent, MeterState> = {
  initialState: () => ({ seen: ISet(), closed: false, totals: { callSeconds: 0, llmTokens: 0, items: 0 } }),
  decide: decideMeter,
  evolve: evolveMeter,
};
