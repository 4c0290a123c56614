import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSqliteEventStore,
  createSqliteSubjectKeys,
  masterKeyFrom,
  subjectOf,
  type EventStore,
} from '@ccp/command-service';
import { eraseKeys, erasedSubjectsInLog } from './erasure-ledger.js';

let dir: string;
let store: EventStore;

const erased = (streams: readonly string[]) => ({
  id: randomUUID(),
  type: 'DataSubjectErased',
  data: { certificate: { streams, counts: {}, keysErased: 0, rows: {}, recordings: [] } },
  metadata: { tenantId: 'acme' },
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ccp-ledger-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the erasure ledger', () => {
  it("lists every stream a GDPR erasure's certificate names, and the erasure's own, of its tenant only", async () => {
    await store.append('erasure-acme.er-1', [erased(['call-acme.CA1', 'contact-acme.maria'])], 'no_stream');
    // A certificate naming another tenant's stream never makes a restore erase that tenant's keys.
    await store.append('erasure-acme.er-2', [erased(['call-globex.CA9'])], 'no_stream');
    await store.append(
      'connection-acme.slack',
      [{ ...erased([]), type: 'ConnectionRemoved', data: {} }],
      'no_stream',
    );
    expect(erasedSubjectsInLog(join(dir, 'events.db')).sort()).toEqual(
      [
        subjectOf('acme', 'call-acme.CA1'),
        subjectOf('acme', 'contact-acme.maria'),
        subjectOf('acme', 'erasure-acme.er-1'),
        subjectOf('acme', 'erasure-acme.er-2'),
        subjectOf('acme', 'connection-acme.slack'),
      ].sort(),
    );
  });

  it('deletes those keys from a keys database, leaving the others', async () => {
    await store.append('erasure-acme.er-1', [erased(['call-acme.CA1'])], 'no_stream');
    const keys = createSqliteSubjectKeys(
      join(dir, 'keys.db'),
      masterKeyFrom(undefined, join(dir, 'master.key')),
    );
    for (const stream of ['call-acme.CA1', 'call-acme.CA2', 'erasure-acme.er-1'])
      keys.keyFor(subjectOf('acme', stream));
    keys.close();
    expect(eraseKeys(join(dir, 'keys.db'), erasedSubjectsInLog(join(dir, 'events.db')))).toBe(2);
    const reopened = createSqliteSubjectKeys(
      join(dir, 'keys.db'),
      masterKeyFrom(undefined, join(dir, 'master.key')),
    );
    expect(reopened.existingKey(subjectOf('acme', 'call-acme.CA1'))).toBeUndefined();
    expect(reopened.existingKey(subjectOf('acme', 'erasure-acme.er-1'))).toBeUndefined();
    expect(reopened.existingKey(subjectOf('acme', 'call-acme.CA2'))).toBeDefined();
    reopened.close();
  });
});
