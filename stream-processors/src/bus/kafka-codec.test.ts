import { randomBytes, randomUUID } from 'node:crypto';
import { Ajv } from 'ajv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEvent, ERASED, leadPersonOf, SYSTEM_ACTOR } from '@ccp/schemas';
import {
  createCommandHandler,
  commandRoutes,
  createSqliteSubjectKeys,
  personSubjectOf,
  subjectOf as keySubjectOf,
  withPersonalDataEncryption,
  type SubjectKeys,
  type EventStore,
  type RecordedEvent,
  createSqliteEventStore,
} from '@ccp/command-service';
import { fromWire, readStored, registrySchemaOf, toWire, type WireEnvelope } from './kafka-codec.js';
import { personalDataDecryptor } from './kafka-personal-data.js';

/*
 * The Kafka codec without a broker: events written by the real command handler into the real SQLite store,
 * personal fields sealed by the store, taken to the wire form and back, and checked against the schema the
 * registry is given.
 */

const system = { actor: SYSTEM_ACTOR };
let raw: EventStore;
let keys: SubjectKeys;

beforeEach(async () => {
  raw = createSqliteEventStore({ path: ':memory:' });
  keys = createSqliteSubjectKeys(':memory:', randomBytes(32));
  const handler = createCommandHandler({
    store: withPersonalDataEncryption(raw, keys),
    routes: commandRoutes,
  });
  await handler.handleTrusted(
    'CreateTenant',
    { tenantId: 'acme', name: 'Acme', planTier: 'starter' },
    system,
  );
  await handler.handleTrusted(
    'InviteMember',
    { tenantId: 'acme', userId: 'u1', email: 'ann@acme.example', name: 'Ann', role: 'agent' },
    system,
  );
});
afterEach(async () => {
  keys.close();
  await raw.close();
});

const stored = async (type: string): Promise<RecordedEvent> => {
  const event = (await raw.readAll()).find((e) => e.type === type);
  if (!event) throw new Error(`no ${type} in the log`);
  return event;
};

/** What a consumer does with a message value: JSON in, stored event out, decrypted and decoded. */
const consume = async (value: unknown) => {
  const wire = fromWire(JSON.parse(JSON.stringify(value)));
  if (!wire.ok) throw new Error(wire.error.message);
  return readStored(wire.value, personalDataDecryptor(keys));
};

const wireOf = (event: RecordedEvent): WireEnvelope => {
  const encoded = toWire(event);
  if (!encoded.ok) throw new Error(`${encoded.error.field}: ${encoded.error.message}`);
  return encoded.value.envelope;
};

describe('kafka codec', () => {
  it('carries an event there and back: personal fields sealed on the wire, in clear for the consumer', async () => {
    const event = await stored('MemberInvited');
    const envelope = wireOf(event);
    expect(JSON.stringify(envelope)).not.toContain('ann@acme.example');
    expect((envelope.data as { email: string }).email).toMatch(/^pii:v1:/);

    const read = await consume(envelope);
    // The same as reading the event store itself.
    const clear = (await withPersonalDataEncryption(raw, keys).readAll()).find((e) => e.id === event.id);
    const direct = decodeEvent(clear ?? event);
    expect(read).toEqual(direct);
    expect(read.ok && read.value).toMatchObject({
      type: 'MemberInvited',
      streamId: event.streamId,
      tenantId: 'acme',
      data: { email: 'ann@acme.example', name: 'Ann', role: 'agent' },
    });
  });

  it('gives the schema registered for the event a wire envelope that validates, sealed fields and all', async () => {
    const ajv = new Ajv({ strict: false, validateFormats: false, validateSchema: false });
    for (const type of ['TenantCreated', 'MemberInvited']) {
      const event = await stored(type);
      const encoded = toWire(event);
      if (!encoded.ok) throw new Error(encoded.error.message);
      const validate = ajv.compile(registrySchemaOf(encoded.value.definition));
      expect(
        validate(JSON.parse(JSON.stringify(encoded.value.envelope))),
        JSON.stringify(validate.errors),
      ).toBe(true);
      // A field the schema does not know is refused: the registered schema is closed.
      expect(validate({ ...encoded.value.envelope, extra: 1 })).toBe(false);
    }
  });

  it('reads an event whose subject was erased with its personal fields ERASED', async () => {
    const event = await stored('MemberInvited');
    const envelope = wireOf(event);
    keys.erase(keySubjectOf('acme', event.streamId));
    const read = await consume(envelope);
    expect(read.ok, JSON.stringify(read)).toBe(true);
    expect(read.ok && read.value.data).toMatchObject({ email: ERASED, name: ERASED, role: 'agent' });
  });

  it('reads fields a decrypting store already ERASED, though the envelope does not list them as erased', async () => {
    const envelope = wireOf(await stored('MemberInvited'));
    const wire = fromWire({
      ...envelope,
      data: { ...(envelope.data as object), email: ERASED, name: ERASED },
    });
    if (!wire.ok) throw new Error(wire.error.message);
    const read = await readStored(wire.value, (event) => event);
    expect(read.ok, JSON.stringify(read)).toBe(true);
    expect(read.ok && read.value.data).toMatchObject({ email: ERASED, name: ERASED });
  });

  it('refuses to put malformed stored events on the wire, naming the field', async () => {
    const event = await stored('MemberInvited');
    const metadata = event.metadata as Record<string, unknown>;
    const cases: [RecordedEvent, string, string][] = [
      [{ ...event, metadata: { ...metadata, tenantId: 42 } }, 'INVALID_METADATA', 'metadata.tenantId'],
      [{ ...event, metadata: 'nope' }, 'INVALID_METADATA', 'metadata.'],
      [{ ...event, type: 'NoSuchEvent' }, 'UNKNOWN_EVENT', 'type'],
      [{ ...event, metadata: { ...metadata, version: 99 } }, 'UNKNOWN_EVENT', 'type'],
      [{ ...event, data: { ...(event.data as object), role: 'emperor' } }, 'INVALID_DATA', 'data.role'],
      // A personal field may be sealed, never some other clear text that fails its schema.
      [
        { ...event, data: { ...(event.data as object), email: 'not-an-email' } },
        'INVALID_DATA',
        'data.email',
      ],
      [{ ...event, data: null }, 'INVALID_DATA', 'data.'],
    ];
    for (const [recorded, code, field] of cases) {
      const encoded = toWire(recorded);
      expect(encoded.ok, `${code} ${field}`).toBe(false);
      if (!encoded.ok) expect([encoded.error.code, encoded.error.field]).toEqual([code, field]);
    }
  });

  it('refuses a message value that is not an event envelope, and one whose event is not valid', async () => {
    for (const value of [
      null,
      'text',
      42,
      [],
      {},
      { id: 'x' },
      { id: 1, type: 'MemberInvited', streamId: 's' },
    ]) {
      const wire = fromWire(value);
      expect(wire.ok).toBe(false);
      if (!wire.ok) expect(wire.error.code).toBe('INVALID_ENVELOPE');
    }
    const envelope = wireOf(await stored('MemberInvited'));
    const noStream = fromWire({ ...envelope, streamId: undefined });
    expect(!noStream.ok && noStream.error.field).toBe('streamId');
    // Well-formed as an envelope, but its data is not a member's: decoding says so instead of passing it on.
    const bad = await consume({ ...envelope, data: { role: 'agent' } });
    expect(bad.ok).toBe(false);
  });

  it('carries a chunk of leads each sealed with its own key, and reads one person erased among them', async () => {
    const lead = (n: number) => ({ leadId: `l${n}`, phone: `+1555030000${n}`, timeZones: [], variables: {} });
    const campaign = 'campaign-acme.spring';
    await withPersonalDataEncryption(raw, keys).append(
      campaign,
      [
        {
          id: randomUUID(),
          type: 'LeadsStaged',
          data: { importId: 'i1', chunk: 0, leads: [lead(1), lead(2)] },
          metadata: {
            version: 1,
            tenantId: 'acme',
            occurredAt: new Date().toISOString(),
            causationId: null,
            correlationId: 'spring',
            actor: SYSTEM_ACTOR,
          },
        },
      ],
      'no_stream',
    );
    const event = await stored('LeadsStaged');
    const encoded = toWire(event);
    if (!encoded.ok) throw new Error(`${encoded.error.field}: ${encoded.error.message}`);
    expect(JSON.stringify(encoded.value.envelope)).not.toContain('+15550300001');
    const ajv = new Ajv({ strict: false, validateFormats: false, validateSchema: false });
    const validate = ajv.compile(registrySchemaOf(encoded.value.definition));
    expect(
      validate(JSON.parse(JSON.stringify(encoded.value.envelope))),
      JSON.stringify(validate.errors),
    ).toBe(true);

    keys.erase(personSubjectOf(keys, 'acme', campaign, leadPersonOf('+15550300001')).subject);
    const read = await consume(encoded.value.envelope);
    expect(read.ok, JSON.stringify(read)).toBe(true);
    expect(read.ok && read.value.data).toEqual({ importId: 'i1', chunk: 0, leads: [ERASED, lead(2)] });
    // As a relay fed by a decrypting store hands it over: the erased element is listed, the event still reads.
    const relayed = fromWire({
      ...encoded.value.envelope,
      data: { importId: 'i1', chunk: 0, leads: [ERASED, lead(2)] },
    });
    if (!relayed.ok) throw new Error(relayed.error.message);
    const again = await readStored(relayed.value, (e) => e);
    expect(again.ok && again.value.data).toEqual({ importId: 'i1', chunk: 0, leads: [ERASED, lead(2)] });
  });
});
