import {
  billingPeriodOf,
  DEFAULT_TENANT_SETTINGS,
  effectiveCapRule,
  effectiveUsageCap,
  PLAN_LIMITS,
  QUOTA_RESOURCES,
  USAGE_RESOURCES,
  type CommandOf,
  type EventOf,
  type PlanTier,
  type QuotaResource,
  type TenantSettings,
  type tenantCommands,
  type tenantEvents,
  type UsageCapRule,
  type UsageLimitOverrides,
  type UsageResource,
} from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type TenantCommand = CommandOf<(typeof tenantCommands)[number]>;
export type TenantEvent = EventOf<(typeof tenantEvents)[number]>;

export type TenantStatus = 'active' | 'suspended' | 'disabled' | 'deletion_requested';

export type TenantState =
  | { readonly status: 'none' }
  | {
      readonly status: TenantStatus;
      /** Every reason the tenant is suspended for, while it is: a reactivation for one reason leaves the others. */
      readonly suspendedFor: readonly string[];
      readonly name: string;
      readonly planTier: PlanTier;
      readonly settings: TenantSettings;
      /** Keys holding a unit of each plan-limited resource. */
      readonly quota: Readonly<Record<QuotaResource, readonly string[]>>;
      /** Monthly caps reached in the latest period that reached any; an earlier period no longer counts. */
      readonly usageCapped: UsageCapped | undefined;
      /** A super admin's caps for this tenant in place of its tier's. */
      readonly limits: UsageLimitOverrides;
      readonly billingThresholdUsd: number | null;
    };

export interface UsageCapped {
  /** 'YYYY-MM', UTC. */
  readonly period: string;
  readonly resources: readonly UsageResource[];
  /** What was used when each cap was reached, to tell whether it still holds after a plan change. */
  readonly used: Readonly<Partial<Record<UsageResource, number>>>;
}

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

/** Refuses a tier whose limits are below what the tenant already uses. */
const refuseUnlessFits = (tenant: ExistingTenant, to: PlanTier): void => {
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
};

/** Whether a tenant may take on more of a plan-limited resource. */
export const quotaAllows = (tier: PlanTier, resource: QuotaResource, inUse: number): boolean => {
  const limit = PLAN_LIMITS[tier][resource];
  return limit === null || inUse < limit;
};

/**
 * What limits a tenant's use of a resource right now: the plan's rule once its cap was reached this month,
 * null otherwise. For the media gateway, which limits the AI's answers under `block_ai`.
 */
export const usageCapInForce = (
  state: TenantState,
  resource: UsageResource,
  now: Date,
): UsageCapRule | null => {
  if (state.status === 'none' || !state.usageCapped) return null;
  const { period, resources } = state.usageCapped;
  if (period !== billingPeriodOf(now) || !resources.includes(resource)) return null;
  return effectiveCapRule(state.planTier, state.limits);
};

/**
 * Caps that hold under another tier: those whose recorded use reaches the tier's cap too. Every cap reached this
 * period is reconsidered, so a cap lifted by an upgrade holds again after a downgrade back.
 */
const cappedUnder = (
  tier: PlanTier,
  limits: UsageLimitOverrides,
  capped: UsageCapped | undefined,
): UsageCapped | undefined => {
  if (!capped) return undefined;
  const resources = USAGE_RESOURCES.filter((resource) => {
    const cap = effectiveUsageCap(tier, resource, limits);
    const used = capped.used[resource];
    return cap !== null && used !== undefined && used >= cap;
  });
  return { ...capped, resources };
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
      refuseUnlessFits(tenant, to);
      return [{ type: 'PlanTierChanged', data: { from: tenant.planTier, to } }];
    }
    case 'FollowSubscriptionTier': {
      // What is paid for decides the tier: a lapsed subscription brings the free tier even to a tenant with more
      // agents or numbers than it allows (they keep working; quotaAllows refuses adding more).
      const tenant = notClosed(state);
      const to = command.data.planTier;
      return tenant.planTier === to ? [] : [{ type: 'PlanTierChanged', data: { from: tenant.planTier, to } }];
    }
    case 'VerifyPlanTierFits':
      refuseUnlessFits(notClosed(state), command.data.planTier);
      return [];
    case 'SuspendTenant': {
      const tenant = notClosed(state);
      const { reason } = command.data;
      // Suspended again for another reason (a super admin's, during the billing's): recorded, so lifting the
      // first suspension does not lift this one.
      if (tenant.status === 'suspended' && tenant.suspendedFor.includes(reason)) return [];
      return [{ type: 'TenantSuspended', data: { reason } }];
    }
    case 'ReactivateTenant': {
      const tenant = notClosed(state);
      if (tenant.status === 'active') return [];
      const only = command.data.onlyIfSuspendedFor;
      // Suspended for something else too (a super admin's reason): that suspension is not this caller's to lift.
      if (only !== undefined && tenant.suspendedFor.some((reason) => reason !== only)) return [];
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
    case 'SetUsageLimits': {
      notClosed(state);
      const { overrides, billingThresholdUsd } = command.data;
      return [{ type: 'UsageLimitsSet', data: { overrides, billingThresholdUsd } }];
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
    case 'EnforceUsageCap': {
      const tenant = existing(state);
      const { period, resource, used } = command.data;
      const capped = tenant.usageCapped;
      // A later month already reached a cap: this one is over and there is nothing left to limit.
      if (capped && capped.period > period) return [];
      if (capped?.period === period && capped.resources.includes(resource)) return [];
      // The processor measured against the plan it knew; the plan now in force decides.
      const cap = effectiveUsageCap(tenant.planTier, resource, tenant.limits);
      const rule = effectiveCapRule(tenant.planTier, tenant.limits);
      if (cap === null || used < cap) return [];
      return [{ type: 'UsageCapReached', data: { period, resource, used, cap, rule } }];
    }
  }
};

export const evolve = (state: TenantState, event: TenantEvent): TenantState => {
  if (event.type === 'TenantCreated') {
    return {
      status: 'active',
      suspendedFor: [],
      ...event.data,
      quota: emptyQuota(),
      usageCapped: undefined,
      limits: {},
      billingThresholdUsd: null,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'PlanTierChanged':
      return {
        ...state,
        planTier: event.data.to,
        usageCapped: cappedUnder(event.data.to, state.limits, state.usageCapped),
      };
    case 'TenantSuspended':
      return {
        ...state,
        status: 'suspended',
        suspendedFor: [...(state.status === 'suspended' ? state.suspendedFor : []), event.data.reason],
      };
    case 'TenantReactivated':
      return { ...state, status: 'active', suspendedFor: [] };
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
    case 'UsageLimitsSet':
      return {
        ...state,
        limits: event.data.overrides,
        billingThresholdUsd: event.data.billingThresholdUsd,
        usageCapped: cappedUnder(state.planTier, event.data.overrides, state.usageCapped),
      };
    case 'UsageCapReached': {
      const { period, resource, used } = event.data;
      // Keyed by period: the first cap of a new month starts a fresh record.
      const current =
        state.usageCapped?.period === period ? state.usageCapped : { period, resources: [], used: {} };
      return {
        ...state,
        usageCapped: {
          period,
          resources: [...current.resources.filter((r) => r !== resource), resource],
          used: { ...current.used, [resource]: used },
        },
      };
    }
  }
};

export const tenantDecider: Decider<TenantCommand, TenantEvent, TenantState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
