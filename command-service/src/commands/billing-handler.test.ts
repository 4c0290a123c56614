import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEvent, SYSTEM_ACTOR, type Actor } from '@ccp/schemas';
import { createSqliteCheckpointStore } from '../application/checkpoints.js';
import {
  createCommandHandler,
  type CommandHandler,
  type CommandResult,
} from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import { startReactor, type RunningReactor } from '../application/reactor.js';
import type { EventStore } from '../event-store/port.js';
import { createSqliteEventStore } from '../event-store/sqlite.js';
import { SUSPENDED_FOR_PAYMENT } from './billing.js';
import { commandRoutes, reactions } from './index.js';

/** Billing through the real command handler, SQLite store and reactor: the tier guard and the reactions. */
const admin: Actor = { kind: 'user', id: 'u1', role: 'tenant_admin', tenantId: 'acme' };
const agent: Actor = { kind: 'user', id: 'u2', role: 'agent', tenantId: 'acme' };
const system = { actor: SYSTEM_ACTOR };
const key = { tenantId: 'acme' };

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) =>
      error instanceof CommandRejected ? { status: error.status, code: error.code } : error,
  );

describe('billing through the command handler and the reactor', () => {
  let store: EventStore;
  let handler: CommandHandler;
  let reactor: RunningReactor;
  let now: Date;
  let racer: (() => Promise<void>) | undefined;

  const types = async (streamId: string) => (await store.readStream(streamId)).map((e) => e.type);
  const dataOf = async (streamId: string, type: string) =>
    (await store.readStream(streamId))
      .filter((e) => e.type === type)
      .map((e) => {
        const decoded = decodeEvent(e);
        if (!decoded.ok) throw new Error(decoded.error.message);
        return decoded.value.data;
      });
  /** The platform's command, then everything the reactor does after it. */
  const platform = async (type: string, input: unknown): Promise<CommandResult> => {
    const result = await handler.handleTrusted(type, input, system);
    if (result.position !== null) await reactor.caughtUp(result.position);
    return result;
  };

  beforeEach(async () => {
    now = new Date('2026-03-02T15:00:00Z');
    store = createSqliteEventStore({ path: ':memory:' });
    // Just before the next append to the tenant's stream, another writer appends there, on cue.
    const racing: EventStore = {
      ...store,
      append: async (streamId, events, expected) => {
        const race = streamId.startsWith('tenant-') ? racer : undefined;
        if (race) {
          racer = undefined;
          await race();
        }
        return store.append(streamId, events, expected);
      },
    };
    handler = createCommandHandler({ store: racing, routes: commandRoutes, clock: () => now });
    reactor = await startReactor({
      name: 'reactions',
      store,
      checkpoints: createSqliteCheckpointStore(':memory:'),
      handler,
      reactions,
    });
    await handler.handleTrusted('CreateTenant', { ...key, name: 'Acme', planTier: 'enterprise' }, system);
    for (const agentId of ['ava', 'bo', 'cy', 'di']) {
      await handler.handle(
        'CreateAgent',
        { ...key, agentId, name: agentId, type: 'sales' },
        { actor: admin },
      );
    }
    await handler.handle(
      'OpenBillingAccount',
      { ...key, billingEmail: 'billing@acme.test', companyName: 'Acme Inc' },
      { actor: admin },
    );
  });
  afterEach(async () => {
    await reactor.stop();
    await store.close();
  });

  it('refuses a subscription to a tier the tenant has more agents than allows, storing nothing', async () => {
    // Starter allows 3 AI agents; the tenant has 4.
    expect(
      await rejection(handler.handle('StartSubscription', { ...key, tier: 'starter' }, { actor: admin })),
    ).toEqual({ status: 422, code: 'PLAN_LIMIT_EXCEEDED' });
    expect(await types('billing-acme.account')).toEqual(['BillingAccountOpened']);
    await handler.handle(
      'StartSubscription',
      { ...key, tier: 'professional', trialDays: 14 },
      { actor: admin },
    );
    expect(await types('billing-acme.account')).toEqual(['BillingAccountOpened', 'SubscriptionRequested']);
    expect(
      await rejection(handler.handle('StartSubscription', { ...key, tier: 'enterprise' }, { actor: admin })),
    ).toEqual({ status: 409, code: 'SUBSCRIPTION_EXISTS' });
  });

  it('lets only tenant admins ask and only the platform record', async () => {
    expect(
      await rejection(
        handler.handle('StartSubscription', { ...key, tier: 'professional' }, { actor: agent }),
      ),
    ).toMatchObject({ status: 403 });
    expect(
      await rejection(
        handler.handle(
          'RecordPayment',
          { ...key, invoiceId: 'in_1', amountPaidCents: 100, paidAt: now.toISOString() },
          { actor: admin },
        ),
      ),
    ).toMatchObject({ status: 403 });
  });

  it("moves the tenant's tier with the recorded subscription", async () => {
    const subscription = {
      subscriptionId: 'sub_1',
      tier: 'professional',
      status: 'active',
      currentPeriodStart: '2026-03-02T15:00:00Z',
      currentPeriodEnd: '2026-04-01T00:00:00Z',
      cancelAtPeriodEnd: false,
    };
    await platform('RecordSubscription', {
      ...key,
      subscription,
      source: { kind: 'request', requestEventId: 'evt-1' },
    });
    expect(await dataOf('tenant-acme.acme', 'PlanTierChanged')).toEqual([
      { from: 'enterprise', to: 'professional' },
    ]);
  });

  it('drops a tenant whose subscription lapsed to free even when it uses more than free allows', async () => {
    const subscription = {
      subscriptionId: 'sub_1',
      tier: 'enterprise',
      status: 'active',
      currentPeriodStart: '2026-03-02T15:00:00Z',
      currentPeriodEnd: '2026-04-01T00:00:00Z',
      cancelAtPeriodEnd: true,
    };
    const source = { kind: 'provider_event', eventId: 'evt_1', createdAt: '2026-03-02T15:00:00Z' } as const;
    await platform('RecordSubscription', { ...key, subscription, source });
    // The four agents stay; free allows one, and what is paid for decides the tier.
    await platform('RecordSubscription', {
      ...key,
      subscription: { ...subscription, status: 'canceled' },
      source: { ...source, eventId: 'evt_2', createdAt: '2026-04-01T00:00:05Z' },
    });
    expect(await dataOf('tenant-acme.acme', 'PlanTierChanged')).toEqual([{ from: 'enterprise', to: 'free' }]);
    expect(
      await rejection(
        handler.handle('CreateAgent', { ...key, agentId: 'ed', name: 'ed', type: 'sales' }, { actor: admin }),
      ),
    ).toMatchObject({ status: 422 });
  });

  it('takes a new start once the provider refused the last one for good', async () => {
    const asked = await handler.handle('StartSubscription', { ...key, tier: 'enterprise' }, { actor: admin });
    await platform('RecordSubscriptionRequestFailure', {
      ...key,
      requestEventId: asked.events[0]?.id ?? '',
      reason: 'No such price: price_enterprise',
    });
    await handler.handle('StartSubscription', { ...key, tier: 'enterprise' }, { actor: admin });
    expect((await types('billing-acme.account')).slice(1)).toEqual([
      'SubscriptionRequested',
      'SubscriptionRequestFailed',
      'SubscriptionRequested',
    ]);
  });

  it('does not lose the tier change to a concurrent write to the tenant', async () => {
    racer = async () => {
      await handler.handleTrusted('ReserveQuota', { ...key, resource: 'phoneNumbers', key: 'n1' }, system);
    };
    await platform('RecordSubscription', {
      ...key,
      subscription: {
        subscriptionId: 'sub_1',
        tier: 'professional',
        status: 'trialing',
        currentPeriodStart: '2026-03-02T15:00:00Z',
        currentPeriodEnd: '2026-04-01T00:00:00Z',
        cancelAtPeriodEnd: false,
        trialEndsAt: '2026-03-16T15:00:00Z',
      },
      source: { kind: 'provider_event', eventId: 'evt_1', createdAt: '2026-03-02T15:00:00Z' },
    });
    expect(racer).toBeUndefined();
    expect((await types('tenant-acme.acme')).slice(-2)).toEqual(['QuotaReserved', 'PlanTierChanged']);
  });

  it('suspends the tenant when the grace after a failed payment runs out and reactivates it on payment', async () => {
    await platform('RecordPaymentFailure', {
      ...key,
      invoiceId: 'in_1',
      amountDueCents: 39900,
      attempt: 1,
      failedAt: '2026-03-02T15:00:00Z',
      graceDays: 7,
    });
    expect(await rejection(platform('ExpireDunningGrace', key))).toEqual({
      status: 422,
      code: 'GRACE_NOT_OVER',
    });
    now = new Date('2026-03-09T15:00:00Z');
    await platform('ExpireDunningGrace', key);
    expect(await dataOf('tenant-acme.acme', 'TenantSuspended')).toEqual([{ reason: SUSPENDED_FOR_PAYMENT }]);

    await platform('RecordPayment', {
      ...key,
      invoiceId: 'in_1',
      amountPaidCents: 39900,
      paidAt: '2026-03-10T09:00:00Z',
    });
    expect(await types('billing-acme.account')).toEqual([
      'BillingAccountOpened',
      'PaymentFailed',
      'DunningStarted',
      'DunningGraceExpired',
      'PaymentReceived',
      'DunningEnded',
    ]);
    expect((await types('tenant-acme.acme')).slice(-2)).toEqual(['TenantSuspended', 'TenantReactivated']);
  });

  it.each(['before', 'during'])(
    "leaves a super admin's suspension (%s the payment's) in place when a payment ends the dunning",
    async (when) => {
      const superAdmin: Actor = { kind: 'user', id: 'root', role: 'super_admin', tenantId: 'platform' };
      const suspendForAbuse = () =>
        handler.handle('SuspendTenant', { ...key, reason: 'abuse' }, { actor: superAdmin });
      if (when === 'before') await suspendForAbuse();
      await platform('RecordPaymentFailure', {
        ...key,
        invoiceId: 'in_1',
        amountDueCents: 39900,
        attempt: 1,
        failedAt: '2026-03-02T15:00:00Z',
        graceDays: 7,
      });
      now = new Date('2026-03-09T15:00:00Z');
      await platform('ExpireDunningGrace', key);
      if (when === 'during') await suspendForAbuse();
      await platform('RecordPayment', {
        ...key,
        invoiceId: 'in_1',
        amountPaidCents: 39900,
        paidAt: '2026-03-10T09:00:00Z',
      });
      expect((await types('billing-acme.account')).slice(-2)).toEqual(['PaymentReceived', 'DunningEnded']);
      expect(await dataOf('billing-acme.account', 'DunningEnded')).toEqual([
        { invoiceId: 'in_1', endedAt: '2026-03-10T09:00:00.000Z', suspended: true },
      ]);
      expect(await dataOf('tenant-acme.acme', 'TenantSuspended')).toEqual(
        when === 'before'
          ? [{ reason: 'abuse' }, { reason: SUSPENDED_FOR_PAYMENT }]
          : [{ reason: SUSPENDED_FOR_PAYMENT }, { reason: 'abuse' }],
      );
      expect(await types('tenant-acme.acme')).not.toContain('TenantReactivated');
    },
  );

  it('carries usage metered after its month closed into the next month, once', async () => {
    const item = (position: number, occurredAt: string) => ({
      identifier: `u${position}`,
      resource: 'call_seconds',
      quantity: 60,
      occurredAt,
    });
    await platform('RecordUsage', { ...key, period: '2026-03', items: [item(1, '2026-03-02T14:00:00Z')] });
    now = new Date('2026-04-01T00:05:00Z');
    await platform('CloseMeter', { ...key, period: '2026-03' });
    const late = {
      ...key,
      period: '2026-03',
      items: [item(1, '2026-03-02T14:00:00Z'), item(7, '2026-03-31T23:59:00Z')],
    };
    await platform('RecordUsage', late);
    await platform('RecordUsage', late);

    expect(await dataOf('meter-acme.2026-03', 'MeterClosed')).toEqual([
      { callSeconds: 60, llmTokens: 0, items: 1 },
    ]);
    expect(await dataOf('meter-acme.2026-03', 'UsageMetered')).toHaveLength(2);
    expect(await dataOf('meter-acme.2026-04', 'UsageMetered')).toEqual([
      { items: [item(7, '2026-03-31T23:59:00.000Z')], afterClose: false, carriedFrom: '2026-03' },
    ]);
  });
});
