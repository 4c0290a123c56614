import type { CommandOf, EventOf, reportCommands, reportEvents } from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type ReportCommand = CommandOf<(typeof reportCommands)[number]>;
export type ReportEvent = EventOf<(typeof reportEvents)[number]>;
type Definition = Extract<ReportEvent, { type: 'ReportSaved' }>['data'];

export type ReportState =
  | { readonly status: 'none' | 'deleted' }
  | {
      readonly status: 'saved';
      readonly definition: Definition;
      /** Slots delivered: the scheduler never sends one twice, whatever it retries. */
      readonly delivered: ReadonlySet<string>;
    };

const definitionOf = (data: Definition): Definition => ({
  name: data.name,
  kind: data.kind,
  filters: data.filters,
  format: data.format,
  ...(data.schedule !== undefined && { schedule: data.schedule }),
  ...(data.delivery !== undefined && { delivery: data.delivery }),
});

export const decide = (command: ReportCommand, state: ReportState): ReportEvent[] => {
  switch (command.type) {
    case 'SaveReport': {
      const definition = definitionOf(command.data);
      if (
        state.status === 'saved' &&
        JSON.stringify(definitionOf(state.definition)) === JSON.stringify(definition)
      ) {
        return [];
      }
      return [{ type: 'ReportSaved', data: definition }];
    }
    case 'DeleteReport':
      if (state.status === 'none')
        throw new DomainError('REPORT_NOT_FOUND', 'no report with this id', 'reportId');
      return state.status === 'deleted' ? [] : [{ type: 'ReportDeleted', data: {} }];
    case 'RecordReportDelivery': {
      if (state.status !== 'saved') {
        throw new DomainError('REPORT_NOT_FOUND', 'no saved report with this id', 'reportId');
      }
      const { slot, outcome, detail } = command.data;
      if (state.delivered.has(slot)) return [];
      const data = { slot, ...(detail !== undefined && { detail }) };
      return [
        outcome === 'delivered' ? { type: 'ReportDelivered', data } : { type: 'ReportDeliveryFailed', data },
      ];
    }
  }
};

export const evolve = (state: ReportState, event: ReportEvent): ReportState => {
  switch (event.type) {
    case 'ReportSaved':
      return {
        status: 'saved',
        definition: event.data,
        delivered: state.status === 'saved' ? state.delivered : new Set(),
      };
    case 'ReportDeleted':
      return { status: 'deleted' };
    case 'ReportDelivered':
      return state.status === 'saved'
        ? { ...state, delivered: new Set([...state.delivered, event.data.slot]) }
        : state;
    case 'ReportDeliveryFailed':
      return state;
  }
};

export const reportDecider: Decider<ReportCommand, ReportEvent, ReportState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
