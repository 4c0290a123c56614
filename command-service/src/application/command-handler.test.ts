import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type Actor } from '@ccp/schemas';
import { commandRoutes, reactions } from '../commands/index.js';
import { createSqliteEventStore } from '../event-store/sqlite.js';
import type { EventStore } from '../event-store/port.js';
import { createSqliteCheckpointStore } from './checkpoints.js';
import { createCommandHandler, type CommandHandler } from './command-handler.js';
import { CommandRejected } from './errors.js';
import { startReactor } from './reactor.js';

const admin: Actor = { kind: 'user', id: 'u1', role: 'tenant_admin', tenantId: 'acme' };
const system = { actor: SYSTEM_ACTOR };

/**
 * Wraps the real SQLite store so that, just before the handler's next append, another writer appends to the
 * same stream: the race a busy platform has, made to happen on cue.
 */
const racingStore = (store: EventStore) => {
  let racer: (() => Promise<void>) | undefined;
  const wrapped: EventStore = {
    ...store,
    append: async (streamId, events, expected) => {
      const race = racer;
      racer = undefined;
      if (race) await race();
      return store.append(streamId, events, expected);
    },
  };
  return { store: wrapped, raceOnce: (run: () => Promise<void>) => (racer = run) };
};

describe('command handler', () => {
  let store: EventStore;
  let race: ReturnType<typeof racingStore>;
  let handler: CommandHandler;

  beforeEach(async () => {
    store = createSqliteEventStore({ path: ':memory:' });
    race = racingStore(store);
    handler = createCommandHandler({ store: race.store, routes: commandRoutes });
    await handler.handleTrusted(
      'CreateTenant',
      { tenantId: 'acme', name: 'Acme', planTier: 'starter' },
      system,
    );
    await handler.handleTrusted(
      'CreateDepartment',
      { tenantId: 'acme', departmentId: 'd1', name: 'One' },
      system,
    );
  });
  afterEach(async () => {
    await store.close();
  });

  const concurrentUpdate = () =>
    race.raceOnce(async () => {
      const direct = createCommandHandler({ store, routes: commandRoutes });
      await direct.handleTrusted(
        'UpdateDepartment',
        { tenantId: 'acme', departmentId: 'd1', name: 'Theirs' },
        system,
      );
    });

  it('answers a conflict with 409 for a command that must not be retried blindly', async () => {
    // The creation is decided on "no stream"; a concurrent creator wins the race.
    race.raceOnce(async () => {
      await store.append(
        'department-acme.d2',
        [
          {
            id: '00000000-0000-4000-8000-000000000001',
            type: 'DepartmentCreated',
            data: {
              name: 'Theirs',
              routing: { strategy: 'round_robin', maxQueueWaitSeconds: 60 },
              escalation: { afterHours: 'take_message' },
            },
            metadata: {
              version: 1,
              tenantId: 'acme',
              occurredAt: new Date().toISOString(),
              causationId: null,
              correlationId: 'c',
              actor: SYSTEM_ACTOR,
            },
          },
        ],
        'no_stream',
      );
    });
    const error = await handler
      .handle('CreateDepartment', { tenantId: 'acme', departmentId: 'd2', name: 'Mine' }, { actor: admin })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandRejected);
    expect(error).toMatchObject({ status: 409, code: 'CONCURRENCY_CONFLICT' });
    expect(await store.readStream('department-acme.d2')).toHaveLength(1);
  });

  it('decides a retryable command again on fresh state after a conflict', async () => {
    concurrentUpdate();
    const result = await handler.handle(
      'ArchiveDepartment',
      { tenantId: 'acme', departmentId: 'd1' },
      { actor: admin },
    );
    expect(result.nextRevision).toBe(2);
    const types = (await store.readStream('department-acme.d1')).map((e) => e.type);
    expect(types).toEqual(['DepartmentCreated', 'DepartmentUpdated', 'DepartmentArchived']);
  });

  it('stamps the envelope: version, tenant, actor, causation and the call id as correlation', async () => {
    await handler.handleTrusted(
      'StartCall',
      {
        tenantId: 'acme',
        callId: 'CA1',
        direction: 'inbound',
        from: '+15550001111',
        to: '+15550002222',
        provider: 'simulator',
      },
      { actor: SYSTEM_ACTOR, correlationId: 'ignored-for-calls' },
    );
    const [started] = await store.readStream('call-acme.CA1');
    expect(started?.metadata).toMatchObject({
      version: 1,
      tenantId: 'acme',
      correlationId: 'CA1',
      actor: SYSTEM_ACTOR,
    });
    expect(typeof (started?.metadata as { causationId: unknown }).causationId).toBe('string');
  });

  it('runs prerequisites first and refuses the command when one is refused', async () => {
    for (const agentId of ['a1', 'a2', 'a3']) {
      await handler.handle(
        'CreateAgent',
        { tenantId: 'acme', agentId, name: agentId, type: 'sales' },
        { actor: admin },
      );
    }
    const refused = await handler
      .handle('CreateAgent', { tenantId: 'acme', agentId: 'a4', name: 'a4', type: 'sales' }, { actor: admin })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 422, code: 'PLAN_LIMIT_REACHED' });
    expect(await store.readStream('agent-acme.a4')).toEqual([]);
  });

  it('a command refused by its own rules takes no plan unit', async () => {
    await handler.handle(
      'CreateAgent',
      { tenantId: 'acme', agentId: 'a1', name: 'a1', type: 'sales' },
      { actor: admin },
    );
    const before = (await store.readStream('tenant-acme.acme')).length;
    await handler
      .handle(
        'CreateAgent',
        { tenantId: 'acme', agentId: 'a1', name: 'again', type: 'sales' },
        { actor: admin },
      )
      .catch(() => undefined);
    expect((await store.readStream('tenant-acme.acme')).length).toBe(before);
  });
});

describe('reactor', () => {
  it('repeating reactions after a crash before the checkpoint double-counts nothing', async () => {
    const store = createSqliteEventStore({ path: ':memory:' });
    const checkpoints = createSqliteCheckpointStore(':memory:');
    const handler = createCommandHandler({ store, routes: commandRoutes });
    await handler.handleTrusted('CreateTenant', { tenantId: 'acme', name: 'Acme' }, system);
    await handler.handle(
      'CreateAgent',
      { tenantId: 'acme', agentId: 'a1', name: 'a1', type: 'sales' },
      { actor: admin },
    );
    const deleted = await handler.handle(
      'DeleteAgent',
      { tenantId: 'acme', agentId: 'a1' },
      { actor: admin },
    );

    const first = await startReactor({ name: 'reactions', store, checkpoints, handler, reactions });
    await first.caughtUp(deleted.position ?? 0);
    await first.stop();
    // As if the process died before it saved its checkpoint: everything is reacted to again.
    await checkpoints.save('reactions', 0);
    const second = await startReactor({ name: 'reactions', store, checkpoints, handler, reactions });
    await second.caughtUp(deleted.position ?? 0);
    await second.stop();

    const tenant = (await store.readStream('tenant-acme.acme')).map((e) => e.type);
    expect(tenant.filter((t) => t === 'QuotaReserved')).toHaveLength(1);
    expect(tenant.filter((t) => t === 'QuotaReleased')).toHaveLength(1);
    await checkpoints.close();
    await store.close();
  });
});

describe('prerequisites that a later step refuses', () => {
  it('are undone: a refused login claim gives back the seat it reserved', async () => {
    const store = createSqliteEventStore({ path: ':memory:' });
    const handler = createCommandHandler({ store, routes: commandRoutes });
    await handler.handleTrusted('CreateTenant', { tenantId: 'acme', name: 'Acme' }, system);
    // Within one tenant: another tenant's address is not refused (it must not tell that it exists).
    const invite = (tenantId: string, userId: string) =>
      handler.handleTrusted(
        'InviteMember',
        { tenantId, userId, email: 'same@test.example', name: userId, role: 'agent' },
        system,
      );
    await invite('acme', 'u1');
    await expect(invite('acme', 'u2')).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
    const tenant = (await store.readStream('tenant-acme.acme')).map((e) => [e.type, e.data]);
    expect(tenant.slice(2)).toEqual([
      ['QuotaReserved', { resource: 'teamMembers', key: 'u2' }],
      ['QuotaReleased', { resource: 'teamMembers', key: 'u2' }],
    ]);
    expect(await store.readStream('member-acme.u2')).toEqual([]);
    await store.close();
  });
});
