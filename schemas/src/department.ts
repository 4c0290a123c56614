import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { BusinessHours, EntityId, LongText, Name, TenantId } from './primitives.js';
import { requireSomeField } from './updates.js';

const category = 'department';

const Seconds = z.number().int().min(0).max(86_400);

export const RoutingStrategy = z.enum(['round_robin', 'longest_idle', 'skills_based']);
export const DepartmentRouting = z.object({
  strategy: RoutingStrategy,
  /** How long a caller may wait for a person before the call overflows or follows the after-hours path. */
  maxQueueWaitSeconds: Seconds,
  overflowDepartmentId: EntityId.optional(),
});
export type DepartmentRouting = z.infer<typeof DepartmentRouting>;

export const AfterHoursAction = z.enum(['take_message', 'voicemail', 'ai_agent', 'overflow']);
export const DepartmentEscalation = z.object({
  /** When people are there to take escalated calls; absent, the tenant's business hours apply. */
  businessHours: BusinessHours.optional(),
  /** What happens to a call that needs a person when none is available. */
  afterHours: AfterHoursAction,
  /** Hand an AI-handled call to a person after this long even when nothing else triggered escalation. */
  escalateAfterSeconds: Seconds.optional(),
});
export type DepartmentEscalation = z.infer<typeof DepartmentEscalation>;

/** Everything configurable about a department: what DepartmentCreated stores and UpdateDepartment changes. */
export const DepartmentSettings = z.object({
  name: Name,
  description: z.string().trim().max(2000).optional(),
  routing: DepartmentRouting,
  escalation: DepartmentEscalation,
  /** Added to the prompt of every AI agent of the department, after the tenant's and before the agent's own. */
  systemPrompt: LongText.optional(),
});
export type DepartmentSettings = z.infer<typeof DepartmentSettings>;

/** An update replaces each field it names as a whole (routing and escalation included). */
export const DepartmentChanges = DepartmentSettings.partial();
export type DepartmentChanges = z.infer<typeof DepartmentChanges>;

export const DEFAULT_DEPARTMENT_ROUTING: DepartmentRouting = {
  strategy: 'round_robin',
  maxQueueWaitSeconds: 120,
};
export const DEFAULT_DEPARTMENT_ESCALATION: DepartmentEscalation = { afterHours: 'take_message' };

const departmentKey = { tenantId: TenantId, departmentId: EntityId };

// Commands

export const CreateDepartment = defineCommand(
  category,
  'CreateDepartment',
  z.object({
    ...departmentKey,
    ...DepartmentSettings.shape,
    // Defaults per field, so that naming one routing or escalation field keeps the defaults of the others.
    routing: DepartmentRouting.extend({
      strategy: RoutingStrategy.default(DEFAULT_DEPARTMENT_ROUTING.strategy),
      maxQueueWaitSeconds: Seconds.default(DEFAULT_DEPARTMENT_ROUTING.maxQueueWaitSeconds),
    }).prefault({}),
    escalation: DepartmentEscalation.extend({
      afterHours: AfterHoursAction.default(DEFAULT_DEPARTMENT_ESCALATION.afterHours),
    }).prefault({}),
  }),
  'Create a department (Sales, Support, Billing, ...) with its call routing and escalation settings.',
);
export const UpdateDepartment = defineCommand(
  category,
  'UpdateDepartment',
  requireSomeField(z.object({ ...departmentKey, ...DepartmentChanges.shape }), [
    'name',
    'description',
    'routing',
    'escalation',
    'systemPrompt',
  ]),
  'Change the name, description, routing, escalation or prompt of a department that is not archived.',
);
export const ArchiveDepartment = defineCommand(
  category,
  'ArchiveDepartment',
  z.object(departmentKey),
  'Retire a department for good; it takes no more calls and can no longer be changed.',
);

// Events

export const DepartmentCreated = defineEvent(category, 'DepartmentCreated', 1, DepartmentSettings);
export const DepartmentUpdated = defineEvent(
  category,
  'DepartmentUpdated',
  1,
  z.object({ changes: DepartmentChanges }),
);
export const DepartmentArchived = defineEvent(category, 'DepartmentArchived', 1, z.object({}));

export const departmentCommands = [CreateDepartment, UpdateDepartment, ArchiveDepartment] as const;
export const departmentEvents = [DepartmentCreated, DepartmentUpdated, DepartmentArchived] as const;
