import { describe, it } from 'vitest';
import {
  ChangePlanTier,
  CreateTenant,
  DEFAULT_TENANT_SETTINGS,
  DisableTenant,
  ReactivateTenant,
  ReleaseQuota,
  RequestTenantDeletion,
  ReserveQuota,
  SuspendTenant,
  UpdateTenantSettings,
} from '@ccp/schemas';
import { tenantDecider, type TenantEvent } from './tenant.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(tenantDecider);

const created: TenantEvent = {
  type: 'TenantCreated',
  data: { name: 'Acme', planTier: 'free', settings: DEFAULT_TENANT_SETTINGS },
};

describe('tenant decider', () => {
  it('creates a tenant with default settings', () =>
    given([])
      .when(command(CreateTenant, { tenantId: 'acme', name: 'Acme' }))
      .then([created]));

  it('keeps given settings over the defaults', () =>
    given([])
      .when(
        command(CreateTenant, {
          tenantId: 'acme',
          name: 'Acme',
          planTier: 'starter',
          settings: { timeZone: 'Europe/Madrid', languages: ['es', 'en'] },
        }),
      )
      .then([
        {
          type: 'TenantCreated',
          data: {
            name: 'Acme',
            planTier: 'starter',
            settings: { ...DEFAULT_TENANT_SETTINGS, timeZone: 'Europe/Madrid', languages: ['es', 'en'] },
          },
        },
      ]));

  it('refuses to create a tenant twice', () =>
    given([created])
      .when(command(CreateTenant, { tenantId: 'acme', name: 'Acme' }))
      .thenThrows(refusedWith('TENANT_EXISTS')));

  it('changes the plan tier', () =>
    given([created])
      .when(command(ChangePlanTier, { tenantId: 'acme', planTier: 'professional' }))
      .then([{ type: 'PlanTierChanged', data: { from: 'free', to: 'professional' } }]));

  it('refuses a downgrade below what is in use', () =>
    given([
      created,
      { type: 'PlanTierChanged', data: { from: 'free', to: 'starter' } },
      { type: 'QuotaReserved', data: { resource: 'aiAgents', key: 'a1' } },
      { type: 'QuotaReserved', data: { resource: 'aiAgents', key: 'a2' } },
    ])
      .when(command(ChangePlanTier, { tenantId: 'acme', planTier: 'free' }))
      .thenThrows(refusedWith('PLAN_LIMIT_EXCEEDED')));

  it('suspends, reactivates, disables and requests deletion', () => {
    given([created])
      .when(command(SuspendTenant, { tenantId: 'acme', reason: 'unpaid invoice' }))
      .then([{ type: 'TenantSuspended', data: { reason: 'unpaid invoice' } }]);
    given([created, { type: 'TenantSuspended', data: { reason: 'x' } }])
      .when(command(ReactivateTenant, { tenantId: 'acme' }))
      .then([{ type: 'TenantReactivated', data: {} }]);
    given([created])
      .when(command(DisableTenant, { tenantId: 'acme', reason: 'fraud' }))
      .then([{ type: 'TenantDisabled', data: { reason: 'fraud' } }]);
    given([created, { type: 'TenantDisabled', data: { reason: 'fraud' } }])
      .when(command(RequestTenantDeletion, { tenantId: 'acme' }))
      .then([{ type: 'TenantDeletionRequested', data: {} }]);
  });

  it('treats repeating a state change as already done', () =>
    given([created, { type: 'TenantSuspended', data: { reason: 'x' } }])
      .when(command(SuspendTenant, { tenantId: 'acme', reason: 'again' }))
      .thenNothingHappened());

  it('refuses to reactivate a disabled tenant', () =>
    given([created, { type: 'TenantDisabled', data: { reason: 'fraud' } }])
      .when(command(ReactivateTenant, { tenantId: 'acme' }))
      .thenThrows(refusedWith('TENANT_CLOSED')));

  it('refuses commands to a tenant that does not exist', () =>
    given([])
      .when(command(SuspendTenant, { tenantId: 'acme', reason: 'x' }))
      .thenThrows(refusedWith('TENANT_NOT_FOUND')));

  it('updates settings', () =>
    given([created])
      .when(
        command(UpdateTenantSettings, {
          tenantId: 'acme',
          settings: { branding: { primaryColor: '#112233' } },
        }),
      )
      .then([
        { type: 'TenantSettingsUpdated', data: { settings: { branding: { primaryColor: '#112233' } } } },
      ]));

  describe('plan limits', () => {
    it('reserves a unit while under the limit', () =>
      given([created])
        .when(command(ReserveQuota, { tenantId: 'acme', resource: 'aiAgents', key: 'a1' }))
        .then([{ type: 'QuotaReserved', data: { resource: 'aiAgents', key: 'a1' } }]));

    it('refuses a unit beyond the plan', () =>
      given([created, { type: 'QuotaReserved', data: { resource: 'aiAgents', key: 'a1' } }])
        .when(command(ReserveQuota, { tenantId: 'acme', resource: 'aiAgents', key: 'a2' }))
        .thenThrows(refusedWith('PLAN_LIMIT_REACHED')));

    it('reserving the same key twice is one reservation', () =>
      given([created, { type: 'QuotaReserved', data: { resource: 'aiAgents', key: 'a1' } }])
        .when(command(ReserveQuota, { tenantId: 'acme', resource: 'aiAgents', key: 'a1' }))
        .thenNothingHappened());

    it('a released unit can be taken again', () =>
      given([
        created,
        { type: 'QuotaReserved', data: { resource: 'aiAgents', key: 'a1' } },
        { type: 'QuotaReleased', data: { resource: 'aiAgents', key: 'a1' } },
      ])
        .when(command(ReserveQuota, { tenantId: 'acme', resource: 'aiAgents', key: 'a2' }))
        .then([{ type: 'QuotaReserved', data: { resource: 'aiAgents', key: 'a2' } }]));

    it('releases only what is held', () =>
      given([created])
        .when(command(ReleaseQuota, { tenantId: 'acme', resource: 'aiAgents', key: 'a1' }))
        .thenNothingHappened());

    it('a suspended tenant cannot add resources', () =>
      given([created, { type: 'TenantSuspended', data: { reason: 'x' } }])
        .when(command(ReserveQuota, { tenantId: 'acme', resource: 'phoneNumbers', key: '+15550001111' }))
        .thenThrows(refusedWith('TENANT_SUSPENDED')));

    it('enterprise has no limit', () =>
      given([
        created,
        { type: 'PlanTierChanged', data: { from: 'free', to: 'enterprise' } },
        { type: 'QuotaReserved', data: { resource: 'aiAgents', key: 'a1' } },
      ])
        .when(command(ReserveQuota, { tenantId: 'acme', resource: 'aiAgents', key: 'a2' }))
        .then([{ type: 'QuotaReserved', data: { resource: 'aiAgents', key: 'a2' } }]));
  });
});
