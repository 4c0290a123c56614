import {
  DEFAULT_TENANT_SETTINGS,
  PLAN_LIMITS,
  QUOTA_RESOURCES,
  type CommandOf,
  type EventOf,
  type PlanTier,
  type QuotaResource,
  type TenantSettings,
  type tenantCommands,
  type tenantEvents,
} from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type TenantCommand = CommandOf<(typeof tenantCommands)[number]>;
export type TenantEvent = EventOf<(typeof tenantEvents)[number]>;

export type TenantStatus = 'active' | 'suspended' | 'disabled' | 'deletion_requested';

export type TenantState =
  | { readonly status: 'none' }
  | {
      readonly status: TenantStatus;
      readonly name: string;
      readonly planTier: PlanTier;
      readonly settings: TenantSettings;
      /** Keys holding a unit of each plan-limited resource. */
      readonly quota: Readonly<Record<QuotaResource, readonly string[]>>;
    };

type ExistingTenant = Exclude<TenantState, { status: 'none' }>;

const emptyQuota = (): Record<QuotaResource, readonly string[]> => ({
  aiAgents: [],
  phoneNumbers: [],
  teamMembers: [],
});

const existing = (state: TenantState): ExistingTenant => {
  if (state.status === 'none')
    throw new DomainError('TENANT_NOT_FOUND', 'the tenant does not exist', 'tenantId');
  return state;
};

const notClosed = (state: TenantState): ExistingTenant => {
  const tenant = existing(state);
  if (tenant.status === 'disabled' || tenant.status === 'deletion_requested') {
    throw new DomainError('TENANT_CLOSED', `the tenant is ${tenant.status.replace('_', ' ')}`, 'tenantId');
  }
  return tenant;
};

/** Whether a tenant may take on more of a plan-limited resource. */
export const quotaAllows = (tier: PlanTier, resource: QuotaResource, inUse: number): boolean => {
  const limit = PLAN_LIMITS[tier][resource];
  return limit === null || inUse < limit;
};

export const decide = (command: TenantCommand, state: TenantState): TenantEvent[] => {
  switch (command.type) {
    case 'CreateTenant': {
      if (state.status !== 'none') {
        throw new DomainError('TENANT_EXISTS', `tenant ${command.data.tenantId} already exists`, 'tenantId');
      }
      const { name, planTier, settings } = command.data;
      return [
        {
          type: 'TenantCreated',
          data: { name, planTier, settings: { ...DEFAULT_TENANT_SETTINGS, ...settings } },
        },
      ];
    }
    case 'ChangePlanTier': {
      const tenant = notClosed(state);
      const to = command.data.planTier;
      if (tenant.planTier === to) return [];
      for (const resource of QUOTA_RESOURCES) {
        const inUse = tenant.quota[resource].length;
        const limit = PLAN_LIMITS[to][resource];
        if (limit !== null && inUse > limit) {
          throw new DomainError(
            'PLAN_LIMIT_EXCEEDED',
            `the ${to} plan allows ${limit} ${resource} but ${inUse} are in use`,
            'planTier',
          );
        }
      }
      return [{ type: 'PlanTierChanged', data: { from: tenant.planTier, to } }];
    }
    case 'SuspendTenant': {
      const tenant = notClosed(state);
      if (tenant.status === 'suspended') return [];
      return [{ type: 'TenantSuspended', data: { reason: command.data.reason } }];
    }
    case 'ReactivateTenant': {
      const tenant = notClosed(state);
      if (tenant.status === 'active') return [];
      return [{ type: 'TenantReactivated', data: {} }];
    }
    case 'DisableTenant': {
      const tenant = existing(state);
      if (tenant.status === 'disabled' || tenant.status === 'deletion_requested') return [];
      return [{ type: 'TenantDisabled', data: { reason: command.data.reason } }];
    }
    case 'RequestTenantDeletion': {
      const tenant = existing(state);
      if (tenant.status === 'deletion_requested') return [];
      return [{ type: 'TenantDeletionRequested', data: {} }];
    }
    case 'UpdateTenantSettings': {
      notClosed(state);
      return [{ type: 'TenantSettingsUpdated', data: { settings: command.data.settings } }];
    }
    case 'ReserveQuota': {
      const tenant = notClosed(state);
      if (tenant.status === 'suspended') {
        throw new DomainError('TENANT_SUSPENDED', 'a suspended tenant cannot add resources', 'tenantId');
      }
      const { resource, key } = command.data;
      const held = tenant.quota[resource];
      if (held.includes(key)) return [];
      if (!quotaAllows(tenant.planTier, resource, held.length)) {
        throw new DomainError(
          'PLAN_LIMIT_REACHED',
          `the ${tenant.planTier} plan allows ${PLAN_LIMITS[tenant.planTier][resource]} ${resource}`,
          'tenantId',
        );
      }
      return [{ type: 'QuotaReserved', data: { resource, key } }];
    }
    case 'ReleaseQuota': {
      const tenant = existing(state);
      const { resource, key } = command.data;
      if (!tenant.quota[resource].includes(key)) return [];
      return [{ type: 'QuotaReleased', data: { resource, key } }];
    }
  }
};

export const evolve = (state: TenantState, event: TenantEvent): TenantState => {
  if (event.type === 'TenantCreated') {
    return { status: 'active', ...event.data, quota: emptyQuota() };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'PlanTierChanged':
      return { ...state, planTier: event.data.to };
    case 'TenantSuspended':
      return { ...state, status: 'suspended' };
    case 'TenantReactivated':
      return { ...state, status: 'active' };
    case 'TenantDisabled':
      return { ...state, status: 'disabled' };
    case 'TenantDeletionRequested':
      return { ...state, status: 'deletion_requested' };
    case 'TenantSettingsUpdated':
      return { ...state, settings: { ...state.settings, ...event.data.settings } };
    case 'QuotaReserved': {
      const { resource, key } = event.data;
      return { ...state, quota: { ...state.quota, [resource]: [...state.quota[resource], key] } };
    }
    case 'QuotaReleased': {
      const { resource, key } = event.data;
      return {
        ...state,
        quota: { ...state.quota, [resource]: state.quota[resource].filter((k) => k !== key) },
      };
    }
  }
};

export const tenantDecider: Decider<TenantCommand, TenantEvent, TenantState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
