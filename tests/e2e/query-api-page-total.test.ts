import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openChdbReadStore, type ReadStore } from '@ccp/projections';
import { CallListQuery, listCalls } from '@ccp/query-api';

/*
 * A page and its total describe the same moment. The projections write while the query API reads (real chdb
 * here); a call written between reading a page and counting its total once gave a page of two calls whose total
 * said one, and a client trusting the total stopped paging early.
 */

const dir = mkdtempSync(join(tmpdir(), 'ccp-page-total-'));
let store: ReadStore;
const NOW = new Date('2026-12-07T12:00:00Z');

const callRow = (callId: string, minutesAgo: number) => ({
  tenant_id: 'acme',
  call_id: callId,
  direction: 'inbound',
  provider: 'twilio',
  from_address: '+15550001111',
  to_address: '+15550100001',
  status: 'ended',
  started_at: new Date(NOW.getTime() - minutesAgo * 60_000),
  last_event_at: new Date(NOW.getTime() - minutesAgo * 60_000),
  version: 1,
});

/** The store as the query API sees it, with a projection writing a call right after the API's first statement. */
const writingAfterFirstRead = (callId: string): ReadStore => {
  let written = false;
  return {
    command: (sql, params) => store.command(sql, params),
    insert: (table, rows) => store.insert(table, rows),
    close: async () => undefined,
    query: async <T>(sql: string, params?: Parameters<ReadStore['query']>[1]) => {
      const rows = await store.query<T>(sql, params);
      if (!written) {
        written = true;
        await store.insert('calls', [callRow(callId, 1)]);
      }
      return rows;
    },
  };
};

beforeAll(async () => {
  store = await openChdbReadStore({ path: join(dir, 'chdb') });
  await migrate(store);
  await store.insert('calls', [callRow('CA-1', 10), callRow('CA-2', 5)]);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a page of calls and its total', () => {
  it('count the same calls even when a call is projected while the page is read', async () => {
    const query = CallListQuery.parse({});
    const page = await listCalls(writingAfterFirstRead('CA-3'), 'acme', query, { offset: 0, limit: 50 }, NOW);
    expect(page.total).toBe(page.items.length);
    // The next read sees the new call in both.
    const next = await listCalls(store, 'acme', query, { offset: 0, limit: 50 }, NOW);
    expect(next.items.map((c) => c.callId)).toEqual(['CA-3', 'CA-2', 'CA-1']);
    expect(next.total).toBe(3);
  });

  it('still counts every match on a page past the first, and on a page past the end', async () => {
    const query = CallListQuery.parse({});
    const second = await listCalls(store, 'acme', query, { offset: 2, limit: 2 }, NOW);
    expect(second.items.map((c) => c.callId)).toEqual(['CA-1']);
    expect(second.total).toBe(3);
    const beyond = await listCalls(store, 'acme', query, { offset: 10, limit: 2 }, NOW);
    expect(beyond).toEqual({ items: [], total: 3 });
    const none = await listCalls(store, 'other-tenant', query, { offset: 0, limit: 2 }, NOW);
    expect(none).toEqual({ items: [], total: 0 });
  });
});
