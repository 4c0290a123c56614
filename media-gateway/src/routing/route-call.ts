import type { IvrMenu, IvrOption } from '@ccp/schemas';
import type { AgentEntry, DepartmentEntry, Directory, TenantEntry } from '../directory/directory.js';
import { isOpen } from './business-hours.js';

export type CallRoute =
  | {
      readonly kind: 'agent';
      readonly tenant: TenantEntry;
      readonly agent: AgentEntry;
      readonly department: DepartmentEntry | undefined;
      /** Outside the hours of whoever answers: the AI says so and takes a message rather than promising a person. */
      readonly afterHours: boolean;
    }
  | { readonly kind: 'ivr'; readonly tenant: TenantEntry; readonly menu: IvrMenu }
  | {
      readonly kind: 'unavailable';
      readonly tenant: TenantEntry | undefined;
      readonly reason: 'unknown_number' | 'unassigned' | 'tenant_inactive' | 'no_agent' | 'all_agents_busy';
    };

export interface RoutingContext {
  readonly directory: Directory;
  readonly now: Date;
  /** Calls an agent is in now, against its concurrency limit. */
  readonly activeCalls: (tenantId: string, agentId: string) => number;
}

const hasRoom = (context: RoutingContext, tenantId: string, agent: AgentEntry): boolean =>
  context.activeCalls(tenantId, agent.agentId) < agent.settings.concurrencyLimit;

const agentOpen = (tenant: TenantEntry, agent: AgentEntry, now: Date): boolean =>
  isOpen(agent.settings.businessHours ?? tenant.settings.businessHours, tenant.settings.timeZone, now);

const departmentOpen = (tenant: TenantEntry, department: DepartmentEntry, now: Date): boolean =>
  isOpen(
    department.settings.escalation.businessHours ?? tenant.settings.businessHours,
    tenant.settings.timeZone,
    now,
  );

const isAfterHoursAgent = (agent: AgentEntry): boolean => agent.settings.type === 'after_hours';

/**
 * Who answers for a department: in its hours, a day agent with room; outside them, the department's
 * after-hours agent, else the tenant's, else a day agent that will say the business is closed.
 */
export const routeDepartment = (
  context: RoutingContext,
  tenant: TenantEntry,
  department: DepartmentEntry,
): CallRoute => {
  const { directory, now } = context;
  const all = directory.agents(tenant.tenantId);
  const ofDepartment = all.filter((a) => a.settings.departmentId === department.departmentId);
  const open = departmentOpen(tenant, department, now);
  const withRoom = (agents: AgentEntry[]) => agents.filter((a) => hasRoom(context, tenant.tenantId, a));
  const dayAgents = ofDepartment.filter((a) => !isAfterHoursAgent(a));
  const afterHoursAgents = [
    ...ofDepartment.filter(isAfterHoursAgent),
    ...all.filter((a) => isAfterHoursAgent(a) && a.settings.departmentId === undefined),
  ];
  const ordered = open
    ? [...dayAgents.filter((a) => agentOpen(tenant, a, now)), ...dayAgents]
    : [...afterHoursAgents, ...dayAgents];
  if (ordered.length === 0) return { kind: 'unavailable', tenant, reason: 'no_agent' };
  const agent = withRoom(ordered)[0];
  if (!agent) return { kind: 'unavailable', tenant, reason: 'all_agents_busy' };
  return { kind: 'agent', tenant, agent, department, afterHours: !open };
};

/** A number's own agent, unless it is closed and an after-hours agent of its department or tenant is there. */
const routeAgent = (context: RoutingContext, tenant: TenantEntry, agent: AgentEntry): CallRoute => {
  const { directory, now } = context;
  const department =
    agent.settings.departmentId !== undefined
      ? directory.department(tenant.tenantId, agent.settings.departmentId)
      : undefined;
  if (!agent.enabled) return { kind: 'unavailable', tenant, reason: 'no_agent' };
  const open = isAfterHoursAgent(agent) || agentOpen(tenant, agent, now);
  if (!open) {
    const standIn = directory
      .agents(tenant.tenantId)
      .find(
        (a) =>
          isAfterHoursAgent(a) &&
          (a.settings.departmentId === agent.settings.departmentId ||
            a.settings.departmentId === undefined) &&
          hasRoom(context, tenant.tenantId, a),
      );
    if (standIn) return { kind: 'agent', tenant, agent: standIn, department, afterHours: true };
  }
  if (!hasRoom(context, tenant.tenantId, agent))
    return { kind: 'unavailable', tenant, reason: 'all_agents_busy' };
  return { kind: 'agent', tenant, agent, department, afterHours: !open };
};

/** Resolves the number a caller dialled to the tenant and who answers. */
export const routeNumber = (context: RoutingContext, address: string): CallRoute => {
  const { directory } = context;
  const number = directory.number(address);
  if (!number) return { kind: 'unavailable', tenant: undefined, reason: 'unknown_number' };
  const tenant = directory.tenant(number.tenantId);
  if (!tenant) return { kind: 'unavailable', tenant: undefined, reason: 'unknown_number' };
  if (tenant.status !== 'active') return { kind: 'unavailable', tenant, reason: 'tenant_inactive' };
  const target = number.target;
  if (!target) return { kind: 'unavailable', tenant, reason: 'unassigned' };
  switch (target.kind) {
    case 'agent': {
      const agent = directory.agent(tenant.tenantId, target.id);
      return agent ? routeAgent(context, tenant, agent) : { kind: 'unavailable', tenant, reason: 'no_agent' };
    }
    case 'department': {
      const department = directory.department(tenant.tenantId, target.id);
      return department && !department.archived
        ? routeDepartment(context, tenant, department)
        : { kind: 'unavailable', tenant, reason: 'no_agent' };
    }
    case 'ivr': {
      const menu = tenant.settings.ivrMenus.find((m) => m.id === target.id);
      return menu ? { kind: 'ivr', tenant, menu } : { kind: 'unavailable', tenant, reason: 'unassigned' };
    }
  }
};

const normalise = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** The option a caller chose by key or by saying one of its phrases; undefined when nothing matched. */
export const matchIvrOption = (
  menu: IvrMenu,
  input: { readonly kind: 'dtmf' | 'speech'; readonly value: string },
): IvrOption | undefined => {
  if (input.kind === 'dtmf') return menu.options.find((o) => o.digit === input.value.trim().slice(0, 1));
  const said = ` ${normalise(input.value)} `;
  // "one", "two"... and the digit itself count as pressing the key, as callers often say the number.
  return (
    menu.options.find((o) => o.phrases.some((p) => said.includes(` ${normalise(p)} `))) ??
    menu.options.find((o) => said.includes(` ${o.digit} `) || spokenDigits(said).includes(o.digit))
  );
};

const DIGIT_WORDS: Readonly<Record<string, string>> = {
  zero: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  cero: '0',
  uno: '1',
  dos: '2',
  tres: '3',
  cuatro: '4',
  cinco: '5',
  seis: '6',
  siete: '7',
  ocho: '8',
  nueve: '9',
};

const spokenDigits = (said: string): string[] =>
  said
    .split(' ')
    .map((word) => DIGIT_WORDS[word])
    .filter((digit): digit is string => digit !== undefined);
