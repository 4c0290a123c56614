import type {
  CallScriptChanges,
  CommandOf,
  EventOf,
  ScriptAgentType,
  ScriptObjection,
  ScriptStep,
  scriptCommands,
  scriptEvents,
} from '@ccp/schemas';
import { changedFields, isEmpty } from './changes.js';
import { DomainError, type Decider } from './decider.js';

export type ScriptCommand = CommandOf<(typeof scriptCommands)[number]>;
export type ScriptEvent = EventOf<(typeof scriptEvents)[number]>;

export type ScriptState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'archived';
      readonly name: string;
      /** null: any agent may follow the script. */
      readonly agentType: ScriptAgentType | null;
      readonly opening: string;
      readonly steps: readonly ScriptStep[];
      readonly objections: readonly ScriptObjection[];
      readonly closing: string;
      readonly language: string;
    };

type ExistingScript = Exclude<ScriptState, { status: 'none' }>;

const existing = (state: ScriptState): ExistingScript => {
  if (state.status === 'none')
    throw new DomainError('SCRIPT_NOT_FOUND', 'the call script does not exist', 'scriptId');
  return state;
};

export const decide = (command: ScriptCommand, state: ScriptState): ScriptEvent[] => {
  switch (command.type) {
    case 'CreateCallScript': {
      if (state.status !== 'none') {
        throw new DomainError(
          'SCRIPT_EXISTS',
          `call script ${command.data.scriptId} already exists`,
          'scriptId',
        );
      }
      const { tenantId: _tenantId, scriptId: _scriptId, ...script } = command.data;
      return [{ type: 'CallScriptCreated', data: script }];
    }
    case 'UpdateCallScript': {
      const script = existing(state);
      if (script.status === 'archived') {
        throw new DomainError('SCRIPT_ARCHIVED', 'the call script is archived', 'scriptId');
      }
      const { tenantId: _tenantId, scriptId: _scriptId, ...update } = command.data;
      const changes: CallScriptChanges = changedFields(script, update);
      return isEmpty(changes) ? [] : [{ type: 'CallScriptUpdated', data: { changes } }];
    }
    case 'ArchiveCallScript': {
      const script = existing(state);
      return script.status === 'archived' ? [] : [{ type: 'CallScriptArchived', data: {} }];
    }
  }
};

export const evolve = (state: ScriptState, event: ScriptEvent): ScriptState => {
  if (event.type === 'CallScriptCreated') {
    return { status: 'active', ...event.data, agentType: event.data.agentType ?? null };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'CallScriptUpdated':
      return { ...state, ...event.data.changes };
    case 'CallScriptArchived':
      return { ...state, status: 'archived' };
  }
};

export const scriptDecider: Decider<ScriptCommand, ScriptEvent, ScriptState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
