import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type Actor } from '@ccp/schemas';
import { createCommandHandler, type CommandHandler } from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import { settings } from '../domain/campaign/fixtures.js';
import type { EventStore } from '../event-store/port.js';
import { createSqliteEventStore } from '../event-store/sqlite.js';
import { commandRoutes } from './index.js';

/** Campaign commands through the real command handler and SQLite event store: prerequisites, 409s, retries. */
const admin: Actor = { kind: 'user', id: 'u1', role: 'tenant_admin', tenantId: 'acme' };
const system = { actor: SYSTEM_ACTOR };
const NOW = new Date('2026-03-02T15:00:00Z');
const key = { tenantId: 'acme', campaignId: 'spring' };
const creation = { ...key, ...settings, callerIds: ['+15550100001'] };

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) =>
      error instanceof CommandRejected ? { status: error.status, code: error.code } : error,
  );

describe('campaign commands through the command handler', () => {
  let store: EventStore;
  let handler: CommandHandler;
  let racer: (() => Promise<void>) | undefined;

  beforeEach(async () => {
    store = createSqliteEventStore({ path: ':memory:' });
    // Just before the handler's next append, another writer appends to the stream: a dialer tick, on cue.
    const racing: EventStore = {
      ...store,
      append: async (streamId, events, expected) => {
        const race = racer;
        racer = undefined;
        if (race) await race();
        return store.append(streamId, events, expected);
      },
    };
    handler = createCommandHandler({ store: racing, routes: commandRoutes, clock: () => NOW });
    await handler.handleTrusted(
      'CreateTenant',
      { tenantId: 'acme', name: 'Acme', planTier: 'professional' },
      system,
    );
    await handler.handle(
      'CreateAgent',
      { tenantId: 'acme', agentId: 'ava', name: 'Ava', type: 'sales' },
      { actor: admin },
    );
    await handler.handle(
      'ProvisionNumber',
      { tenantId: 'acme', address: '+15550100001', kind: 'pstn', provider: 'simulator' },
      { actor: admin },
    );
  });
  afterEach(async () => {
    await store.close();
  });

  it('creates a campaign with the tenant’s enabled agent and its own number', async () => {
    await handler.handle('CreateCampaign', creation, { actor: admin });
    const events = await store.readStream('campaign-acme.spring');
    expect(events.map((e) => e.type)).toEqual(['CampaignCreated']);
  });

  it('refuses a caller ID the tenant does not hold, storing nothing', async () => {
    const refused = await rejection(
      handler.handle('CreateCampaign', { ...creation, callerIds: ['+15550100099'] }, { actor: admin }),
    );
    expect(refused).toEqual({ status: 404, code: 'NUMBER_NOT_FOUND' });
    expect(await store.readStream('campaign-acme.spring')).toEqual([]);
  });

  it('refuses a disabled agent', async () => {
    await handler.handle('DisableAgent', { tenantId: 'acme', agentId: 'ava' }, { actor: admin });
    const refused = await rejection(handler.handle('CreateCampaign', creation, { actor: admin }));
    expect(refused).toMatchObject({ status: 422 });
    expect(await store.readStream('campaign-acme.spring')).toEqual([]);
  });

  it('answers an edit on a stale revision with 409 CAMPAIGN_CHANGED', async () => {
    await handler.handle('CreateCampaign', creation, { actor: admin });
    await handler.handle(
      'UpdateCampaign',
      { ...key, revision: 1, changes: { name: 'Mine' } },
      { actor: admin },
    );
    const refused = await rejection(
      handler.handle(
        'UpdateCampaign',
        { ...key, revision: 1, changes: { name: 'Theirs' } },
        { actor: admin },
      ),
    );
    expect(refused).toEqual({ status: 409, code: 'CAMPAIGN_CHANGED' });
  });

  it('decides an edit again when the dialer appended meanwhile', async () => {
    await handler.handle('CreateCampaign', creation, { actor: admin });
    racer = async () => {
      await createCommandHandler({ store, routes: commandRoutes, clock: () => NOW }).handleTrusted(
        'StageLeads',
        {
          ...key,
          importId: 'imp',
          chunk: 0,
          leads: [{ leadId: 'l1', phone: '+15550200001', timeZones: [], variables: {} }],
        },
        system,
      );
    };
    await handler.handle(
      'UpdateCampaign',
      { ...key, revision: 1, changes: { name: 'Mine' } },
      { actor: admin },
    );
    const events = await store.readStream('campaign-acme.spring');
    expect(events.map((e) => e.type)).toEqual(['CampaignCreated', 'LeadsStaged', 'CampaignUpdated']);
  });
});
