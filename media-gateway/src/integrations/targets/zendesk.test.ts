import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionOf } from '../connections.js';
import { loopbackFetch, requestFor, startStandIn, ticketContent } from './helpdesk-testing.js';
import { ZENDESK_COMMENT_MAX, zendeskTarget } from './zendesk.js';

/*
 * The Zendesk target against a stand-in of Zendesk's REST API (Tickets and Users endpoints, their documented
 * JSON) on 127.0.0.1, reached through the platform's outbound guard.
 */

const connection: ConnectionOf<'zendesk'> = {
  tenantId: 'acme',
  connectionId: 'zd',
  streamId: 'connection-acme.zd',
  kind: 'zendesk',
  name: 'Zendesk',
  settings: { kind: 'zendesk', subdomain: 'acme', email: 'agent@acme.test' },
  enabled: true,
  version: 1,
  sealedSecrets: 'secret:v1:x',
};
const secrets = { apiToken: 'zd-token-123456', webhookSecret: 'zd-hook-secret' };
const expectedAuth = `Basic ${Buffer.from('agent@acme.test/token:zd-token-123456').toString('base64')}`;

let standIn: Awaited<ReturnType<typeof startStandIn>>;
let target: ReturnType<typeof zendeskTarget>;

beforeAll(async () => {
  standIn = await startStandIn((r) =>
    r.url.includes('/api/v2/users/me')
      ? { status: 200, body: { user: { id: 7, role: 'agent' } } }
      : r.url.includes('/api/v2/tickets?')
        ? { status: 200, body: { tickets: [] } }
        : { status: 201, body: { ticket: { id: 901 } } },
  );
  // The subdomain placeholder is filled from the connection, as for https://{subdomain}.zendesk.com.
  target = zendeskTarget({ fetch: loopbackFetch, apiUrls: { zendesk: `${standIn.url}/{subdomain}` } });
});
afterAll(() => standIn.close());
beforeEach(() => {
  standIn.received.length = 0;
});

describe('Zendesk target', () => {
  it('opens a ticket with Basic auth, the delivery id as Idempotency-Key and our ref as external_id', async () => {
    const result = await target.deliver(requestFor(connection, secrets));
    expect(result).toEqual({ ok: true, statusCode: 201, externalId: '901' });
    expect(standIn.received).toHaveLength(1);
    const [sent] = standIn.received;
    expect(sent?.method).toBe('POST');
    expect(sent?.url).toBe('/acme/api/v2/tickets');
    expect(sent?.headers.authorization).toBe(expectedAuth);
    expect(sent?.headers['idempotency-key']).toBe('dlv-1');
    const { ticket } = JSON.parse(sent?.body ?? '{}') as { ticket: Record<string, unknown> };
    expect(ticket).toMatchObject({
      subject: 'Router keeps rebooting',
      priority: 'high',
      external_id: 't-42',
      tags: ['customercare-pro'],
      requester: { name: 'Ana Ruiz', email: 'ana@example.com', phone: '+34600111222' },
      comment: { public: false },
    });
    const body = (ticket.comment as { body: string }).body;
    expect(body).toContain('Since Monday');
    expect(body).toContain('Summary:\nCaller reports reboots.');
    expect(body).toContain('caller: My router reboots.');
  });

  it('leaves the requester to Zendesk when neither email nor phone is known', async () => {
    await target.deliver(
      requestFor(connection, secrets, { content: { ...ticketContent, customer: { name: 'Ana' } } }),
    );
    const { ticket } = JSON.parse(standIn.received[0]?.body ?? '{}') as { ticket: Record<string, unknown> };
    expect(ticket.requester).toBeUndefined();
  });

  it('cuts the comment to Zendesk’s 65,535 characters', async () => {
    const long = { ...ticketContent, description: 'x'.repeat(70_000) };
    await target.deliver(requestFor(connection, secrets, { content: long }));
    const { ticket } = JSON.parse(standIn.received[0]?.body ?? '{}') as {
      ticket: { comment: { body: string } };
    };
    expect(ticket.comment.body).toHaveLength(ZENDESK_COMMENT_MAX);
  });

  it('on a retry answers with the ticket it finds by external_id instead of opening another', async () => {
    standIn.answerNext({ status: 200, body: { tickets: [{ id: 900 }] } });
    const result = await target.deliver(requestFor(connection, secrets, { attempt: 2 }));
    expect(result).toEqual({ ok: true, statusCode: 200, externalId: '900' });
    expect(standIn.received.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /acme/api/v2/tickets?external_id=t-42',
    ]);
  });

  it('maps 401 to a credential to fix, 429 to a retry after Retry-After, 500 to a retry', async () => {
    standIn.answerNext({ status: 401, body: { error: "Couldn't authenticate you" } });
    expect(await target.deliver(requestFor(connection, secrets))).toMatchObject({
      ok: false,
      errorKind: 'auth_failed',
      statusCode: 401,
      retryable: false,
    });
    standIn.answerNext({ status: 429, headers: { 'retry-after': '30' } });
    expect(await target.deliver(requestFor(connection, secrets))).toMatchObject({
      ok: false,
      errorKind: 'rate_limited',
      retryable: true,
      retryAfterMs: 30_000,
    });
    standIn.answerNext({ status: 500, body: { error: 'boom' } });
    expect(await target.deliver(requestFor(connection, secrets))).toMatchObject({
      ok: false,
      errorKind: 'server_error',
      retryable: true,
    });
  });

  it('tests the credentials with /users/me, refusing 401 and the anonymous user', async () => {
    const signal = new AbortController().signal;
    expect(await target.test(connection, secrets, signal)).toMatchObject({ ok: true, statusCode: 200 });
    expect(standIn.received[0]?.url).toBe('/acme/api/v2/users/me');
    expect(standIn.received[0]?.headers.authorization).toBe(expectedAuth);
    standIn.answerNext({ status: 401, body: { error: "Couldn't authenticate you" } });
    expect(await target.test(connection, secrets, signal)).toMatchObject({ ok: false, statusCode: 401 });
    standIn.answerNext({ status: 200, body: { user: { id: null, name: 'Anonymous user' } } });
    expect(await target.test(connection, secrets, signal)).toMatchObject({
      ok: false,
      message: expect.stringContaining('anonymous') as unknown,
    });
  });

  it('is refused by the outbound guard on loopback unless allowed', async () => {
    const { outboundGuard } = await import('@ccp/command-service');
    const guarded = zendeskTarget({
      fetch: outboundGuard().fetch,
      apiUrls: { zendesk: `${standIn.url}/{subdomain}` },
    });
    expect(await guarded.deliver(requestFor(connection, secrets))).toMatchObject({
      ok: false,
      errorKind: 'url_refused',
      retryable: false,
    });
    expect(standIn.received).toHaveLength(0);
  });
});
