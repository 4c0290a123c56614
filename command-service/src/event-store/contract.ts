import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WrongExpectedRevisionError, type EventStore, type NewEvent, type RecordedEvent } from './port.js';

/**
 * The one contract every event store adapter must honour. Each test writes to streams of its own, so the
 * suite also runs against a shared server that already holds data.
 */
export const eventStoreContract = (adapter: string, open: () => Promise<EventStore>): void => {
  describe(`event store contract: ${adapter}`, () => {
    let store: EventStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store.close();
    });

    const stream = () => `test-contract.${randomUUID()}`;
    const events = (count: number, type = 'Happened'): NewEvent[] =>
      Array.from({ length: count }, (_, n) => ({
        id: randomUUID(),
        type,
        data: { n },
        metadata: { note: 'contract' },
      }));
    const ns = (recorded: readonly RecordedEvent[]) => recorded.map((e) => (e.data as { n: number }).n);

    describe('append with an expected revision', () => {
      it('creates a stream when none is expected', async () => {
        const id = stream();
        const result = await store.append(id, events(2), 'no_stream');
        expect(result.nextRevision).toBe(1);
        expect(result.position).toBeGreaterThan(0);
      });

      it('refuses no_stream when the stream exists, with a typed conflict', async () => {
        const id = stream();
        await store.append(id, events(1), 'no_stream');
        const error = await store.append(id, events(1), 'no_stream').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ streamId: id, expected: 'no_stream', actual: 0 });
      });

      it('appends at the exact revision and refuses a stale one', async () => {
        const id = stream();
        await store.append(id, events(3), 'no_stream');
        expect((await store.append(id, events(1), 2)).nextRevision).toBe(3);
        const error = await store.append(id, events(1), 2).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', expected: 2, actual: 3 });
        expect(await store.readStream(id)).toHaveLength(4);
      });

      it('stream_exists refuses a missing stream; any takes both', async () => {
        const id = stream();
        await expect(store.append(id, events(1), 'stream_exists')).rejects.toMatchObject({
          actual: 'no_stream',
        });
        expect((await store.append(id, events(1), 'any')).nextRevision).toBe(0);
        expect((await store.append(id, events(1), 'any')).nextRevision).toBe(1);
        expect((await store.append(id, events(1), 'stream_exists')).nextRevision).toBe(2);
      });

      it('a refused append stores nothing', async () => {
        const id = stream();
        await store.append(id, events(1), 'no_stream');
        await store.append(id, events(5), 7).catch(() => undefined);
        expect(await store.readStream(id)).toHaveLength(1);
      });

      it('re-appending the same event ids stores them once', async () => {
        const id = stream();
        const batch = events(3);
        const first = await store.append(id, batch, 'no_stream');
        const again = await store.append(id, batch, 'no_stream');
        expect(again.nextRevision).toBe(first.nextRevision);
        expect(await store.readStream(id)).toHaveLength(3);
      });
    });

    describe('reading a stream', () => {
      it('reads forwards and backwards, from a revision, up to a count', async () => {
        const id = stream();
        await store.append(id, events(5), 'no_stream');
        const forwards = await store.readStream(id);
        expect(ns(forwards)).toEqual([0, 1, 2, 3, 4]);
        expect(forwards.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
        expect(forwards[0]).toMatchObject({ streamId: id, type: 'Happened', metadata: { note: 'contract' } });
        expect(forwards[0]?.recordedAt).toBeInstanceOf(Date);
        expect(ns(await store.readStream(id, { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
        expect(ns(await store.readStream(id, { fromRevision: 2, maxCount: 2 }))).toEqual([2, 3]);
        expect(
          ns(await store.readStream(id, { direction: 'backwards', fromRevision: 3, maxCount: 2 })),
        ).toEqual([3, 2]);
      });

      it('reads a missing stream as empty', async () => {
        expect(await store.readStream(stream())).toEqual([]);
      });

      it('holds a stream of 10,000 events', async () => {
        const id = stream();
        for (let batch = 0; batch < 20; batch += 1) {
          const chunk = Array.from({ length: 500 }, (_, n) => ({
            id: randomUUID(),
            type: 'Happened',
            data: { n: batch * 500 + n },
            metadata: {},
          }));
          await store.append(id, chunk, batch === 0 ? 'no_stream' : batch * 500 - 1);
        }
        const all = await store.readStream(id);
        expect(all).toHaveLength(10_000);
        expect(ns(all)).toEqual(Array.from({ length: 10_000 }, (_, n) => n));
        const [last] = await store.readStream(id, { direction: 'backwards', maxCount: 1 });
        expect(last?.revision).toBe(9_999);
      });
    });

    describe('the global log', () => {
      it('reads after a position, in append order, across streams', async () => {
        const a = stream();
        const b = stream();
        const first = await store.append(a, events(1), 'no_stream');
        await store.append(b, events(2), 'no_stream');
        await store.append(a, events(1), 0);
        const after = await store.readAll({ after: first.position });
        const ours = after.filter((e) => e.streamId === a || e.streamId === b);
        expect(ours.map((e) => [e.streamId, e.revision])).toEqual([
          [b, 0],
          [b, 1],
          [a, 1],
        ]);
        const positions = after.map((e) => e.position);
        expect(positions).toEqual([...positions].sort((x, y) => x - y));
        expect(positions.every((p) => p > first.position)).toBe(true);
      });

      it('honours maxCount', async () => {
        const id = stream();
        const result = await store.append(id, events(3), 'no_stream');
        const all = await store.readAll({ maxCount: 2 });
        expect(all).toHaveLength(2);
        const upTo = await store.readAll({ after: result.position - 1, maxCount: 1 });
        expect(upTo).toHaveLength(1);
      });
    });

    describe('subscriptions', () => {
      it('delivers what follows a checkpoint, then tails live appends', async () => {
        const id = stream();
        const before = await store.append(id, events(1), 'no_stream');
        await store.append(id, events(2), 0);
        const subscription = store.subscribe({ after: before.position });
        const seen: RecordedEvent[] = [];
        const consumed = (async () => {
          for await (const event of subscription) {
            if (event.streamId !== id) continue;
            seen.push(event);
            if (seen.length === 4) break;
          }
        })();
        await new Promise((resolve) => setTimeout(resolve, 50));
        await store.append(id, events(2), 2);
        await consumed;
        await subscription.close();
        expect(seen.map((e) => e.revision)).toEqual([1, 2, 3, 4]);
      });
    });
  });
};
