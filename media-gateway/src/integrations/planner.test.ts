import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { PLATFORM_TENANT, SYSTEM_ACTOR, type Actor, type EventEnvelope } from '@ccp/schemas';
import { createSqliteSubjectKeys } from '@ccp/command-service';
import { ConnectionsView } from './connections.js';
import { deliveryIdOf, plan } from './planner.js';
import type { IntegrationTarget } from './port.js';

/* Which events make which deliveries: the planner's matching, on a connections view folded from events. */

const dir = mkdtempSync(join(tmpdir(), 'planner-'));
const keys = createSqliteSubjectKeys(join(dir, 'keys.db'), randomBytes(32));
afterAll(() => {
  keys.close();
  rmSync(dir, { recursive: true, force: true });
});

const AI: Actor = { kind: 'ai', id: 'agent-1', tenantId: 'acme' };
const PERSON: Actor = { kind: 'user', id: 'u1', role: 'agent', tenantId: 'acme' };

const envelope = (
  streamId: string,
  type: string,
  data: unknown,
  actor: Actor = SYSTEM_ACTOR,
): EventEnvelope => ({
  id: randomUUID(),
  type,
  data,
  version: 1,
  tenantId: streamId.slice(streamId.indexOf('-') + 1, streamId.indexOf('.')),
  streamId,
  occurredAt: new Date().toISOString(),
  causationId: null,
  correlationId: 'corr',
  actor,
});

const fakeTarget = (
  kinds: IntegrationTarget['kinds'],
  actions: IntegrationTarget['actions'],
): IntegrationTarget => ({
  kinds,
  actions,
  deliver: () => Promise.resolve({ ok: true }),
  test: () => Promise.resolve({ ok: true, message: 'ok' }),
});
const targets = new Map(
  [
    fakeTarget(['webhook'], ['send_webhook']),
    fakeTarget(['slack'], ['notify']),
    fakeTarget(['hubspot'], ['log_call']),
    fakeTarget(['zendesk'], ['open_ticket']),
  ].flatMap((t) => t.kinds.map((k) => [k, t] as const)),
);

let view: ConnectionsView;
const connect = (tenant: string, id: string, settings: Record<string, unknown>) =>
  view.apply(
    envelope(`connection-${tenant}.${id}`, 'ConnectionCreated', {
      name: id,
      settings,
      secrets: 'secret:v1:x',
      secretHints: {},
    }),
  );
const planned = (event: EventEnvelope) =>
  plan(event, view, targets).map((p) => `${p.connection.connectionId}:${p.action}`);

beforeEach(() => {
  view = new ConnectionsView(keys);
  connect('acme', 'all', { kind: 'webhook', url: 'https://hooks.example/a', eventTypes: ['*'] });
  connect('acme', 'ended', { kind: 'webhook', url: 'https://hooks.example/b', eventTypes: ['CallEnded'] });
  connect('acme', 'chat', {
    kind: 'slack',
    mode: 'incoming_webhook',
    topics: ['voicemail', 'negative_sentiment'],
  });
  connect('acme', 'crm', { kind: 'hubspot' });
  connect('acme', 'desk', { kind: 'zendesk', subdomain: 'acme', email: 'ops@acme.example' });
  connect('acme', 'sms', { kind: 'sms', to: ['+12125550100'], topics: ['voicemail'] });
});

describe('planning deliveries', () => {
  it('sends webhooks for their event types or *', () => {
    expect(planned(envelope('call-acme.c1', 'CallStarted', {}))).toEqual(['all:send_webhook']);
    expect(planned(envelope('call-acme.c1', 'CallEnded', {}))).toEqual([
      'all:send_webhook',
      'ended:send_webhook',
      'crm:log_call',
    ]);
  });

  it('notifies on the topics a connection chose, and only kinds a target takes', () => {
    // sms has no registered target here: nothing is scheduled for it.
    expect(planned(envelope('call-acme.c1', 'VoicemailLeft', { text: 'hi' }))).toEqual([
      'all:send_webhook',
      'chat:notify',
    ]);
    expect(planned(envelope('call-acme.c1', 'CallQueued', { departmentId: 'd', queue: 'q' }))).toEqual([
      'all:send_webhook',
    ]);
  });

  it("opens helpdesk tickets for tickets and the AI's escalations, not a person's", () => {
    expect(planned(envelope('ticket-acme.t1', 'TicketOpened', {}))).toContain('desk:open_ticket');
    const escalation = { reason: 'negative_sentiment', summary: 'upset' };
    expect(planned(envelope('call-acme.c1', 'EscalationRequested', escalation, AI))).toEqual([
      'all:send_webhook',
      'chat:notify',
      'desk:open_ticket',
    ]);
    expect(planned(envelope('call-acme.c1', 'EscalationRequested', escalation, PERSON))).not.toContain(
      'desk:open_ticket',
    );
  });

  it('skips internal streams, other tenants, the platform tenant and disabled connections', () => {
    expect(planned(envelope('delivery-acme.d1', 'DeliveryScheduled', {}))).toEqual([]);
    expect(planned(envelope('connection-acme.x', 'ConnectionTested', {}))).toEqual([]);
    expect(planned(envelope('call-other.c1', 'CallEnded', {}))).toEqual([]);
    expect(planned(envelope(`tenant-${PLATFORM_TENANT}.x`, 'CallEnded', {}))).toEqual([]);
    view.apply(envelope('connection-acme.all', 'ConnectionDisabled', {}));
    expect(planned(envelope('call-acme.c1', 'CallStarted', {}))).toEqual([]);
  });

  it('names a delivery by its connection and source event, the same every time', () => {
    const id = deliveryIdOf('all', 'event-1');
    expect(id).toMatch(/^dlv_[A-Za-z0-9_-]{26}$/);
    expect(deliveryIdOf('all', 'event-1')).toBe(id);
    expect(deliveryIdOf('ended', 'event-1')).not.toBe(id);
  });
});

describe('the planner on the log', () => {
  it('skips a delivery the platform finally refuses and goes on planning', async () => {
    const { mkdtempSync: mk } = await import('node:fs');
    const { commandRoutes, createCommandHandler, createSqliteCheckpointStore, createSqliteEventStore } =
      await import('@ccp/command-service');
    const { startPlanner } = await import('./planner.js');
    const dataDir = mk(join(tmpdir(), 'planner-log-'));
    const store = createSqliteEventStore({ path: ':memory:' });
    const checkpoints = createSqliteCheckpointStore(join(dataDir, 'checkpoints.db'));
    const handler = createCommandHandler({ store, routes: commandRoutes });
    await handler.handleTrusted(
      'CreateTenant',
      { tenantId: 'acme', name: 'Acme', planTier: 'starter' },
      { actor: SYSTEM_ACTOR },
    );
    const raw = (e: EventEnvelope) =>
      store.append(
        e.streamId,
        [
          {
            id: e.id,
            type: e.type,
            data: e.data,
            metadata: {
              version: e.version,
              tenantId: e.tenantId,
              occurredAt: e.occurredAt,
              causationId: null,
              correlationId: e.correlationId,
              actor: e.actor,
            },
          },
        ],
        'any',
      );
    const enqueued: string[] = [];
    const logs: string[] = [];
    const planner = await startPlanner({
      store,
      checkpoints,
      keys,
      handler,
      targets,
      dispatch: {
        enqueue: (d) => enqueued.push(`${d.tenantId}:${d.connectionId}`),
        cancelConnection: () => Promise.resolve(),
      },
      now: () => new Date(),
      log: (m) => logs.push(m),
    });
    const hook = { kind: 'webhook', url: 'https://hooks.example/a', eventTypes: ['*'] };
    const created = { name: 'hook', settings: hook, secrets: 'secret:v1:x', secretHints: {} };
    // A tenant that does not exist: ScheduleDelivery is refused for good (TENANT_NOT_FOUND).
    await raw(envelope('connection-ghost.h', 'ConnectionCreated', created));
    await raw(envelope('call-ghost.c1', 'CallEnded', { outcome: 'resolved', durationSeconds: 3 }));
    await raw(envelope('connection-acme.h', 'ConnectionCreated', created));
    await raw(envelope('call-acme.c1', 'CallEnded', { outcome: 'resolved', durationSeconds: 3 }));
    expect(await planner.caughtUp()).toBe(true);
    await planner.stop();
    expect(enqueued).toEqual(['acme:h']);
    expect(logs.join('\n')).toContain('TENANT_NOT_FOUND');
    await checkpoints.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
});
