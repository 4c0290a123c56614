import type {
  CommandOf,
  EventOf,
  TicketChanges,
  TicketPriority,
  TicketStatus,
  ticketCommands,
  ticketEvents,
} from '@ccp/schemas';
import { changedFields, isEmpty } from './changes.js';
import { DomainError, type Decider } from './decider.js';

export type TicketCommand = CommandOf<(typeof ticketCommands)[number]>;
export type TicketEvent = EventOf<(typeof ticketEvents)[number]>;

export type TicketState =
  | { readonly status: 'none' }
  | {
      readonly status: TicketStatus;
      readonly priority: TicketPriority;
      readonly assigneeId: string | null;
    };

type ExistingTicket = Exclude<TicketState, { status: 'none' }>;

const existing = (state: TicketState): ExistingTicket => {
  if (state.status === 'none')
    throw new DomainError('TICKET_NOT_FOUND', 'the ticket does not exist', 'ticketId');
  return state;
};

export const decide = (command: TicketCommand, state: TicketState): TicketEvent[] => {
  switch (command.type) {
    case 'OpenTicket': {
      if (state.status !== 'none') {
        throw new DomainError('TICKET_EXISTS', `ticket ${command.data.ticketId} already exists`, 'ticketId');
      }
      const { tenantId: _tenantId, ticketId: _ticketId, ...ticket } = command.data;
      return [{ type: 'TicketOpened', data: ticket }];
    }
    case 'UpdateTicket': {
      const ticket = existing(state);
      if (ticket.status === 'resolved') {
        throw new DomainError('TICKET_RESOLVED', 'a resolved ticket must be reopened first', 'ticketId');
      }
      const { tenantId: _tenantId, ticketId: _ticketId, comment, ...update } = command.data;
      const changes: TicketChanges = changedFields(ticket, update);
      if (isEmpty(changes) && comment === undefined) return [];
      return [{ type: 'TicketUpdated', data: comment === undefined ? { changes } : { changes, comment } }];
    }
    case 'ResolveTicket': {
      const ticket = existing(state);
      if (ticket.status === 'resolved') return [];
      return [{ type: 'TicketResolved', data: { resolution: command.data.resolution } }];
    }
    case 'ReopenTicket': {
      const ticket = existing(state);
      if (ticket.status !== 'resolved') return [];
      return [{ type: 'TicketReopened', data: { reason: command.data.reason } }];
    }
  }
};

export const evolve = (state: TicketState, event: TicketEvent): TicketState => {
  if (event.type === 'TicketOpened') {
    return { status: 'open', priority: event.data.priority, assigneeId: null };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'TicketUpdated':
      return { ...state, ...event.data.changes };
    case 'TicketResolved':
      return { ...state, status: 'resolved' };
    case 'TicketReopened':
      return { ...state, status: 'open' };
  }
};

export const ticketDecider: Decider<TicketCommand, TicketEvent, TicketState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
