import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEvent, SYSTEM_ACTOR, type Actor } from '@ccp/schemas';
import { createCommandHandler, type CommandHandler } from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import type { EventStore } from '../event-store/port.js';
import { createSqliteEventStore } from '../event-store/sqlite.js';
import { appointmentReactions } from './appointment.js';
import { commandRoutes } from './index.js';

/** Bookings through the real command handler and SQLite store: the calendar reservation and its undo. */
const admin: Actor = { kind: 'user', id: 'u1', role: 'tenant_admin', tenantId: 'acme' };
const NOW = new Date('2026-03-02T15:00:00Z');
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const booking = (startsAt: string) => ({
  tenantId: 'acme',
  appointmentId: 'ap-1',
  customer: { name: 'Ana Ruiz' },
  service: 'Cleaning',
  startsAt,
  durationMinutes: 30,
  timeZone: 'America/New_York',
  placement: { resourceId: 'dana', serviceIds: ['cleaning'] },
});

describe('bookings through the command handler', () => {
  let store: EventStore;
  let handler: CommandHandler;
  /** Runs once, just before the next append to an appointment stream: another writer, on cue. */
  let racer: (() => Promise<void>) | undefined;

  const types = async (streamId: string) => (await store.readStream(streamId)).map((e) => e.type);
  const reservations = async () =>
    (await store.readStream('calendar-acme.dana'))
      .map((e) => {
        const decoded = decodeEvent(e);
        if (!decoded.ok) throw new Error(decoded.error.message);
        return decoded.value;
      })
      .filter((e) => e.type === 'SlotReserved' || e.type === 'SlotReleased')
      .map((e) => `${e.type} ${(e.data as { startsAt?: string }).startsAt ?? ''}`.trim());

  beforeEach(async () => {
    store = createSqliteEventStore({ path: ':memory:' });
    const racing: EventStore = {
      ...store,
      append: async (streamId, events, expected) => {
        const race = streamId.startsWith('appointment-') ? racer : undefined;
        if (race) {
          racer = undefined;
          await race();
        }
        return store.append(streamId, events, expected);
      },
    };
    handler = createCommandHandler({ store: racing, routes: commandRoutes, clock: () => NOW });
    await handler.handleTrusted('CreateTenant', { tenantId: 'acme', name: 'Acme' }, { actor: SYSTEM_ACTOR });
    for (const [resourceId, name] of [
      ['dana', 'Dr. Dana'],
      ['leo', 'Dr. Leo'],
    ] as const) {
      await handler.handle(
        'AddResource',
        {
          tenantId: 'acme',
          resourceId,
          name,
          kind: 'staff',
          timeZone: 'America/New_York',
          workingHours: weekdays.map((day) => ({ day, open: '09:00', close: '17:00' })),
        },
        { actor: admin },
      );
    }
    await handler.handle(
      'DefineService',
      {
        tenantId: 'acme',
        serviceId: 'cleaning',
        name: 'Cleaning',
        durationMinutes: 30,
        resourceIds: ['dana', 'leo'],
      },
      { actor: admin },
    );
  });
  afterEach(async () => {
    await store.close();
  });

  it('a booking that fails after reserving gives the reservation back, leaving one another booking of the same appointment made meanwhile', async () => {
    // The first booking (10:00 local) has reserved and is about to store the appointment when a second booking
    // of the same appointment (11:00) runs through: it moves the reservation and stores the appointment.
    racer = async () => {
      await handler.handle('ScheduleAppointment', booking('2026-03-05T16:00:00Z'), { actor: admin });
    };
    const first = await handler
      .handle('ScheduleAppointment', booking('2026-03-05T15:00:00Z'), { actor: admin })
      .then(
        () => undefined,
        (error: unknown) => (error instanceof CommandRejected ? error.code : error),
      );
    expect(first).toBe('CONCURRENCY_CONFLICT');
    expect(await types('appointment-acme.ap-1')).toEqual(['AppointmentScheduled']);
    // The failed booking's undo names its own reservation, which is no longer current: the 11:00 one stays.
    expect(await reservations()).toEqual([
      'SlotReserved 2026-03-05T15:00:00.000Z',
      'SlotReserved 2026-03-05T16:00:00.000Z',
    ]);
  });

  it('a booking whose appointment cannot be stored releases the time it reserved', async () => {
    racer = async () => {
      await store.append(
        'appointment-acme.ap-1',
        [
          {
            id: '00000000-0000-4000-8000-000000000001',
            type: 'AppointmentScheduled',
            data: { ...booking('2026-03-06T15:00:00.000Z'), placement: undefined },
            metadata: {
              version: 1,
              tenantId: 'acme',
              occurredAt: NOW.toISOString(),
              causationId: 'elsewhere',
              correlationId: 'elsewhere',
              actor: admin,
            },
          },
        ],
        'no_stream',
      );
    };
    await expect(
      handler.handle('ScheduleAppointment', booking('2026-03-05T15:00:00Z'), { actor: admin }),
    ).rejects.toMatchObject({ status: 409, code: 'CONCURRENCY_CONFLICT' });
    expect(await reservations()).toEqual(['SlotReserved 2026-03-05T15:00:00.000Z', 'SlotReleased']);
  });

  it('a release the reactor runs late, and again, after the appointment came back to the resource, leaves its new reservation', async () => {
    await handler.handle('ScheduleAppointment', booking('2026-03-05T15:00:00Z'), { actor: admin });
    const move = (resourceId: string, startsAt: string) =>
      handler.handle(
        'RescheduleAppointment',
        { tenantId: 'acme', appointmentId: 'ap-1', startsAt, resourceId },
        { actor: admin },
      );
    await move('leo', '2026-03-05T16:00:00Z');
    await move('dana', '2026-03-05T17:00:00Z');
    // Reactions are asynchronous and at least once: the first move's release of 10:00 local runs only now, twice.
    const [, awayFromDana] = (await store.readStream('appointment-acme.ap-1')).map((recorded) => {
      const decoded = decodeEvent(recorded);
      if (!decoded.ok) throw new Error(decoded.error.message);
      return decoded.value;
    });
    expect(awayFromDana?.type).toBe('AppointmentRescheduled');
    const late = appointmentReactions.AppointmentRescheduled!(awayFromDana!);
    expect(late.map((r) => r.definition.type)).toEqual(['ReleaseSlot']);
    for (const r of [...late, ...late]) {
      await handler.handleTrusted(r.definition.type, r.data, { actor: SYSTEM_ACTOR });
    }
    expect(await reservations()).toEqual([
      'SlotReserved 2026-03-05T15:00:00.000Z',
      'SlotReserved 2026-03-05T17:00:00.000Z',
    ]);
  });

  it('staff cannot reserve, release or undo calendar time or run the service check directly; their bookings still do', async () => {
    const slot = {
      tenantId: 'acme',
      resourceId: 'dana',
      appointmentId: 'ap-9',
      startsAt: '2026-03-05T18:00:00Z',
      endsAt: '2026-03-05T18:30:00Z',
    };
    const direct: readonly (readonly [string, object])[] = [
      ['ReserveSlot', slot],
      ['ReleaseSlot', { ...slot, appointmentId: 'ap-1' }],
      ['UndoReservation', { ...slot, appointmentId: 'ap-1' }],
      ['VerifyServiceBookable', { tenantId: 'acme', serviceId: 'cleaning', resourceId: 'dana' }],
    ];
    await handler.handle('ScheduleAppointment', booking('2026-03-05T15:00:00Z'), { actor: admin });
    for (const role of ['tenant_admin', 'supervisor', 'agent'] as const) {
      for (const [type, data] of direct) {
        await expect(
          handler.handle(type, data, { actor: { ...admin, role } }),
          `${role} ${type}`,
        ).rejects.toMatchObject({ status: 403 });
      }
    }
    expect(await reservations()).toEqual(['SlotReserved 2026-03-05T15:00:00.000Z']);
  });
});
