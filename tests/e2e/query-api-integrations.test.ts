import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEMO_TENANT } from '@ccp/infra';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import { apiClient } from '../support/platform.js';
import { as, eventually, test, tokens, useQueryPlatform, validate } from '../support/query-platform.js';

// The integrations read side: connections made through the command API (the tenant admin's), tests and
// deliveries recorded as the platform (what the media gateway and the delivery worker send), the integrations
// processor, and the query API's integrations routes.
useQueryPlatform();

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const PROVIDER_TEXT = 'Bad credentials for hook of Ana Lopez';
/** Far enough ahead that a delivery worker running in this platform leaves these deliveries alone. */
const later = () => new Date(Date.now() + 86_400_000).toISOString();
const DELIVERIES = ['d-1', 'd-2', 'd-3', 'd-4', 'd-5'];

const send = async (type: string, data: Record<string, unknown>) => {
  const response = await as('tenant_admin').command(type, { tenantId: DEMO_TENANT, ...data });
  expect(response.status, `${type}: ${JSON.stringify(response.body)}`).toBe(200);
};
/** What the media gateway and the delivery worker send: platform-only commands, as the platform. */
const trusted = async (type: string, data: Record<string, unknown>, tenantId = DEMO_TENANT) => {
  await test.platform.handler.handleTrusted(type, { tenantId, ...data }, { actor: SYSTEM_ACTOR });
};
/** A read that must answer 200 with a body the OpenAPI document describes; its raw text too. */
const read = async <T>(role: string, path: string, operationId: string) => {
  const response = await fetch(`${test.url}${path}`, {
    headers: { authorization: `Bearer ${tokens.get(role) ?? ''}` },
  });
  const text = await response.text();
  expect(response.status, `${path}: ${text}`).toBe(200);
  const body = JSON.parse(text) as T;
  expect(validate(operationId, 200, body)).toEqual([]);
  return { body, text };
};

const webhook = {
  kind: 'webhook',
  url: 'http://127.0.0.1:9/hooks/ccp',
  // An event type nothing records: a delivery engine in this platform schedules nothing of its own here.
  eventTypes: ['IntegrationsReadSideProbe'],
};
const schedule = (deliveryId: string, n: number) =>
  trusted('ScheduleDelivery', {
    deliveryId,
    connectionId: 'ops-hook',
    kind: 'webhook',
    action: 'send_webhook',
    source: {
      eventId: `ev-${n}`,
      eventType: 'CallEnded',
      streamId: `call-${DEMO_TENANT}.CA-q-${n}`,
      position: n,
      occurredAt: new Date().toISOString(),
    },
    dueAt: later(),
  });

interface Connection {
  connectionId: string;
  group: string;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  secretHints: Record<string, string>;
  lastTest?: { ok: boolean; statusCode?: number };
  deliveries: { pending: number; delivered: number; deadLetter: number; cancelled: number };
}
interface Delivery {
  deliveryId: string;
  status: string;
  attempts: number;
  lastErrorKind?: string;
  externalId?: string;
}
interface Deliveries {
  deliveries: Delivery[];
  nextCursor?: string;
}
interface DeliveryDetail {
  status: string;
  attempts: { attempt: number; outcome: string; statusCode?: number; errorKind?: string; error?: string }[];
  events: { type: string; at: string }[];
}

describe('integrations read side', () => {
  it(
    'lists connections with hints and counts, pages and filters deliveries, and shows a delivery’s attempts',
    { timeout: 90_000 },
    async () => {
      await send('CreateConnection', {
        connectionId: 'ops-hook',
        name: 'Ops hook',
        settings: webhook,
        secrets: { signingSecret: SECRET },
      });
      await send('CreateConnection', {
        connectionId: 'old-hook',
        name: 'Old hook',
        settings: webhook,
        secrets: { signingSecret: SECRET },
      });
      await send('RemoveConnection', { connectionId: 'old-hook' });
      await trusted('RecordConnectionTest', {
        connectionId: 'ops-hook',
        ok: false,
        message: 'answered 401',
        statusCode: 401,
        latencyMs: 35,
      });
      for (const [n, id] of DELIVERIES.entries()) await schedule(id, n + 1);
      await trusted('RecordDeliveryAttempt', {
        deliveryId: 'd-1',
        attempt: 1,
        outcome: 'failed',
        statusCode: 401,
        latencyMs: 40,
        errorKind: 'auth_failed',
        error: PROVIDER_TEXT,
        retryAt: later(),
      });
      await trusted('RecordDeliveryAttempt', {
        deliveryId: 'd-1',
        attempt: 2,
        outcome: 'delivered',
        statusCode: 200,
        latencyMs: 25,
        externalId: 'msg-1',
      });
      await trusted('RecordDeliveryAttempt', {
        deliveryId: 'd-2',
        attempt: 1,
        outcome: 'failed',
        statusCode: 500,
        latencyMs: 60,
        errorKind: 'server_error',
      });

      let listed = { body: { connections: [] as Connection[] }, text: '' };
      await eventually(async () => {
        listed = await read('tenant_admin', '/api/integrations/connections', 'listConnections');
        expect(listed.body.connections).toEqual([
          expect.objectContaining({
            connectionId: 'ops-hook',
            deliveries: { pending: 3, delivered: 1, deadLetter: 1, cancelled: 0 },
          }),
        ]);
      });
      // The removed connection is not listed; the secret only as its last four characters.
      expect(listed.body.connections[0]).toMatchObject({
        group: 'events',
        name: 'Ops hook',
        enabled: true,
        settings: webhook,
        secretHints: { signingSecret: `…${SECRET.slice(-4)}` },
        lastTest: { ok: false, statusCode: 401 },
      });
      expect(listed.text).not.toContain(SECRET);
      expect(listed.text).not.toContain(SECRET.slice(6, 40));
      expect(listed.text).not.toContain('secret:v1:');
      const one = await read<Connection>(
        'tenant_admin',
        '/api/integrations/connections/ops-hook',
        'getConnection',
      );
      expect(one.body).toEqual(listed.body.connections[0]);
      expect(one.text).not.toContain(SECRET.slice(6, 40));
      expect(one.text).not.toContain('secret:v1:');

      // Every delivery once, newest first, two a page.
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page: { body: Deliveries } = await read(
          'tenant_admin',
          `/api/integrations/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          'listDeliveries',
        );
        expect(page.body.deliveries.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.deliveries.map((d) => d.deliveryId));
        cursor = page.body.nextCursor;
      } while (cursor !== undefined);
      expect(seen).toEqual([...DELIVERIES].reverse());

      const dead = await read<Deliveries>(
        'tenant_admin',
        '/api/integrations/deliveries?status=dead_letter',
        'listDeliveries',
      );
      expect(dead.body.deliveries).toEqual([
        expect.objectContaining({ deliveryId: 'd-2', attempts: 1, lastErrorKind: 'server_error' }),
      ]);
      const delivered = await read<Deliveries>(
        'tenant_admin',
        '/api/integrations/deliveries?status=delivered&connectionId=ops-hook',
        'listDeliveries',
      );
      expect(delivered.body.deliveries).toEqual([
        expect.objectContaining({ deliveryId: 'd-1', attempts: 2, externalId: 'msg-1' }),
      ]);
      const none = await read<Deliveries>(
        'tenant_admin',
        '/api/integrations/deliveries?connectionId=old-hook',
        'listDeliveries',
      );
      expect(none.body).toEqual({ deliveries: [] });

      // One delivery's attempts, with the provider's text (decrypted for the tenant admin), and its events.
      const detail = await read<DeliveryDetail>(
        'tenant_admin',
        '/api/integrations/deliveries/d-1',
        'getDelivery',
      );
      expect(detail.body.status).toBe('delivered');
      expect(detail.body.attempts).toEqual([
        expect.objectContaining({
          attempt: 1,
          outcome: 'failed',
          statusCode: 401,
          errorKind: 'auth_failed',
          error: PROVIDER_TEXT,
        }),
        expect.objectContaining({ attempt: 2, outcome: 'delivered', statusCode: 200 }),
      ]);
      expect(detail.body.events.map((e) => e.type)).toEqual([
        'DeliveryScheduled',
        'DeliveryAttemptFailed',
        'DeliverySucceeded',
      ]);
      const deadDetail = await read<DeliveryDetail>(
        'tenant_admin',
        '/api/integrations/deliveries/d-2',
        'getDelivery',
      );
      expect(deadDetail.body.events.map((e) => e.type)).toEqual([
        'DeliveryScheduled',
        'DeliveryAttemptFailed',
        'DeliveryDeadLettered',
      ]);

      // Another tenant's admin: none of these exist for them, not even with the same ids.
      const other = apiClient(test.url, tokens.get('other'));
      for (const path of [
        '/api/integrations/connections/ops-hook',
        '/api/integrations/deliveries/d-1',
        '/api/integrations/connections/old-hook',
      ]) {
        expect((await other.request('GET', path)).status, path).toBe(404);
      }
      expect(
        (await other.request<{ connections: unknown[] }>('GET', '/api/integrations/connections')).body,
      ).toEqual({ connections: [] });
      expect(
        (await other.request<Deliveries>('GET', '/api/integrations/deliveries?connectionId=ops-hook')).body,
      ).toEqual({ deliveries: [] });
      // A super admin names the tenant.
      const root = await read<{ connections: Connection[] }>(
        'super_admin',
        `/api/integrations/connections?tenantId=${DEMO_TENANT}`,
        'listConnections',
      );
      expect(root.body.connections.map((c) => c.connectionId)).toEqual(['ops-hook']);
      // The removed connection and unknown ids: 404 to the tenant's own admin too.
      for (const path of [
        '/api/integrations/connections/old-hook',
        '/api/integrations/connections/no-such',
        '/api/integrations/deliveries/no-such',
      ]) {
        expect((await as('tenant_admin').request('GET', path)).status, path).toBe(404);
      }
    },
  );

  it('refuses other roles and bad input', async () => {
    for (const role of ['supervisor', 'agent', 'analyst', 'viewer']) {
      for (const path of [
        '/api/integrations/connections',
        '/api/integrations/connections/ops-hook',
        '/api/integrations/deliveries',
        '/api/integrations/deliveries/d-1',
      ]) {
        expect((await as(role).request('GET', path)).status, `${role} ${path}`).toBe(403);
      }
    }
    const refusals: [string, string][] = [
      ['/api/integrations/deliveries?status=overdue', 'status'],
      ['/api/integrations/deliveries?limit=0', 'limit'],
      ['/api/integrations/deliveries?limit=201', 'limit'],
      ['/api/integrations/deliveries?cursor=not-a-cursor', 'cursor'],
      ['/api/integrations/deliveries?connectionId=bad%20id!', 'connectionId'],
      ['/api/integrations/connections/bad%20id!', 'connectionId'],
      ['/api/integrations/deliveries/bad%20id!', 'deliveryId'],
    ];
    for (const [path, field] of refusals) {
      const response = await as('tenant_admin').request<{ error: { field?: string } }>('GET', path);
      expect(response.status, path).toBe(400);
      expect(response.body.error.field, path).toBe(field);
    }
    // A parameter the route does not take is refused, not ignored.
    expect((await as('tenant_admin').request('GET', '/api/integrations/deliveries?colour=red')).status).toBe(
      400,
    );
  });
});
