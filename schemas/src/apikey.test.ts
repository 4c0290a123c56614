import { describe, expect, it } from 'vitest';
import { apiKeyEvents, apiKeyEventsLatest } from './apikey.js';
import { decodeEvent, eventJsonSchema, type StoredEvent } from './catalog.js';

const v1 = { name: 'CRM sync', role: 'agent', scopes: ['commands', 'read'], keyHash: 'a'.repeat(64) };
const stored = (version: number, data: unknown): StoredEvent => ({
  id: '7d3c1f0e-2a9b-4c1e-9f55-0a1b2c3d4e5f',
  type: 'ApiKeyIssued',
  streamId: 'apikey-acme.key_1',
  data,
  metadata: {
    version,
    tenantId: 'acme',
    occurredAt: '2024-05-01T12:00:00.000Z',
    causationId: null,
    correlationId: 'c-1',
    actor: { kind: 'user', id: 'dana', role: 'tenant_admin', tenantId: 'acme' },
  },
});

describe('ApiKeyIssued versions', () => {
  it('reads a v1 key (issued before issuers were recorded) as v2 with no issuer', () => {
    expect(decodeEvent(stored(1, v1))).toMatchObject({
      ok: true,
      value: { version: 2, data: { ...v1, issuedBy: null } },
    });
  });

  it('reads v2 with its issuer', () => {
    const issuedBy = { kind: 'api_key', id: 'key_0', accountable: 'dana' };
    expect(decodeEvent(stored(2, { ...v1, issuedBy }))).toMatchObject({
      ok: true,
      value: { version: 2, data: { issuedBy } },
    });
  });

  it('keeps v1 for decoding, writes only v2, and registers both', () => {
    const versions = (list: readonly { type: string; version: number }[]) =>
      list.filter((d) => d.type === 'ApiKeyIssued').map((d) => d.version);
    expect(versions(apiKeyEvents)).toEqual([2, 1]);
    expect(versions(apiKeyEventsLatest)).toEqual([2]);
    for (const definition of apiKeyEvents) expect(eventJsonSchema(definition).type).toBe('object');
  });
});
