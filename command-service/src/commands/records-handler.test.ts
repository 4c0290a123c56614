import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContactDoNotCallChanged, SYSTEM_ACTOR, type Actor } from '@ccp/schemas';
import { createCommandHandler, type CommandHandler } from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import type { EventStore } from '../event-store/port.js';
import { createSqliteEventStore } from '../event-store/sqlite.js';
import { commandRoutes, reactions } from './index.js';
import { storedEvent, validated } from './testing.js';

/** Services, schedule settings, contacts and messages through the real command handler and SQLite store. */
const admin: Actor = { kind: 'user', id: 'u1', role: 'tenant_admin', tenantId: 'acme' };
const agent: Actor = { kind: 'user', id: 'u2', role: 'agent', tenantId: 'acme' };
const system = { actor: SYSTEM_ACTOR };
const NOW = new Date('2026-03-02T15:00:00Z');

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) =>
      error instanceof CommandRejected
        ? { status: error.status, code: error.code, ...(error.field !== undefined && { field: error.field }) }
        : error,
  );

describe('services, schedule, contacts and messages through the command handler', () => {
  let store: EventStore;
  let handler: CommandHandler;

  beforeEach(async () => {
    store = createSqliteEventStore({ path: ':memory:' });
    handler = createCommandHandler({ store, routes: commandRoutes, clock: () => NOW });
    await handler.handleTrusted(
      'CreateTenant',
      { tenantId: 'acme', name: 'Acme', planTier: 'professional' },
      system,
    );
  });
  afterEach(async () => {
    await store.close();
  });

  it('refuses a template naming an unknown variable with a 400 on its field, storing nothing', async () => {
    const refused = await rejection(
      handler.handle(
        'ConfigureSchedule',
        {
          tenantId: 'acme',
          templates: [{ purpose: 'reminder', channel: 'sms', language: 'en', body: 'See you {{tiem}}' }],
        },
        { actor: admin },
      ),
    );
    expect(refused).toEqual({ status: 400, code: 'VALIDATION_FAILED', field: 'templates.0.body' });
    expect(await store.readStream('schedule-acme.settings')).toEqual([]);
  });

  it('stores the schedule settings once, and refuses a duplicate offset with a 422 on its field', async () => {
    const settings = { tenantId: 'acme', reminderOffsetsMinutes: [1440, 60] };
    await handler.handle('ConfigureSchedule', settings, { actor: admin });
    const again = await handler.handle('ConfigureSchedule', settings, { actor: admin });
    expect(again.events).toEqual([]);
    const refused = await rejection(
      handler.handle(
        'ConfigureSchedule',
        { tenantId: 'acme', reminderOffsetsMinutes: [60, 60] },
        { actor: admin },
      ),
    );
    expect(refused).toEqual({ status: 422, code: 'SCHEDULE_INVALID', field: 'reminderOffsetsMinutes' });
    expect((await store.readStream('schedule-acme.settings')).map((e) => e.type)).toEqual([
      'ScheduleConfigured',
    ]);
  });

  it('lets staff keep contacts but only a tenant admin define services', async () => {
    const created = await handler.handle(
      'CreateContact',
      { tenantId: 'acme', contactId: 'maria', name: 'Maria', phones: ['+15550100001'] },
      { actor: agent },
    );
    expect(created.streamId).toBe('contact-acme.maria');
    const service = { tenantId: 'acme', serviceId: 'cleaning', name: 'Cleaning', durationMinutes: 30 };
    const input = { ...service, resourceIds: ['dr-lee'] };
    expect(await rejection(handler.handle('DefineService', input, { actor: agent }))).toMatchObject({
      status: 403,
    });
    const defined = await handler.handle('DefineService', input, { actor: admin });
    expect(defined.streamId).toBe('service-acme.cleaning');
    expect(await rejection(handler.handle('DefineService', input, { actor: admin }))).toEqual({
      status: 409,
      code: 'SERVICE_EXISTS',
      field: 'serviceId',
    });
  });

  it('keeps the message worker’s commands to the platform, and answers a lost race with a 409', async () => {
    const message = {
      tenantId: 'acme',
      messageId: 'reminder-1',
      channel: 'sms',
      to: '+15550100001',
      purpose: 'reminder',
      language: 'en',
      body: 'See you tomorrow',
      dueAt: NOW.toISOString(),
    };
    await handler.handle('ScheduleMessage', message, { actor: agent });
    const start = { tenantId: 'acme', messageId: 'reminder-1', attempt: 1 };
    expect(await rejection(handler.handle('StartMessageDelivery', start, { actor: admin }))).toMatchObject({
      status: 403,
    });
    const claimed = await handler.handleTrusted('StartMessageDelivery', start, system);
    expect(claimed.events.map((e) => e.type)).toEqual(['MessageDeliveryStarted']);
    expect((await handler.handleTrusted('StartMessageDelivery', start, system)).events).toEqual([]);
    expect(
      await rejection(handler.handleTrusted('StartMessageDelivery', { ...start, attempt: 2 }, system)),
    ).toEqual({ status: 409, code: 'MESSAGE_ATTEMPT_CHANGED', field: 'attempt' });
  });

  it('puts a flagged contact’s numbers on the do-not-call list, and takes them off with the flag', () => {
    const stream = { category: 'contact', tenantId: 'acme', id: 'maria' };
    const react = (doNotCall: boolean, phones: string[]) =>
      validated(
        (reactions.get('ContactDoNotCallChanged') ?? []).flatMap((reaction) =>
          reaction(storedEvent(ContactDoNotCallChanged, { doNotCall, phones }, stream)),
        ),
      ).map((r) => ({ type: r.definition.type, data: r.data }));
    expect(react(true, ['+15550100001'])).toEqual([
      { type: 'AddToDoNotCall', data: { tenantId: 'acme', numbers: ['+15550100001'], source: 'manual' } },
    ]);
    expect(react(false, ['+15550100001'])).toEqual([
      { type: 'RemoveFromDoNotCall', data: { tenantId: 'acme', numbers: ['+15550100001'] } },
    ]);
    expect(react(true, [])).toEqual([]);
  });
});
