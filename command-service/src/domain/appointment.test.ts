import { describe, it } from 'vitest';
import {
  CancelAppointment,
  CompleteAppointment,
  ConfirmAppointment,
  MarkNoShow,
  RescheduleAppointment,
  ScheduleAppointment,
} from '@ccp/schemas';
import { appointmentDecider, type AppointmentCommand, type AppointmentEvent } from './appointment.js';
import { DomainError } from './decider.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(appointmentDecider);

// The test clock (TEST_NOW) is 2026-03-02T10:00Z; the appointment is three days later.
const key = { tenantId: 'acme', appointmentId: 'ap-1' };
const startsAt = '2026-03-05T15:00:00.000Z';
const afterStart = { now: new Date('2026-03-05T15:30:00.000Z') };
const booking = {
  customer: { name: 'Ana Ruiz', phone: '+34600111222' },
  service: 'Dental check-up',
  durationMinutes: 30,
  timeZone: 'Europe/Madrid',
  callId: 'CA123',
};
const scheduled: AppointmentEvent = { type: 'AppointmentScheduled', data: { ...booking, startsAt } };
const confirmed: AppointmentEvent = { type: 'AppointmentConfirmed', data: {} };
const cancelled: AppointmentEvent = { type: 'AppointmentCancelled', data: { reason: 'customer is ill' } };
const completed: AppointmentEvent = { type: 'AppointmentCompleted', data: {} };
const noShow: AppointmentEvent = { type: 'AppointmentNoShow', data: {} };

describe('appointment decider', () => {
  describe('ScheduleAppointment', () => {
    it('books a future appointment, stored in UTC', () =>
      given([])
        .when(command(ScheduleAppointment, { ...key, ...booking, startsAt: '2026-03-05T16:00:00+01:00' }))
        .then([scheduled]));

    it('refuses a start time that is not in the future', () =>
      given([])
        .when(command(ScheduleAppointment, { ...key, ...booking, startsAt: '2026-03-02T10:00:00Z' }))
        .thenThrows(
          (error) =>
            error instanceof DomainError &&
            error.code === 'APPOINTMENT_IN_PAST' &&
            error.field === 'startsAt',
        ));

    it('refuses an appointment id that is taken', () =>
      given([scheduled])
        .when(command(ScheduleAppointment, { ...key, ...booking, startsAt }))
        .thenThrows(refusedWith('APPOINTMENT_EXISTS')));
  });

  describe('ConfirmAppointment', () => {
    it('confirms a scheduled appointment', () =>
      given([scheduled]).when(command(ConfirmAppointment, key)).then([confirmed]));

    it('confirming twice is one confirmation', () =>
      given([scheduled, confirmed]).when(command(ConfirmAppointment, key)).thenNothingHappened());

    it('refuses to confirm a cancelled appointment', () =>
      given([scheduled, cancelled])
        .when(command(ConfirmAppointment, key))
        .thenThrows(refusedWith('APPOINTMENT_CLOSED')));
  });

  describe('RescheduleAppointment', () => {
    const later = '2026-03-06T09:00:00.000Z';

    it('moves the appointment and keeps its duration', () =>
      given([scheduled])
        .when(command(RescheduleAppointment, { ...key, startsAt: later }))
        .then([
          {
            type: 'AppointmentRescheduled',
            data: { from: { startsAt, durationMinutes: 30 }, to: { startsAt: later, durationMinutes: 30 } },
          },
        ]));

    it('changes the duration when asked', () =>
      given([scheduled])
        .when(command(RescheduleAppointment, { ...key, startsAt, durationMinutes: 60 }))
        .then([
          {
            type: 'AppointmentRescheduled',
            data: { from: { startsAt, durationMinutes: 30 }, to: { startsAt, durationMinutes: 60 } },
          },
        ]));

    it('needs confirming again after a move', () =>
      given([
        scheduled,
        confirmed,
        {
          type: 'AppointmentRescheduled',
          data: { from: { startsAt, durationMinutes: 30 }, to: { startsAt: later, durationMinutes: 30 } },
        },
      ])
        .when(command(ConfirmAppointment, key))
        .then([confirmed]));

    it('moving to the same time is already done', () =>
      given([scheduled, confirmed])
        .when(command(RescheduleAppointment, { ...key, startsAt: '2026-03-05T16:00:00+01:00' }))
        .thenNothingHappened());

    it('refuses to move into the past', () =>
      given([scheduled])
        .when(command(RescheduleAppointment, { ...key, startsAt: '2026-03-01T09:00:00Z' }))
        .thenThrows(refusedWith('APPOINTMENT_IN_PAST')));

    it('refuses to move a closed appointment', () =>
      given([scheduled, confirmed, completed])
        .when(command(RescheduleAppointment, { ...key, startsAt: later }, afterStart))
        .thenThrows(refusedWith('APPOINTMENT_CLOSED')));
  });

  describe('CancelAppointment', () => {
    it('cancels a scheduled appointment', () =>
      given([scheduled])
        .when(command(CancelAppointment, { ...key, reason: 'customer is ill' }))
        .then([cancelled]));

    it('cancels a confirmed appointment', () =>
      given([scheduled, confirmed])
        .when(command(CancelAppointment, { ...key, reason: 'customer is ill' }))
        .then([cancelled]));

    it('cancelling twice is one cancellation', () =>
      given([scheduled, cancelled])
        .when(command(CancelAppointment, { ...key, reason: 'again' }))
        .thenNothingHappened());

    it('refuses to cancel an appointment that took place', () =>
      given([scheduled, confirmed, completed])
        .when(command(CancelAppointment, { ...key, reason: 'too late' }, afterStart))
        .thenThrows(refusedWith('APPOINTMENT_CLOSED')));
  });

  describe.each([
    { definition: CompleteAppointment, outcome: completed, other: noShow },
    { definition: MarkNoShow, outcome: noShow, other: completed },
  ])('$definition.type', ({ definition, outcome, other }) => {
    it('records the outcome once the start time has passed', () =>
      given([scheduled, confirmed])
        .when(command(definition, key, afterStart))
        .then([outcome]));

    it('refuses before the start time', () =>
      given([scheduled, confirmed])
        .when(command(definition, key))
        .thenThrows(refusedWith('APPOINTMENT_NOT_STARTED')));

    it('recording it twice is one record', () =>
      given([scheduled, confirmed, outcome])
        .when(command(definition, key, afterStart))
        .thenNothingHappened());

    it('refuses an appointment with another outcome', () =>
      given([scheduled, confirmed, other])
        .when(command(definition, key, afterStart))
        .thenThrows(refusedWith('APPOINTMENT_CLOSED')));

    it('refuses a cancelled appointment', () =>
      given([scheduled, confirmed, cancelled])
        .when(command(definition, key, afterStart))
        .thenThrows(refusedWith('APPOINTMENT_CLOSED')));
  });

  it('refuses to complete an appointment that was never confirmed', () =>
    given([scheduled])
      .when(command(CompleteAppointment, key, afterStart))
      .thenThrows(refusedWith('APPOINTMENT_NOT_CONFIRMED')));

  it('marks a no-show on an appointment that was never confirmed', () =>
    given([scheduled])
      .when(command(MarkNoShow, key, afterStart))
      .then([noShow]));

  describe('on a resource calendar', () => {
    const placement = {
      resourceId: 'dana',
      serviceIds: ['cleaning', 'whitening'],
      bufferBeforeMinutes: 10,
      bufferAfterMinutes: 5,
    };
    const placed: AppointmentEvent = {
      type: 'AppointmentScheduled',
      data: { ...booking, startsAt, durationMinutes: 75, contactId: 'c-1', language: 'es', placement },
    };
    const later = '2026-03-06T09:00:00.000Z';

    it('keeps the contact, language and placement in the event', () =>
      given([])
        .when(
          command(ScheduleAppointment, {
            ...key,
            ...booking,
            startsAt,
            durationMinutes: 75,
            contactId: 'c-1',
            language: 'es',
            placement,
          }),
        )
        .then([placed]));

    it('a move names the resource it goes to, and the event says where from and where to', () =>
      given([placed])
        .when(command(RescheduleAppointment, { ...key, startsAt: later, resourceId: 'leo' }))
        .then([
          {
            type: 'AppointmentRescheduled',
            data: {
              from: { startsAt, durationMinutes: 75, resourceId: 'dana' },
              to: { startsAt: later, durationMinutes: 75, resourceId: 'leo' },
            },
          },
        ]));

    it('moving to another resource at the same time is a move', () =>
      given([placed])
        .when(command(RescheduleAppointment, { ...key, startsAt, resourceId: 'leo' }))
        .then([
          {
            type: 'AppointmentRescheduled',
            data: {
              from: { startsAt, durationMinutes: 75, resourceId: 'dana' },
              to: { startsAt, durationMinutes: 75, resourceId: 'leo' },
            },
          },
        ]));

    it('the same time on the same resource is already done', () =>
      given([placed])
        .when(command(RescheduleAppointment, { ...key, startsAt, resourceId: 'dana' }))
        .thenNothingHappened());

    it('refuses a move without the resource', () =>
      given([placed])
        .when(command(RescheduleAppointment, { ...key, startsAt: later }))
        .thenThrows(refusedWith('APPOINTMENT_RESOURCE_REQUIRED', 'resourceId')));

    it('refuses a resource for an appointment booked without one', () =>
      given([scheduled])
        .when(command(RescheduleAppointment, { ...key, startsAt: later, resourceId: 'dana' }))
        .thenThrows(refusedWith('APPOINTMENT_NOT_PLACED', 'resourceId')));

    const moved: AppointmentEvent = {
      type: 'AppointmentRescheduled',
      data: {
        from: { startsAt, durationMinutes: 75, resourceId: 'dana' },
        to: { startsAt: later, durationMinutes: 75, resourceId: 'leo' },
      },
    };

    it('a cancellation names the resource and time it was last moved to, so that reservation is given back', () =>
      given([placed, moved])
        .when(command(CancelAppointment, { ...key, reason: 'customer is ill' }))
        .then([
          {
            type: 'AppointmentCancelled',
            data: { reason: 'customer is ill', resourceId: 'leo', startsAt: later, durationMinutes: 75 },
          },
        ]));

    it('completion and no-show name the resource and the time it held', () => {
      const afterMove = { now: new Date('2026-03-06T10:00:00.000Z') };
      given([placed, moved, confirmed])
        .when(command(CompleteAppointment, key, afterMove))
        .then([
          { type: 'AppointmentCompleted', data: { resourceId: 'leo', startsAt: later, durationMinutes: 75 } },
        ]);
      given([placed])
        .when(command(MarkNoShow, key, afterStart))
        .then([{ type: 'AppointmentNoShow', data: { resourceId: 'dana', startsAt, durationMinutes: 75 } }]);
    });
  });

  const toMissing: AppointmentCommand[] = [
    command(ConfirmAppointment, key),
    command(RescheduleAppointment, { ...key, startsAt }),
    command(CancelAppointment, { ...key, reason: 'x' }),
    command(CompleteAppointment, key),
    command(MarkNoShow, key),
  ];
  it.each(toMissing.map((c) => [c.type, c] as const))(
    'refuses %s to an appointment that does not exist',
    (_, c) => given([]).when(c).thenThrows(refusedWith('APPOINTMENT_NOT_FOUND')),
  );
});
