import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { MAX_DELIVERY_ATTEMPTS, decodeEvent, type EventEnvelope } from '@ccp/schemas';
import { DEMO_TENANT } from '@ccp/infra';
import { startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { apiClient, login, SUPER_ADMIN } from '../support/platform.js';

/*
 * Outbound webhooks end to end: the platform in this process, a test receiver on loopback (a stand-in of a
 * tenant's Standard Webhooks endpoint, verifying every signature with the standardwebhooks library), connections
 * made through the gateway's API and events made through the command API.
 */

interface Hit {
  readonly id: string;
  readonly at: number;
  readonly verified: boolean;
  readonly type: string;
  readonly status: number;
}
/** Per path: the answers still to give (then 200), what arrived, and the secret it verifies with. */
const receiver: Record<
  string,
  { answers: { status: number; headers?: Record<string, string> }[]; hits: Hit[]; secret: string }
> = {};
let server: Server;
let base = '';
let env: GatewayPlatform;
let admin: ReturnType<typeof apiClient>;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const slot = receiver[req.url ?? ''];
      const answer = slot?.answers.shift() ?? { status: 200 };
      let verified = false;
      let type = '';
      try {
        const payload = new Webhook(
          slot?.secret ?? 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
        ).verify(body, {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        }) as { type: string };
        verified = true;
        type = payload.type;
      } catch {
        verified = false;
      }
      slot?.hits.push({
        id: String(req.headers['webhook-id']),
        at: Date.now(),
        verified,
        type,
        status: answer.status,
      });
      res.writeHead(answer.status, answer.headers ?? {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env = await startGatewayPlatform({
    now: () => new Date(),
    env: { OUTBOUND_ALLOW: '127.0.0.1/32', INTEGRATION_RETRY_BASE_MS: '20', INTEGRATION_TIMEOUT_MS: '3000' },
  });
  admin = apiClient(env.test.url, await login(env.test.url, 'admin@demo.example', 'demo-password-1'));
}, 60_000);
afterAll(async () => {
  await env?.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const deliveryEvents = async (): Promise<Map<string, EventEnvelope[]>> => {
  const byId = new Map<string, EventEnvelope[]>();
  for (const recorded of await env.test.platform.store.readAll({ maxCount: 1_000_000 })) {
    if (!recorded.streamId.startsWith(`delivery-${DEMO_TENANT}.`)) continue;
    const decoded = decodeEvent(recorded);
    if (decoded.ok) byId.set(recorded.streamId, [...(byId.get(recorded.streamId) ?? []), decoded.value]);
  }
  return byId;
};
const ofConnection = async (connectionId: string) =>
  [...(await deliveryEvents()).values()].filter(
    (events) => (events[0]?.data as { connectionId?: string } | undefined)?.connectionId === connectionId,
  );

const waitFor = async (check: () => Promise<boolean> | boolean, ms = 20_000, what = 'condition') => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** A webhook connection for TicketOpened at its own path of the receiver. */
const connect = async (
  name: string,
  answers: { status: number; headers?: Record<string, string> }[] = [],
) => {
  const path = `/hook/${name}`;
  const created = await admin.request('POST', '/api/integrations/connections', {
    name: `Receiver ${name}`,
    settings: { kind: 'webhook', url: base + path, eventTypes: ['TicketOpened'] },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const body = created.body as { connectionId: string; generatedSecrets?: { signingSecret: string } };
  const secret = body.generatedSecrets?.signingSecret ?? '';
  expect(secret).toMatch(/^whsec_/);
  receiver[path] = { answers, hits: [], secret };
  return { connectionId: body.connectionId, slot: receiver[path], secret };
};
const disable = async (connectionId: string) =>
  expect((await admin.command('DisableConnection', { tenantId: DEMO_TENANT, connectionId })).status).toBe(
    200,
  );
const openTicket = async () => {
  const ticketId = `t_${randomUUID().slice(0, 8)}`;
  const opened = await admin.command('OpenTicket', {
    tenantId: DEMO_TENANT,
    ticketId,
    subject: 'Printer on fire',
    description: 'Smoke everywhere',
  });
  expect(opened.status, JSON.stringify(opened.body)).toBe(200);
  return ticketId;
};
const lastType = (events: readonly EventEnvelope[] | undefined) => events?.at(-1)?.type;

describe('outbound webhooks', () => {
  it(
    'delivers an event once, signed, with the secret shown only at creation',
    { timeout: 30_000 },
    async () => {
      const { connectionId, slot, secret } = await connect('once');
      await openTicket();
      await waitFor(() => (slot?.hits.length ?? 0) === 1, 10_000, 'the delivery');
      await waitFor(
        async () => lastType((await ofConnection(connectionId))[0]) === 'DeliverySucceeded',
        10_000,
        'the success recorded',
      );
      expect(slot?.hits).toHaveLength(1);
      expect(slot?.hits[0]).toMatchObject({ verified: true, type: 'TicketOpened' });
      const [delivery] = await ofConnection(connectionId);
      expect(delivery?.map((e) => e.type)).toEqual(['DeliveryScheduled', 'DeliverySucceeded']);
      expect(slot?.hits[0]?.id).toBe(delivery?.[0]?.streamId.split('.')[1]);
      // Sealed in the log: no read of it shows the secret.
      const log = JSON.stringify(await env.test.platform.store.readAll({ maxCount: 1_000_000 }));
      expect(log).not.toContain(secret.slice(6));
      // Tested through the gateway: answered and recorded.
      const tested = await admin.request('POST', `/api/integrations/connections/${connectionId}/test`, {});
      expect(tested.status).toBe(200);
      expect(tested.body).toMatchObject({ ok: true, statusCode: 200 });
      expect(JSON.stringify(tested.body)).not.toContain(secret.slice(6));
      const connectionLog = await env.test.platform.store.readStream(
        `connection-${DEMO_TENANT}.${connectionId}`,
      );
      expect(connectionLog.map((e) => e.type)).toContain('ConnectionTested');
      await disable(connectionId);
    },
  );

  it('retries a 500 then delivers; honours a 429 Retry-After', { timeout: 30_000 }, async () => {
    const { connectionId, slot } = await connect('retry', [
      { status: 500 },
      { status: 429, headers: { 'retry-after': '1' } },
    ]);
    await openTicket();
    await waitFor(() => slot?.hits.some((h) => h.status === 200) ?? false, 15_000, 'the third attempt');
    const hits = slot?.hits ?? [];
    expect(hits.map((h) => h.status)).toEqual([500, 429, 200]);
    expect(new Set(hits.map((h) => h.id)).size).toBe(1);
    expect(hits.every((h) => h.verified)).toBe(true);
    expect((hits[2]?.at ?? 0) - (hits[1]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    // The receiver counts a hit before its answer reaches the platform: wait for the success to be recorded.
    await waitFor(
      async () => lastType((await ofConnection(connectionId))[0]) === 'DeliverySucceeded',
      10_000,
      'the success recorded',
    );
    const [delivery] = await ofConnection(connectionId);
    expect(delivery?.map((e) => e.type)).toEqual([
      'DeliveryScheduled',
      'DeliveryAttemptFailed',
      'DeliveryAttemptFailed',
      'DeliverySucceeded',
    ]);
    await disable(connectionId);
  });

  it(
    'dead-letters after the last attempt; a replay delivers again with the same webhook-id',
    { timeout: 40_000 },
    async () => {
      const { connectionId, slot } = await connect(
        'dead',
        Array.from({ length: MAX_DELIVERY_ATTEMPTS }, () => ({ status: 500 })),
      );
      await openTicket();
      await waitFor(
        async () => lastType((await ofConnection(connectionId))[0]) === 'DeliveryDeadLettered',
        30_000,
        'dead letter',
      );
      expect(slot?.hits).toHaveLength(MAX_DELIVERY_ATTEMPTS);
      const deliveryId = (await ofConnection(connectionId))[0]?.[0]?.streamId.split('.')[1] ?? '';
      const replay = await admin.command('ReplayDelivery', { tenantId: DEMO_TENANT, deliveryId });
      expect(replay.status, JSON.stringify(replay.body)).toBe(200);
      await waitFor(
        async () => lastType((await ofConnection(connectionId))[0]) === 'DeliverySucceeded',
        10_000,
        'replay',
      );
      expect(slot?.hits.at(-1)).toMatchObject({ id: deliveryId, status: 200, verified: true });
      await disable(connectionId);
    },
  );

  it('rotates the signing secret: both sign during the overlap', { timeout: 20_000 }, async () => {
    const { connectionId, slot, secret: old } = await connect('rotate');
    const rotated = await admin.request('POST', `/api/integrations/connections/${connectionId}/rotate`, {});
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const body = rotated.body as { generatedSecrets: { signingSecret: string }; previousValidUntil: string };
    const fresh = body.generatedSecrets.signingSecret;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    expect(Date.parse(body.previousValidUntil)).toBeGreaterThan(Date.now() + 86_000_000);
    await openTicket();
    await waitFor(() => (slot?.hits.length ?? 0) === 1, 10_000, 'the delivery');
    // The receiver verified with the old secret; the new one verifies the same request too.
    expect(slot?.hits[0]?.verified).toBe(true);
    if (slot) slot.secret = fresh;
    await openTicket();
    await waitFor(() => (slot?.hits.length ?? 0) === 2, 10_000, 'the second delivery');
    expect(slot?.hits[1]?.verified).toBe(true);
    expect(JSON.stringify(await env.test.platform.store.readAll({ maxCount: 1_000_000 }))).not.toContain(
      fresh.slice(6),
    );
    await disable(connectionId);
  });

  it('dead-letters a 413 at once', { timeout: 20_000 }, async () => {
    const { connectionId, slot } = await connect('large', [{ status: 413 }]);
    await openTicket();
    await waitFor(
      async () => lastType((await ofConnection(connectionId))[0]) === 'DeliveryDeadLettered',
      10_000,
      '413',
    );
    expect(slot?.hits).toHaveLength(1);
    await disable(connectionId);
  });

  it('cancels pending deliveries when the connection is disabled', { timeout: 20_000 }, async () => {
    const { connectionId, slot } = await connect(
      'disable',
      Array.from({ length: 20 }, () => ({ status: 503, headers: { 'retry-after': '30' } })),
    );
    await openTicket();
    await waitFor(() => (slot?.hits.length ?? 0) >= 1, 10_000, 'the first attempt');
    await disable(connectionId);
    await waitFor(
      async () => lastType((await ofConnection(connectionId))[0]) === 'DeliveryCancelled',
      10_000,
      'cancel',
    );
    const cancelled = (await ofConnection(connectionId))[0]?.at(-1);
    expect(cancelled?.data).toEqual({ reason: 'connection_disabled' });
    // Nothing more reaches a disabled connection.
    await openTicket();
    await new Promise((r) => setTimeout(r, 500));
    expect(slot?.hits).toHaveLength(1);
  });

  it('refuses connections to internal addresses and stores nothing', async () => {
    const before = (await env.test.platform.store.readAll({ maxCount: 1_000_000 })).length;
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/hook']) {
      const refused = await admin.request('POST', '/api/integrations/connections', {
        name: 'Sneaky',
        settings: { kind: 'webhook', url, eventTypes: ['*'] },
      });
      expect(refused.status).toBe(400);
      expect((refused.body as { error: { code: string } }).error.code).toBe('URL_NOT_ALLOWED');
      expect(JSON.stringify(refused.body)).not.toContain('whsec_');
    }
    expect((await env.test.platform.store.readAll({ maxCount: 1_000_000 })).length).toBe(before);
  });

  it('refuses the connection routes to roles other than tenant admin', async () => {
    const agent = apiClient(env.test.url, await login(env.test.url, 'agent@demo.example', 'demo-password-1'));
    const refused = await agent.request('POST', '/api/integrations/connections', {
      name: 'Nope',
      settings: { kind: 'webhook', url: `${base}/hook/nope`, eventTypes: ['*'] },
    });
    expect(refused.status).toBe(403);
  });

  it(
    "keeps tenants apart: another tenant's admin cannot test, rotate or replay these, and no event crosses over",
    { timeout: 30_000 },
    async () => {
      const root = apiClient(
        env.test.url,
        await login(env.test.url, SUPER_ADMIN.email, SUPER_ADMIN.password),
      );
      const created = await root.command('CreateTenant', {
        tenantId: 'globex',
        name: 'Globex',
        planTier: 'starter',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const issued = await root.request<{ key: string }>('POST', '/api/api-keys', {
        tenantId: 'globex',
        name: 'Globex ops',
        role: 'tenant_admin',
        scopes: ['commands', 'read', 'admin'],
      });
      expect(issued.status).toBe(201);
      const globex = apiClient(env.test.url, issued.body.key);

      const ours = await connect('isolation-ours');
      const ticketId = await openTicket();
      await waitFor(() => ours.slot?.hits.some((h) => h.status === 200) ?? false, 20_000, 'our delivery');
      const deliveryId = (await ofConnection(ours.connectionId))[0]?.[0]?.streamId.split('.')[1] ?? '';

      // Globex's own connection at another path of the receiver, for every event type of its tenant.
      const theirs = await globex.request('POST', '/api/integrations/connections', {
        tenantId: 'globex',
        name: 'Globex receiver',
        settings: { kind: 'webhook', url: `${base}/hook/isolation-theirs`, eventTypes: ['*'] },
      });
      expect(theirs.status, JSON.stringify(theirs.body)).toBe(201);
      const theirSecret = (theirs.body as { generatedSecrets?: { signingSecret: string } }).generatedSecrets;
      receiver['/hook/isolation-theirs'] = {
        answers: [],
        hits: [],
        secret: theirSecret?.signingSecret ?? '',
      };

      // Naming our connection or delivery from Globex finds nothing of ours, and changes nothing.
      const before = (await env.test.platform.store.readAll({ maxCount: 1_000_000 })).length;
      for (const action of ['test', 'rotate'] as const) {
        const answer = await globex.request(
          'POST',
          `/api/integrations/connections/${ours.connectionId}/${action}`,
          {
            tenantId: 'globex',
          },
        );
        expect({ action, status: answer.status }).toEqual({ action, status: 404 });
      }
      const replay = await globex.command('ReplayDelivery', { tenantId: 'globex', deliveryId });
      expect(replay.status).toBe(404);
      const aimed = await globex.command('ReplayDelivery', { tenantId: DEMO_TENANT, deliveryId });
      expect(aimed.status).toBe(403);
      expect((await env.test.platform.store.readAll({ maxCount: 1_000_000 })).length).toBe(before);

      // A ticket of Globex reaches Globex's receiver and never ours; ours never reached theirs.
      const globexTicket = await globex.command('OpenTicket', {
        tenantId: 'globex',
        ticketId: 't_globex_1',
        subject: 'Globex matter',
        description: 'Theirs alone',
      });
      expect(globexTicket.status, JSON.stringify(globexTicket.body)).toBe(200);
      const theirSlot = receiver['/hook/isolation-theirs'];
      await waitFor(() => (theirSlot?.hits.length ?? 0) > 0, 20_000, "Globex's delivery");
      expect(theirSlot?.hits.every((h) => h.verified && h.type === 'TicketOpened')).toBe(true);
      expect(ours.slot?.hits.length).toBe(1);
      const ourEvents = (await env.test.platform.store.readStream(`ticket-${DEMO_TENANT}.${ticketId}`)).map(
        (e) => e.id,
      );
      const theirSources = (await env.test.platform.store.readAll({ maxCount: 1_000_000 }))
        .filter((e) => e.streamId.startsWith('delivery-globex.'))
        .map((e) => JSON.stringify(e.data));
      for (const id of ourEvents) expect(theirSources.some((data) => data.includes(id))).toBe(false);
    },
  );
});
