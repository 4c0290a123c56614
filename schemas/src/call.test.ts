import { describe, expect, it } from 'vitest';
import { decodeEvent, eventJsonSchema, type StoredEvent } from './catalog.js';
import {
  ChooseIvrOption,
  RecordUtterance,
  StartCall,
  TransferCall,
  UNDETERMINED_LANGUAGE,
  UtteranceRecorded,
  callEvents,
  callEventsLatest,
} from './call.js';
import { LanguageTag } from './primitives.js';

const key = { tenantId: 'acme', callId: 'CA0123456789abcdef0123456789abcdef' };

const stored = (version: number, data: unknown): StoredEvent => ({
  id: '7d3c1f0e-2a9b-4c1e-9f55-0a1b2c3d4e5f',
  type: 'UtteranceRecorded',
  streamId: `call-acme.${key.callId}`,
  data,
  metadata: {
    version,
    tenantId: 'acme',
    occurredAt: '2024-05-01T12:00:00.000Z',
    causationId: null,
    correlationId: key.callId,
    actor: { kind: 'system', id: 'platform' },
  },
});

describe('UtteranceRecorded versions', () => {
  it('reads a v1 utterance as v2 in an undetermined language', () => {
    const decoded = decodeEvent(stored(1, { speaker: 'caller', text: 'Hello?', confidence: 0.9 }));
    expect(decoded).toEqual({
      ok: true,
      value: {
        id: '7d3c1f0e-2a9b-4c1e-9f55-0a1b2c3d4e5f',
        type: 'UtteranceRecorded',
        streamId: `call-acme.${key.callId}`,
        version: 2,
        data: { speaker: 'caller', text: 'Hello?', confidence: 0.9, language: 'und' },
        tenantId: 'acme',
        occurredAt: '2024-05-01T12:00:00.000Z',
        causationId: null,
        correlationId: key.callId,
        actor: { kind: 'system', id: 'platform' },
      },
    });
  });

  it('the upcast data is valid v2 data', () => {
    expect(LanguageTag.safeParse(UNDETERMINED_LANGUAGE).success).toBe(true);
    const decoded = decodeEvent(stored(1, { speaker: 'ai', text: 'Hi!', confidence: 1 }));
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(UtteranceRecorded.data.safeParse(decoded.value.data).success).toBe(true);
  });

  it('reads a v2 utterance unchanged', () => {
    const data = {
      utteranceId: 'utt-1',
      speaker: 'caller',
      text: 'Hola',
      confidence: 0.8,
      language: 'es-MX',
      startedAt: '2026-03-02T09:55:01.000Z',
      endedAt: '2026-03-02T09:55:02.000Z',
    };
    const decoded = decodeEvent(stored(2, data));
    expect(decoded.ok && decoded.value).toMatchObject({ version: 2, data });
  });

  it('refuses a version it has no schema for', () => {
    expect(decodeEvent(stored(3, { speaker: 'caller', text: 'Hello?', confidence: 0.9 }))).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_EVENT', field: 'type' },
    });
  });

  it('refuses a v1 utterance that is not valid v1 data', () => {
    expect(decodeEvent(stored(1, { speaker: 'robot', text: 'Hello?', confidence: 0.9 }))).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', field: 'data.speaker' },
    });
  });
});

describe('call event catalog', () => {
  it('keeps v1 of UtteranceRecorded for decoding and writes only the latest', () => {
    const versions = (list: readonly { type: string; version: number }[]) =>
      list.filter((d) => d.type === 'UtteranceRecorded').map((d) => d.version);
    expect(versions(callEvents)).toEqual([2, 1]);
    expect(versions(callEventsLatest)).toEqual([2]);
  });

  it.each(callEvents.map((d) => [`${d.type} v${d.version}`, d] as const))(
    'has a JSON schema for %s',
    (_name, definition) => {
      const schema = eventJsonSchema(definition);
      expect(schema.type).toBe('object');
      expect(schema.properties).toHaveProperty('data');
    },
  );
});

describe('call command validation', () => {
  it('takes phone numbers and SIP addresses, nothing else', () => {
    const start = { ...key, direction: 'inbound', to: '+15559870000', provider: 'twilio' };
    expect(StartCall.data.safeParse({ ...start, from: 'sip:alice@example.com' }).success).toBe(true);
    expect(StartCall.data.safeParse({ ...start, from: '555-1234' }).success).toBe(false);
  });

  it('takes only keypad keys as dtmf', () => {
    expect(ChooseIvrOption.data.safeParse({ ...key, input: 'dtmf', value: '1#' }).success).toBe(true);
    const words = ChooseIvrOption.data.safeParse({ ...key, input: 'dtmf', value: 'billing' });
    expect(words.success || words.error.issues[0]?.path).toEqual(['value']);
    expect(ChooseIvrOption.data.safeParse({ ...key, input: 'speech', value: 'billing' }).success).toBe(true);
  });

  it('refuses an utterance that ends before it starts', () => {
    const result = RecordUtterance.data.safeParse({
      ...key,
      utteranceId: 'utt-1',
      speaker: 'caller',
      text: 'Hello?',
      confidence: 0.9,
      language: 'en',
      startedAt: '2026-03-02T10:00:02+01:00',
      endedAt: '2026-03-02T09:00:01Z',
    });
    expect(result.success || result.error.issues[0]?.path).toEqual(['endedAt']);
  });

  it('transfers outside only to a phone number or SIP address', () => {
    const external = (id: string) =>
      TransferCall.data.safeParse({ ...key, to: { kind: 'external', id } }).success;
    expect(external('+4930123456')).toBe(true);
    expect(external('billing')).toBe(false);
    expect(TransferCall.data.safeParse({ ...key, to: { kind: 'agent', id: 'ag-2' } }).success).toBe(true);
  });
});
