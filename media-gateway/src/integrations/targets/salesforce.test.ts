import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionOf } from '../connections.js';
import type { DeliveryContent, DeliveryRequest } from '../port.js';
import { soqlString } from './crm-common.js';
import { loopbackFetch, requestFor, startStandIn, type Received } from './helpdesk-testing.js';
import { salesforceTarget } from './salesforce.js';

/*
 * The Salesforce target against a stand-in of Salesforce's REST API v60.0 (the query resource with SOQL, the
 * Task sObject, limits; their documented JSON) on 127.0.0.1, reached through the platform's outbound guard
 * at the tenant's instance URL. The stand-in answers 401 INVALID_SESSION_ID to any other token.
 */

const secrets = { accessToken: '00Dxx!good-session' };
let connection: ConnectionOf<'salesforce'>;

const callContent: Extract<DeliveryContent, { kind: 'call' }> = {
  kind: 'call',
  callId: 'CA123',
  direction: 'outbound',
  customer: '+34600111222',
  businessNumber: '+15550001111',
  startedAt: '2026-12-07T05:00:00.000Z',
  endedAt: '2026-12-07T05:01:30.000Z',
  durationSeconds: 90,
  disposition: 'completed',
  summary: 'Renewal agreed.',
  transcript: [{ speaker: 'agent', text: 'Shall we renew?' }],
};

interface Row {
  readonly Id: string;
  readonly [field: string]: unknown;
}
let contactRows: Row[] = [];
let leadRows: Row[] = [];
let tasks: Row[] = [];
const soql: string[] = [];

const salesforce = (r: Received) => {
  if (r.headers.authorization !== `Bearer ${secrets.accessToken}`)
    return {
      status: 401,
      body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
    };
  const url = new URL(r.url, 'http://x');
  if (r.method === 'GET' && url.pathname === '/services/data/v60.0/query') {
    const q = url.searchParams.get('q') ?? '';
    soql.push(q);
    const records = q.includes('FROM Contact')
      ? contactRows
      : q.includes('FROM Lead')
        ? leadRows
        : q.includes('WHERE Subject =')
          ? tasks.filter((t) => q.includes(soqlString(String(t['Subject']))))
          : tasks;
    return { status: 200, body: { totalSize: records.length, done: true, records } };
  }
  if (r.method === 'POST' && url.pathname === '/services/data/v60.0/sobjects/Task') {
    const task = { Id: `00T${tasks.length}`, ...(JSON.parse(r.body) as object) };
    tasks.push(task);
    return { status: 201, body: { id: task.Id, success: true, errors: [] } };
  }
  if (r.method === 'GET' && url.pathname === '/services/data/v60.0/limits')
    return { status: 200, body: { DailyApiRequests: { Max: 15000, Remaining: 14999 } } };
  return { status: 404, body: [{ errorCode: 'NOT_FOUND', message: r.url }] };
};

let standIn: Awaited<ReturnType<typeof startStandIn>>;
let target: ReturnType<typeof salesforceTarget>;
const request = (overrides: Partial<DeliveryRequest> = {}) =>
  requestFor(connection, secrets, { action: 'log_call', content: callContent, ...overrides });

beforeAll(async () => {
  standIn = await startStandIn(salesforce);
  connection = {
    tenantId: 'acme',
    connectionId: 'sf',
    streamId: 'connection-acme.sf',
    kind: 'salesforce',
    name: 'Salesforce',
    settings: { kind: 'salesforce', instanceUrl: standIn.url },
    enabled: true,
    version: 1,
    sealedSecrets: 'secret:v1:x',
  };
  target = salesforceTarget({
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
  soql.length = 0;
  contactRows = [];
  leadRows = [];
  tasks = [];
});

describe('Salesforce target', () => {
  it('logs a completed call Task on the Contact with that phone', async () => {
    contactRows = [{ Id: '003A', Name: 'Ana Ruiz' }];
    const result = await target.deliver(request());
    expect(result).toEqual({ ok: true, statusCode: 201, externalId: '00T0' });
    expect(tasks[0]).toEqual({
      Id: '00T0',
      Subject: 'Outbound call +34600111222 [dlv-1]',
      TaskSubtype: 'Call',
      Type: 'Call',
      CallType: 'Outbound',
      CallDurationInSeconds: 90,
      CallDisposition: 'Completed',
      Description: expect.stringContaining('Summary: Renewal agreed.') as unknown,
      Status: 'Completed',
      ActivityDate: '2026-12-07',
      WhoId: '003A',
    });
    const contactQuery = soql.find((q) => q.includes('FROM Contact'));
    expect(contactQuery).toContain("Phone IN ('+34600111222', '34600111222')");
    expect(contactQuery).toContain('MobilePhone IN');
    for (const r of standIn.received) expect(r.headers.authorization).toBe('Bearer 00Dxx!good-session');
  });

  it('falls back to a Lead, and logs with no one when neither has the number', async () => {
    leadRows = [{ Id: '00QL', Name: 'Lee' }];
    await target.deliver(request());
    expect(tasks[0]?.['WhoId']).toBe('00QL');
    leadRows = [];
    await target.deliver(request({ deliveryId: 'dlv-2' }));
    expect(tasks[1]).not.toHaveProperty('WhoId');
  });

  it('a retry finds the Task an earlier attempt created (by its Subject) and creates no second', async () => {
    await target.deliver(request());
    expect(await target.deliver(request({ attempt: 2 }))).toEqual({
      ok: true,
      statusCode: 200,
      externalId: '00T0',
    });
    expect(tasks).toHaveLength(1);
  });

  it('escapes quotes and backslashes in SOQL literals: a number cannot end the string', async () => {
    expect(soqlString(`+1' OR Name != '`)).toBe(`'+1\\' OR Name != \\''`);
    expect(soqlString('a\\b\nc')).toBe(`'a\\\\b\\nc'`);
    await target.lookupContact?.(connection, secrets, `+1555' OR Id != '`, new AbortController().signal);
    for (const q of soql) expect(q).not.toMatch(/[^\\]' OR Id != '/);
  });

  it('reads 429 with Retry-After, 500, and a refused session', async () => {
    standIn.answerNext({ status: 429, body: [], headers: { 'retry-after': '3' } });
    expect(await target.deliver(request())).toMatchObject({
      errorKind: 'rate_limited',
      retryable: true,
      retryAfterMs: 3000,
    });
    standIn.answerNext({ status: 500, body: [] });
    expect(await target.deliver(request())).toMatchObject({ errorKind: 'server_error', retryable: true });
    const refused = await target.deliver(
      requestFor(connection, { accessToken: 'expired' }, { action: 'log_call', content: callContent }),
    );
    expect(refused).toMatchObject({ errorKind: 'auth_failed', statusCode: 401, retryable: false });
  });

  it('tests the session with the limits resource', async () => {
    const signal = new AbortController().signal;
    expect(await target.test(connection, secrets, signal)).toMatchObject({ ok: true, statusCode: 200 });
    expect(standIn.received.at(-1)?.url).toBe('/services/data/v60.0/limits');
    const refused = await target.test(connection, { accessToken: 'expired' }, signal);
    expect(refused.message).toMatch(/^the credentials were refused \(401\)/);
  });

  it('looks a caller up: the Contact, its account, its latest Tasks and where to open it', async () => {
    contactRows = [{ Id: '003A', Name: 'Ana Ruiz', Email: 'ana@example.com', Account: { Name: 'Acme' } }];
    tasks = [{ Id: '00T9', Subject: 'Asked for a quote', ActivityDate: '2026-12-01' }];
    const record = await target.lookupContact?.(
      connection,
      secrets,
      '+34600111222',
      new AbortController().signal,
    );
    expect(record).toEqual({
      system: 'salesforce',
      id: '003A',
      name: 'Ana Ruiz',
      email: 'ana@example.com',
      company: 'Acme',
      url: `${standIn.url}/lightning/r/Contact/003A/view`,
      recent: [{ at: '2026-12-01', text: 'Asked for a quote' }],
    });
    expect(soql.at(-1)).toContain("WHERE WhoId = '003A'");
  });
});
