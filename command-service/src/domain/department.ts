import type {
  CommandOf,
  DepartmentChanges,
  DepartmentEscalation,
  DepartmentRouting,
  EventOf,
  departmentCommands,
  departmentEvents,
} from '@ccp/schemas';
import { changedFields, isEmpty } from './changes.js';
import { DomainError, type Decider } from './decider.js';

export type DepartmentCommand = CommandOf<(typeof departmentCommands)[number]>;
export type DepartmentEvent = EventOf<(typeof departmentEvents)[number]>;

export type DepartmentState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'archived';
      readonly name: string;
      /** '' when none was given. */
      readonly description: string;
      readonly routing: DepartmentRouting;
      readonly escalation: DepartmentEscalation;
      /** '' when none was given. */
      readonly systemPrompt: string;
    };

type ExistingDepartment = Exclude<DepartmentState, { status: 'none' }>;

const existing = (state: DepartmentState): ExistingDepartment => {
  if (state.status === 'none') {
    throw new DomainError('DEPARTMENT_NOT_FOUND', 'the department does not exist', 'departmentId');
  }
  return state;
};

const notArchived = (state: DepartmentState): ExistingDepartment => {
  const department = existing(state);
  if (department.status === 'archived') {
    throw new DomainError('DEPARTMENT_ARCHIVED', 'the department is archived', 'departmentId');
  }
  return department;
};

/** Calls that overflow must have somewhere else to go. */
const checkOverflow = (
  departmentId: string,
  routing: DepartmentRouting,
  escalation: DepartmentEscalation,
): void => {
  if (routing.overflowDepartmentId === departmentId) {
    throw new DomainError(
      'OVERFLOW_TO_SELF',
      'a department cannot overflow to itself',
      'routing.overflowDepartmentId',
    );
  }
  if (escalation.afterHours === 'overflow' && routing.overflowDepartmentId === undefined) {
    throw new DomainError(
      'OVERFLOW_DEPARTMENT_MISSING',
      'after-hours overflow needs an overflow department',
      'routing.overflowDepartmentId',
    );
  }
};

export const decide = (command: DepartmentCommand, state: DepartmentState): DepartmentEvent[] => {
  switch (command.type) {
    case 'CreateDepartment': {
      const { tenantId: _tenantId, departmentId, ...settings } = command.data;
      if (state.status === 'archived') {
        throw new DomainError(
          'DEPARTMENT_ARCHIVED',
          `department ${departmentId} was archived; use a new id`,
          'departmentId',
        );
      }
      if (state.status !== 'none') {
        throw new DomainError(
          'DEPARTMENT_EXISTS',
          `department ${departmentId} already exists`,
          'departmentId',
        );
      }
      checkOverflow(departmentId, settings.routing, settings.escalation);
      return [{ type: 'DepartmentCreated', data: settings }];
    }
    case 'UpdateDepartment': {
      const department = notArchived(state);
      const { tenantId: _tenantId, departmentId, ...update } = command.data;
      checkOverflow(
        departmentId,
        update.routing ?? department.routing,
        update.escalation ?? department.escalation,
      );
      const changes: DepartmentChanges = changedFields(department, update);
      return isEmpty(changes) ? [] : [{ type: 'DepartmentUpdated', data: { changes } }];
    }
    case 'ArchiveDepartment': {
      const department = existing(state);
      return department.status === 'archived' ? [] : [{ type: 'DepartmentArchived', data: {} }];
    }
  }
};

export const evolve = (state: DepartmentState, event: DepartmentEvent): DepartmentState => {
  if (event.type === 'DepartmentCreated') {
    const { description, systemPrompt, ...settings } = event.data;
    return {
      status: 'active',
      ...settings,
      description: description ?? '',
      systemPrompt: systemPrompt ?? '',
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'DepartmentUpdated':
      return { ...state, ...event.data.changes };
    case 'DepartmentArchived':
      return { ...state, status: 'archived' };
  }
};

export const departmentDecider: Decider<DepartmentCommand, DepartmentEvent, DepartmentState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
