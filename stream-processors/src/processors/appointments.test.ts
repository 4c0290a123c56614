import { afterAll, describe, expect, it } from 'vitest';
import { ERASED } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import { createSchedulingProcessor } from './appointments.js';
import { replaceBusy } from './calendars.js';
import { entityLog } from './entity-testing.js';
import { handleAll, handleWithCrash, inBatchesOf, tableRows, testReadStores } from './processor-testing.js';

const stores = testReadStores('scheduling');
afterAll(() => stores.close());

const TABLES: Record<string, string> = {
  services: 'service_id',
  resources: 'resource_id',
  reservations: 'resource_id, appointment_id',
  schedule_settings: 'settings_id',
  calendar_feeds: 'scope',
  appointments: 'appointment_id',
};

const snapshot = async (store: ReadStore, tenantId: string) => {
  const all: Record<string, unknown> = {};
  for (const [table, order] of Object.entries(TABLES))
    all[table] = await tableRows(store, table, tenantId, order);
  return all;
};

const hours = [
  { day: 'mon', open: '09:00', close: '17:00' },
  { day: 'tue', open: '09:00', close: '17:00' },
];

/**
 * A clinic: a cleaning service defined, revised, and a whitening one retired; Dr Ana with time off (one added
 * and removed), Google busy time synced twice over overlapping windows; appointment a1 booked on her, moved,
 * confirmed; a2 booked and cancelled (its reservation released); a3 without placement whose customer was
 * erased; schedule configured, the tenant feed rotated twice and Ana's once.
 */
const clinicLog = (tenantId: string) => {
  const log = entityLog(tenantId);
  const service = (id: string, type: string, data: Record<string, unknown> = {}) =>
    log.append('service', id, type, data);
  const ana = (type: string, data: Record<string, unknown>) => log.append('calendar', 'ana', type, data);
  const appointment = (id: string, type: string, data: Record<string, unknown>, erased?: string[]) =>
    log.append('appointment', id, type, data, erased);
  const cleaning = { name: 'Cleaning', durationMinutes: 30, resourceIds: ['ana'], bufferAfterMinutes: 10 };
  service('cleaning', 'ServiceDefined', cleaning);
  service('whitening', 'ServiceDefined', { name: 'Whitening', durationMinutes: 60, resourceIds: ['ana'] });
  ana('ResourceAdded', { name: 'Dr Ana', kind: 'staff', timeZone: 'Europe/Madrid', workingHours: hours });
  log.at('2024-03-01T10:00:00.000Z');
  service('cleaning', 'ServiceRevised', {
    ...cleaning,
    durationMinutes: 45,
    price: { amountMinor: 5000, currency: 'EUR' },
  });
  service('whitening', 'ServiceRetired');
  ana('TimeOffAdded', {
    timeOffId: 'vac',
    from: '2024-04-01T00:00:00Z',
    until: '2024-04-08T00:00:00Z',
    reason: 'Holiday',
  });
  ana('TimeOffAdded', { timeOffId: 'dentist', from: '2024-03-20T08:00:00Z', until: '2024-03-20T09:00:00Z' });
  ana('TimeOffRemoved', { timeOffId: 'dentist' });
  ana('ExternalCalendarLinked', { provider: 'google', calendarId: 'ana@example.com' });
  ana('ExternalBusySynced', {
    source: 'google',
    window: { from: '2024-03-04T00:00:00Z', until: '2024-03-11T00:00:00Z' },
    busy: [
      { from: '2024-03-04T10:00:00Z', until: '2024-03-04T11:00:00Z' },
      { from: '2024-03-06T10:00:00Z', until: '2024-03-06T11:00:00Z' },
    ],
  });
  ana('ExternalBusySynced', {
    source: 'google',
    window: { from: '2024-03-05T00:00:00Z', until: '2024-03-12T00:00:00Z' },
    busy: [{ from: '2024-03-07T12:00:00Z', until: '2024-03-07T13:00:00Z' }],
  });
  const booked = (startsAt: string) => ({
    customer: { name: 'Carla Ruiz', phone: '+34600111222', email: 'carla@example.com' },
    service: 'Cleaning',
    startsAt,
    durationMinutes: 45,
    timeZone: 'Europe/Madrid',
    contactId: 'carla',
    callId: 'CA-7',
    notes: 'Sensitive teeth',
    language: 'es',
    placement: { resourceId: 'ana', serviceIds: ['cleaning'], bufferAfterMinutes: 10 },
  });
  const reserve = (appointmentId: string, startsAt: string, endsAt: string) =>
    ana('SlotReserved', { appointmentId, startsAt, endsAt, bufferAfterMinutes: 10 });
  reserve('a1', '2024-03-04T09:00:00Z', '2024-03-04T09:45:00Z');
  appointment('a1', 'AppointmentScheduled', booked('2024-03-04T09:00:00Z'));
  log.at('2024-03-01T11:00:00.000Z');
  reserve('a1', '2024-03-05T09:00:00Z', '2024-03-05T09:45:00Z');
  appointment('a1', 'AppointmentRescheduled', {
    from: { startsAt: '2024-03-04T09:00:00Z', durationMinutes: 45, resourceId: 'ana' },
    to: { startsAt: '2024-03-05T09:00:00Z', durationMinutes: 45, resourceId: 'ana' },
  });
  appointment('a1', 'AppointmentConfirmed', {});
  reserve('a2', '2024-03-04T11:00:00Z', '2024-03-04T11:45:00Z');
  appointment('a2', 'AppointmentScheduled', booked('2024-03-04T11:00:00Z'));
  appointment('a2', 'AppointmentCancelled', { reason: 'Feeling better', resourceId: 'ana' });
  ana('SlotReleased', { appointmentId: 'a2' });
  appointment(
    'a3',
    'AppointmentScheduled',
    {
      customer: { name: 'Bo' },
      service: 'Consult',
      startsAt: '2024-03-06T15:00:00Z',
      durationMinutes: 30,
      timeZone: 'UTC',
    },
    ['customer'],
  );
  log.append('schedule', 'settings', 'ScheduleConfigured', { reminderOffsetsMinutes: [1440] });
  log.append('schedule', 'settings', 'CalendarFeedRotated', {});
  log.append('schedule', 'settings', 'CalendarFeedRotated', { resourceId: 'ana' });
  log.at('2024-03-02T08:00:00.000Z');
  log.append('schedule', 'settings', 'CalendarFeedRotated', {});
  return log.events;
};

describe('scheduling processor', () => {
  it('projects services, calendars, reservations, settings, feed rotations and appointments', async () => {
    const store = await stores.open('scheduling_projects');
    await handleAll(createSchedulingProcessor(), store, [clinicLog('clinic')]);
    const rows = await snapshot(store, 'clinic');

    const services = rows['services'] as Record<string, unknown>[];
    expect(services.map((s) => [s['service_id'], s['name'], s['retired']])).toEqual([
      ['cleaning', 'Cleaning', 0],
      ['whitening', 'Whitening', 1],
    ]);
    expect(JSON.parse(String(services[0]?.['settings']))).toMatchObject({
      durationMinutes: 45,
      bufferAfterMinutes: 10,
      price: { amountMinor: 5000, currency: 'EUR' },
    });

    const [ana] = rows['resources'] as Record<string, unknown>[];
    expect(ana).toMatchObject({ resource_id: 'ana', name: 'Dr Ana', removed: 0 });
    expect(JSON.parse(String(ana?.['time_off']))).toEqual([
      {
        timeOffId: 'vac',
        from: '2024-04-01T00:00:00.000Z',
        until: '2024-04-08T00:00:00.000Z',
        reason: 'Holiday',
      },
    ]);
    // The second sync replaced what the first said inside its own window only.
    expect(JSON.parse(String(ana?.['external_busy']))).toEqual([
      { from: '2024-03-04T10:00:00.000Z', until: '2024-03-04T11:00:00.000Z' },
      { from: '2024-03-07T12:00:00.000Z', until: '2024-03-07T13:00:00.000Z' },
    ]);
    expect(JSON.parse(String(ana?.['external_calendar']))).toEqual({
      provider: 'google',
      calendarId: 'ana@example.com',
    });

    expect(
      (rows['reservations'] as Record<string, unknown>[]).map((r) => [
        r['appointment_id'],
        r['starts_at'],
        r['released'],
      ]),
    ).toEqual([
      ['a1', '2024-03-05 09:00:00.000', 0],
      ['a2', '2024-03-04 11:00:00.000', 1],
    ]);
    expect(rows['calendar_feeds']).toMatchObject([
      { scope: 'all', rotation: 2 },
      { scope: 'ana', rotation: 1 },
    ]);
    const [settings] = rows['schedule_settings'] as Record<string, unknown>[];
    expect(JSON.parse(String(settings?.['settings']))).toMatchObject({
      reminderOffsetsMinutes: [1440],
      confirmations: true,
    });

    const appointments = rows['appointments'] as Record<string, unknown>[];
    expect(appointments[0]).toMatchObject({
      appointment_id: 'a1',
      status: 'confirmed',
      starts_at: '2024-03-05 09:00:00.000',
      ends_at: '2024-03-05 09:45:00.000',
      resource_id: 'ana',
      service_ids: ['cleaning'],
      buffer_after_minutes: 10,
      customer_name: 'Carla Ruiz',
      customer_phone: '+34600111222',
      contact_id: 'carla',
      notes: 'Sensitive teeth',
      booked_at: '2024-03-01 10:00:00.000',
      updated_at: '2024-03-01 11:00:00.000',
    });
    expect(appointments[1]).toMatchObject({ appointment_id: 'a2', status: 'cancelled' });
    expect(appointments[2]).toMatchObject({
      appointment_id: 'a3',
      status: 'scheduled',
      customer_name: ERASED,
      customer_phone: '',
      resource_id: '',
      service_ids: [],
    });
  });

  it('leaves the same rows after a replay, small batches and a crash in the middle of one', async () => {
    const events = clinicLog('clinic');
    const once = await stores.open('scheduling_once');
    await handleAll(createSchedulingProcessor(), once, [events]);
    const expected = await snapshot(once, 'clinic');

    const replayed = await stores.open('scheduling_replayed');
    await handleAll(createSchedulingProcessor(), replayed, [events, events]);
    expect(await snapshot(replayed, 'clinic')).toEqual(expected);

    const crashed = await stores.open('scheduling_crashed');
    await handleWithCrash(createSchedulingProcessor(), crashed, inBatchesOf(events, 3), 4);
    expect(await snapshot(crashed, 'clinic')).toEqual(expected);
  });

  it('keeps busy time outside a synced window, cut at its edges', () => {
    const known = [
      { from: '2024-03-01T08:00:00.000Z', until: '2024-03-01T12:00:00.000Z' },
      { from: '2024-03-03T08:00:00.000Z', until: '2024-03-03T09:00:00.000Z' },
    ];
    const window = { from: '2024-03-01T10:00:00.000Z', until: '2024-03-02T00:00:00.000Z' };
    expect(
      replaceBusy(known, window, [{ from: '2024-03-01T23:00:00.000Z', until: '2024-03-02T02:00:00.000Z' }]),
    ).toEqual([
      { from: '2024-03-01T08:00:00.000Z', until: '2024-03-01T10:00:00.000Z' },
      { from: '2024-03-01T23:00:00.000Z', until: '2024-03-02T00:00:00.000Z' },
      { from: '2024-03-03T08:00:00.000Z', until: '2024-03-03T09:00:00.000Z' },
    ]);
  });
});
