import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEvent, ERASED, ERASED_FIELDS_KEY, leadPersonOf, SYSTEM_ACTOR, type Lead } from '@ccp/schemas';
import {
  createSqliteSubjectKeys,
  personSubjectOf,
  subjectOf,
  subjectSecrets,
  withPersonalDataEncryption,
} from './personal-data.js';
import type { NewEvent } from './port.js';
import { createSqliteEventStore } from './sqlite.js';

/**
 * A campaign's leads share its stream, each sealed with its own person's key: erasing one person shreds their
 * key alone, and events written before (the whole `leads` field sealed with the campaign's key) read as before.
 */
const dir = mkdtempSync(join(tmpdir(), 'ccp-pii-elements-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const master = randomBytes(32);
const STREAM = 'campaign-acme.spring';

const metadata = {
  version: 1,
  tenantId: 'acme',
  occurredAt: '2026-03-02T10:00:00.000Z',
  causationId: null,
  correlationId: 'spring',
  actor: SYSTEM_ACTOR,
};
const ann: Lead = {
  leadId: 'lead-1',
  phone: '+15550201111',
  name: 'Ann Example',
  timeZones: [],
  variables: { plan: 'gold tier 77' },
};
const bob: Lead = {
  leadId: 'lead-2',
  phone: '+15550202222',
  name: 'Bob Sample',
  timeZones: [],
  variables: {},
};
const staged = (leads: unknown): NewEvent => ({
  id: randomUUID(),
  type: 'LeadsStaged',
  data: { importId: 'imp-1', chunk: 0, leads },
  metadata,
});
const callback = (lead: Lead): NewEvent => ({
  id: randomUUID(),
  type: 'CallbackDialScheduled',
  data: { kind: 'callback', reason: 'about the refund of order 991', lead },
  metadata,
});

const setup = (name: string) => {
  const raw = createSqliteEventStore({ path: join(dir, `${name}.db`) });
  const keys = createSqliteSubjectKeys(join(dir, `${name}-keys.db`), master);
  return { raw, keys, store: withPersonalDataEncryption(raw, keys) };
};
const leadSubject = (keys: Parameters<typeof personSubjectOf>[0], phone: string) =>
  personSubjectOf(keys, 'acme', STREAM, leadPersonOf(phone)).subject;

describe('leads sealed one by one', () => {
  it('erasing one person leaves the other leads of the chunk readable', async () => {
    const { raw, keys, store } = setup('one');
    await store.append(STREAM, [staged([ann, bob])], 'no_stream');
    const stored = JSON.stringify(await raw.readAll());
    for (const clear of [ann.phone, bob.phone, 'Ann Example', 'Bob Sample', 'gold tier 77'])
      expect(stored).not.toContain(clear);
    // Neither the key store's subjects nor the log name the number: a pseudonym stands in for it.
    expect(leadSubject(keys, ann.phone)).not.toContain(ann.phone);
    expect(leadSubject(keys, ann.phone)).not.toBe(leadSubject(keys, bob.phone));
    const [before] = await store.readStream(STREAM);
    expect(before?.data).toEqual({ importId: 'imp-1', chunk: 0, leads: [ann, bob] });

    expect(keys.erase(leadSubject(keys, ann.phone))).toBe(1);
    const [after] = await store.readStream(STREAM);
    expect(after?.data).toEqual({ importId: 'imp-1', chunk: 0, leads: [ERASED, bob] });
    expect((after?.metadata as Record<string, unknown>)[ERASED_FIELDS_KEY]).toEqual(['leads.0']);
    // The rest of the event is still valid: only the erased element is excused.
    const decoded = decodeEvent(after ?? { id: '', type: '', streamId: '', data: null, metadata: null });
    expect(decoded.ok && decoded.value.data).toEqual({ importId: 'imp-1', chunk: 0, leads: [ERASED, bob] });
    expect(JSON.stringify(await raw.readAll())).not.toContain(ann.phone);
  });

  it('a callback and its reason go with the lead they are about', async () => {
    const { raw, keys, store } = setup('callback');
    await store.append(STREAM, [callback(ann), callback(bob)], 'no_stream');
    const stored = JSON.stringify(await raw.readAll());
    expect(stored).not.toContain('refund of order 991');
    expect(stored).not.toContain(ann.phone);
    keys.erase(leadSubject(keys, ann.phone));
    const [first, second] = await store.readStream(STREAM);
    expect(first?.data).toEqual({ kind: 'callback', reason: ERASED, lead: ERASED });
    expect((first?.metadata as Record<string, unknown>)[ERASED_FIELDS_KEY]).toEqual(['lead', 'reason']);
    expect(decodeEvent(first ?? { id: '', type: '', streamId: '', data: null, metadata: null }).ok).toBe(
      true,
    );
    expect(second?.data).toEqual({ kind: 'callback', reason: 'about the refund of order 991', lead: bob });
  });

  it('erasing the campaign (its subject and every subject under it) erases all its leads', async () => {
    const { keys, store } = setup('whole');
    await store.append(STREAM, [staged([ann, bob]), callback(bob)], 'no_stream');
    expect(keys.erase(`${subjectOf('acme', STREAM)}:`)).toBe(2);
    const [chunk, dial] = await store.readStream(STREAM);
    expect(chunk?.data).toMatchObject({ leads: [ERASED, ERASED] });
    expect(dial?.data).toMatchObject({ lead: ERASED, reason: ERASED });
  });

  it('reads a chunk written before leads were sealed one by one exactly as before', async () => {
    const { raw, keys, store } = setup('old');
    // As earlier versions wrote it: the whole field sealed once with the campaign's key.
    const sealed = `pii:v1:${subjectSecrets(keys).seal(subjectOf('acme', STREAM), JSON.stringify([ann, bob]))}`;
    await raw.append(STREAM, [staged(sealed)], 'no_stream');
    const [read] = await store.readStream(STREAM);
    expect(read?.data).toEqual({ importId: 'imp-1', chunk: 0, leads: [ann, bob] });
    expect((read?.metadata as Record<string, unknown>)[ERASED_FIELDS_KEY]).toBeUndefined();
    keys.erase(subjectOf('acme', STREAM));
    const [erased] = await store.readStream(STREAM);
    expect(erased?.data).toEqual({ importId: 'imp-1', chunk: 0, leads: ERASED });
    expect((erased?.metadata as Record<string, unknown>)[ERASED_FIELDS_KEY]).toEqual(['leads']);
  });
});
