import { describe, expect, it } from 'vitest';
import {
  AppointmentCancelled,
  AppointmentCompleted,
  AppointmentNoShow,
  AppointmentRescheduled,
  ReleaseSlot,
  RescheduleAppointment,
  ReserveSlot,
  ScheduleAppointment,
  UndoReservation,
  VerifyServiceBookable,
  type AppointmentScheduled,
} from '@ccp/schemas';
import type { z } from 'zod';
import { statusOfDomainCode } from '../application/errors.js';
import { appointmentDecider } from '../domain/appointment.js';
import { appointmentReactions, appointmentRoutes } from './appointment.js';
import { calendarRoutes } from './calendar.js';
import { request } from './route.js';
import { prerequisitesOf, storedEvent, validated } from './testing.js';

const stream = { category: 'appointment', tenantId: 'acme', id: 'ap-1' };
const placement = {
  resourceId: 'dana',
  serviceIds: ['cleaning'],
  bufferBeforeMinutes: 10,
  bufferAfterMinutes: 5,
};
const booking = {
  tenantId: 'acme',
  appointmentId: 'ap-1',
  customer: { name: 'Ana Ruiz' },
  service: 'Cleaning',
  startsAt: '2026-03-05T15:00:00Z',
  durationMinutes: 45,
  timeZone: 'America/New_York',
};
const scheduled: { type: 'AppointmentScheduled'; data: z.output<typeof AppointmentScheduled.data> } = {
  type: 'AppointmentScheduled',
  data: { ...booking, startsAt: '2026-03-05T15:00:00.000Z', placement },
};

describe('appointment routes on resource calendars', () => {
  it('a booking with a placement first checks its service and reserves its time, buffers included; one without does neither', () => {
    expect(prerequisitesOf(appointmentRoutes, ScheduleAppointment, { ...booking, placement })).toEqual([
      request(VerifyServiceBookable, {
        tenantId: 'acme',
        serviceId: 'cleaning',
        resourceId: 'dana',
        durationMinutes: 45,
      }),
      request(ReserveSlot, {
        tenantId: 'acme',
        resourceId: 'dana',
        appointmentId: 'ap-1',
        startsAt: '2026-03-05T15:00:00.000Z',
        endsAt: '2026-03-05T15:45:00.000Z',
        bufferBeforeMinutes: 10,
        bufferAfterMinutes: 5,
      }),
    ]);
    expect(prerequisitesOf(appointmentRoutes, ScheduleAppointment, booking)).toEqual([]);
  });

  it('a move to another resource checks it serves what was booked, and reserves the new time there with the booked buffers', () => {
    const state = appointmentDecider.evolve(appointmentDecider.initialState(), scheduled);
    const move = {
      tenantId: 'acme',
      appointmentId: 'ap-1',
      startsAt: '2026-03-06T14:00:00Z',
      resourceId: 'leo',
    };
    const events = [
      {
        type: 'AppointmentRescheduled' as const,
        data: {
          from: { startsAt: '2026-03-05T15:00:00.000Z', durationMinutes: 45, resourceId: 'dana' },
          to: { startsAt: '2026-03-06T14:00:00.000Z', durationMinutes: 45, resourceId: 'leo' },
        },
      },
    ];
    expect(prerequisitesOf(appointmentRoutes, RescheduleAppointment, move, { state, events })).toEqual([
      request(VerifyServiceBookable, { tenantId: 'acme', serviceId: 'cleaning', resourceId: 'leo' }),
      request(ReserveSlot, {
        tenantId: 'acme',
        resourceId: 'leo',
        appointmentId: 'ap-1',
        startsAt: '2026-03-06T14:00:00.000Z',
        endsAt: '2026-03-06T14:45:00.000Z',
        bufferBeforeMinutes: 10,
        bufferAfterMinutes: 5,
      }),
    ]);
  });

  it('a reservation that ran for a booking that then failed is undone', () => {
    const reserveRoute = calendarRoutes.find((r) => r.definition === ReserveSlot);
    const data = {
      tenantId: 'acme',
      resourceId: 'dana',
      appointmentId: 'ap-1',
      startsAt: '2026-03-05T15:00:00.000Z',
      endsAt: '2026-03-05T15:45:00.000Z',
    };
    expect(reserveRoute?.compensation?.({ ...data, bufferBeforeMinutes: 0, bufferAfterMinutes: 0 })).toEqual(
      request(UndoReservation, data),
    );
  });

  it('cancelled, completed, no-show and moved away give back the time the appointment held on its resource', () => {
    const released = validated([
      request(ReleaseSlot, {
        tenantId: 'acme',
        resourceId: 'dana',
        appointmentId: 'ap-1',
        startsAt: '2026-03-05T15:00:00.000Z',
        endsAt: '2026-03-05T15:45:00.000Z',
      }),
    ]);
    const held = { resourceId: 'dana', startsAt: '2026-03-05T15:00:00.000Z', durationMinutes: 45 };
    expect(
      appointmentReactions.AppointmentCancelled!(
        storedEvent(AppointmentCancelled, { reason: 'ill', ...held }, stream),
      ),
    ).toEqual(released);
    expect(
      appointmentReactions.AppointmentCompleted!(storedEvent(AppointmentCompleted, held, stream)),
    ).toEqual(released);
    expect(appointmentReactions.AppointmentNoShow!(storedEvent(AppointmentNoShow, held, stream))).toEqual(
      released,
    );
    expect(
      appointmentReactions.AppointmentCancelled!(
        storedEvent(AppointmentCancelled, { reason: 'ill' }, stream),
      ),
    ).toEqual([]);
    const moved = (to: string) =>
      storedEvent(
        AppointmentRescheduled,
        {
          from: { startsAt: '2026-03-05T15:00:00Z', durationMinutes: 45, resourceId: 'dana' },
          to: { startsAt: '2026-03-06T15:00:00Z', durationMinutes: 45, resourceId: to },
        },
        stream,
      );
    expect(appointmentReactions.AppointmentRescheduled!(moved('leo'))).toEqual(released);
    expect(appointmentReactions.AppointmentRescheduled!(moved('dana'))).toEqual([]);
  });

  it('an event stored before settled events named the time releases whatever the appointment holds', () => {
    expect(
      appointmentReactions.AppointmentNoShow!(storedEvent(AppointmentNoShow, { resourceId: 'dana' }, stream)),
    ).toEqual(
      validated([request(ReleaseSlot, { tenantId: 'acme', resourceId: 'dana', appointmentId: 'ap-1' })]),
    );
  });

  it('a slot taken by another booking is a 409, so the caller offers another', () => {
    expect(statusOfDomainCode('SLOT_TAKEN')).toBe(409);
    expect(statusOfDomainCode('OUTSIDE_WORKING_HOURS')).toBe(422);
  });
});
