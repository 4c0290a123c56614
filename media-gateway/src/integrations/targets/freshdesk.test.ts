import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionOf } from '../connections.js';
import { freshdeskTarget } from './freshdesk.js';
import { loopbackFetch, requestFor, startStandIn, ticketContent } from './helpdesk-testing.js';

/*
 * The Freshdesk target against a stand-in of Freshdesk's REST API v2 (Tickets and Agents endpoints, their
 * documented JSON) on 127.0.0.1, reached through the platform's outbound guard.
 */

const connection: ConnectionOf<'freshdesk'> = {
  tenantId: 'acme',
  connectionId: 'fd',
  streamId: 'connection-acme.fd',
  kind: 'freshdesk',
  name: 'Freshdesk',
  settings: { kind: 'freshdesk', domain: 'acme' },
  enabled: true,
  version: 1,
  sealedSecrets: 'secret:v1:x',
};
const secrets = { apiKey: 'fd-key-123456', webhookSecret: 'fd-hook-secret' };
const expectedAuth = `Basic ${Buffer.from('fd-key-123456:X').toString('base64')}`;

let standIn: Awaited<ReturnType<typeof startStandIn>>;
let target: ReturnType<typeof freshdeskTarget>;

beforeAll(async () => {
  standIn = await startStandIn((r) =>
    r.url.includes('/api/v2/agents/me')
      ? { status: 200, body: { id: 3, contact: { email: 'agent@acme.test' } } }
      : r.url.includes('/api/v2/search/tickets')
        ? { status: 200, body: { total: 0, results: [] } }
        : { status: 201, body: { id: 55, subject: 'x' } },
  );
  target = freshdeskTarget({ fetch: loopbackFetch, apiUrls: { freshdesk: `${standIn.url}/{domain}` } });
});
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.received.length = 0;
});

const sentTicket = () => JSON.parse(standIn.received[0]?.body ?? '{}') as Record<string, unknown>;

describe('Freshdesk target', () => {
  it('opens a ticket with Basic auth (<key>:X), priority, status open and our ref as a tag', async () => {
    const result = await target.deliver(requestFor(connection, secrets));
    expect(result).toEqual({ ok: true, statusCode: 201, externalId: '55' });
    const [sent] = standIn.received;
    expect(`${sent?.method} ${sent?.url}`).toBe('POST /acme/api/v2/tickets');
    expect(sent?.headers.authorization).toBe(expectedAuth);
    expect(sentTicket()).toMatchObject({
      subject: 'Router keeps rebooting',
      priority: 3,
      status: 2,
      email: 'ana@example.com',
      phone: '+34600111222',
      name: 'Ana Ruiz',
      tags: ['customercare-pro', 'ccp:t-42'],
    });
  });

  it('escapes the description as HTML', async () => {
    await target.deliver(requestFor(connection, secrets));
    const description = sentTicket().description as string;
    expect(description).toContain('&lt;b&gt;urgent&lt;/b&gt; &amp; &quot;loud&quot;');
    expect(description).not.toContain('<b>');
    expect(description).toContain('<br>');
  });

  it('names a requester known by phone alone with the phone when no name is known', async () => {
    const content = { ...ticketContent, customer: { phone: '+34600111222' } };
    await target.deliver(requestFor(connection, secrets, { content }));
    expect(sentTicket()).toMatchObject({ phone: '+34600111222', name: '+34600111222' });
  });

  it('refuses for good a ticket whose requester has neither email nor phone, sending nothing', async () => {
    const content = { ...ticketContent, customer: { name: 'Ana' } };
    expect(await target.deliver(requestFor(connection, secrets, { content }))).toMatchObject({
      ok: false,
      errorKind: 'client_error',
      retryable: false,
      error: expect.stringContaining('no way to name the requester') as unknown,
    });
    expect(standIn.received).toHaveLength(0);
  });

  it('maps 401, 429 with Retry-After, and 500', async () => {
    standIn.answerNext({ status: 401, body: { code: 'invalid_credentials' } });
    expect(await target.deliver(requestFor(connection, secrets))).toMatchObject({
      errorKind: 'auth_failed',
      retryable: false,
    });
    standIn.answerNext({ status: 429, headers: { 'retry-after': '12' } });
    expect(await target.deliver(requestFor(connection, secrets))).toMatchObject({
      errorKind: 'rate_limited',
      retryable: true,
      retryAfterMs: 12_000,
    });
    standIn.answerNext({ status: 503 });
    expect(await target.deliver(requestFor(connection, secrets))).toMatchObject({
      errorKind: 'server_error',
      retryable: true,
    });
  });

  it('opens the ticket at once on a first attempt, without searching', async () => {
    await target.deliver(requestFor(connection, secrets));
    expect(standIn.received.map((r) => r.method)).toEqual(['POST']);
  });

  it('on a retry answers with the ticket already tagged with our ref instead of opening a second', async () => {
    standIn.answerNext({ status: 200, body: { total: 1, results: [{ id: 77, tags: ['ccp:t-42'] }] } });
    const result = await target.deliver(requestFor(connection, secrets, { attempt: 2 }));
    expect(result).toEqual({ ok: true, statusCode: 200, externalId: '77' });
    expect(standIn.received).toHaveLength(1);
    const [search] = standIn.received;
    const url = new URL(search?.url ?? '', 'http://x');
    expect(`${search?.method} ${url.pathname}`).toBe('GET /acme/api/v2/search/tickets');
    // Freshdesk's filter query: the whole expression in double quotes, string values in single quotes.
    expect(url.searchParams.get('query')).toBe(`"tag:'ccp:t-42'"`);
    expect(search?.headers.authorization).toBe(expectedAuth);
  });

  it('on a retry that finds nothing opens the ticket; a failed search ends the attempt as its answer', async () => {
    const created = await target.deliver(requestFor(connection, secrets, { attempt: 3 }));
    expect(created).toEqual({ ok: true, statusCode: 201, externalId: '55' });
    expect(standIn.received.map((r) => r.method)).toEqual(['GET', 'POST']);
    standIn.received.length = 0;
    standIn.answerNext({ status: 503 });
    expect(await target.deliver(requestFor(connection, secrets, { attempt: 2 }))).toMatchObject({
      ok: false,
      errorKind: 'server_error',
      retryable: true,
    });
    expect(standIn.received.map((r) => r.method)).toEqual(['GET']);
  });

  it('tests the key with /agents/me', async () => {
    const signal = new AbortController().signal;
    expect(await target.test(connection, secrets, signal)).toMatchObject({ ok: true, statusCode: 200 });
    expect(standIn.received[0]?.url).toBe('/acme/api/v2/agents/me');
    expect(standIn.received[0]?.headers.authorization).toBe(expectedAuth);
    standIn.answerNext({ status: 401, body: { code: 'invalid_credentials' } });
    expect(await target.test(connection, secrets, signal)).toMatchObject({ ok: false, statusCode: 401 });
  });
});
