import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEvent, ERASED, SYSTEM_ACTOR } from '@ccp/schemas';
import { eventStoreContract } from './contract.js';
import {
  createSqliteSubjectKeys,
  masterKeyFrom,
  openSecret,
  subjectOf,
  withPersonalDataEncryption,
} from './personal-data.js';
import type { NewEvent } from './port.js';
import { createSqliteEventStore } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'ccp-pii-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const master = randomBytes(32);

eventStoreContract('sqlite with personal data encryption', async () =>
  withPersonalDataEncryption(
    createSqliteEventStore({ path: join(dir, 'contract.db') }),
    createSqliteSubjectKeys(join(dir, 'contract-keys.db'), master),
  ),
);

const metadata = (tenantId: string) => ({
  version: 1,
  tenantId,
  occurredAt: '2026-03-02T10:00:00.000Z',
  causationId: null,
  correlationId: 'c1',
  actor: SYSTEM_ACTOR,
});
const invited = (tenantId: string, email: string): NewEvent => ({
  id: randomUUID(),
  type: 'MemberInvited',
  data: { email, name: 'Jane Roe', role: 'agent', emailHash: 'a'.repeat(64) },
  metadata: metadata(tenantId),
});
const utterance = (tenantId: string, text: string): NewEvent => ({
  id: randomUUID(),
  type: 'UtteranceRecorded',
  data: { utteranceId: 'u1', speaker: 'caller', text, confidence: 0.9, language: 'en' },
  metadata: { ...metadata(tenantId), version: 2, correlationId: 'CA1' },
});

describe('personal data in the event store', () => {
  const setup = (name: string) => {
    const raw = createSqliteEventStore({ path: join(dir, `${name}.db`) });
    const keys = createSqliteSubjectKeys(join(dir, `${name}-keys.db`), master);
    return { raw, keys, store: withPersonalDataEncryption(raw, keys) };
  };

  it('is stored encrypted and read back in the clear', async () => {
    const { raw, store } = setup('clear');
    await store.append('member-acme.u1', [invited('acme', 'jane@example.com')], 'no_stream');
    // With spaces: no id, hash or ciphertext (base64url) can contain it by chance, as "4111" alone once did.
    await store.append('call-acme.CA1', [utterance('acme', 'my card number is 4111 1111')], 'no_stream');
    const stored = JSON.stringify(await raw.readAll());
    expect(stored).not.toContain('jane@example.com');
    expect(stored).not.toContain('Jane Roe');
    expect(stored).not.toContain('4111 1111');
    expect(stored).toContain('"role":"agent"');
    const [member] = await store.readStream('member-acme.u1');
    expect(member?.data).toEqual({
      email: 'jane@example.com',
      name: 'Jane Roe',
      role: 'agent',
      emailHash: 'a'.repeat(64),
    });
    const [said] = await store.readAll({ after: member?.position });
    expect(said?.data).toMatchObject({ text: 'my card number is 4111 1111', utteranceId: 'u1' });
  });

  it('decrypts an event read whole like one whose data is read: copied, serialised, replaced', async () => {
    const { store } = setup('first-read');
    await store.append('member-acme.u2', [invited('acme', 'ann@example.com')], 'no_stream');
    const [copied, serialised, replaced] = [
      ...(await store.readAll()),
      ...(await store.readAll()),
      ...(await store.readAll()),
    ];
    // The data is made on its first read (a reader of other types never pays for it), then kept.
    expect({ ...copied }.data).toMatchObject({ email: 'ann@example.com', name: 'Jane Roe' });
    expect(copied?.data).toBe(copied?.data);
    expect(JSON.parse(JSON.stringify(serialised)).data).toMatchObject({ email: 'ann@example.com' });
    if (!replaced || !serialised) throw new Error('nothing read');
    // Read-only in type, but a reader that rewrites it (a test fixture, an upcaster) finds a plain property.
    (replaced as { data: unknown }).data = { email: 'other@example.com' };
    expect(replaced.data).toEqual({ email: 'other@example.com' });
    expect(decodeEvent(serialised).ok).toBe(true);
  });

  it('reads as erased once its subject key is deleted, and the event still decodes', async () => {
    const { store, keys } = setup('erase');
    await store.append('member-acme.u1', [invited('acme', 'jane@example.com')], 'no_stream');
    await store.append('member-acme.u2', [invited('acme', 'joe@example.com')], 'no_stream');
    expect(keys.erase('acme:member-acme.u1')).toBe(1);
    const [erased] = await store.readStream('member-acme.u1');
    expect(erased?.data).toMatchObject({ email: ERASED, name: ERASED, role: 'agent' });
    expect(erased?.metadata).toMatchObject({ erasedFields: ['email', 'name'] });
    const decoded = erased && decodeEvent(erased);
    expect(decoded?.ok).toBe(true);
    const [kept] = await store.readStream('member-acme.u2');
    expect(kept?.data).toMatchObject({ email: 'joe@example.com' });
  });

  it('erases a whole tenant, and only that tenant', async () => {
    const { store, keys } = setup('tenant');
    await store.append('member-acme.u1', [invited('acme', 'a@example.com')], 'no_stream');
    await store.append('call-acme.CA1', [utterance('acme', 'hello from acme')], 'no_stream');
    await store.append('member-acme2.u1', [invited('acme2', 'b@example.com')], 'no_stream');
    expect(keys.erase('acme:')).toBe(2);
    expect((await store.readStream('call-acme.CA1'))[0]?.data).toMatchObject({ text: ERASED });
    expect((await store.readStream('member-acme2.u1'))[0]?.data).toMatchObject({ email: 'b@example.com' });
  });

  it('decrypts what a subscription delivers', async () => {
    const { store } = setup('subscribe');
    const subscription = store.subscribe();
    await store.append('call-acme.CA9', [utterance('acme', 'live words')], 'no_stream');
    for await (const event of subscription) {
      expect(event.data).toMatchObject({ text: 'live words' });
      break;
    }
    await subscription.close();
  });

  it('refuses to read with the wrong master key rather than return garbage', async () => {
    const { store } = setup('wrong-master');
    await store.append('member-acme.u1', [invited('acme', 'jane@example.com')], 'no_stream');
    const other = withPersonalDataEncryption(
      createSqliteEventStore({ path: join(dir, 'wrong-master.db') }),
      createSqliteSubjectKeys(join(dir, 'wrong-master-keys.db'), randomBytes(32)),
    );
    await expect(other.readStream('member-acme.u1')).rejects.toThrow();
  });

  it('keeps a generated master key in the data directory, or takes CCP_MASTER_KEY', () => {
    const file = join(dir, 'master.key');
    const first = masterKeyFrom(undefined, file);
    expect(first).toHaveLength(32);
    expect(masterKeyFrom(undefined, file).equals(first)).toBe(true);
    const fromEnv = randomBytes(32);
    expect(masterKeyFrom(fromEnv.toString('base64'), file).equals(fromEnv)).toBe(true);
    expect(() => masterKeyFrom('c2hvcnQ=', file)).toThrow(/32 bytes/);
  });
});

describe('connection secrets in the event store', () => {
  const secret = 'xoxb-the-bots-own-token-8841';
  const created = (tenantId: string): NewEvent => ({
    id: randomUUID(),
    type: 'ConnectionCreated',
    data: {
      name: 'Support Slack',
      settings: { kind: 'slack', mode: 'bot', channel: '#support', topics: ['voicemail'] },
      secrets: { botToken: secret },
      secretHints: { botToken: '…8841' },
    },
    metadata: metadata(tenantId),
  });
  const setup = (name: string) => {
    const raw = createSqliteEventStore({ path: join(dir, `${name}.db`) });
    const keys = createSqliteSubjectKeys(join(dir, `${name}-keys.db`), master);
    return { raw, keys, store: withPersonalDataEncryption(raw, keys) };
  };

  it('are sealed on the way in and stay sealed on the way out; only openSecret opens them', async () => {
    const { raw, keys, store } = setup('secrets');
    await store.append('connection-acme.slack', [created('acme')], 'no_stream');
    expect(JSON.stringify(await raw.readAll())).not.toContain(secret);
    const [read] = await store.readStream('connection-acme.slack');
    const sealed = (read?.data as { secrets: unknown }).secrets;
    expect(sealed).toMatch(/^secret:v1:/);
    expect(JSON.stringify(read)).not.toContain(secret);
    // The event still decodes: deciders and projections read it without the secret.
    expect(decodeEvent(read!).ok).toBe(true);
    expect(openSecret(keys, 'acme', 'connection-acme.slack', sealed)).toEqual({ botToken: secret });
    // Another tenant's subject, or a value that is not sealed, opens nothing.
    expect(openSecret(keys, 'globex', 'connection-acme.slack', sealed)).toBeUndefined();
    expect(openSecret(keys, 'acme', 'connection-acme.slack', { botToken: secret })).toBeUndefined();
  });

  it('cannot be opened once the connection’s key is erased', async () => {
    const { keys, store } = setup('secrets-erased');
    await store.append('connection-acme.slack', [created('acme')], 'no_stream');
    const [read] = await store.readStream('connection-acme.slack');
    keys.erase(subjectOf('acme', 'connection-acme.slack'));
    expect(
      openSecret(keys, 'acme', 'connection-acme.slack', (read?.data as { secrets: unknown }).secrets),
    ).toBeUndefined();
  });
});

describe('personal data that looks sealed', () => {
  it('is sealed all the same: a caller cannot store clear text by starting it with the prefix', async () => {
    const raw = createSqliteEventStore({ path: join(dir, 'lookalike.db') });
    const keys = createSqliteSubjectKeys(join(dir, 'lookalike-keys.db'), master);
    const store = withPersonalDataEncryption(raw, keys);
    await store.append('call-acme.CA9', [utterance('acme', 'pii:v1:x my number is 555 0100')], 'no_stream');
    expect(JSON.stringify(await raw.readAll())).not.toContain('555 0100');
    const [read] = await store.readStream('call-acme.CA9');
    expect((read?.data as { text: string }).text).toBe('pii:v1:x my number is 555 0100');
    keys.erase(subjectOf('acme', 'call-acme.CA9'));
    const [erased] = await store.readStream('call-acme.CA9');
    expect((erased?.data as { text: string }).text).toBe(ERASED);
  });
});

describe('a stored value that only looks sealed', () => {
  it('reads as stored instead of stopping the log’s readers', async () => {
    const raw = createSqliteEventStore({ path: join(dir, 'lookalike-stored.db') });
    const keys = createSqliteSubjectKeys(join(dir, 'lookalike-stored-keys.db'), master);
    // As a version that skipped values starting with the prefix stored one: clear text under the prefix.
    keys.keyFor(subjectOf('acme', 'call-acme.CA8'));
    await raw.append('call-acme.CA8', [utterance('acme', 'pii:v1:not-ciphertext')], 'no_stream');
    const [read] = await withPersonalDataEncryption(raw, keys).readStream('call-acme.CA8');
    expect((read?.data as { text: string }).text).toBe('pii:v1:not-ciphertext');
  });
});
