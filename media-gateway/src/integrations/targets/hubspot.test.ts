import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionOf } from '../connections.js';
import type { DeliveryContent, DeliveryRequest } from '../port.js';
import { loopbackFetch, requestFor, startStandIn, type Received } from './helpdesk-testing.js';
import { CALL_TO_CONTACT, hubspotTarget } from './hubspot.js';

/*
 * The HubSpot target against a stand-in of HubSpot's CRM v3 REST API (contacts and calls objects, their search
 * endpoints and documented JSON) on 127.0.0.1, reached through the platform's outbound guard. The stand-in
 * answers 401 to any other token, as HubSpot does.
 */

const connection: ConnectionOf<'hubspot'> = {
  tenantId: 'acme',
  connectionId: 'hs',
  streamId: 'connection-acme.hs',
  kind: 'hubspot',
  name: 'HubSpot',
  settings: { kind: 'hubspot' },
  enabled: true,
  version: 1,
  sealedSecrets: 'secret:v1:x',
};
const secrets = { accessToken: 'pat-na1-good-token' };

const callContent: Extract<DeliveryContent, { kind: 'call' }> = {
  kind: 'call',
  callId: 'CA123',
  direction: 'inbound',
  customer: '+34600111222',
  businessNumber: '+15550001111',
  startedAt: '2026-12-07T05:00:00.000Z',
  endedAt: '2026-12-07T05:02:05.000Z',
  durationSeconds: 125,
  disposition: 'completed',
  outcome: 'appointment_booked',
  summary: 'Booked a cleaning for Friday.',
  transcript: [
    { speaker: 'caller', text: 'I would like a cleaning.' },
    { speaker: 'agent', text: 'Friday at ten works.' },
  ],
};

/** Contacts the stand-in holds, by phone. */
const contacts = new Map<string, { id: string; properties: Record<string, string> }>();
let calls: { id: string; properties: Record<string, string> }[] = [];

const hubspot = (r: Received) => {
  if (r.headers.authorization !== `Bearer ${secrets.accessToken}`)
    return { status: 401, body: { status: 'error', category: 'INVALID_AUTHENTICATION' } };
  const body = (r.body ? JSON.parse(r.body) : {}) as {
    filterGroups?: { filters: { propertyName: string; value: string }[] }[];
    properties?: Record<string, string>;
  };
  if (r.method === 'POST' && r.url === '/crm/v3/objects/contacts/search') {
    const values = (body.filterGroups ?? []).flatMap((g) => g.filters.map((f) => f.value));
    const found = values.map((v) => contacts.get(v)).find((c) => c !== undefined);
    return { status: 200, body: { total: found ? 1 : 0, results: found ? [found] : [] } };
  }
  if (r.method === 'POST' && r.url === '/crm/v3/objects/contacts') {
    const created = { id: '501', properties: body.properties ?? {} };
    contacts.set(created.properties['phone'] ?? '', created);
    return { status: 201, body: created };
  }
  if (r.method === 'POST' && r.url === '/crm/v3/objects/calls/search') {
    const [filter] = body.filterGroups?.[0]?.filters ?? [];
    const found =
      filter?.propertyName === 'hs_call_title'
        ? calls.filter((c) => c.properties['hs_call_title'] === filter.value)
        : calls;
    return { status: 200, body: { total: found.length, results: found } };
  }
  if (r.method === 'POST' && r.url === '/crm/v3/objects/calls') {
    const created = { id: `9${calls.length}`, properties: body.properties ?? {} };
    calls.push(created);
    return { status: 201, body: created };
  }
  if (r.method === 'GET' && r.url === '/crm/v3/objects/contacts?limit=1')
    return { status: 200, body: { results: [] } };
  return { status: 404, body: { message: `no route ${r.method} ${r.url}` } };
};

let standIn: Awaited<ReturnType<typeof startStandIn>>;
let target: ReturnType<typeof hubspotTarget>;
const request = (overrides: Partial<DeliveryRequest> = {}) =>
  requestFor(connection, secrets, { action: 'log_call', content: callContent, ...overrides });

beforeAll(async () => {
  standIn = await startStandIn(hubspot);
  target = hubspotTarget({
    fetch: loopbackFetch,
    apiUrls: { hubspot: standIn.url },
    commands: { send: () => Promise.reject(new Error('not used')) },
    consoleUrl: () => 'https://console.test',
    log: () => undefined,
  });
});
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.received.length = 0;
  contacts.clear();
  calls = [];
});

const sent = (method: string, url: string) =>
  standIn.received
    .filter((r) => r.method === method && r.url === url)
    .map((r) => JSON.parse(r.body) as unknown);

describe('HubSpot target', () => {
  it('creates the missing contact, then a call engagement associated with it (type 194)', async () => {
    const result = await target.deliver(request());
    expect(result).toEqual({ ok: true, statusCode: 201, externalId: '90' });
    expect(sent('POST', '/crm/v3/objects/contacts')).toEqual([{ properties: { phone: '+34600111222' } }]);
    const [engagement] = sent('POST', '/crm/v3/objects/calls') as {
      properties: Record<string, string>;
      associations: unknown;
    }[];
    expect(engagement?.properties).toMatchObject({
      hs_timestamp: '2026-12-07T05:00:00.000Z',
      hs_call_title: 'Inbound call +34600111222 [dlv-1]',
      hs_call_duration: '125000',
      hs_call_direction: 'INBOUND',
      hs_call_status: 'COMPLETED',
      hs_call_from_number: '+34600111222',
      hs_call_to_number: '+15550001111',
    });
    expect(engagement?.properties['hs_call_body']).toContain('Summary: Booked a cleaning for Friday.');
    expect(engagement?.properties['hs_call_body']).toContain('caller: I would like a cleaning.');
    expect(engagement?.associations).toEqual([
      {
        to: { id: '501' },
        types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: CALL_TO_CONTACT }],
      },
    ]);
    expect(CALL_TO_CONTACT).toBe(194);
    for (const r of standIn.received) expect(r.headers.authorization).toBe('Bearer pat-na1-good-token');
  });

  it('finds the contact by phone or mobile phone and creates none', async () => {
    contacts.set('+34600111222', { id: '77', properties: { firstname: 'Ana', mobilephone: '+34600111222' } });
    const result = await target.deliver(request());
    expect(result.ok).toBe(true);
    const [search] = sent('POST', '/crm/v3/objects/contacts/search') as {
      filterGroups: { filters: { propertyName: string }[] }[];
    }[];
    const names = search?.filterGroups.flatMap((g) => g.filters.map((f) => f.propertyName));
    expect(names).toContain('phone');
    expect(names).toContain('mobilephone');
    expect(sent('POST', '/crm/v3/objects/contacts')).toEqual([]);
  });

  it('logs a call once: a retry of the same delivery finds the call by its title marker', async () => {
    await target.deliver(request());
    const again = await target.deliver(request({ attempt: 2 }));
    expect(again).toEqual({ ok: true, statusCode: 200, externalId: '90' });
    expect(calls).toHaveLength(1);
  });

  it('maps an outbound unanswered call to OUTBOUND / NO_ANSWER with the numbers the other way round', async () => {
    await target.deliver(
      request({ content: { ...callContent, direction: 'outbound', disposition: 'no_answer' } }),
    );
    expect(calls[0]?.properties).toMatchObject({
      hs_call_direction: 'OUTBOUND',
      hs_call_status: 'NO_ANSWER',
      hs_call_from_number: '+15550001111',
      hs_call_to_number: '+34600111222',
    });
  });

  it('reads 429 with Retry-After as rate limited, 500 as a server error, 401 as credentials to fix', async () => {
    standIn.answerNext({ status: 429, body: { message: 'slow down' }, headers: { 'retry-after': '7' } });
    expect(await target.deliver(request())).toMatchObject({
      ok: false,
      errorKind: 'rate_limited',
      retryable: true,
      retryAfterMs: 7000,
    });
    standIn.answerNext({ status: 500, body: { message: 'oops' } });
    expect(await target.deliver(request())).toMatchObject({
      ok: false,
      errorKind: 'server_error',
      retryable: true,
    });
    const refused = await target.deliver(
      requestFor(connection, { accessToken: 'pat-bad' }, { action: 'log_call', content: callContent }),
    );
    expect(refused).toMatchObject({ ok: false, errorKind: 'auth_failed', statusCode: 401, retryable: false });
  });

  it('takes a redirect as a final client error instead of following it with the token', async () => {
    const location = `${standIn.url}/crm/v3/objects/contacts/search`;
    standIn.answerNext({ status: 307, headers: { location } });
    const result = await target.deliver(request());
    expect(result).toMatchObject({ ok: false, errorKind: 'client_error', statusCode: 307, retryable: false });
    expect(result.ok ? '' : result.error).toContain(`redirected to ${location}; set the final URL`);
    expect(standIn.received).toHaveLength(1);
  });

  it('tests the token with one contacts read, and says when it is refused', async () => {
    const signal = new AbortController().signal;
    expect(await target.test(connection, secrets, signal)).toEqual({
      ok: true,
      message: 'HubSpot accepted the access token',
      statusCode: 200,
    });
    expect(standIn.received.at(-1)?.url).toBe('/crm/v3/objects/contacts?limit=1');
    const refused = await target.test(connection, { accessToken: 'pat-bad' }, signal);
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/^the credentials were refused \(401\)/);
  });

  it('looks a caller up: the contact and its latest calls', async () => {
    contacts.set('+34600111222', {
      id: '77',
      properties: { firstname: 'Ana', lastname: 'Ruiz', email: 'ana@example.com', company: 'Acme' },
    });
    calls = [
      { id: '5', properties: { hs_call_title: 'Asked about prices', hs_timestamp: '2026-12-01T10:00:00Z' } },
    ];
    const record = await target.lookupContact?.(
      connection,
      secrets,
      '+34600111222',
      new AbortController().signal,
    );
    expect(record).toEqual({
      system: 'hubspot',
      id: '77',
      name: 'Ana Ruiz',
      email: 'ana@example.com',
      company: 'Acme',
      recent: [{ at: '2026-12-01T10:00:00Z', text: 'Asked about prices' }],
    });
    const [byContact] = sent('POST', '/crm/v3/objects/calls/search') as {
      filterGroups: { filters: { propertyName: string; value: string }[] }[];
    }[];
    expect(byContact?.filterGroups[0]?.filters[0]).toMatchObject({
      propertyName: 'associations.contact',
      value: '77',
    });
    expect(
      await target.lookupContact?.(connection, secrets, '+10000000000', new AbortController().signal),
    ).toBe(undefined);
  });
});
