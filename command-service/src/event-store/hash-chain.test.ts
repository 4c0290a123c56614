import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ERASED, SYSTEM_ACTOR } from '@ccp/schemas';
import { eventStoreContract } from './contract.js';
import { verifyStreamChain, withHashChain } from './hash-chain.js';
import { createSqliteSubjectKeys, subjectOf, withPersonalDataEncryption } from './personal-data.js';
import type { NewEvent } from './port.js';
import { createSqliteEventStore } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'ccp-chain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fresh = () => {
  const path = join(dir, `chain-${(files += 1)}.db`);
  return { path, store: withHashChain(createSqliteEventStore({ path })) };
};

eventStoreContract('sqlite with hash chains', async () => fresh().store);

const metadata = {
  version: 1,
  tenantId: 'acme',
  occurredAt: '2026-03-02T10:00:00.000Z',
  actor: SYSTEM_ACTOR,
};
const happened = (n: number): NewEvent => ({ id: randomUUID(), type: 'Happened', data: { n }, metadata });

/** Edits the stored row behind the chain's back, as someone with access to the file could. */
const tamper = (path: string, sql: string, ...params: unknown[]) => {
  const db = new Database(path);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
};

describe('hash chains over the event store', () => {
  it('links every event of a stream to the one before, whatever the expected revision', async () => {
    const { store } = fresh();
    await store.append('thing-acme.1', [happened(0), happened(1)], 'no_stream');
    await store.append('thing-acme.1', [happened(2)], 1);
    await store.append('thing-acme.1', [happened(3)], 'any');
    await store.append('thing-acme.1', [happened(4)], 'stream_exists');
    const events = await store.readStream('thing-acme.1');
    const links = events.map((e) => (e.metadata as { chain: { prev: string | null; hash: string } }).chain);
    expect(links[0]?.prev).toBeNull();
    for (let n = 1; n < links.length; n++) expect(links[n]?.prev).toBe(links[n - 1]?.hash);
    expect(await verifyStreamChain(store, 'thing-acme.1')).toEqual({
      streamId: 'thing-acme.1',
      events: 5,
      valid: true,
      unchained: 0,
    });
    // What writers put in the metadata is kept beside the link.
    expect(events[0]?.metadata).toMatchObject({ tenantId: 'acme', version: 1 });
  });

  it('concurrent writers appending at any revision never fork the chain', async () => {
    const { store } = fresh();
    await Promise.all(
      Array.from({ length: 12 }, (_, n) => store.append('thing-acme.2', [happened(n)], 'any')),
    );
    expect(await verifyStreamChain(store, 'thing-acme.2')).toMatchObject({ events: 12, valid: true });
  });

  it('detects an event whose data was changed in the file', async () => {
    const { path, store } = fresh();
    await store.append('thing-acme.3', [happened(0), happened(1), happened(2)], 'no_stream');
    tamper(
      path,
      `UPDATE events SET data = ? WHERE stream_id = ? AND revision = 1`,
      '{"n":42}',
      'thing-acme.3',
    );
    const result = await verifyStreamChain(store, 'thing-acme.3');
    expect(result).toMatchObject({ valid: false, brokenAt: { revision: 1, reason: 'hash_mismatch' } });
  });

  it('detects a removed event and a rewritten link', async () => {
    const { path, store } = fresh();
    await store.append('thing-acme.4', [happened(0), happened(1), happened(2)], 'no_stream');
    tamper(path, `DELETE FROM events WHERE stream_id = ? AND revision = 1`, 'thing-acme.4');
    expect(await verifyStreamChain(store, 'thing-acme.4')).toMatchObject({
      valid: false,
      brokenAt: { revision: 2, reason: 'prev_mismatch' },
    });
    await store.append('thing-acme.5', [happened(0), happened(1)], 'no_stream');
    tamper(
      path,
      `UPDATE events SET metadata = json_set(metadata, '$.chain.hash', ?) WHERE stream_id = ? AND revision = 0`,
      'f'.repeat(64),
      'thing-acme.5',
    );
    expect(await verifyStreamChain(store, 'thing-acme.5')).toMatchObject({
      valid: false,
      brokenAt: { revision: 0, reason: 'hash_mismatch' },
    });
  });

  it('takes streams written before chains existed, and refuses a link dropped later', async () => {
    const path = join(dir, 'legacy.db');
    const plain = createSqliteEventStore({ path });
    await plain.append('thing-acme.6', [happened(0), happened(1)], 'no_stream');
    await plain.close();
    const store = withHashChain(createSqliteEventStore({ path }));
    await store.append('thing-acme.6', [happened(2), happened(3)], 1);
    expect(await verifyStreamChain(store, 'thing-acme.6')).toEqual({
      streamId: 'thing-acme.6',
      events: 4,
      valid: true,
      unchained: 2,
    });
    tamper(
      path,
      `UPDATE events SET metadata = json_remove(metadata, '$.chain') WHERE stream_id = ? AND revision = 3`,
      'thing-acme.6',
    );
    expect(await verifyStreamChain(store, 'thing-acme.6')).toMatchObject({
      valid: false,
      brokenAt: { revision: 3, reason: 'chain_missing' },
    });
  });

  it('stays whole when a subject is erased: the chain covers the encrypted form', async () => {
    const { store: chainedStore } = fresh();
    const keys = createSqliteSubjectKeys(join(dir, 'keys.db'), randomBytes(32));
    const store = withPersonalDataEncryption(chainedStore, keys);
    const stream = 'call-acme.CA1';
    await store.append(
      stream,
      [
        {
          id: randomUUID(),
          type: 'UtteranceRecorded',
          data: {
            utteranceId: 'u1',
            speaker: 'caller',
            text: 'My card ends 4242',
            confidence: 0.9,
            language: 'en',
          },
          metadata,
        },
      ],
      'no_stream',
    );
    expect(await verifyStreamChain(chainedStore, stream)).toMatchObject({ valid: true });
    keys.erase(subjectOf('acme', stream));
    expect(((await store.readStream(stream))[0]?.data as { text: string }).text).toBe(ERASED);
    expect(await verifyStreamChain(chainedStore, stream)).toMatchObject({ valid: true, events: 1 });
    keys.close();
  });
});
