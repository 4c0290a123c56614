import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import type { EventStore, NewEvent } from '@ccp/command-service';
import type { Bus, BusEvent, BusOptions, Rejection, RunningConsumer } from './port.js';

export interface BusFixture {
  /** The event store whose log the bus carries; the suite appends to it. */
  readonly store: EventStore;
  /** A new bus instance over the same store and durable state (a restarted process opens another). */
  openBus(options: BusOptions): Promise<Bus>;
  close(): Promise<void>;
}

const metadata = (tenantId: string, correlationId: string, version = 1) => ({
  version,
  tenantId,
  occurredAt: new Date().toISOString(),
  causationId: null,
  correlationId,
  actor: SYSTEM_ACTOR,
});

/** A valid event of a real type, numbered so that order and completeness can be checked. */
export const utterance = (tenantId: string, callId: string, n: number): NewEvent => ({
  id: randomUUID(),
  type: 'UtteranceRecorded',
  data: { utteranceId: `u${n}`, speaker: 'caller', text: `line ${n}`, confidence: 0.9, language: 'en' },
  metadata: metadata(tenantId, callId, 2),
});

const settingsUpdated = (tenantId: string): NewEvent => ({
  id: randomUUID(),
  type: 'TenantSettingsUpdated',
  data: { settings: { systemPrompt: 'be kind' } },
  metadata: metadata(tenantId, tenantId),
});

const eventually = async (check: () => void, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
};

const numberOf = (event: BusEvent) =>
  Number((event.envelope.data as { utteranceId: string }).utteranceId.slice(1));

/** The one contract every bus adapter honours. Streams and groups are new per test, so a shared broker works. */
export const busContract = (adapter: string, setup: () => Promise<BusFixture>): void => {
  describe(`bus contract: ${adapter}`, () => {
    let fixture: BusFixture;
    const rejections: Rejection[] = [];
    const buses: Bus[] = [];
    const open = async () => {
      const bus = await fixture.openBus({ onRejected: (r) => rejections.push(r) });
      await bus.start();
      buses.push(bus);
      return bus;
    };
    const appendCalls = async (tenantId: string, calls: readonly string[], perCall: number, from = 0) => {
      // Interleaved across calls, so that per-key order is not just global order.
      for (let n = from; n < from + perCall; n += 1) {
        for (const callId of calls) {
          await fixture.store.append(
            `call-${tenantId}.${callId}`,
            [utterance(tenantId, callId, n)],
            n === 0 ? 'no_stream' : n - 1,
          );
        }
      }
    };
    const collector = (keys: ReadonlySet<string>) => {
      const seen: BusEvent[] = [];
      return {
        seen,
        handle: async (batch: readonly BusEvent[]) => {
          for (const event of batch) if (keys.has(event.key)) seen.push(event);
        },
      };
    };

    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(async () => {
      for (const bus of buses) await bus.close();
      await fixture.close();
    });

    it('delivers every event of a key, in order', async () => {
      const tenant = 'order';
      const calls = ['c1', 'c2', 'c3', 'c4', 'c5'].map((c) => `${c}-${randomUUID().slice(0, 8)}`);
      const keys = new Set(calls.map((c) => `call-${tenant}.${c}`));
      const bus = await open();
      const got = collector(keys);
      await bus.consume({
        group: `order-${randomUUID()}`,
        categories: ['call'],
        handle: got.handle,
        maxBatchSize: 7,
      });
      await appendCalls(tenant, calls, 40);
      await eventually(() => expect(new Set(got.seen.map((e) => e.envelope.id)).size).toBe(200));
      for (const key of keys) {
        const mine = got.seen.filter((e) => e.key === key);
        const firstSeen = mine.filter((e, i) => mine.findIndex((o) => o.envelope.id === e.envelope.id) === i);
        expect(firstSeen.map(numberOf)).toEqual(Array.from({ length: 40 }, (_, n) => n));
        expect(firstSeen[0]?.envelope).toMatchObject({
          type: 'UtteranceRecorded',
          tenantId: tenant,
          version: 2,
        });
      }
    });

    it('gives every group all events, and only the categories it asked for', async () => {
      const tenant = 'groups';
      const call = `g-${randomUUID().slice(0, 8)}`;
      const keys = new Set([`call-${tenant}.${call}`, `tenant-${tenant}.${tenant}`]);
      const bus = await open();
      const calls = collector(keys);
      const everything = collector(keys);
      await bus.consume({ group: `calls-${randomUUID()}`, categories: ['call'], handle: calls.handle });
      await bus.consume({
        group: `all-${randomUUID()}`,
        categories: ['call', 'tenant'],
        handle: everything.handle,
      });
      await appendCalls(tenant, [call], 5);
      await fixture.store.append(`tenant-${tenant}.${tenant}`, [settingsUpdated(tenant)], 'any');
      await eventually(() => expect(new Set(everything.seen.map((e) => e.envelope.id)).size).toBe(6));
      await eventually(() => expect(new Set(calls.seen.map((e) => e.envelope.id)).size).toBe(5));
      expect(calls.seen.every((e) => e.envelope.type === 'UtteranceRecorded')).toBe(true);
    });

    it('delivers at least once across a consumer restart: nothing acknowledged is needed again, nothing is lost', async () => {
      const tenant = 'restart';
      const call = `r-${randomUUID().slice(0, 8)}`;
      const keys = new Set([`call-${tenant}.${call}`]);
      const group = `restart-${randomUUID()}`;
      const first = collector(keys);
      const bus1 = await open();
      let consumer: RunningConsumer = await bus1.consume({
        group,
        categories: ['call'],
        handle: first.handle,
        maxBatchSize: 5,
      });
      await appendCalls(tenant, [call], 30);
      await eventually(() => expect(first.seen.length).toBeGreaterThanOrEqual(10));
      await consumer.stop();
      await appendCalls(tenant, [call], 30, 30);

      const second = collector(keys);
      const bus2 = await open();
      consumer = await bus2.consume({ group, categories: ['call'], handle: second.handle, maxBatchSize: 5 });
      await eventually(() => expect(new Set([...first.seen, ...second.seen].map(numberOf)).size).toBe(60));
      // The restarted member resumed from its checkpoint rather than from the beginning.
      expect(Math.min(...second.seen.map(numberOf))).toBeGreaterThan(0);
      await consumer.stop();
    });

    it('rebalances when a second member joins the group, and both then share the work', async () => {
      const tenant = 'rebalance';
      // 24 streams: the chance that none lands in one member's share (a third of the partitions at worst) is
      // (2/3)^24, under 1 in 10 000; with 12 it was nearly 1 in 100.
      const calls = Array.from({ length: 24 }, (_, i) => `b${i}-${randomUUID().slice(0, 8)}`);
      const keys = new Set(calls.map((c) => `call-${tenant}.${c}`));
      const group = `rebalance-${randomUUID()}`;
      const bus = await open();
      const a = collector(keys);
      const b = collector(keys);
      // What each member was last told it holds: the group has settled once both hold some and none twice.
      const held = { a: [] as readonly string[], b: [] as readonly string[] };
      await bus.consume({
        group,
        categories: ['call'],
        handle: a.handle,
        onAssigned: (partitions) => (held.a = partitions),
      });
      await appendCalls(tenant, calls, 3);
      await eventually(() => expect(new Set(a.seen.map((e) => e.envelope.id)).size).toBe(72));
      // The second member joins the same group through the same bus (the embedded bus shares a group's
      // partitions among the members of one bus; Kafka's consumers are separate group members either way).
      await bus.consume({
        group,
        categories: ['call'],
        handle: b.handle,
        onAssigned: (partitions) => (held.b = partitions),
      });
      // The rebalance is over when both were told their share: no fixed wait that a slow machine outlasts.
      await eventually(() => {
        expect(held.b.length).toBeGreaterThan(0);
        expect(held.a.length).toBeGreaterThan(0);
        expect(held.a.filter((p) => held.b.includes(p))).toEqual([]);
      });
      await appendCalls(tenant, calls, 3, 3);
      await eventually(() =>
        expect(new Set([...a.seen, ...b.seen].map((e) => e.envelope.id)).size).toBe(144),
      );
      const late = (seen: BusEvent[]) => seen.filter((e) => numberOf(e) >= 3);
      expect(late(b.seen).length).toBeGreaterThan(0);
      expect(late(a.seen).length).toBeGreaterThan(0);
    });

    it('rejects and reports a payload that does not match its schema, and delivers what follows', async () => {
      const tenant = 'reject';
      const call = `x-${randomUUID().slice(0, 8)}`;
      const key = `call-${tenant}.${call}`;
      const bus = await open();
      const got = collector(new Set([key]));
      await bus.consume({ group: `reject-${randomUUID()}`, categories: ['call'], handle: got.handle });
      await fixture.store.append(key, [utterance(tenant, call, 0)], 'no_stream');
      const bad: NewEvent = {
        ...utterance(tenant, call, 1),
        data: { utteranceId: 'u1', speaker: 'caller', confidence: 7 },
      };
      await fixture.store.append(key, [bad], 0);
      await fixture.store.append(key, [utterance(tenant, call, 2)], 1);
      await eventually(() => expect(new Set(got.seen.map(numberOf))).toEqual(new Set([0, 2])));
      await eventually(() =>
        expect(rejections.some((r) => r.key === key && r.type === 'UtteranceRecorded')).toBe(true),
      );
    });

    it("reports a group's lag in events: what it has not read while its handler is held, none once it caught up", async () => {
      const tenant = 'lag';
      const calls = ['l1', 'l2'].map((c) => `${c}-${randomUUID().slice(0, 8)}`);
      const group = `lag-${randomUUID()}`;
      const bus = await open();
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      await bus.consume({
        group,
        categories: ['call'],
        maxBatchSize: 5,
        handle: () => held,
      });
      await appendCalls(tenant, calls, 15);
      // Nothing acknowledged yet: at least the 30 events just appended are still to read.
      let behind = 0;
      for (const deadline = Date.now() + 30_000; behind < 30 && Date.now() < deadline;) {
        behind = (await bus.lag()).groups[group] ?? 0;
        if (behind < 30) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(behind).toBeGreaterThanOrEqual(30);
      release();
      for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
        const lag = await bus.lag();
        if (lag.groups[group] === 0 && (lag.relay ?? 0) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const lag = await bus.lag();
      expect(lag.groups[group]).toBe(0);
      // The relay (Kafka) has every event on the broker; the embedded bus has none to report.
      expect(lag.relay ?? 0).toBe(0);
    });
  });
};
