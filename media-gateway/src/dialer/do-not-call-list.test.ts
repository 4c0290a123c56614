import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '@ccp/command-service';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import { DoNotCallLists } from './do-not-call-list.js';

const STREAM = 'donotcall-demo.list';
const event = (type: string, data: Record<string, unknown>) => ({
  id: randomUUID(),
  type,
  data,
  metadata: {
    version: 1,
    tenantId: 'demo',
    occurredAt: new Date().toISOString(),
    causationId: null,
    correlationId: 'test',
    actor: SYSTEM_ACTOR,
  },
});

describe("the dialer's do-not-call check", () => {
  it('sees numbers added and removed since it last looked', async () => {
    const store = createSqliteEventStore({ path: ':memory:' });
    const lists = new DoNotCallLists(store);
    expect(await lists.isListed('demo', '+15550000001')).toBe(false);
    await store.append(
      STREAM,
      [event('DoNotCallAdded', { numbers: ['+15550000001'], source: 'manual' })],
      'any',
    );
    expect(await lists.isListed('demo', '+15550000001')).toBe(true);
    await store.append(STREAM, [event('DoNotCallRemoved', { numbers: ['+15550000001'] })], 'any');
    expect(await lists.isListed('demo', '+15550000001')).toBe(false);
    expect(await lists.isListed('other', '+15550000001')).toBe(false);
    await store.close();
  });

  it('fails when the list cannot be read, so that nobody is dialled on a guess', async () => {
    // A hand-made stand-in for a store whose reads fail: a real disk fault cannot be provoked here.
    const lists = new DoNotCallLists({
      readStream: () => Promise.reject(new Error('disk I/O error')),
    });
    await expect(lists.isListed('demo', '+15550000001')).rejects.toThrow(/disk/);
  });
});
