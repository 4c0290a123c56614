import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEvent, meterIdentifierOf, SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import {
  commandRoutes,
  createCommandHandler,
  createLedgerPayments,
  createSqliteCheckpointStore,
  createSqliteEventStore,
  type CheckpointStore,
  type CommandHandler,
  type EventStore,
} from '@ccp/command-service';
import { noticeMessageId } from './notices.js';
import { appendEvent, faultyPayments, recordingHandler } from './testing.js';
import { BILLING_CHECKPOINT, startBillingWorker, type BillingWorker } from './worker.js';

/*
 * The billing worker on a real command handler (the billing deciders included) and SQLite log, with the ledger
 * adapter behind a payments double that fails on demand, a spy recording the worker's commands, and a clock the
 * test moves.
 */

const TENANT = 'acme';
const T0 = Date.parse('2026-03-10T12:00:00Z');
const DAY = 86_400_000;
/** When March is over plus the close delay. */
const MARCH_CLOSED = Date.parse('2026-04-01T00:10:00Z');

let at = T0;
const now = () => new Date(at);
let dir: string;
let store: EventStore;
let checkpoints: CheckpointStore;
/** Every checkpoint the worker saved, by position. */
let saves: number[];
let real: CommandHandler;
let spy: ReturnType<typeof recordingHandler>;
let payments: ReturnType<typeof faultyPayments>;
let running: BillingWorker | undefined;
const logged: string[] = [];

const send = (type: string, data: Record<string, unknown>) =>
  real.handleTrusted(type, { tenantId: TENANT, ...data }, { actor: SYSTEM_ACTOR });

beforeEach(async () => {
  at = T0;
  dir = mkdtempSync(join(tmpdir(), 'billing-'));
  store = createSqliteEventStore({ path: ':memory:' });
  const sqlite = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
  saves = [];
  checkpoints = {
    load: (name) => sqlite.load(name),
    save: (name, position) => {
      saves.push(position);
      return sqlite.save(name, position);
    },
    close: () => sqlite.close(),
  };
  real = createCommandHandler({ store, routes: commandRoutes, clock: now });
  spy = recordingHandler(real);
  payments = faultyPayments(createLedgerPayments());
  await send('CreateTenant', { name: 'Acme Dental', planTier: 'starter' });
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await checkpoints.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  logged.length = 0;
});

const start = async () => {
  running = await startBillingWorker({
    store,
    checkpoints,
    handler: spy,
    payments,
    settings: { graceDays: 14, closeDelayMinutes: 10, maxTrialDays: 14 },
    now,
    log: (m) => logged.push(m),
    pollMs: 10,
    retryMs: 5,
  });
  return running;
};
const stopWorker = async () => {
  await running?.stop();
  running = undefined;
};
const restart = async () => {
  await stopWorker();
  return start();
};

/** The worker looks at the clock and handles the log, its timers' commands included. */
const settle = async () => {
  running?.poke();
  await running?.caughtUp();
};
const moveTo = async (time: number) => {
  at = time;
  await settle();
};

const events = async (): Promise<EventEnvelope[]> =>
  (await store.readAll()).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value] : [];
  });
const ofType = async (type: string) => (await events()).filter((e) => e.type === type);
const sentOf = (type: string) => spy.sent.filter((c) => c.type === type);
const idOf = (event: EventEnvelope) => event.streamId.slice(event.streamId.indexOf('.') + 1);

const open = async () => {
  await send('OpenBillingAccount', { billingEmail: 'billing@acme.test', companyName: 'Acme Dental' });
  return (await ofType('BillingAccountOpened'))[0] as EventEnvelope;
};
const subscribe = async (tier = 'starter', trialDays = 0) => {
  await send('StartSubscription', { tier, trialDays });
  return (await ofType('SubscriptionRequested')).at(-1) as EventEnvelope;
};

describe('the billing worker: customers and subscriptions', () => {
  it('links the provider customer of an opened account, keyed by the opening event', async () => {
    const opened = await open();
    await start();
    await settle();
    expect(payments.calls).toEqual([
      expect.objectContaining({ method: 'createCustomer', idempotencyKey: opened.id }),
    ]);
    expect(sentOf('LinkBillingCustomer')).toEqual([
      {
        type: 'LinkBillingCustomer',
        data: { tenantId: TENANT, provider: 'ledger', customerId: `cus_ledger_${TENANT}` },
        idempotencyKey: `billing:${opened.id}:LinkBillingCustomer`,
      },
    ]);
    expect((await ofType('BillingCustomerLinked')).map((e) => e.data)).toEqual([
      { provider: 'ledger', customerId: `cus_ledger_${TENANT}` },
    ]);
    expect(running?.tenantOfCustomer(`cus_ledger_${TENANT}`)).toBe(TENANT);
  });

  it('carries out start, change and cancel requests and records the answers with the request as source', async () => {
    await open();
    // Asked before the worker linked the customer: the link is made first.
    const requested = await subscribe();
    await start();
    await settle();
    await send('ChangeSubscriptionTier', { tier: 'professional' });
    const changed = (await ofType('SubscriptionTierChangeRequested'))[0] as EventEnvelope;
    await settle();
    await send('CancelSubscription', {});
    const cancelled = (await ofType('SubscriptionCancellationRequested'))[0] as EventEnvelope;
    await settle();

    expect(payments.calls.map((c) => [c.method, c.idempotencyKey])).toEqual([
      ['createCustomer', expect.any(String)],
      ['startSubscription', requested.id],
      ['changeTier', changed.id],
      ['cancelAtPeriodEnd', cancelled.id],
    ]);
    expect(sentOf('RecordSubscription').map((c) => c.idempotencyKey)).toEqual([
      `billing:${requested.id}:RecordSubscription`,
      `billing:${changed.id}:RecordSubscription`,
      `billing:${cancelled.id}:RecordSubscription`,
    ]);
    const recorded = (await ofType('SubscriptionRecorded')).map(
      (e) => e.data as { subscription: Record<string, unknown>; source: unknown },
    );
    expect(recorded.map((r) => r.source)).toEqual([
      { kind: 'request', requestEventId: requested.id, requestedAt: requested.occurredAt },
      { kind: 'request', requestEventId: changed.id, requestedAt: changed.occurredAt },
      { kind: 'request', requestEventId: cancelled.id, requestedAt: cancelled.occurredAt },
    ]);
    expect(recorded.map((r) => r.subscription)).toEqual([
      expect.objectContaining({ tier: 'starter', status: 'active', cancelAtPeriodEnd: false }),
      expect.objectContaining({ tier: 'professional', cancelAtPeriodEnd: false }),
      expect.objectContaining({ tier: 'professional', cancelAtPeriodEnd: true }),
    ]);
    // The ledger's period is the request's month.
    expect(recorded[0]?.subscription).toMatchObject({
      currentPeriodStart: new Date(T0).toISOString(),
      currentPeriodEnd: '2026-04-01T00:00:00.000Z',
    });

    // Read again from the start (a lost checkpoint): answered requests are not asked of the provider again.
    await stopWorker();
    await checkpoints.save(BILLING_CHECKPOINT, 0);
    await start();
    await settle();
    expect(payments.calls).toHaveLength(4);
    expect(await ofType('SubscriptionRecorded')).toHaveLength(3);
  });

  it('tries an unavailable provider again without passing the request, and passes one that fails for good', async () => {
    await open();
    await start();
    await settle();
    payments.unavailableNext = 3;
    const requested = await subscribe();
    await settle();
    const starts = payments.calls.filter((c) => c.method === 'startSubscription');
    expect(starts.map((c) => c.idempotencyKey)).toEqual(Array(4).fill(requested.id));
    expect(await ofType('SubscriptionRecorded')).toHaveLength(1);
    expect(running?.stats().retries).toBe(3);

    payments.failForGoodNext = 1;
    await send('ChangeSubscriptionTier', { tier: 'professional' });
    await send('UpdateBillingContact', { billingEmail: 'finance@acme.test', companyName: 'Acme Dental' });
    await settle();
    expect(await ofType('SubscriptionRecorded')).toHaveLength(1);
    expect(running?.stats().permanentFailures).toBe(1);
    expect(logged.some((m) => m.includes('changing the tier for acme failed for good'))).toBe(true);
    // Recorded as refused, so the account is not left waiting for an answer that never comes.
    expect(sentOf('RecordSubscriptionRequestFailure')).toHaveLength(1);
    expect(await ofType('SubscriptionRequestFailed')).toHaveLength(1);
    // It went on past it.
    expect(running?.stats().position).toBe((await store.readAll()).at(-1)?.position);
  });

  it('keeps the checkpoint before a request while the provider is down, and carries it out after a restart', async () => {
    await open();
    await start();
    await settle();
    const before = running?.stats().position ?? 0;
    payments.unavailableNext = 1_000;
    await subscribe();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await stopWorker();
    expect(await checkpoints.load(BILLING_CHECKPOINT)).toBe(before);
    expect(sentOf('RecordSubscription')).toHaveLength(0);

    payments.unavailableNext = 0;
    await start();
    await settle();
    expect(await ofType('SubscriptionRecorded')).toHaveLength(1);
  });

  it('tries a command again when the event store fails, and records the answer once', async () => {
    await open();
    await start();
    await settle();
    spy.failNext = 2;
    await subscribe();
    await settle();
    expect(sentOf('RecordSubscription')).toHaveLength(3);
    expect(await ofType('SubscriptionRecorded')).toHaveLength(1);
  });
});

describe('the billing worker: trials, contacts and checkpoints', () => {
  it('asks the provider for no longer a trial than the settings allow', async () => {
    await open();
    await start();
    await settle();
    const long = await subscribe('professional', 30);
    await settle();
    const starts = payments.calls.filter((c) => c.method === 'startSubscription');
    expect(starts.map((c) => [c.idempotencyKey, (c.input as { trialDays: number }).trialDays])).toEqual([
      [long.id, 14],
    ]);
    expect((await ofType('SubscriptionRecorded'))[0]?.data).toMatchObject({
      subscription: { status: 'trialing', trialEndsAt: new Date(T0 + 14 * DAY).toISOString() },
    });
  });

  it("gives the provider's customer a changed billing contact, keyed by the change, retrying an outage", async () => {
    await open();
    await start();
    await settle();
    payments.unavailableNext = 2;
    await send('UpdateBillingContact', {
      billingEmail: 'finance@acme.test',
      companyName: 'Acme Dental Group',
    });
    await settle();
    const changed = (await ofType('BillingContactUpdated'))[0] as EventEnvelope;
    const updates = payments.calls.filter((c) => c.method === 'updateCustomer');
    expect(updates).toEqual(
      Array(3).fill({
        method: 'updateCustomer',
        idempotencyKey: changed.id,
        input: {
          customerId: `cus_ledger_${TENANT}`,
          email: 'finance@acme.test',
          companyName: 'Acme Dental Group',
        },
      }),
    );
    expect(running?.stats().retries).toBe(2);

    // Refused for good: logged and passed.
    payments.failForGoodNext = 1;
    await send('UpdateBillingContact', { billingEmail: 'ap@acme.test', companyName: 'Acme Dental Group' });
    await settle();
    expect(payments.calls.filter((c) => c.method === 'updateCustomer')).toHaveLength(4);
    expect(running?.stats().permanentFailures).toBe(1);
    expect(logged.some((m) => m.includes('updating the customer for acme failed for good'))).toBe(true);
    expect(running?.stats().position).toBe((await store.readAll()).at(-1)?.position);
  });

  it('tells a customer created from the old contact of a change made before it was linked', async () => {
    await open();
    await send('UpdateBillingContact', { billingEmail: 'finance@acme.test', companyName: 'Acme Dental' });
    await start();
    await settle();
    expect(payments.calls.map((c) => [c.method, (c.input as { email: string }).email])).toEqual([
      ['createCustomer', 'billing@acme.test'],
      ['updateCustomer', 'finance@acme.test'],
    ]);
  });

  it('tells no customer of a contact change when the account has none of this provider', async () => {
    await open();
    await send('LinkBillingCustomer', { provider: 'stripe', customerId: 'cus_stripe_1' });
    await send('UpdateBillingContact', { billingEmail: 'finance@acme.test', companyName: 'Acme Dental' });
    await start();
    await settle();
    expect(payments.calls).toEqual([]);
  });

  it('saves its checkpoint after events it acts on, and only every 500 events it merely folds', async () => {
    await open();
    await start();
    await settle();
    const before = saves.length;
    for (let i = 1; i <= 1200; i += 1) {
      await appendEvent(
        store,
        `meter-${TENANT}.2026-03`,
        'UsageMetered',
        {
          items: [
            {
              identifier: meterIdentifierOf(i),
              resource: 'call_seconds',
              quantity: 60,
              occurredAt: new Date(T0).toISOString(),
            },
          ],
          afterClose: false,
        },
        new Date(T0),
      );
    }
    await settle();
    expect(running?.stats().position).toBe((await store.readAll()).at(-1)?.position);
    expect(saves.length - before).toBe(2);
  });
});

describe('the billing worker: ledger months', () => {
  const subscribed = async () => {
    await open();
    await subscribe();
    await start();
    await settle();
  };

  it('closes a month only once it is over plus the delay, then issues its invoice from the meter', async () => {
    await subscribed();
    const opened = (await ofType('BillingAccountOpened'))[0] as EventEnvelope;
    await send('RecordUsage', {
      period: '2026-03',
      items: [
        { identifier: 'u1', resource: 'call_seconds', quantity: 600, occurredAt: new Date(T0).toISOString() },
        // Metered before the account was opened: not billed.
        { identifier: 'u0', resource: 'call_seconds', quantity: 900, occurredAt: '2026-03-05T00:00:00.000Z' },
      ],
    });
    await moveTo(Date.parse('2026-03-31T23:59:00Z'));
    await moveTo(MARCH_CLOSED - 60_000);
    // Nor when it starts within the delay.
    await restart();
    await settle();
    expect(sentOf('CloseMeter')).toEqual([]);

    await moveTo(MARCH_CLOSED);
    expect(sentOf('CloseMeter')).toEqual([
      {
        type: 'CloseMeter',
        // The account opened during March: its usage is billed from then on.
        data: { tenantId: TENANT, period: '2026-03', billableFrom: opened.occurredAt },
        idempotencyKey: `close-meter:${TENANT}:2026-03`,
      },
    ]);
    expect(sentOf('IssueLedgerInvoice')).toEqual([
      {
        type: 'IssueLedgerInvoice',
        data: { tenantId: TENANT, period: '2026-03', callSeconds: 600, llmTokens: 0, graceDays: 14 },
        idempotencyKey: `ledger-invoice:${TENANT}:2026-03`,
      },
    ]);
    const invoice = (await ofType('InvoiceRecorded'))[0]?.data as { invoice: { number: string } } | undefined;
    expect(invoice?.invoice.number).toBe('CCP-ACME-202603');
    // April is not closed before its own end.
    await moveTo(Date.parse('2026-04-20T00:00:00Z'));
    expect(sentOf('CloseMeter')).toHaveLength(1);
  });

  it('closes every month it missed while stopped, each once, and none before the account opened', async () => {
    await subscribed();
    await stopWorker();
    at = Date.parse('2026-06-02T00:00:00Z');
    await start();
    await settle();
    expect((await ofType('MeterClosed')).map(idOf)).toEqual(['2026-03', '2026-04', '2026-05']);
    expect(
      (await ofType('InvoiceRecorded')).map(
        (e) => (e.data as { invoice: { number: string } }).invoice.number,
      ),
    ).toEqual(['CCP-ACME-202603', 'CCP-ACME-202604', 'CCP-ACME-202605']);
    // Only the month the account opened in starts late.
    expect(sentOf('CloseMeter').map((c) => c.data['billableFrom'])).toEqual([
      new Date(T0).toISOString(),
      undefined,
      undefined,
    ]);
    await restart();
    await settle();
    expect(await ofType('MeterClosed')).toHaveLength(3);
    expect(await ofType('InvoiceRecorded')).toHaveLength(3);
  });

  it('closes no month of an account billed by Stripe', async () => {
    await open();
    await send('LinkBillingCustomer', { provider: 'stripe', customerId: 'cus_stripe_1' });
    at = Date.parse('2026-05-02T00:00:00Z');
    await start();
    await settle();
    expect(sentOf('CloseMeter')).toEqual([]);
    expect(payments.calls).toEqual([]);
  });
});

describe('the billing worker: dunning', () => {
  const ADMIN = 'owner@acme.test';
  const GRACE_ENDS = MARCH_CLOSED + 14 * DAY;

  /** March's ledger invoice finds no card on file: dunning starts when March closes. */
  const inDunning = async () => {
    await open();
    await send('InviteMember', { userId: 'owner', email: ADMIN, name: 'Olga Owner', role: 'tenant_admin' });
    await send('InviteMember', { userId: 'ann', email: 'ann@acme.test', name: 'Ann Agent', role: 'agent' });
    await subscribe();
    await start();
    await settle();
    await moveTo(MARCH_CLOSED);
    return (await ofType('DunningStarted'))[0] as EventEnvelope;
  };

  const scheduled = async () =>
    (await ofType('MessageScheduled')).map((e) => ({
      id: idOf(e),
      ...(e.data as { to: string; subject: string; body: string; dueAt: string; purpose: string }),
    }));

  it('expires the grace only when it ends', async () => {
    const started = await inDunning();
    expect(started.data).toMatchObject({ graceEndsAt: new Date(GRACE_ENDS).toISOString() });
    expect(running?.stats().graceTimers).toBe(1);
    await moveTo(GRACE_ENDS - 60_000);
    expect(sentOf('ExpireDunningGrace')).toEqual([]);
    await moveTo(GRACE_ENDS);
    expect(sentOf('ExpireDunningGrace')).toEqual([
      {
        type: 'ExpireDunningGrace',
        data: { tenantId: TENANT },
        idempotencyKey: `expire-grace:${TENANT}:in_ledger_acme_202603`,
      },
    ]);
    expect(await ofType('DunningGraceExpired')).toHaveLength(1);
    expect(running?.stats().graceTimers).toBe(0);
  });

  it('emails the billing address and the tenant admins once, however often the worker restarts', async () => {
    const started = await inDunning();
    const first = await scheduled();
    expect(first.map((m) => [m.to, m.purpose])).toEqual([
      ['billing@acme.test', 'billing_notice'],
      [ADMIN, 'billing_notice'],
      ['billing@acme.test', 'billing_notice'],
      [ADMIN, 'billing_notice'],
    ]);
    expect(first[0]).toMatchObject({
      id: noticeMessageId(started.id, 'payment-failed', 'billing@acme.test'),
      dueAt: new Date(MARCH_CLOSED).toISOString(),
      subject: "Payment failed for Acme Dental's CustomerCare Pro subscription",
    });
    const failed = (await ofType('PaymentFailed'))[0]?.data as { amountDueCents: number };
    expect(first[0]?.body).toContain(`$${(failed.amountDueCents / 100).toFixed(2)}`);
    expect(first[0]?.body).toContain('April 15, 2026');
    expect(first[0]?.body).toContain('invoice CCP-ACME-202603');
    // Three days before the grace ends.
    expect(first[2]).toMatchObject({ dueAt: new Date(GRACE_ENDS - 3 * DAY).toISOString() });

    // A crash before the checkpoint moved: every event is handled again.
    await stopWorker();
    await checkpoints.save(BILLING_CHECKPOINT, 0);
    await start();
    await settle();
    expect(await scheduled()).toHaveLength(4);

    await moveTo(GRACE_ENDS);
    await send('UpdateLedgerPaymentMethod', {
      card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 },
    });
    await settle();
    expect((await ofType('DunningEnded'))[0]?.data).toMatchObject({ suspended: true });
    const all = await scheduled();
    expect(all.slice(4).map((m) => m.subject)).toEqual([
      "Acme Dental's CustomerCare Pro account is suspended",
      "Acme Dental's CustomerCare Pro account is suspended",
      "Payment received: Acme Dental's CustomerCare Pro account is in good standing",
      "Payment received: Acme Dental's CustomerCare Pro account is in good standing",
    ]);
    expect(all[6]?.body).toContain('the suspension is lifted');
    await restart();
    await settle();
    expect(await scheduled()).toHaveLength(8);
  });

  it('cancels the reminder before the grace ends when the invoice is paid in time', async () => {
    const started = await inDunning();
    await moveTo(MARCH_CLOSED + DAY);
    await send('UpdateLedgerPaymentMethod', {
      card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 },
    });
    await settle();
    expect((await ofType('DunningEnded'))[0]?.data).toMatchObject({ suspended: false });
    expect((await ofType('MessageCancelled')).map(idOf).sort()).toEqual(
      [
        noticeMessageId(started.id, 'grace-ending', 'billing@acme.test'),
        noticeMessageId(started.id, 'grace-ending', ADMIN),
      ].sort(),
    );
    expect(running?.stats().graceTimers).toBe(0);
  });
});
