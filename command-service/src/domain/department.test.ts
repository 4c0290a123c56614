import { describe, it } from 'vitest';
import {
  ArchiveDepartment,
  CreateDepartment,
  DEFAULT_DEPARTMENT_ESCALATION,
  DEFAULT_DEPARTMENT_ROUTING,
  UpdateDepartment,
  type DepartmentSettings,
} from '@ccp/schemas';
import { departmentDecider, type DepartmentEvent } from './department.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(departmentDecider);

const key = { tenantId: 'acme', departmentId: 'sales' };
const created = (settings: Partial<DepartmentSettings> = {}): DepartmentEvent => ({
  type: 'DepartmentCreated',
  data: {
    name: 'Sales',
    routing: DEFAULT_DEPARTMENT_ROUTING,
    escalation: DEFAULT_DEPARTMENT_ESCALATION,
    ...settings,
  },
});
const archived: DepartmentEvent = { type: 'DepartmentArchived', data: {} };

describe('department decider', () => {
  describe('CreateDepartment', () => {
    it('creates a department with default routing and escalation', () =>
      given([])
        .when(command(CreateDepartment, { ...key, name: 'Sales' }))
        .then([created()]));

    it('keeps the defaults of the routing and escalation fields not given', () =>
      given([])
        .when(
          command(CreateDepartment, {
            ...key,
            name: 'Sales',
            description: 'New business',
            routing: { strategy: 'longest_idle', overflowDepartmentId: 'support' },
            escalation: { afterHours: 'overflow', escalateAfterSeconds: 300 },
            systemPrompt: 'Qualify the lead before anything else.',
          }),
        )
        .then([
          created({
            description: 'New business',
            routing: { strategy: 'longest_idle', maxQueueWaitSeconds: 120, overflowDepartmentId: 'support' },
            escalation: { afterHours: 'overflow', escalateAfterSeconds: 300 },
            systemPrompt: 'Qualify the lead before anything else.',
          }),
        ]));

    it('refuses a department that exists', () =>
      given([created()])
        .when(command(CreateDepartment, { ...key, name: 'Sales' }))
        .thenThrows(refusedWith('DEPARTMENT_EXISTS')));

    it('refuses the id of an archived department', () =>
      given([created(), archived])
        .when(command(CreateDepartment, { ...key, name: 'Sales' }))
        .thenThrows(refusedWith('DEPARTMENT_ARCHIVED')));

    it('refuses overflowing to itself', () =>
      given([])
        .when(
          command(CreateDepartment, { ...key, name: 'Sales', routing: { overflowDepartmentId: 'sales' } }),
        )
        .thenThrows(refusedWith('OVERFLOW_TO_SELF')));

    it('refuses after-hours overflow without an overflow department', () =>
      given([])
        .when(command(CreateDepartment, { ...key, name: 'Sales', escalation: { afterHours: 'overflow' } }))
        .thenThrows(refusedWith('OVERFLOW_DEPARTMENT_MISSING')));
  });

  describe('UpdateDepartment', () => {
    it('records the fields that change', () =>
      given([created()])
        .when(
          command(UpdateDepartment, {
            ...key,
            name: 'Sales',
            routing: { strategy: 'skills_based', maxQueueWaitSeconds: 60 },
          }),
        )
        .then([
          {
            type: 'DepartmentUpdated',
            data: { changes: { routing: { strategy: 'skills_based', maxQueueWaitSeconds: 60 } } },
          },
        ]));

    it('changes nothing when the values are already there', () =>
      given([created({ description: 'New business' })])
        .when(
          command(UpdateDepartment, {
            ...key,
            description: 'New business',
            routing: DEFAULT_DEPARTMENT_ROUTING,
          }),
        )
        .thenNothingHappened());

    it('checks overflow against the settings it keeps', () =>
      given([created()])
        .when(command(UpdateDepartment, { ...key, escalation: { afterHours: 'overflow' } }))
        .thenThrows(refusedWith('OVERFLOW_DEPARTMENT_MISSING')));

    it('refuses a department that does not exist', () =>
      given([])
        .when(command(UpdateDepartment, { ...key, name: 'Sales' }))
        .thenThrows(refusedWith('DEPARTMENT_NOT_FOUND')));

    it('refuses an archived department', () =>
      given([created(), archived])
        .when(command(UpdateDepartment, { ...key, name: 'Old sales' }))
        .thenThrows(refusedWith('DEPARTMENT_ARCHIVED')));
  });

  describe('ArchiveDepartment', () => {
    it('archives a department', () =>
      given([created()]).when(command(ArchiveDepartment, key)).then([archived]));

    it('archiving twice is one archive', () =>
      given([created(), archived]).when(command(ArchiveDepartment, key)).thenNothingHappened());

    it('refuses a department that does not exist', () =>
      given([]).when(command(ArchiveDepartment, key)).thenThrows(refusedWith('DEPARTMENT_NOT_FOUND')));
  });
});
