import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent, wallClockAt, wallClockToInstant, type EventEnvelope } from '@ccp/schemas';
import {
  calendarDecider,
  calendarViewOf,
  freeSlots,
  placementFor,
  serviceViewOf,
  type CalendarEvent,
  type CalendarView,
  type FreeSlot,
  type ServiceView,
} from '@ccp/command-service';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';

// Booking against the real platform (SQLite event store, HTTP command API, reactor): callers racing for one
// slot get one booking and one SLOT_TAKEN each, and availability read from the stored calendar offers the rest.
type Client = ReturnType<typeof apiClient>;
const TENANT = 'clinic';
const PASSWORD = 'booking-password-1';
const ZONE = 'America/New_York';
const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const resource = (resourceId: string, name: string) => ({
  tenantId: TENANT,
  resourceId,
  name,
  kind: 'staff',
  timeZone: ZONE,
  workingHours: EVERY_DAY.map((day) => ({ day, open: '08:00', close: '20:00' })),
  breaks: EVERY_DAY.map((day) => ({ day, open: '12:00', close: '13:00' })),
});
const cleaningSettings = {
  name: 'Cleaning',
  durationMinutes: 45,
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 15,
  resourceIds: ['dana', 'leo'],
  languages: [],
};
const whiteningSettings = {
  ...cleaningSettings,
  name: 'Whitening',
  durationMinutes: 30,
  resourceIds: ['dana'],
};
const cleaning: ServiceView = serviceViewOf('cleaning', cleaningSettings);
const whitening: ServiceView = serviceViewOf('whitening', whiteningSettings);

describe('booking on resource calendars', () => {
  let t: TestPlatform;
  let admin: Client;

  const events = async (streamId: string): Promise<EventEnvelope[]> =>
    (await t.platform.store.readStream(streamId)).map((recorded) => {
      const decoded = decodeEvent(recorded);
      if (!decoded.ok) throw new Error(decoded.error.message);
      return decoded.value;
    });
  const calendar = async (resourceId: string): Promise<CalendarView> => {
    const stored = await events(`calendar-${TENANT}.${resourceId}`);
    const state = stored.reduce(
      (s, e) => calendarDecider.evolve(s, { type: e.type, data: e.data } as CalendarEvent),
      calendarDecider.initialState(),
    );
    const view = calendarViewOf(resourceId, state);
    if (!view) throw new Error(`no calendar ${resourceId}`);
    return view;
  };
  const offers = async (services: ServiceView[], resourceId?: string): Promise<FreeSlot[]> => {
    const now = new Date();
    return freeSlots({
      services,
      calendars: [await calendar('dana'), await calendar('leo')],
      from: new Date(now.getTime() + 86_400_000),
      until: new Date(now.getTime() + 4 * 86_400_000),
      now,
      ...(resourceId !== undefined && { resourceId }),
    });
  };
  const book = (appointmentId: string, services: ServiceView[], slot: FreeSlot) =>
    admin.command('ScheduleAppointment', {
      tenantId: TENANT,
      appointmentId,
      customer: { name: `Customer ${appointmentId}` },
      service: services.map((s) => s.serviceId).join(' + '),
      timeZone: ZONE,
      ...placementFor(services, slot),
    });
  const reservations = async (resourceId: string) => (await calendar(resourceId)).reservations;
  const waitFor = async (check: () => Promise<boolean>, what: string): Promise<void> => {
    for (let i = 0; i < 100; i += 1) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    t = await startTestPlatform();
    const root = apiClient(t.url, await login(t.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
    expect((await root.command('CreateTenant', { tenantId: TENANT, name: 'Clinic' })).status).toBe(200);
    const invited = await root.command('InviteMember', {
      tenantId: TENANT,
      userId: 'clinic-admin',
      email: 'clinic-admin@test.example',
      name: 'Clinic admin',
      role: 'tenant_admin',
    });
    expect(invited.status).toBe(200);
    expect(
      (await root.request('PUT', '/api/members/clinic-admin/password', { password: PASSWORD })).status,
    ).toBe(204);
    admin = apiClient(t.url, await login(t.url, 'clinic-admin@test.example', PASSWORD));
    for (const r of [resource('dana', 'Dr. Dana'), resource('leo', 'Dr. Leo')]) {
      const added = await admin.command('AddResource', r);
      expect(added.status, JSON.stringify(added.body)).toBe(200);
    }
    for (const [serviceId, settings] of [
      ['cleaning', cleaningSettings],
      ['whitening', whiteningSettings],
    ] as const) {
      const defined = await admin.command('DefineService', { tenantId: TENANT, serviceId, ...settings });
      expect(defined.status, JSON.stringify(defined.body)).toBe(200);
    }
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  let winner = '';
  let raced: FreeSlot;

  it('eight callers racing for one slot: one booking, seven SLOT_TAKEN, and the slot is no longer offered', async () => {
    const [first] = await offers([cleaning], 'dana');
    expect(first).toBeDefined();
    raced = first!;
    const ids = Array.from({ length: 8 }, (_, i) => `race-${i}`);
    const answers = await Promise.all(ids.map((id) => book(id, [cleaning], raced)));
    const won = answers.flatMap((a, i) => (a.status === 200 ? [ids[i]!] : []));
    expect(won, JSON.stringify(answers.map((a) => a.body))).toHaveLength(1);
    for (const lost of answers.filter((a) => a.status !== 200)) {
      expect(lost.status).toBe(409);
      expect(lost.body).toMatchObject({ error: { code: 'SLOT_TAKEN' } });
    }
    winner = won[0]!;
    const held = await reservations('dana');
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ appointmentId: winner, startsAt: raced.startsAt, endsAt: raced.endsAt });
    for (const id of ids.filter((id) => id !== winner)) {
      expect(await events(`appointment-${TENANT}.${id}`)).toEqual([]);
    }
    const again = await offers([cleaning], 'dana');
    expect(again.map((s) => s.startsAt)).not.toContain(raced.startsAt);
    // The new offer: the next free time, after the winner's appointment and its buffer.
    expect(Date.parse(again[0]!.startsAt)).toBeGreaterThanOrEqual(Date.parse(raced.endsAt) + 15 * 60_000);
  });

  let combined = '';

  it('books two services back to back on the one resource that serves both', async () => {
    const slots = await offers([cleaning, whitening]);
    expect(slots.every((s) => s.resourceId === 'dana')).toBe(true);
    const slot = slots[0]!;
    expect(Date.parse(slot.endsAt) - Date.parse(slot.startsAt)).toBe(75 * 60_000);
    combined = 'combined-1';
    const answer = await book(combined, [cleaning, whitening], slot);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const [scheduled] = await events(`appointment-${TENANT}.${combined}`);
    expect(scheduled?.data).toMatchObject({
      durationMinutes: 75,
      placement: { resourceId: 'dana', serviceIds: ['cleaning', 'whitening'] },
    });
    expect((await reservations('dana')).find((r) => r.appointmentId === combined)).toMatchObject({
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
    });
  });

  it('refuses a booking outside working hours and stores nothing', async () => {
    const day = wallClockAt(new Date(raced.startsAt), ZONE);
    const night = wallClockToInstant({ ...day, hour: 3, minute: 0 }, ZONE).toISOString();
    const before = (await t.platform.store.readAll()).length;
    const answer = await book('night-1', [cleaning], { startsAt: night, endsAt: night, resourceId: 'leo' });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: { code: 'OUTSIDE_WORKING_HOURS', field: 'startsAt' } });
    expect(await events(`appointment-${TENANT}.night-1`)).toEqual([]);
    expect((await t.platform.store.readAll()).length).toBe(before);
  });

  it('refuses time off over a booking, and a booking in time off', async () => {
    const overBooking = await admin.command('AddTimeOff', {
      tenantId: TENANT,
      resourceId: 'dana',
      timeOffId: 'errand',
      from: raced.startsAt,
      until: raced.endsAt,
    });
    expect(overBooking.status).toBe(422);
    expect(overBooking.body).toMatchObject({ error: { code: 'TIME_OFF_CONFLICTS', field: 'from' } });

    const [free] = await offers([cleaning], 'leo');
    const off = await admin.command('AddTimeOff', {
      tenantId: TENANT,
      resourceId: 'leo',
      timeOffId: 'dentist',
      from: free!.startsAt,
      until: free!.endsAt,
    });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    const overlapping = await admin.command('AddTimeOff', {
      tenantId: TENANT,
      resourceId: 'leo',
      timeOffId: 'dentist-again',
      from: free!.startsAt,
      until: free!.endsAt,
    });
    expect(overlapping.body).toMatchObject({ error: { code: 'TIME_OFF_OVERLAPS' } });
    const inTimeOff = await book('off-1', [cleaning], free!);
    expect(inTimeOff.status).toBe(422);
    expect(inTimeOff.body).toMatchObject({ error: { code: 'SLOT_UNAVAILABLE' } });
    expect(await events(`appointment-${TENANT}.off-1`)).toEqual([]);
  });

  it('a move to another resource reserves there and gives the old time back', async () => {
    const [target] = await offers([cleaning], 'leo');
    const moved = await admin.command('RescheduleAppointment', {
      tenantId: TENANT,
      appointmentId: winner,
      startsAt: target!.startsAt,
      resourceId: 'leo',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect((await reservations('leo')).find((r) => r.appointmentId === winner)).toMatchObject({
      startsAt: target!.startsAt,
      endsAt: target!.endsAt,
    });
    await waitFor(
      async () => !(await reservations('dana')).some((r) => r.appointmentId === winner),
      'the old reservation to be released',
    );
    expect((await offers([cleaning], 'dana')).map((s) => s.startsAt)).toContain(raced.startsAt);
  });

  it('a move onto a taken time is refused, and the appointment and calendars stay as they were', async () => {
    const taken = (await reservations('dana')).find((r) => r.appointmentId === combined)!;
    const before = (await t.platform.store.readAll()).length;
    const refused = await admin.command('RescheduleAppointment', {
      tenantId: TENANT,
      appointmentId: winner,
      startsAt: taken.startsAt,
      resourceId: 'dana',
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'SLOT_TAKEN' } });
    expect((await t.platform.store.readAll()).length).toBe(before);
  });

  it('a cancellation gives the reservation back', async () => {
    const cancelled = await admin.command('CancelAppointment', {
      tenantId: TENANT,
      appointmentId: combined,
      reason: 'changed plans',
    });
    expect(cancelled.status).toBe(200);
    await waitFor(
      async () => !(await reservations('dana')).some((r) => r.appointmentId === combined),
      'the cancelled appointment’s reservation to be released',
    );
  });
});
