import type {
  AgentChanges,
  AgentSettings,
  BusinessHours,
  CommandOf,
  EventOf,
  agentCommands,
  agentEvents,
} from '@ccp/schemas';
import { changedFields, isEmpty } from './changes.js';
import { DomainError, type Decider } from './decider.js';

export type AgentCommand = CommandOf<(typeof agentCommands)[number]>;
export type AgentEvent = EventOf<(typeof agentEvents)[number]>;

export type AgentStatus = 'enabled' | 'disabled' | 'deleted';

/** The agent's settings, with null where an optional setting is inherited, as updates express it. */
export type AgentConfiguration = Omit<AgentSettings, 'departmentId' | 'businessHours'> & {
  readonly departmentId: string | null;
  readonly businessHours: BusinessHours | null;
};

export type AgentState =
  { readonly status: 'none' } | (AgentConfiguration & { readonly status: AgentStatus });

type ExistingAgent = Exclude<AgentState, { status: 'none' }>;

const notDeleted = (state: AgentState): ExistingAgent => {
  if (state.status === 'none')
    throw new DomainError('AGENT_NOT_FOUND', 'the agent does not exist', 'agentId');
  if (state.status === 'deleted') throw new DomainError('AGENT_DELETED', 'the agent was deleted', 'agentId');
  return state;
};

export const decide = (command: AgentCommand, state: AgentState): AgentEvent[] => {
  switch (command.type) {
    case 'CreateAgent': {
      const { tenantId: _tenantId, agentId, ...settings } = command.data;
      if (state.status === 'deleted') {
        throw new DomainError('AGENT_DELETED', `agent ${agentId} was deleted; use a new id`, 'agentId');
      }
      if (state.status !== 'none')
        throw new DomainError('AGENT_EXISTS', `agent ${agentId} already exists`, 'agentId');
      return [{ type: 'AgentCreated', data: settings }];
    }
    case 'UpdateAgent': {
      const agent = notDeleted(state);
      const { tenantId: _tenantId, agentId: _agentId, ...update } = command.data;
      const changes: AgentChanges = changedFields(agent, update);
      return isEmpty(changes) ? [] : [{ type: 'AgentUpdated', data: { changes } }];
    }
    case 'EnableAgent':
      return notDeleted(state).status === 'enabled' ? [] : [{ type: 'AgentEnabled', data: {} }];
    case 'DisableAgent':
      return notDeleted(state).status === 'disabled' ? [] : [{ type: 'AgentDisabled', data: {} }];
    case 'VerifyAgentCanCall':
      if (notDeleted(state).status !== 'enabled') {
        throw new DomainError('AGENT_DISABLED', 'the agent is disabled: enable it to place calls', 'agentId');
      }
      return [];
    case 'DeleteAgent':
      // Deleting twice is one deletion: the second changes nothing rather than failing.
      if (state.status === 'deleted') return [];
      notDeleted(state);
      return [{ type: 'AgentDeleted', data: {} }];
  }
};

export const evolve = (state: AgentState, event: AgentEvent): AgentState => {
  if (event.type === 'AgentCreated') {
    const { departmentId, businessHours, ...settings } = event.data;
    return {
      status: 'enabled',
      ...settings,
      departmentId: departmentId ?? null,
      businessHours: businessHours ?? null,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'AgentUpdated':
      return { ...state, ...event.data.changes };
    case 'AgentEnabled':
      return { ...state, status: 'enabled' };
    case 'AgentDisabled':
      return { ...state, status: 'disabled' };
    case 'AgentDeleted':
      return { ...state, status: 'deleted' };
  }
};

export const agentDecider: Decider<AgentCommand, AgentEvent, AgentState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
