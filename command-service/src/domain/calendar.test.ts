import { describe, it } from 'vitest';
import {
  AddResource,
  AddTimeOff,
  LinkExternalCalendar,
  RecordExternalEvent,
  ReleaseSlot,
  RemoveResource,
  RemoveTimeOff,
  ReserveSlot,
  ReviseResource,
  SyncExternalBusy,
  UndoReservation,
  UnlinkExternalCalendar,
} from '@ccp/schemas';
import { calendarDecider, type CalendarEvent } from './calendar.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(calendarDecider);

// The test clock is Monday 2026-03-02T10:00Z; Dana works in New York (EST, UTC−5), weekdays 09:00–17:00 with
// lunch 12:00–13:00. Thursday 5 March 09:00 local is 14:00Z.
const key = { tenantId: 'acme', resourceId: 'dana' };
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const settings = {
  name: 'Dr. Dana',
  kind: 'staff' as const,
  timeZone: 'America/New_York',
  workingHours: weekdays.map((day) => ({ day, open: '09:00', close: '17:00' })),
  breaks: weekdays.map((day) => ({ day, open: '12:00', close: '13:00' })),
  languages: ['en', 'es'],
};
const added: CalendarEvent = { type: 'ResourceAdded', data: settings };
const slot = (appointmentId: string, startsAt: string, endsAt: string, buffers = {}) => ({
  appointmentId,
  startsAt,
  endsAt,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0,
  ...buffers,
});
const nine = slot('ap-1', '2026-03-05T14:00:00.000Z', '2026-03-05T14:30:00.000Z', { bufferAfterMinutes: 15 });
const reserved = (data = nine): CalendarEvent => ({ type: 'SlotReserved', data });
const reserve = (data: ReturnType<typeof slot>) => command(ReserveSlot, { ...key, ...data });

describe('calendar decider', () => {
  describe('resources', () => {
    it('adds a resource', () =>
      given([])
        .when(command(AddResource, { ...key, ...settings }))
        .then(added));

    it('refuses a resource id that is taken', () =>
      given(added)
        .when(command(AddResource, { ...key, ...settings }))
        .thenThrows(refusedWith('RESOURCE_EXISTS', 'resourceId')));

    it('revises a resource; its reservations stay', () =>
      given([added, reserved()])
        .when(command(ReviseResource, { ...key, ...settings, name: 'Dr. Dana Ruiz' }))
        .then({ type: 'ResourceRevised', data: { ...settings, name: 'Dr. Dana Ruiz' } }));

    it('refuses to revise a resource that does not exist', () =>
      given([])
        .when(command(ReviseResource, { ...key, ...settings }))
        .thenThrows(refusedWith('RESOURCE_NOT_FOUND', 'resourceId')));

    it('refuses to remove a resource with appointments to come', () =>
      given([added, reserved()])
        .when(command(RemoveResource, key))
        .thenThrows(refusedWith('RESOURCE_HAS_BOOKINGS', 'resourceId')));

    it('removes a resource whose reservations are all past; removing again changes nothing', () => {
      given([added, reserved()])
        .when(command(RemoveResource, key, { now: new Date('2026-03-06T00:00:00Z') }))
        .then({ type: 'ResourceRemoved', data: {} });
      given([added, { type: 'ResourceRemoved', data: {} }])
        .when(command(RemoveResource, key))
        .thenNothingHappened();
    });

    it('takes no reservation on a removed resource', () =>
      given([added, { type: 'ResourceRemoved', data: {} }])
        .when(reserve(nine))
        .thenThrows(refusedWith('RESOURCE_REMOVED')));
  });

  describe('ReserveSlot', () => {
    it('reserves a free slot inside working hours', () => given(added).when(reserve(nine)).then(reserved()));

    it('refuses a resource that does not exist', () =>
      given([]).when(reserve(nine)).thenThrows(refusedWith('RESOURCE_NOT_FOUND', 'resourceId')));

    it('refuses a slot in the past', () =>
      given(added)
        .when(reserve(slot('ap-1', '2026-03-02T09:00:00Z', '2026-03-02T09:30:00Z')))
        .thenThrows(refusedWith('SLOT_IN_PAST', 'startsAt')));

    it('refuses a slot that ends before it starts', () =>
      given(added)
        .when(reserve(slot('ap-1', '2026-03-05T15:00:00Z', '2026-03-05T14:00:00Z')))
        .thenThrows(refusedWith('SLOT_INVALID', 'endsAt')));

    it('refuses a slot before opening, one running past closing, one in lunch and one on a Saturday', () => {
      for (const [from, until] of [
        ['2026-03-05T13:45:00Z', '2026-03-05T14:15:00Z'],
        ['2026-03-05T21:45:00Z', '2026-03-05T22:15:00Z'],
        ['2026-03-05T16:45:00Z', '2026-03-05T17:15:00Z'],
        ['2026-03-07T15:00:00Z', '2026-03-07T15:30:00Z'],
      ] as const) {
        given(added)
          .when(reserve(slot('ap-2', from, until)))
          .thenThrows(refusedWith('OUTSIDE_WORKING_HOURS', 'startsAt'));
      }
    });

    it('refuses a slot whose buffer reaches into time off', () =>
      given([
        added,
        {
          type: 'TimeOffAdded',
          data: { timeOffId: 'dentist', from: '2026-03-05T15:00:00.000Z', until: '2026-03-05T16:00:00.000Z' },
        },
      ])
        .when(
          reserve(slot('ap-2', '2026-03-05T14:30:00Z', '2026-03-05T15:00:00Z', { bufferAfterMinutes: 5 })),
        )
        .thenThrows(refusedWith('SLOT_UNAVAILABLE', 'startsAt')));

    it('refuses a slot the external calendar shows busy', () =>
      given([
        added,
        {
          type: 'ExternalBusySynced',
          data: {
            source: 'google',
            window: { from: '2026-03-05T00:00:00.000Z', until: '2026-03-06T00:00:00.000Z' },
            busy: [{ from: '2026-03-05T18:00:00.000Z', until: '2026-03-05T19:00:00.000Z' }],
          },
        },
      ])
        .when(reserve(slot('ap-2', '2026-03-05T18:30:00Z', '2026-03-05T19:30:00Z')))
        .thenThrows(refusedWith('SLOT_UNAVAILABLE')));

    it('refuses a slot inside another appointment’s buffer (SLOT_TAKEN)', () =>
      given([added, reserved()])
        .when(reserve(slot('ap-2', '2026-03-05T14:40:00Z', '2026-03-05T15:10:00Z')))
        .thenThrows(refusedWith('SLOT_TAKEN', 'startsAt')));

    it('takes a slot that starts where the other appointment’s buffer ends', () =>
      given([added, reserved()])
        .when(reserve(slot('ap-2', '2026-03-05T14:45:00.000Z', '2026-03-05T15:15:00.000Z')))
        .then(reserved(slot('ap-2', '2026-03-05T14:45:00.000Z', '2026-03-05T15:15:00.000Z'))));

    it('the same appointment at the same time again changes nothing', () =>
      given([added, reserved()]).when(reserve(nine)).thenNothingHappened());

    it('the same appointment at another time is a move (its own old time does not block it)', () => {
      const moved = slot('ap-1', '2026-03-05T14:15:00.000Z', '2026-03-05T14:45:00.000Z', {
        bufferAfterMinutes: 15,
      });
      given([added, reserved()]).when(reserve(moved)).then(reserved(moved));
    });
  });

  describe('ReleaseSlot and UndoReservation', () => {
    const moved = slot('ap-1', '2026-03-05T19:00:00.000Z', '2026-03-05T19:30:00.000Z');

    it('releases a reservation; releasing again changes nothing', () => {
      given([added, reserved()])
        .when(command(ReleaseSlot, { ...key, appointmentId: 'ap-1' }))
        .then({ type: 'SlotReleased', data: { appointmentId: 'ap-1' } });
      given([added, reserved(), { type: 'SlotReleased', data: { appointmentId: 'ap-1' } }])
        .when(command(ReleaseSlot, { ...key, appointmentId: 'ap-1' }))
        .thenNothingHappened();
    });

    it('a release naming the time it gives back releases the reservation that still has that time', () =>
      given([added, reserved()])
        .when(
          command(ReleaseSlot, {
            ...key,
            appointmentId: 'ap-1',
            startsAt: nine.startsAt,
            endsAt: nine.endsAt,
          }),
        )
        .then({ type: 'SlotReleased', data: { appointmentId: 'ap-1' } }));

    it('a late or repeated release of a time the appointment has left changes nothing (moved away and back)', () => {
      // Moved from 09:00 to 14:00 and back here at 14:00 before the release of 09:00 ran: 14:00 stays reserved.
      const releaseNine = command(ReleaseSlot, {
        ...key,
        appointmentId: 'ap-1',
        startsAt: nine.startsAt,
        endsAt: nine.endsAt,
      });
      given([added, reserved(), { type: 'SlotReleased', data: { appointmentId: 'ap-1' } }, reserved(moved)])
        .when(releaseNine)
        .thenNothingHappened();
      given([added, reserved(), reserved(moved)])
        .when(releaseNine)
        .thenNothingHappened();
      given([added, reserved(nine), reserved({ ...nine, endsAt: '2026-03-05T14:45:00.000Z' })])
        .when(releaseNine)
        .thenNothingHappened();
      given([added, reserved(), { type: 'SlotReleased', data: { appointmentId: 'ap-1' } }])
        .when(releaseNine)
        .thenNothingHappened();
    });

    it('a release without a time gives back whatever the appointment holds (releases sent before times were named)', () =>
      given([added, reserved(), reserved(moved)])
        .when(command(ReleaseSlot, { ...key, appointmentId: 'ap-1' }))
        .then({ type: 'SlotReleased', data: { appointmentId: 'ap-1' } }));

    it('undoing a first reservation releases it', () =>
      given([added, reserved()])
        .when(command(UndoReservation, { ...key, appointmentId: 'ap-1' }))
        .then({ type: 'SlotReleased', data: { appointmentId: 'ap-1' } }));

    it('undoing a move puts the previous reservation back', () =>
      given([added, reserved(), reserved(moved)])
        .when(command(UndoReservation, { ...key, appointmentId: 'ap-1' }))
        .then(reserved()));

    it('undoing a reservation that is no longer the current one changes nothing (undone already, or moved since)', () => {
      const undoMove = command(UndoReservation, {
        ...key,
        appointmentId: 'ap-1',
        startsAt: moved.startsAt,
        endsAt: moved.endsAt,
      });
      given([added, reserved(), reserved(moved)])
        .when(undoMove)
        .then(reserved());
      given([added, reserved(), reserved(moved), reserved()])
        .when(undoMove)
        .thenNothingHappened();
      const undoFirst = command(UndoReservation, {
        ...key,
        appointmentId: 'ap-1',
        startsAt: nine.startsAt,
        endsAt: nine.endsAt,
      });
      given([added, reserved(), reserved(moved)])
        .when(undoFirst)
        .thenNothingHappened();
    });

    it('undoing what was never reserved, or was released, changes nothing', () => {
      given(added)
        .when(command(UndoReservation, { ...key, appointmentId: 'ap-9' }))
        .thenNothingHappened();
      given([added, reserved(), { type: 'SlotReleased', data: { appointmentId: 'ap-1' } }])
        .when(command(UndoReservation, { ...key, appointmentId: 'ap-1' }))
        .thenNothingHappened();
    });

    it('a released slot can be taken by another appointment', () =>
      given([added, reserved(), { type: 'SlotReleased', data: { appointmentId: 'ap-1' } }])
        .when(reserve({ ...nine, appointmentId: 'ap-2' }))
        .then(reserved({ ...nine, appointmentId: 'ap-2' })));
  });

  describe('time off', () => {
    const off = {
      ...key,
      timeOffId: 'conference',
      from: '2026-03-06T14:00:00Z',
      until: '2026-03-06T22:00:00Z',
    };
    const offAdded: CalendarEvent = {
      type: 'TimeOffAdded',
      data: { timeOffId: 'conference', from: '2026-03-06T14:00:00.000Z', until: '2026-03-06T22:00:00.000Z' },
    };

    it('adds time off; the same again changes nothing', () => {
      given(added).when(command(AddTimeOff, off)).then(offAdded);
      given([added, offAdded]).when(command(AddTimeOff, off)).thenNothingHappened();
    });

    it('refuses time off that overlaps other time off', () =>
      given([added, offAdded])
        .when(
          command(AddTimeOff, {
            ...off,
            timeOffId: 'sick',
            from: '2026-03-06T20:00:00Z',
            until: '2026-03-07T20:00:00Z',
          }),
        )
        .thenThrows(refusedWith('TIME_OFF_OVERLAPS', 'from')));

    it('refuses time off that covers a reservation or its buffer', () =>
      given([added, reserved()])
        .when(command(AddTimeOff, { ...off, from: '2026-03-05T14:35:00Z', until: '2026-03-05T16:00:00Z' }))
        .thenThrows(refusedWith('TIME_OFF_CONFLICTS', 'from')));

    it('removes time off; removing unknown time off changes nothing', () => {
      given([added, offAdded])
        .when(command(RemoveTimeOff, { ...key, timeOffId: 'conference' }))
        .then({ type: 'TimeOffRemoved', data: { timeOffId: 'conference' } });
      given(added)
        .when(command(RemoveTimeOff, { ...key, timeOffId: 'conference' }))
        .thenNothingHappened();
    });

    it('time off given back frees its time', () =>
      given([added, offAdded, { type: 'TimeOffRemoved', data: { timeOffId: 'conference' } }])
        .when(reserve(slot('ap-3', '2026-03-06T15:00:00.000Z', '2026-03-06T15:30:00.000Z')))
        .then(reserved(slot('ap-3', '2026-03-06T15:00:00.000Z', '2026-03-06T15:30:00.000Z'))));
  });

  describe('external calendar', () => {
    const window = { from: '2026-03-05T00:00:00.000Z', until: '2026-03-06T00:00:00.000Z' };
    const synced = (busy: { from: string; until: string }[]): CalendarEvent => ({
      type: 'ExternalBusySynced',
      data: { source: 'google', window, busy },
    });
    const meeting = { from: '2026-03-05T18:00:00.000Z', until: '2026-03-05T19:00:00.000Z' };

    it('records busy time clipped to the window; the same report again changes nothing', () => {
      given(added)
        .when(
          command(SyncExternalBusy, {
            ...key,
            source: 'google',
            window,
            busy: [meeting, { from: '2026-03-05T23:00:00Z', until: '2026-03-06T02:00:00Z' }],
          }),
        )
        .then(synced([meeting, { from: '2026-03-05T23:00:00.000Z', until: '2026-03-06T00:00:00.000Z' }]));
      given([added, synced([meeting])])
        .when(command(SyncExternalBusy, { ...key, source: 'google', window, busy: [meeting] }))
        .thenNothingHappened();
    });

    it('a new report replaces the busy time inside its window', () =>
      given([added, synced([meeting]), synced([])])
        .when(reserve(slot('ap-4', '2026-03-05T18:00:00.000Z', '2026-03-05T18:30:00.000Z')))
        .then(reserved(slot('ap-4', '2026-03-05T18:00:00.000Z', '2026-03-05T18:30:00.000Z'))));

    it('links, relinks to the same calendar without change, unlinks', () => {
      const link = command(LinkExternalCalendar, {
        ...key,
        provider: 'google',
        calendarId: 'dana@example.com',
      });
      const linked: CalendarEvent = {
        type: 'ExternalCalendarLinked',
        data: { provider: 'google', calendarId: 'dana@example.com' },
      };
      given(added).when(link).then(linked);
      given([added, linked]).when(link).thenNothingHappened();
      given([added, linked])
        .when(command(UnlinkExternalCalendar, key))
        .then({ type: 'ExternalCalendarUnlinked', data: {} });
      given(added).when(command(UnlinkExternalCalendar, key)).thenNothingHappened();
    });

    it('remembers the external event of an appointment once', () => {
      const record = command(RecordExternalEvent, {
        ...key,
        appointmentId: 'ap-1',
        externalEventId: 'evt-1',
      });
      const recorded: CalendarEvent = {
        type: 'ExternalEventRecorded',
        data: { appointmentId: 'ap-1', externalEventId: 'evt-1' },
      };
      given(added).when(record).then(recorded);
      given([added, recorded]).when(record).thenNothingHappened();
      given([added, recorded])
        .when(command(RecordExternalEvent, { ...key, appointmentId: 'ap-1' }))
        .then({ type: 'ExternalEventRecorded', data: { appointmentId: 'ap-1' } });
    });
  });
});
