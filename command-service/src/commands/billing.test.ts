import { describe, expect, it } from 'vitest';
import {
  ChangeSubscriptionTier,
  CloseMeter,
  DunningEnded,
  DunningGraceExpired,
  RecordUsage,
  StartSubscription,
  SubscriptionRecorded,
  UsageMetered,
  type EventDefinition,
} from '@ccp/schemas';
import type { z } from 'zod';
import { billingAccountStream, meterStream, SUSPENDED_FOR_PAYMENT } from './billing.js';
import { commandRoutes, reactions } from './index.js';
import { prerequisitesOf, storedEvent, streamOf, validated } from './testing.js';

const account = billingAccountStream({ tenantId: 'acme' });
const react = <D extends EventDefinition>(
  definition: D,
  data: z.input<D['data']>,
  stream = account as { category: string; tenantId: string; id: string },
) =>
  validated(
    (reactions.get(definition.type) ?? []).flatMap((reaction) =>
      reaction(storedEvent(definition, data, stream)),
    ),
  ).map((r) => ({ type: r.definition.type, data: r.data }));

const snapshot = {
  subscriptionId: 'sub_1',
  tier: 'professional',
  status: 'active',
  currentPeriodStart: '2026-03-01T00:00:00Z',
  currentPeriodEnd: '2026-04-01T00:00:00Z',
  cancelAtPeriodEnd: false,
} as const;
const item = {
  identifier: 'u42',
  resource: 'call_seconds',
  quantity: 60,
  occurredAt: '2026-03-31T23:59:00.000Z',
} as const;

describe('billing routes', () => {
  it('decides the account on billing-<tenant>.account and each month on meter-<tenant>.<period>', () => {
    expect(streamOf(commandRoutes, StartSubscription, { tenantId: 'acme', tier: 'starter' })).toBe(
      'billing-acme.account',
    );
    expect(streamOf(commandRoutes, CloseMeter, { tenantId: 'acme', period: '2026-03' })).toBe(
      'meter-acme.2026-03',
    );
  });

  it('verifies that the tenant fits the tier before a start or a change is asked of the provider', () => {
    for (const definition of [StartSubscription, ChangeSubscriptionTier]) {
      const asked = prerequisitesOf(commandRoutes, definition, { tenantId: 'acme', tier: 'starter' });
      expect(asked.map((r) => ({ type: r.definition.type, data: r.data }))).toEqual([
        { type: 'VerifyPlanTierFits', data: { tenantId: 'acme', planTier: 'starter' } },
      ]);
    }
  });

  it('lets people ask and only the platform record', () => {
    const rolesOf = (type: string) => commandRoutes.find((r) => r.definition.type === type)?.roles;
    for (const type of [
      'OpenBillingAccount',
      'StartSubscription',
      'CancelSubscription',
      'UpdateLedgerPaymentMethod',
    ])
      expect(rolesOf(type), type).toEqual(['tenant_admin']);
    for (const type of [
      'LinkBillingCustomer',
      'RecordSubscription',
      'RecordPayment',
      'ExpireDunningGrace',
      'IssueLedgerInvoice',
      'RecordUsage',
      'CloseMeter',
      'VerifyPlanTierFits',
    ])
      expect(rolesOf(type), type).toEqual([]);
  });
});

describe('billing reactions', () => {
  it('makes the tier follow the subscription, free once it lapsed', () => {
    const source = { kind: 'request', requestEventId: 'e1' } as const;
    expect(react(SubscriptionRecorded, { subscription: snapshot, source })).toEqual([
      { type: 'FollowSubscriptionTier', data: { tenantId: 'acme', planTier: 'professional' } },
    ]);
    expect(
      react(SubscriptionRecorded, { subscription: { ...snapshot, status: 'canceled' }, source }),
    ).toEqual([{ type: 'FollowSubscriptionTier', data: { tenantId: 'acme', planTier: 'free' } }]);
  });

  it('suspends the tenant when the grace runs out and reactivates it when a payment ends that dunning', () => {
    expect(react(DunningGraceExpired, { invoiceId: 'in_1', expiredAt: '2026-03-08T00:00:00Z' })).toEqual([
      { type: 'SuspendTenant', data: { tenantId: 'acme', reason: SUSPENDED_FOR_PAYMENT } },
    ]);
    const ended = { invoiceId: 'in_1', endedAt: '2026-03-09T00:00:00Z' };
    expect(react(DunningEnded, { ...ended, suspended: true })).toEqual([
      { type: 'ReactivateTenant', data: { tenantId: 'acme', onlyIfSuspendedFor: SUSPENDED_FOR_PAYMENT } },
    ]);
    expect(react(DunningEnded, { ...ended, suspended: false })).toEqual([]);
  });

  it('carries usage metered after its month closed into the next month', () => {
    const march = meterStream({ tenantId: 'acme', period: '2026-03' });
    expect(react(UsageMetered, { items: [item], afterClose: true }, march)).toEqual([
      {
        type: RecordUsage.type,
        data: { tenantId: 'acme', period: '2026-04', items: [item], carriedFrom: '2026-03' },
      },
    ]);
    expect(react(UsageMetered, { items: [item], afterClose: false }, march)).toEqual([]);
  });
});
