import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { meterIdentifierOf } from '@ccp/schemas';
import {
  createLedgerPayments,
  createSqliteCheckpointStore,
  createSqliteEventStore,
  PaymentsUnavailableError,
  type CheckpointStore,
  type EventStore,
  type MeterEventInput,
  type MeterResult,
  type PaymentsPort,
} from '@ccp/command-service';
import { METER_RELAY_CHECKPOINT, startMeterRelay, type MeterRelay } from './relay.js';
import { appendEvent } from './testing.js';

/* The Stripe meter relay on a real SQLite log and checkpoint store, against a recording stand-in of Stripe. */

const T0 = new Date('2026-03-10T12:00:00Z');

/**
 * A TEST DOUBLE of Stripe's side of the port: takes meter events like the real adapter (an identifier it holds
 * already is taken again without a second effect), is unavailable on demand, and refuses identifiers on demand.
 */
const stripeMeterDouble = () => {
  const ledger = createLedgerPayments();
  const calls: MeterEventInput[][] = [];
  const held = new Map<string, MeterEventInput>();
  const double = {
    calls,
    held,
    unavailableNext: 0,
    refuse: new Set<string>(),
    port: {
      ...ledger,
      provider: 'stripe',
      sendMeterEvents: (events: readonly MeterEventInput[]): Promise<MeterResult> => {
        calls.push([...events]);
        if (double.unavailableNext > 0) {
          double.unavailableNext -= 1;
          return Promise.reject(new PaymentsUnavailableError('Stripe is down (test double)'));
        }
        const rejected = events
          .filter((e) => double.refuse.has(e.item.identifier))
          .map((e) => ({ identifier: e.item.identifier, reason: 'timestamp too old (test double)' }));
        const taken = events.filter((e) => !double.refuse.has(e.item.identifier));
        for (const event of taken) held.set(event.item.identifier, event);
        return Promise.resolve({ sent: taken.length, rejected });
      },
    } satisfies PaymentsPort,
  };
  return double;
};

let dir: string;
let store: EventStore;
let checkpoints: CheckpointStore;
let stripe: ReturnType<typeof stripeMeterDouble>;
let relay: MeterRelay | undefined;
let nextIdentifier = 1;
const logged: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meter-relay-'));
  store = createSqliteEventStore({ path: ':memory:' });
  checkpoints = createSqliteCheckpointStore(join(dir, 'checkpoints.db'));
  stripe = stripeMeterDouble();
  nextIdentifier = 1;
});
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
  await checkpoints.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  logged.length = 0;
});

const start = async (on: EventStore = store, saving: CheckpointStore = checkpoints) => {
  relay = await startMeterRelay({
    store: on,
    checkpoints: saving,
    payments: stripe.port,
    log: (m) => logged.push(m),
    pollMs: 5,
    retryMs: 2,
  });
  return relay;
};

/** The relay is created (its checkpoint is where the log ends) and stopped: what follows is for it to send. */
const created = async () => {
  await (await start()).stop();
  relay = undefined;
};

const link = (tenantId: string, customerId: string, provider = 'stripe') =>
  appendEvent(store, `billing-${tenantId}.account`, 'BillingCustomerLinked', { provider, customerId }, T0);

/** Records `count` units of usage on the tenant's March meter; their identifiers. */
const meter = async (tenantId: string, count: number, carriedFrom?: string): Promise<string[]> => {
  const items = Array.from({ length: count }, () => ({
    identifier: meterIdentifierOf(nextIdentifier++),
    resource: 'call_seconds',
    quantity: 60,
    occurredAt: T0.toISOString(),
  }));
  await appendEvent(
    store,
    `meter-${tenantId}.${carriedFrom === undefined ? '2026-03' : '2026-04'}`,
    'UsageMetered',
    { items, afterClose: false, ...(carriedFrom !== undefined && { carriedFrom }) },
    T0,
  );
  return items.map((i) => i.identifier);
};

describe('the Stripe meter relay', () => {
  it('sends the usage of tenants with a Stripe customer in batches of 100, not the carried copies', async () => {
    await created();
    await link('acme', 'cus_acme');
    await link('globex', 'cus_ledger_globex', 'ledger');
    const acme = [...(await meter('acme', 250)), ...(await meter('acme', 30))];
    await meter('acme', 10, '2026-03');
    await meter('globex', 5);
    await meter('initech', 7);
    await start();
    await relay?.caughtUp();

    expect(stripe.calls.map((c) => c.length)).toEqual([100, 100, 80]);
    const sent = stripe.calls.flat();
    expect(sent.map((e) => e.item.identifier)).toEqual(acme);
    expect(new Set(sent.map((e) => e.customerId))).toEqual(new Set(['cus_acme']));
    expect(relay?.stats()).toMatchObject({ sent: 280, rejected: 0, retries: 0, skipped: 12 });
    expect(await checkpoints.load(METER_RELAY_CHECKPOINT)).toBe((await store.readAll()).at(-1)?.position);
  });

  it('sends a batch again while Stripe is unavailable, losing and repeating nothing it took', async () => {
    await created();
    await link('acme', 'cus_acme');
    const first = await meter('acme', 120);
    stripe.unavailableNext = 3;
    await start();
    await relay?.caughtUp();
    expect(relay?.stats()).toMatchObject({ sent: 120, retries: 3 });
    expect(stripe.calls.map((c) => c.length)).toEqual([100, 100, 100, 100, 20]);
    // The three refused tries were the same first batch.
    expect(stripe.calls.slice(0, 4).map((c) => c[0]?.item.identifier)).toEqual(Array(4).fill(first[0]));
    expect([...stripe.held.keys()]).toEqual(first);
  });

  it('goes on after a restart from its checkpoint, sending only what it had not sent', async () => {
    await created();
    await link('acme', 'cus_acme');
    const before = await meter('acme', 40);
    await start();
    await relay?.caughtUp();
    await relay?.stop();
    relay = undefined;
    const after = await meter('acme', 15);
    // Linked while it was stopped: usage from then on is sent.
    await link('hooli', 'cus_hooli');
    const hooli = await meter('hooli', 3);
    await (await start()).caughtUp();
    expect(stripe.calls.flat().map((e) => e.item.identifier)).toEqual([...before, ...after, ...hooli]);
  });

  it('keeps the checkpoint before an event whose items were not all taken when it stops', async () => {
    await created();
    await link('acme', 'cus_acme');
    await meter('acme', 150);
    const linkedAt = (await store.readAll()).at(0)?.position ?? 0;
    stripe.unavailableNext = 1;
    // The second batch of the event never gets through before the stop.
    const port = stripe.port;
    let batches = 0;
    const stalling: PaymentsPort = {
      ...port,
      sendMeterEvents: (events) => {
        batches += 1;
        return batches >= 3
          ? Promise.reject(new PaymentsUnavailableError('down again (test double)'))
          : port.sendMeterEvents(events);
      },
    };
    relay = await startMeterRelay({
      store,
      checkpoints,
      payments: stalling,
      log: () => undefined,
      retryMs: 2,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await relay.stop();
    relay = undefined;
    expect(await checkpoints.load(METER_RELAY_CHECKPOINT)).toBe(linkedAt);

    // Started again: the whole event is sent, its first batch again (Stripe takes a known identifier once).
    await (await start()).caughtUp();
    expect(stripe.held.size).toBe(150);
  });

  it('counts and logs the items Stripe refuses for good, and does not send them again', async () => {
    await created();
    await link('acme', 'cus_acme');
    const ids = await meter('acme', 5);
    stripe.refuse.add(ids[2] ?? '');
    await start();
    await relay?.caughtUp();
    expect(relay?.stats()).toMatchObject({ sent: 4, rejected: 1 });
    expect(logged.some((m) => m.includes(`meter event ${ids[2] ?? ''} refused`))).toBe(true);
    await meter('acme', 1);
    await relay?.caughtUp();
    expect(stripe.calls.flat().filter((e) => e.item.identifier === ids[2])).toHaveLength(1);
  });

  it("starts with no checkpoint at the log's end, knowing the customers linked before", async () => {
    await link('acme', 'cus_acme');
    await meter('acme', 20);
    const end = (await store.readAll()).at(-1)?.position;
    await start();
    await relay?.caughtUp();
    // Usage from before the relay existed may be older than Stripe's day of deduplication: never sent.
    expect(stripe.calls).toEqual([]);
    expect(await checkpoints.load(METER_RELAY_CHECKPOINT)).toBe(end);
    const fresh = await meter('acme', 5);
    await relay?.caughtUp();
    expect(stripe.calls.flat().map((e) => [e.customerId, e.item.identifier])).toEqual(
      fresh.map((id) => ['cus_acme', id]),
    );
    // Restarted, it goes on from its checkpoint.
    await relay?.stop();
    const later = await meter('acme', 2);
    await (await start()).caughtUp();
    expect(stripe.calls.flat().map((e) => e.item.identifier)).toEqual([...fresh, ...later]);
  });

  it('keeps its customers after the log failed, without reading the log from its start again', async () => {
    await link('acme', 'cus_acme');
    await meter('acme', 3);
    const readsAfter: number[] = [];
    let failNext = 0;
    const flaky: EventStore = Object.create(store) as EventStore;
    flaky.readAll = (options) => {
      readsAfter.push(options?.after ?? 0);
      if (failNext > 0) {
        failNext -= 1;
        return Promise.reject(new Error('the log is down (test double)'));
      }
      return store.readAll(options);
    };
    await start(flaky);
    await relay?.caughtUp();
    const fromStart = readsAfter.filter((after) => after === 0).length;
    failNext = 1;
    const fresh = await meter('acme', 4);
    await relay?.caughtUp();
    expect(logged.some((m) => m.includes('the meter relay failed'))).toBe(true);
    expect(stripe.calls.flat().map((e) => [e.customerId, e.item.identifier])).toEqual(
      fresh.map((id) => ['cus_acme', id]),
    );
    expect(readsAfter.filter((after) => after === 0)).toHaveLength(fromStart);
  });

  it('sends no usage metered before its link, when both are read again after a failed checkpoint', async () => {
    await created();
    let failSaves = 0;
    const flaky: CheckpointStore = {
      load: (name) => checkpoints.load(name),
      save: (name, position) =>
        failSaves-- > 0
          ? Promise.reject(new Error('the checkpoint store is down (test double)'))
          : checkpoints.save(name, position),
      close: () => checkpoints.close(),
    };
    await meter('acme', 3);
    await link('acme', 'cus_acme');
    failSaves = 1;
    await start(store, flaky);
    await relay?.caughtUp();
    expect(logged.some((m) => m.includes('the meter relay failed'))).toBe(true);
    const fresh = await meter('acme', 2);
    await relay?.caughtUp();
    expect(stripe.calls.flat().map((e) => e.item.identifier)).toEqual(fresh);
  });
});
