import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import { gatewayFixture, TENANT, type GatewayFixture } from '../testing/fixture.js';
import { Directory } from './directory.js';

/*
 * The gateway's read model folded from the real log (the seeded fixture): what each tenant owns stays its own,
 * lifecycle events change what calls are routed to, and events it cannot read are passed over.
 */

let f: GatewayFixture;
const send = (type: string, data: Record<string, unknown>) =>
  f.handler.handleTrusted(type, data, { actor: SYSTEM_ACTOR });
const directory = () => f.live.directory;
const startCall = (tenantId: string, callId: string, from: string, to: string) =>
  send('StartCall', { tenantId, callId, direction: 'inbound', from, to, provider: 'twilio' });

beforeEach(async () => {
  f = await gatewayFixture();
});
afterEach(async () => {
  await f.close();
});

describe('directory', () => {
  it('keeps each tenant’s agents, numbers and callers to itself, though their ids are the same', async () => {
    await send('CreateTenant', { tenantId: 'globex', name: 'Globex', planTier: 'starter' });
    await send('CreateAgent', { tenantId: 'globex', agentId: 'ava', name: 'Other Ava', type: 'sales' });
    await startCall(TENANT, 'call-a', '+15557770001', '+15550000001');
    await f.live.catchUp();
    expect(directory().agent(TENANT, 'ava')?.settings.name).toBe('Ava');
    expect(directory().agent('globex', 'ava')?.settings.name).toBe('Other Ava');
    expect(directory().number('+15550000001')?.tenantId).toBe(TENANT);
    expect(directory().numberOf('globex', 'ava')).toBeUndefined();
    expect(directory().numberOf(TENANT, 'ava')).toBe('+15550000001');
    expect(directory().callerHistory(TENANT, '+15557770001').calls).toHaveLength(1);
    expect(directory().callerHistory('globex', '+15557770001').calls).toEqual([]);
    expect(directory().tenantOfCall('call-a')).toBe(TENANT);
    expect(directory().tenantOfCall('call-unknown')).toBeUndefined();
  });

  it('follows numbers unassigned and released, agents disabled and deleted, departments archived', async () => {
    await send('UnassignNumber', { tenantId: TENANT, address: '+15550000003' });
    await send('ReleaseNumber', { tenantId: TENANT, address: '+15550000002' });
    await send('DisableAgent', { tenantId: TENANT, agentId: 'bill' });
    await send('DeleteAgent', { tenantId: TENANT, agentId: 'owl' });
    await send('ArchiveDepartment', { tenantId: TENANT, departmentId: 'billing' });
    await f.live.catchUp();
    expect(directory().number('+15550000003')).toMatchObject({ tenantId: TENANT, target: undefined });
    expect(directory().number('+15550000002')).toBeUndefined();
    expect(
      directory()
        .agents(TENANT)
        .map((a) => a.agentId),
    ).toEqual(['ava']);
    expect(directory().agent(TENANT, 'bill')?.enabled).toBe(false);
    expect(directory().agent(TENANT, 'owl')).toBeUndefined();
    expect(
      directory()
        .departments(TENANT)
        .map((d) => d.departmentId),
    ).toEqual(['reception']);

    await send('SuspendTenant', { tenantId: TENANT, reason: 'unpaid' });
    await f.live.catchUp();
    expect(directory().tenant(TENANT)?.status).toBe('suspended');
  });

  it('files a caller’s calls newest first, with their outcome once ended', async () => {
    await startCall(TENANT, 'call-1', '+15557770001', '+15550000001');
    await startCall(TENANT, 'call-2', '+15557770001', '+15550000003');
    await send('EndCall', { tenantId: TENANT, callId: 'call-1', outcome: 'resolved' });
    await f.live.catchUp();
    const { calls } = directory().callerHistory(TENANT, '+15557770001');
    expect(calls.map((c) => [c.callId, c.outcome])).toEqual([
      ['call-2', undefined],
      ['call-1', 'resolved'],
    ]);
  });

  it('tells knowledge listeners what changed, and nothing for an article it does not hold', async () => {
    const changes: string[] = [];
    directory().onKnowledgeChange((change) => changes.push(`${change.kind}:${change.id}`));
    await send('UnpublishArticle', { tenantId: TENANT, articleId: 'hours' });
    await f.live.catchUp();
    expect(changes).toEqual(['article:hours']);
    expect(directory().article(TENANT, 'hours')?.published).toBe(false);

    const stray = new Directory();
    stray.onKnowledgeChange((change) => changes.push(`stray ${change.id}`));
    const [published] = await f
      .events(`article-${TENANT}.hours`)
      .then((events) => events.filter((e) => e.type === 'ArticlePublished'));
    if (!published) throw new Error('the fixture published no article');
    // A directory that never saw the tenant or the article: no change, no throw.
    stray.apply(published);
    expect(changes).toEqual(['article:hours']);
  });

  it('passes over events it cannot read: a refused schema, a stream name it cannot parse, an unknown tenant', async () => {
    const metadata = {
      version: 1,
      tenantId: TENANT,
      occurredAt: new Date().toISOString(),
      causationId: null,
      correlationId: 'c',
      actor: SYSTEM_ACTOR,
    };
    // An agent without a name or type is no agent.
    await f.store.append(
      `agent-${TENANT}.broken`,
      [{ id: randomUUID(), type: 'AgentCreated', data: { departmentId: 'reception' }, metadata }],
      'no_stream',
    );
    await f.store.append(
      `agent-ghost.ava`,
      [
        {
          id: randomUUID(),
          type: 'AgentCreated',
          data: { name: 'Ghost', type: 'sales' },
          metadata: { ...metadata, tenantId: 'ghost' },
        },
      ],
      'no_stream',
    );
    await send('CreateAgent', { tenantId: TENANT, agentId: 'later', name: 'Later', type: 'sales' });
    await f.live.catchUp();
    expect(directory().agent(TENANT, 'broken')).toBeUndefined();
    expect(directory().agent('ghost', 'ava')).toBeUndefined();
    expect(directory().tenant('ghost')).toBeUndefined();
    // The fold went on past them.
    expect(directory().agent(TENANT, 'later')?.settings.name).toBe('Later');

    const [created] = await f.events(`agent-${TENANT}.later`);
    if (!created) throw new Error('no AgentCreated for later');
    const before = directory().agents(TENANT).length;
    for (const streamId of ['', 'agent', 'no-dot', '-.-']) directory().apply({ ...created, streamId });
    expect(directory().agents(TENANT)).toHaveLength(before);
  });
});

describe('directory: what booking on a call needs', () => {
  it('finds contacts by number as they are created, renumbered and deleted', async () => {
    await send('CreateContact', {
      tenantId: TENANT,
      contactId: 'ann',
      name: 'Ann',
      phones: ['+15557770001'],
    });
    await f.live.catchUp();
    expect(directory().contactByPhone(TENANT, '+15557770001')?.name).toBe('Ann');
    await send('UpdateContact', {
      tenantId: TENANT,
      contactId: 'ann',
      phones: ['+15557770003'],
      name: 'Ann B',
    });
    await f.live.catchUp();
    expect(directory().contactByPhone(TENANT, '+15557770001')).toBeUndefined();
    expect(directory().contactByPhone(TENANT, '+15557770003')).toMatchObject({
      contactId: 'ann',
      name: 'Ann B',
    });
    await send('DeleteContact', { tenantId: TENANT, contactId: 'ann' });
    await f.live.catchUp();
    expect(directory().contactByPhone(TENANT, '+15557770003')).toBeUndefined();
    expect(directory().contact(TENANT, 'ann')).toBeUndefined();
  });

  it('keeps the services callers can book and the calendars availability reads', async () => {
    await send('AddResource', {
      tenantId: TENANT,
      resourceId: 'sam',
      name: 'Sam',
      kind: 'staff',
      timeZone: 'America/New_York',
      workingHours: [{ day: 'mon', open: '09:00', close: '17:00' }],
    });
    await send('DefineService', {
      tenantId: TENANT,
      serviceId: 'cut',
      name: 'Haircut',
      durationMinutes: 30,
      resourceIds: ['sam'],
    });
    await send('DefineService', {
      tenantId: TENANT,
      serviceId: 'old',
      name: 'Old',
      durationMinutes: 30,
      resourceIds: ['sam'],
    });
    await send('RetireService', { tenantId: TENANT, serviceId: 'old' });
    await f.live.catchUp();
    expect(
      directory()
        .services(TENANT)
        .map((s) => s.serviceId),
    ).toEqual(['cut']);
    expect(directory().calendars(TENANT)).toEqual([
      expect.objectContaining({
        resourceId: 'sam',
        timeZone: 'America/New_York',
        reservations: [],
        removed: false,
      }),
    ]);
    await send('RemoveResource', { tenantId: TENANT, resourceId: 'sam' });
    await f.live.catchUp();
    expect(directory().calendars(TENANT)).toEqual([]);
  });
});
