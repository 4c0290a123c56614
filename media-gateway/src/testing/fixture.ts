import { SYSTEM_ACTOR, type EventEnvelope, decodeEvent } from '@ccp/schemas';
import {
  createCommandHandler,
  type CommandHandler,
  commandRoutes,
  type EventStore,
  createSqliteEventStore,
} from '@ccp/command-service';
import { commandSenderFor } from '../command-sender.js';
import type { CommandSender } from '../conversation/commands.js';
import { createLiveDirectory, type LiveDirectory } from '../directory/live-directory.js';

export interface GatewayFixture {
  readonly store: EventStore;
  readonly handler: CommandHandler;
  readonly live: LiveDirectory;
  readonly commands: CommandSender;
  /** Every event of a stream, decoded. */
  events(streamId: string): Promise<EventEnvelope[]>;
  close(): Promise<void>;
}

export const TENANT = 'acme';
/** Monday 2026-03-02, 11:00 in New York: inside the seeded business hours. */
export const OPEN_HOURS = new Date('2026-03-02T16:00:00.000Z');
/** Monday 23:00 in New York. */
export const CLOSED_HOURS = new Date('2026-03-03T04:00:00.000Z');

/**
 * A real event store (SQLite in memory) and command handler with one tenant seeded through commands: two
 * departments, a day agent, an after-hours agent, a menu, numbers and published knowledge.
 */
export const gatewayFixture = async (clock: () => Date = () => OPEN_HOURS): Promise<GatewayFixture> => {
  const store = createSqliteEventStore({ path: ':memory:' });
  const handler = createCommandHandler({ store, routes: commandRoutes, clock });
  const send = (type: string, data: Record<string, unknown>) =>
    handler.handleTrusted(type, data, { actor: SYSTEM_ACTOR, correlationId: 'fixture' });
  const tenantId = TENANT;
  await send('CreateTenant', {
    tenantId,
    name: 'Acme Dental',
    planTier: 'enterprise',
    settings: {
      timeZone: 'America/New_York',
      languages: ['en', 'es'],
      ivrMenus: [
        {
          id: 'main',
          options: [
            { digit: '1', phrases: ['reception', 'recepción'], departmentId: 'reception' },
            { digit: '2', phrases: ['billing', 'facturación'], departmentId: 'billing' },
          ],
        },
      ],
    },
  });
  for (const departmentId of ['reception', 'billing']) {
    await send('CreateDepartment', {
      tenantId,
      departmentId,
      name: departmentId,
      routing: { maxQueueWaitSeconds: 2 },
    });
  }
  await send('CreateAgent', {
    tenantId,
    agentId: 'ava',
    name: 'Ava',
    type: 'customer_service',
    personality: {
      tone: 'friendly',
      greeting: 'Thanks for calling Acme Dental, this is Ava. How can I help?',
    },
    departmentId: 'reception',
    languages: ['en', 'es'],
    escalationRules: { keywords: ['lawyer'] },
  });
  await send('CreateAgent', {
    tenantId,
    agentId: 'bill',
    name: 'Bill',
    type: 'customer_service',
    departmentId: 'billing',
  });
  await send('CreateAgent', {
    tenantId,
    agentId: 'owl',
    name: 'Owl',
    type: 'after_hours',
    departmentId: 'reception',
  });
  for (const [address, target] of [
    ['+15550000001', { kind: 'agent', id: 'ava' }],
    ['+15550000002', { kind: 'ivr', id: 'main' }],
    ['+15550000003', { kind: 'department', id: 'reception' }],
  ] as const) {
    await send('ProvisionNumber', { tenantId, address, kind: 'pstn', provider: 'twilio' });
    await send('AssignNumber', { tenantId, address, target });
  }
  await send('CreateArticle', {
    tenantId,
    articleId: 'hours',
    title: 'Opening hours',
    body: 'We are open Monday to Friday from 8 am to 6 pm. On Saturdays we open from 9 am to 1 pm.',
    tags: ['hours'],
  });
  await send('PublishArticle', { tenantId, articleId: 'hours' });
  const live = createLiveDirectory(store);
  await live.catchUp();
  const commands = commandSenderFor(handler);
  return {
    store,
    handler,
    live,
    commands,
    events: async (streamId) =>
      (await store.readStream(streamId)).flatMap((recorded) => {
        const decoded = decodeEvent(recorded);
        return decoded.ok ? [decoded.value] : [];
      }),
    close: () => store.close(),
  };
};
