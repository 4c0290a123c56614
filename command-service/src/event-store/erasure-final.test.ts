import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEvent, ERASED, ERASED_FIELDS_KEY, leadPersonOf, SYSTEM_ACTOR } from '@ccp/schemas';
import {
  createSqliteSubjectKeys,
  personSubjectOf,
  subjectOf,
  withPersonalDataEncryption,
} from './personal-data.js';
import type { NewEvent, RecordedEvent } from './port.js';
import { createSqliteEventStore } from './sqlite.js';

/**
 * Erasure is final: the key store remembers an erased subject (a tombstone, not the key), so an event written
 * after the erasure (a call still in progress when its caller was erased) gets no fresh key: its personal
 * fields are written erased, and nothing of them is stored in clear.
 */
const dir = mkdtempSync(join(tmpdir(), 'ccp-pii-final-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const master = randomBytes(32);
const CALL = 'call-acme.CA1';
const WORDS = 'my account number is 5521 0098';

const metadata = (tenantId = 'acme') => ({
  version: 2,
  tenantId,
  occurredAt: '2026-03-02T10:00:00.000Z',
  causationId: null,
  correlationId: 'CA1',
  actor: SYSTEM_ACTOR,
});
const utterance = (text: string, tenantId = 'acme'): NewEvent => ({
  id: randomUUID(),
  type: 'UtteranceRecorded',
  data: { utteranceId: randomUUID(), speaker: 'caller', text, confidence: 0.9, language: 'en' },
  metadata: metadata(tenantId),
});
const setup = (name: string) => {
  const raw = createSqliteEventStore({ path: join(dir, `${name}.db`) });
  const keys = createSqliteSubjectKeys(join(dir, `${name}-keys.db`), master);
  return { raw, keys, store: withPersonalDataEncryption(raw, keys) };
};
const decoded = (event: RecordedEvent | undefined) => {
  if (!event) throw new Error('no event');
  const result = decodeEvent(event);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
};

describe('an erased subject stays erased', () => {
  it('writes what a call says after its caller was erased as erased, stored without clear text', async () => {
    const { raw, keys, store } = setup('call');
    await store.append(CALL, [utterance('hello')], 'no_stream');
    expect(keys.erase(subjectOf('acme', CALL))).toBe(1);
    await store.append(CALL, [utterance(WORDS)], 'any');
    expect(JSON.stringify(await raw.readAll())).not.toContain('5521 0098');
    expect(keys.existingKey(subjectOf('acme', CALL))).toBeUndefined();
    const [first, later] = await store.readStream(CALL);
    for (const event of [first, later]) {
      expect(decoded(event).data).toMatchObject({ text: ERASED, speaker: 'caller' });
      expect((event?.metadata as Record<string, unknown>)[ERASED_FIELDS_KEY]).toEqual(['text']);
    }
    // Remembered by the key store's file, not by this process: a new one refuses the subject too.
    const reopened = createSqliteSubjectKeys(join(dir, 'call-keys.db'), master);
    expect(reopened.keyUnlessErased(subjectOf('acme', CALL))).toBeUndefined();
    expect(() => reopened.keyFor(subjectOf('acme', CALL))).toThrow(/erased/);
    // Other subjects get keys as before.
    expect(reopened.keyUnlessErased(subjectOf('acme', 'call-acme.CA2'))).toBeInstanceOf(Buffer);
    reopened.close();
  });

  it('refuses every subject under an erased prefix (a whole tenant), and only those', async () => {
    const { raw, keys, store } = setup('tenant');
    keys.erase('acme:');
    await store.append('call-acme.CA7', [utterance(WORDS)], 'no_stream');
    await store.append('call-globex.CA7', [utterance(WORDS, 'globex')], 'no_stream');
    const [acme] = await store.readStream('call-acme.CA7');
    const [globex] = await store.readStream('call-globex.CA7');
    expect(decoded(acme).data).toMatchObject({ text: ERASED });
    expect(decoded(globex).data).toMatchObject({ text: WORDS });
    expect(JSON.stringify((await raw.readStream('call-acme.CA7')).map((e) => e.data))).not.toContain('5521');
  });

  it("writes an erased person's lead staged again in the same campaign as erased, the others sealed", async () => {
    const { raw, keys, store } = setup('lead');
    const stream = 'campaign-acme.spring';
    const lead = (phone: string, name: string) => ({
      leadId: phone.slice(1),
      phone,
      name,
      timeZones: [],
      variables: {},
    });
    keys.erase(personSubjectOf(keys, 'acme', stream, leadPersonOf('+15550201111')).subject);
    const staged: NewEvent = {
      id: randomUUID(),
      type: 'LeadsStaged',
      data: {
        importId: 'i2',
        chunk: 0,
        leads: [lead('+15550201111', 'Ann Example'), lead('+15550202222', 'Bob')],
      },
      metadata: { ...metadata(), version: 1 },
    };
    await store.append(stream, [staged], 'no_stream');
    expect(JSON.stringify(await raw.readAll())).not.toContain('Ann Example');
    const [read] = await store.readStream(stream);
    expect(decoded(read).data).toEqual({
      importId: 'i2',
      chunk: 0,
      leads: [ERASED, lead('+15550202222', 'Bob')],
    });
    expect((read?.metadata as Record<string, unknown>)[ERASED_FIELDS_KEY]).toEqual(['leads.0']);
  });
});
