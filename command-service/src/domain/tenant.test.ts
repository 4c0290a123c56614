import { describe, expect, it } from 'vitest';
import {
  ChangePlanTier,
  CreateTenant,
  DEFAULT_SLA_TARGETS,
  DEFAULT_TENANT_SETTINGS,
  DisableTenant,
  EnforceUsageCap,
  TenantCreated,
  ReactivateTenant,
  ReleaseQuota,
  RequestTenantDeletion,
  ReserveQuota,
  SetUsageLimits,
  SuspendTenant,
  UpdateTenantSettings,
  VerifyPlanTierFits,
} from '@ccp/schemas';
import { tenantDecider, usageCapInForce, type TenantEvent } from './tenant.js';
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

  it('sets its own SLA targets', () => {
    const slaTargets = { ...DEFAULT_SLA_TARGETS, answerWithinSeconds: 10, maxAbandonRate: 0.02 };
    given([])
      .when(command(CreateTenant, { tenantId: 'acme', name: 'Acme', settings: { slaTargets } }))
      .then([
        {
          type: 'TenantCreated',
          data: { name: 'Acme', planTier: 'free', settings: { ...DEFAULT_TENANT_SETTINGS, slaTargets } },
        },
      ]);
  });

  it('reads a tenant stored before SLA targets existed as having the default targets', () => {
    const { slaTargets: _none, ...before } = DEFAULT_TENANT_SETTINGS;
    const stored = TenantCreated.data.parse({ name: 'Acme', planTier: 'free', settings: before });
    expect(stored.settings.slaTargets).toEqual(DEFAULT_SLA_TARGETS);
  });

  it('updating other settings leaves the SLA targets alone', () => {
    const update = command(UpdateTenantSettings, {
      tenantId: 'acme',
      settings: { timeZone: 'Europe/Paris' },
    });
    expect(update.data.settings).toEqual({ timeZone: 'Europe/Paris' });
  });

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

  it('verifies that what the tenant uses fits a tier, storing nothing either way', () => {
    const twoAgents: TenantEvent[] = [
      created,
      { type: 'PlanTierChanged', data: { from: 'free', to: 'starter' } },
      { type: 'QuotaReserved', data: { resource: 'aiAgents', key: 'a1' } },
      { type: 'QuotaReserved', data: { resource: 'aiAgents', key: 'a2' } },
    ];
    given(twoAgents)
      .when(command(VerifyPlanTierFits, { tenantId: 'acme', planTier: 'professional' }))
      .thenNothingHappened();
    given(twoAgents)
      .when(command(VerifyPlanTierFits, { tenantId: 'acme', planTier: 'free' }))
      .thenThrows(refusedWith('PLAN_LIMIT_EXCEEDED', 'planTier'));
    given([])
      .when(command(VerifyPlanTierFits, { tenantId: 'acme', planTier: 'starter' }))
      .thenThrows(refusedWith('TENANT_NOT_FOUND'));
    given([created, { type: 'TenantDisabled', data: { reason: 'fraud' } }])
      .when(command(VerifyPlanTierFits, { tenantId: 'acme', planTier: 'starter' }))
      .thenThrows(refusedWith('TENANT_CLOSED'));
  });

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

  it("reactivates only a suspension for the reason given: the billing's reactivation leaves a super admin's", () => {
    const suspendedFor = (reason: string) => [
      created,
      { type: 'TenantSuspended', data: { reason } } as const,
    ];
    const payment = 'Payment overdue';
    given(suspendedFor('abuse'))
      .when(command(ReactivateTenant, { tenantId: 'acme', onlyIfSuspendedFor: payment }))
      .thenNothingHappened();
    given(suspendedFor(payment))
      .when(command(ReactivateTenant, { tenantId: 'acme', onlyIfSuspendedFor: payment }))
      .then([{ type: 'TenantReactivated', data: {} }]);
    // A super admin lifts any suspension; a reactivated tenant suspended again keeps only the new reason.
    given(suspendedFor('abuse'))
      .when(command(ReactivateTenant, { tenantId: 'acme' }))
      .then([{ type: 'TenantReactivated', data: {} }]);
    given([
      ...suspendedFor(payment),
      { type: 'TenantReactivated', data: {} },
      { type: 'TenantSuspended', data: { reason: 'abuse' } },
    ])
      .when(command(ReactivateTenant, { tenantId: 'acme', onlyIfSuspendedFor: payment }))
      .thenNothingHappened();
    // Suspended by a super admin while suspended for the payment: the payment does not lift it; a super admin does.
    const both = [...suspendedFor(payment), { type: 'TenantSuspended', data: { reason: 'abuse' } } as const];
    given(suspendedFor(payment))
      .when(command(SuspendTenant, { tenantId: 'acme', reason: 'abuse' }))
      .then([{ type: 'TenantSuspended', data: { reason: 'abuse' } }]);
    given(both)
      .when(command(ReactivateTenant, { tenantId: 'acme', onlyIfSuspendedFor: payment }))
      .thenNothingHappened();
    given(both)
      .when(command(ReactivateTenant, { tenantId: 'acme' }))
      .then([{ type: 'TenantReactivated', data: {} }]);
    given(both)
      .when(command(SuspendTenant, { tenantId: 'acme', reason: payment }))
      .thenNothingHappened();
  });

  it('treats repeating a state change as already done', () =>
    given([created, { type: 'TenantSuspended', data: { reason: 'x' } }])
      .when(command(SuspendTenant, { tenantId: 'acme', reason: 'x' }))
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
  describe('usage caps', () => {
    const enforce = (period: string, resource: 'call_minutes' | 'llm_tokens', used: number, cap: number) =>
      command(EnforceUsageCap, { tenantId: 'acme', period, resource, used, cap });
    const reached = (
      period: string,
      resource: 'call_minutes' | 'llm_tokens',
      used: number,
      cap: number,
      rule: 'block_ai' | 'overage_billed' = 'block_ai',
    ): TenantEvent => ({ type: 'UsageCapReached', data: { period, resource, used, cap, rule } });
    const toProfessional: TenantEvent = {
      type: 'PlanTierChanged',
      data: { from: 'free', to: 'professional' },
    };
    const stateOf = (events: TenantEvent[]) =>
      events.reduce(tenantDecider.evolve, tenantDecider.initialState());

    it('records a cap reached, with what the plan does about it', () =>
      given([created])
        .when(enforce('2026-03', 'call_minutes', 61, 60))
        .then([reached('2026-03', 'call_minutes', 61, 60)]));

    it('a professional tenant goes on and is billed for the overage', () =>
      given([created, toProfessional])
        .when(enforce('2026-03', 'llm_tokens', 30_000_100, 30_000_000))
        .then([reached('2026-03', 'llm_tokens', 30_000_100, 30_000_000, 'overage_billed')]));

    it('is idempotent per period and resource', () =>
      given([created, reached('2026-03', 'call_minutes', 61, 60)])
        .when(enforce('2026-03', 'call_minutes', 75, 60))
        .thenNothingHappened());

    it('caps another resource of the same period', () =>
      given([created, reached('2026-03', 'call_minutes', 61, 60)])
        .when(enforce('2026-03', 'llm_tokens', 200_000, 200_000))
        .then([reached('2026-03', 'llm_tokens', 200_000, 200_000)]));

    it('a new period starts afresh', () =>
      given([created, reached('2026-03', 'call_minutes', 61, 60)])
        .when(enforce('2026-04', 'call_minutes', 60, 60))
        .then([reached('2026-04', 'call_minutes', 60, 60)]));

    it('a cap of a month that is over, arriving late, changes nothing', () =>
      given([created, reached('2026-04', 'llm_tokens', 200_000, 200_000)])
        .when(enforce('2026-03', 'call_minutes', 61, 60))
        .thenNothingHappened());

    it('decides on the plan in force, not the one the processor measured against', () => {
      given([created, toProfessional])
        .when(enforce('2026-03', 'call_minutes', 61, 60))
        .thenNothingHappened();
      given([created, { type: 'PlanTierChanged', data: { from: 'free', to: 'enterprise' } }])
        .when(enforce('2026-03', 'call_minutes', 10_000_000, 60))
        .thenNothingHappened();
    });

    describe("a tenant's own limits", () => {
      const limits = (
        overrides: Record<string, number | null | string>,
        billingThresholdUsd: number | null = null,
      ): TenantEvent => ({ type: 'UsageLimitsSet', data: { overrides, billingThresholdUsd } }) as TenantEvent;

      it('records the limits a super admin sets', () =>
        given([created])
          .when(
            command(SetUsageLimits, {
              tenantId: 'acme',
              overrides: { llmTokensPerMonth: 50_000 },
              billingThresholdUsd: 25,
            }),
          )
          .then([limits({ llmTokensPerMonth: 50_000 }, 25)]));

      it("a lower cap than the tier's is enforced", () =>
        given([created, limits({ llmTokensPerMonth: 50_000 })])
          .when(enforce('2026-03', 'llm_tokens', 50_000, 50_000))
          .then([reached('2026-03', 'llm_tokens', 50_000, 50_000)]));

      it('a lifted cap (null) is not', () =>
        given([created, limits({ includedMinutesPerMonth: null })])
          .when(enforce('2026-03', 'call_minutes', 5_000, 60))
          .thenNothingHappened());

      it('a cap on an unlimited tier bills the excess unless told to block', () => {
        const enterprise: TenantEvent = { type: 'PlanTierChanged', data: { from: 'free', to: 'enterprise' } };
        given([created, enterprise, limits({ includedMinutesPerMonth: 100 })])
          .when(enforce('2026-03', 'call_minutes', 100, 100))
          .then([reached('2026-03', 'call_minutes', 100, 100, 'overage_billed')]);
        given([created, enterprise, limits({ includedMinutesPerMonth: 100, atUsageCap: 'block_ai' })])
          .when(enforce('2026-03', 'call_minutes', 100, 100))
          .then([reached('2026-03', 'call_minutes', 100, 100, 'block_ai')]);
      });

      it('raising the cap above what was used lifts a cap reached this month', () => {
        const state = stateOf([created, reached('2026-03', 'llm_tokens', 200_001, 200_000)]);
        expect(usageCapInForce(state, 'llm_tokens', new Date('2026-03-10T00:00:00Z'))).toBe('block_ai');
        const raised = tenantDecider.evolve(state, limits({ llmTokensPerMonth: 1_000_000 }));
        expect(usageCapInForce(raised, 'llm_tokens', new Date('2026-03-10T00:00:00Z'))).toBeNull();
      });

      it('refuses bad limits and closed tenants', () => {
        expect(
          SetUsageLimits.data.safeParse({
            tenantId: 'acme',
            overrides: { llmTokensPerMonth: -1 },
            billingThresholdUsd: null,
          }).success,
        ).toBe(false);
        expect(
          SetUsageLimits.data.safeParse({
            tenantId: 'acme',
            overrides: { seats: 3 },
            billingThresholdUsd: null,
          }).success,
        ).toBe(false);
        given([created, { type: 'TenantDisabled', data: { reason: 'fraud' } }])
          .when(command(SetUsageLimits, { tenantId: 'acme', overrides: {}, billingThresholdUsd: 10 }))
          .thenThrows(refusedWith('TENANT_CLOSED'));
      });
    });

    it('refuses usage below the cap as input', () => {
      const parsed = EnforceUsageCap.data.safeParse({
        tenantId: 'acme',
        period: '2026-03',
        resource: 'call_minutes',
        used: 59,
        cap: 60,
      });
      expect(parsed.success).toBe(false);
      expect(
        EnforceUsageCap.data.safeParse({
          tenantId: 'acme',
          period: '2026-13',
          resource: 'call_minutes',
          used: 1,
          cap: 1,
        }).success,
      ).toBe(false);
    });

    it('keeps the capped resources keyed by period, for the media gateway', () => {
      const state = stateOf([
        created,
        reached('2026-03', 'call_minutes', 61, 60),
        reached('2026-03', 'llm_tokens', 200_001, 200_000),
      ]);
      expect(state).toMatchObject({
        usageCapped: { period: '2026-03', resources: ['call_minutes', 'llm_tokens'] },
      });
      expect(usageCapInForce(state, 'call_minutes', new Date('2026-03-31T23:59:59Z'))).toBe('block_ai');
      expect(usageCapInForce(state, 'call_minutes', new Date('2026-04-01T00:00:00Z'))).toBeNull();
      const april = stateOf([
        created,
        reached('2026-03', 'call_minutes', 61, 60),
        reached('2026-04', 'llm_tokens', 200_001, 200_000),
      ]);
      expect(april).toMatchObject({ usageCapped: { period: '2026-04', resources: ['llm_tokens'] } });
    });

    it('an upgrade lifts the caps the new plan no longer reaches; a downgrade keeps those it does', () => {
      const capped = [created, reached('2026-03', 'call_minutes', 5_000, 60)];
      const upgraded = stateOf([
        ...capped,
        { type: 'PlanTierChanged', data: { from: 'free', to: 'professional' } },
      ]);
      expect(usageCapInForce(upgraded, 'call_minutes', new Date('2026-03-15T00:00:00Z'))).toBeNull();
      const starter = stateOf([
        ...capped,
        { type: 'PlanTierChanged', data: { from: 'free', to: 'starter' } },
      ]);
      expect(usageCapInForce(starter, 'call_minutes', new Date('2026-03-15T00:00:00Z'))).toBe('block_ai');
      const backAgain = stateOf([
        ...capped,
        { type: 'PlanTierChanged', data: { from: 'free', to: 'professional' } },
        { type: 'PlanTierChanged', data: { from: 'professional', to: 'free' } },
      ]);
      expect(usageCapInForce(backAgain, 'call_minutes', new Date('2026-03-15T00:00:00Z'))).toBe('block_ai');
    });
  });
});
