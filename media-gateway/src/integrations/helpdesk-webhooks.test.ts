import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEvent, SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import {
  commandRoutes,
  createCommandHandler,
  createSqliteEventStore,
  createSqliteSubjectKeys,
  withPersonalDataEncryption,
  type EventStore,
} from '@ccp/command-service';
import { helpdeskWebhooks } from './helpdesk-webhooks.js';
import { createLiveConnections } from './live-connections.js';

/*
 * POST /integrations/zendesk|freshdesk/:tenant/:connection on a real command handler (ticket and connection
 * deciders) and an encrypted SQLite log, the connections read by the live view as the gateway reads them.
 * Requests are signed here as Zendesk documents its webhook signature; no helpdesk is involved.
 */

const dir = mkdtempSync(join(tmpdir(), 'ccp-helpdesk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ZD_SECRET = 'zendesk-signing-secret-0123456789';
const FD_TOKEN = 'freshdesk-shared-token-0123456789';
const NOW = new Date('2026-12-07T05:00:00.000Z');

let store: EventStore;
let server: Server | undefined;
let base = '';
let run = 0;
const logged: string[] = [];
let handler: ReturnType<typeof createCommandHandler>;
let clock = NOW;

const send = (tenantId: string, type: string, data: Record<string, unknown>) =>
  handler.handleTrusted(type, { tenantId, ...data }, { actor: SYSTEM_ACTOR });

beforeEach(async () => {
  run += 1;
  clock = NOW;
  const keys = createSqliteSubjectKeys(join(dir, `keys-${run}.db`), randomBytes(32));
  store = withPersonalDataEncryption(createSqliteEventStore({ path: ':memory:' }), keys);
  handler = createCommandHandler({ store, routes: commandRoutes });
  for (const tenantId of ['acme', 'other']) {
    await send(tenantId, 'CreateTenant', { name: `${tenantId} Ltd`, planTier: 'starter' });
    await send(tenantId, 'CreateConnection', {
      connectionId: 'zd',
      name: 'Zendesk',
      settings: { kind: 'zendesk', subdomain: tenantId, email: 'agent@acme.test' },
      secrets: { apiToken: 'zd-api-token-123', webhookSecret: `${ZD_SECRET}-${tenantId}` },
    });
    await send(tenantId, 'CreateConnection', {
      connectionId: 'fd',
      name: 'Freshdesk',
      settings: { kind: 'freshdesk', domain: tenantId },
      secrets: { apiKey: 'fd-api-key-123', webhookSecret: `${FD_TOKEN}-${tenantId}` },
    });
    await send(tenantId, 'OpenTicket', { ticketId: 't-42', subject: 'Router', description: 'Reboots.' });
  }
  const live = createLiveConnections(store, keys);
  const app = new Koa();
  app.use(
    helpdeskWebhooks({
      connections: live.view,
      catchUp: live.catchUp,
      handler,
      log: (m) => logged.push(m),
      now: () => clock,
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server?.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  await store.close();
  logged.length = 0;
});

const ticketEvents = async (tenantId = 'acme'): Promise<EventEnvelope[]> =>
  (await store.readStream(`ticket-${tenantId}.t-42`)).flatMap((recorded) => {
    const decoded = decodeEvent(recorded);
    return decoded.ok ? [decoded.value] : [];
  });
const typesAfterOpen = async (tenantId = 'acme') =>
  (await ticketEvents(tenantId)).slice(1).map((e) => e.type);

const zendeskSignature = (body: string, secret: string, timestamp: string) =>
  createHmac('sha256', secret)
    .update(timestamp + body)
    .digest('base64');

const postZendesk = async (
  payload: Record<string, unknown>,
  options: { secret?: string; timestamp?: string; path?: string; signature?: string } = {},
) => {
  const body = JSON.stringify(payload);
  const timestamp = options.timestamp ?? clock.toISOString();
  const response = await fetch(`${base}${options.path ?? '/integrations/zendesk/acme/zd'}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-zendesk-webhook-signature':
        options.signature ?? zendeskSignature(body, options.secret ?? `${ZD_SECRET}-acme`, timestamp),
      'x-zendesk-webhook-signature-timestamp': timestamp,
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const postFreshdesk = async (
  payload: Record<string, unknown>,
  options: { token?: string; path?: string } = {},
) => {
  const response = await fetch(`${base}${options.path ?? '/integrations/freshdesk/acme/fd'}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token !== '' && { 'x-ccp-webhook-token': options.token ?? `${FD_TOKEN}-acme` }),
    },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const solved = { ticket_id: '901', external_id: 't-42', status: 'Solved' };

/** What every unverified request gets, whether the connection exists or not: nothing to tell ids apart by. */
let refusedBody: Record<string, unknown> | undefined;
const expectRefused = (answer: { status: number; body: Record<string, unknown> }) => {
  expect(answer.status).toBe(401);
  refusedBody ??= answer.body;
  expect(answer.body).toEqual(refusedBody);
};

describe('Zendesk status webhook', () => {
  it('resolves our ticket when Zendesk says it is solved, as the helpdesk, once', async () => {
    expect(await postZendesk(solved)).toEqual({ status: 200, body: { received: true } });
    const events = await ticketEvents();
    expect(events.slice(1)).toMatchObject([
      { type: 'TicketResolved', data: { resolution: 'Solved in Zendesk #901' } },
    ]);
    expect(events[1]?.actor).toMatchObject({ kind: 'system', id: 'zendesk:zd' });
    // Zendesk sends it again: nothing more happens.
    expect((await postZendesk(solved)).status).toBe(200);
    expect(await typesAfterOpen()).toEqual(['TicketResolved']);
    expect(await typesAfterOpen('other')).toEqual([]);
  });

  it('moves the ticket to pending on hold, and reopens a resolved one on open', async () => {
    await postZendesk({ ...solved, status: 'hold' });
    await postZendesk(solved);
    await postZendesk({ ...solved, status: 'open' });
    expect((await ticketEvents()).slice(1)).toMatchObject([
      { type: 'TicketUpdated', data: { changes: { status: 'pending' } } },
      { type: 'TicketResolved' },
      { type: 'TicketReopened', data: { reason: 'Reopened in Zendesk #901' } },
    ]);
  });

  it.each([
    ['a signature made with another secret', { secret: 'not-the-secret' }],
    ['another tenant’s secret', { secret: `${ZD_SECRET}-other` }],
    ['a stale timestamp', { timestamp: new Date(NOW.getTime() - 6 * 60_000).toISOString() }],
    ['no signature', { signature: '' }],
  ])('refuses %s with 401, recording nothing', async (_, options) => {
    const answer = await postZendesk(solved, options);
    expectRefused(answer);
    expect(await typesAfterOpen()).toEqual([]);
    expect(JSON.stringify(logged)).not.toContain(ZD_SECRET);
  });

  it.each([
    ['an unknown connection id', '/integrations/zendesk/acme/nope'],
    ['a connection of another kind', '/integrations/zendesk/acme/fd'],
    ['a tenant that is not', '/integrations/zendesk/ghost/zd'],
    ['an id that is no id', '/integrations/zendesk/acme/no%20such'],
  ])('answers %s as it answers a bad signature: 401, same body', async (_, path) => {
    expectRefused(await postZendesk(solved, { path }));
    expectRefused(await postZendesk(solved, { signature: 'bad' }));
    // Nor does the body limit tell them apart: it is applied before the connection is looked up.
    const big = { ...solved, padding: 'x'.repeat(70_000) };
    expect((await postZendesk(big, { path })).status).toBe(413);
    expect(await typesAfterOpen()).toEqual([]);
  });

  it('answers a disabled connection as it answers a bad signature', async () => {
    await send('acme', 'DisableConnection', { connectionId: 'zd' });
    expectRefused(await postZendesk(solved));
    expect(await typesAfterOpen()).toEqual([]);
  });

  it('answers 404, not 500, to a path whose percent-encoding is malformed', async () => {
    for (const path of ['/integrations/zendesk/%E0%A4%A/zd', '/integrations/zendesk/acme/%zz'])
      expect((await postZendesk(solved, { path })).status).toBe(404);
    expect(await typesAfterOpen()).toEqual([]);
  });

  it('verifies with the previous secret during a rotation’s overlap, and not after it', async () => {
    const rotated = 'zendesk-signing-secret-rotated-0123';
    await send('acme', 'RotateConnectionSecrets', {
      connectionId: 'zd',
      secrets: { apiToken: 'zd-api-token-123', webhookSecret: rotated },
      overlapSeconds: 3600,
    });
    // The overlap runs from the rotation (the handler's clock, now) for an hour.
    clock = new Date(Date.now() + 30 * 60_000);
    expect((await postZendesk({ ...solved, status: 'hold' }, { secret: `${ZD_SECRET}-acme` })).status).toBe(
      200,
    );
    expect((await postZendesk({ ...solved, status: 'hold' }, { secret: rotated })).status).toBe(200);
    clock = new Date(Date.now() + 2 * 3600_000);
    expectRefused(await postZendesk(solved, { secret: `${ZD_SECRET}-acme` }));
    expect((await postZendesk(solved, { secret: rotated })).status).toBe(200);
    expect(await typesAfterOpen()).toEqual(['TicketUpdated', 'TicketResolved']);
  });

  it('refuses acme’s signature on the other tenant’s connection, changing neither ticket', async () => {
    expectRefused(await postZendesk(solved, { path: '/integrations/zendesk/other/zd' }));
    expect(await typesAfterOpen('other')).toEqual([]);
    expect(await typesAfterOpen()).toEqual([]);
  });

  it('verifies with the other tenant’s own secret and touches only its ticket', async () => {
    const answer = await postZendesk(solved, {
      path: '/integrations/zendesk/other/zd',
      secret: `${ZD_SECRET}-other`,
    });
    expect(answer.status).toBe(200);
    expect(await typesAfterOpen('other')).toEqual(['TicketResolved']);
    expect(await typesAfterOpen()).toEqual([]);
  });

  it('acknowledges an escalation’s call ref and an unknown ticket without changing anything', async () => {
    expect(await postZendesk({ ...solved, external_id: 'call:CA1' })).toMatchObject({ status: 200 });
    expect(await postZendesk({ ...solved, external_id: 't-404' })).toMatchObject({
      status: 200,
      body: { ignored: 'TICKET_NOT_FOUND' },
    });
    expect(await postZendesk({ ...solved, external_id: '' })).toMatchObject({ status: 200 });
    expect(await typesAfterOpen()).toEqual([]);
  });

  it('refuses a body over 64 KB with 413 and a body that is not the documented JSON with 400', async () => {
    expect((await postZendesk({ ...solved, padding: 'x'.repeat(70_000) })).status).toBe(413);
    expect((await postZendesk({ ticket_id: '901' })).status).toBe(400);
    expect(await typesAfterOpen()).toEqual([]);
  });
});

describe('Freshdesk status webhook', () => {
  const resolved = { ticket_id: 55, tags: 'customercare-pro,ccp:t-42', status: 'Resolved' };

  it('resolves our ticket named by its ccp: tag when the token matches', async () => {
    expect(await postFreshdesk(resolved)).toEqual({ status: 200, body: { received: true } });
    expect((await ticketEvents()).slice(1)).toMatchObject([
      { type: 'TicketResolved', data: { resolution: 'Solved in Freshdesk #55' } },
    ]);
  });

  it('maps the numeric statuses: 3 pending, 5 closed', async () => {
    await postFreshdesk({ ...resolved, status: 3 });
    await postFreshdesk({ ...resolved, status: '5' });
    expect(await typesAfterOpen()).toEqual(['TicketUpdated', 'TicketResolved']);
  });

  it.each([
    ['a wrong token', 'wrong-token-0123456789'],
    ['another tenant’s token', `${FD_TOKEN}-other`],
    ['no token', ''],
  ])('refuses %s with 401, recording nothing', async (_, token) => {
    expectRefused(await postFreshdesk(resolved, { token }));
    expect(await typesAfterOpen()).toEqual([]);
  });

  it('answers a connection of another kind or an unknown one as a wrong token', async () => {
    expectRefused(await postFreshdesk(resolved, { path: '/integrations/freshdesk/acme/zd' }));
    expectRefused(await postFreshdesk(resolved, { path: '/integrations/freshdesk/acme/other-fd' }));
    expectRefused(await postFreshdesk(resolved, { token: 'wrong-token-0123456789' }));
    expect(await typesAfterOpen()).toEqual([]);
  });
});
