import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionOf } from '../connections.js';
import type { DeliveryContent, DeliveryRequest } from '../port.js';
import { loopbackFetch, requestFor, startStandIn, type Received } from './helpdesk-testing.js';
import { zohoCriteriaValue, zohoDuration, zohoTarget } from './zoho.js';

/*
 * The Zoho CRM target against a stand-in of Zoho CRM's REST API v6 (Contacts search, Calls insert and search,
 * related Calls, users; their documented JSON, 204 for a search that finds nothing) on 127.0.0.1, reached
 * through the platform's outbound guard at the tenant's API domain. Another token gets 401 INVALID_TOKEN.
 */

const secrets = { accessToken: '1000.good.token' };
let connection: ConnectionOf<'zoho'>;

const callContent: Extract<DeliveryContent, { kind: 'call' }> = {
  kind: 'call',
  callId: 'CA123',
  direction: 'inbound',
  customer: '+34600111222',
  businessNumber: '+15550001111',
  startedAt: '2026-12-07T05:00:00.000Z',
  endedAt: '2026-12-07T05:12:05.000Z',
  durationSeconds: 725,
  disposition: 'completed',
  summary: 'Wants a callback (tomorrow), about invoices.',
  transcript: [{ speaker: 'caller', text: 'Call me tomorrow.' }],
};

let contacts: Record<string, unknown>[] = [];
let calls: { id: string; [field: string]: unknown }[] = [];

const zoho = (r: Received) => {
  if (r.headers.authorization !== `Zoho-oauthtoken ${secrets.accessToken}`)
    return { status: 401, body: { code: 'INVALID_TOKEN', status: 'error', message: 'invalid oauth token' } };
  const url = new URL(r.url, 'http://x');
  if (r.method === 'GET' && url.pathname === '/crm/v6/Contacts/search') {
    const phone = url.searchParams.get('phone');
    const found = contacts.filter((c) => c['Phone'] === phone || c['Mobile'] === phone);
    return found.length > 0 ? { status: 200, body: { data: found } } : { status: 204 };
  }
  if (r.method === 'GET' && url.pathname === '/crm/v6/Calls/search') {
    const criteria = url.searchParams.get('criteria') ?? '';
    const found = calls.filter(
      (c) => criteria === `(Subject:equals:${zohoCriteriaValue(String(c['Subject']))})`,
    );
    return found.length > 0 ? { status: 200, body: { data: found } } : { status: 204 };
  }
  if (r.method === 'POST' && url.pathname === '/crm/v6/Calls') {
    const [record] = (JSON.parse(r.body) as { data: Record<string, unknown>[] }).data;
    if (record?.['Call_Type'] !== 'Inbound' && record?.['Call_Type'] !== 'Outbound')
      return {
        status: 202,
        body: { data: [{ code: 'INVALID_DATA', status: 'error', details: { api_name: 'Call_Type' } }] },
      };
    const id = `55${calls.length}`;
    calls.push({ id, ...record });
    return {
      status: 201,
      body: { data: [{ code: 'SUCCESS', status: 'success', message: 'record added', details: { id } }] },
    };
  }
  if (r.method === 'GET' && /^\/crm\/v6\/Contacts\/[^/]+\/Calls$/.test(url.pathname))
    return calls.length > 0 ? { status: 200, body: { data: calls } } : { status: 204 };
  if (r.method === 'GET' && url.pathname === '/crm/v6/users')
    return { status: 200, body: { users: [{ id: '1', full_name: 'Admin' }] } };
  return { status: 404, body: { code: 'INVALID_URL_PATTERN', status: 'error' } };
};

let standIn: Awaited<ReturnType<typeof startStandIn>>;
let target: ReturnType<typeof zohoTarget>;
const request = (overrides: Partial<DeliveryRequest> = {}) =>
  requestFor(connection, secrets, { action: 'log_call', content: callContent, ...overrides });

beforeAll(async () => {
  standIn = await startStandIn(zoho);
  connection = {
    tenantId: 'acme',
    connectionId: 'zo',
    streamId: 'connection-acme.zo',
    kind: 'zoho',
    name: 'Zoho',
    settings: { kind: 'zoho', apiDomain: standIn.url },
    enabled: true,
    version: 1,
    sealedSecrets: 'secret:v1:x',
  };
  target = zohoTarget({
    fetch: loopbackFetch,
    apiUrls: {},
    commands: { send: () => Promise.reject(new Error('not used')) },
    consoleUrl: () => 'https://console.test',
    log: () => undefined,
  });
});
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.received.length = 0;
  contacts = [];
  calls = [];
});

const callsPosted = () =>
  standIn.received
    .filter((r) => r.method === 'POST' && r.url === '/crm/v6/Calls')
    .map((r) => JSON.parse(r.body) as unknown);

describe('Zoho CRM target', () => {
  it('logs the call in the Calls module on the contact found by phone', async () => {
    contacts = [{ id: '4100', Full_Name: 'Ana Ruiz', Phone: '+34600111222' }];
    const result = await target.deliver(request());
    expect(result).toEqual({ ok: true, statusCode: 201, externalId: '550' });
    expect(callsPosted()).toEqual([
      {
        data: [
          {
            Subject: 'Inbound call +34600111222 [dlv-1]',
            Call_Type: 'Inbound',
            Call_Start_Time: '2026-12-07T05:00:00+00:00',
            Call_Duration: '12:05',
            Call_Result: 'Completed',
            Description: expect.stringContaining('Transcript:\ncaller: Call me tomorrow.') as unknown,
            Who_Id: { id: '4100' },
          },
        ],
      },
    ]);
    for (const r of standIn.received) expect(r.headers.authorization).toBe('Zoho-oauthtoken 1000.good.token');
  });

  it('takes 204 from the contact search as nobody, and logs the call with no contact', async () => {
    expect(await target.deliver(request())).toMatchObject({ ok: true });
    expect(calls[0]).not.toHaveProperty('Who_Id');
  });

  it('a retry finds the call by its Subject (criteria escaped) and adds no second', async () => {
    await target.deliver(request());
    expect(await target.deliver(request({ attempt: 2 }))).toEqual({
      ok: true,
      statusCode: 200,
      externalId: '550',
    });
    expect(calls).toHaveLength(1);
    expect(zohoCriteriaValue('a(b),c\\')).toBe('a\\(b\\)\\,c\\\\');
    expect(zohoDuration(59)).toBe('00:59');
    expect(zohoDuration(3725)).toBe('62:05');
  });

  it('a record Zoho refuses inside a 2xx (per-record status) is a client error, not delivered', async () => {
    // The Calls search and the two forms of the number find nothing; then the insert is refused.
    for (let i = 0; i < 3; i += 1) standIn.answerNext({ status: 204 });
    standIn.answerNext({
      status: 202,
      body: { data: [{ code: 'INVALID_DATA', status: 'error', details: { api_name: 'Call_Duration' } }] },
    });
    const result = await target.deliver(request());
    expect(result).toMatchObject({ ok: false, errorKind: 'client_error', retryable: false });
    expect(result.ok ? '' : result.error).toContain('INVALID_DATA');
  });

  it('reads 429 with Retry-After, 500, and a refused token', async () => {
    standIn.answerNext({ status: 429, body: { code: 'TOO_MANY_REQUESTS' }, headers: { 'retry-after': '2' } });
    expect(await target.deliver(request())).toMatchObject({ errorKind: 'rate_limited', retryAfterMs: 2000 });
    standIn.answerNext({ status: 500, body: { code: 'INTERNAL_ERROR' } });
    expect(await target.deliver(request())).toMatchObject({ errorKind: 'server_error', retryable: true });
    const refused = await target.deliver(
      requestFor(connection, { accessToken: 'stale' }, { action: 'log_call', content: callContent }),
    );
    expect(refused).toMatchObject({ errorKind: 'auth_failed', statusCode: 401, retryable: false });
  });

  it('tests the token with the current user, and says when it is refused', async () => {
    const signal = new AbortController().signal;
    expect(await target.test(connection, secrets, signal)).toMatchObject({ ok: true });
    expect(standIn.received.at(-1)?.url).toBe('/crm/v6/users?type=CurrentUser');
    expect((await target.test(connection, { accessToken: 'stale' }, signal)).message).toMatch(
      /^the credentials were refused \(401\)/,
    );
  });

  it('looks a caller up: the contact, its account and its calls', async () => {
    contacts = [
      {
        id: '4100',
        Full_Name: 'Ana Ruiz',
        Email: 'ana@example.com',
        Phone: '+34600111222',
        Account_Name: { name: 'Acme', id: '9' },
      },
    ];
    calls = [{ id: '1', Subject: 'Billing question', Call_Start_Time: '2026-12-01T10:00:00+00:00' }];
    const record = await target.lookupContact?.(
      connection,
      secrets,
      '+34600111222',
      new AbortController().signal,
    );
    expect(record).toEqual({
      system: 'zoho',
      id: '4100',
      name: 'Ana Ruiz',
      email: 'ana@example.com',
      phone: '+34600111222',
      company: 'Acme',
      recent: [{ at: '2026-12-01T10:00:00+00:00', text: 'Billing question' }],
    });
    expect(
      await target.lookupContact?.(connection, secrets, '+19999999999', new AbortController().signal),
    ).toBe(undefined);
  });
});
