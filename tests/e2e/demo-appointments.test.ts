import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, wallClockAt } from '@ccp/schemas';
import {
  DEMO_RESOURCES,
  DEMO_TENANT,
  DEMO_TIME_ZONE,
  demoBookings,
  seedDemo,
  seedDemoAppointments,
} from '@ccp/infra';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

/**
 * The demo clinic's appointments (seeded at `npm start`): bookings only ahead of now, every day with some (the
 * on-call dentist works around the clock), derived ids so a restart books only what is missing, and each one
 * accepted by the real deciders (inside working hours, no two on one calendar at once).
 */
let test: TestPlatform;
/** When the first seed ran: what it booked is what demoBookings planned then. */
const seededAt = new Date();

beforeAll(async () => {
  test = await startTestPlatform();
  await seedDemo(test.platform, 'demo-password-1');
}, 60_000);
afterAll(async () => {
  await test?.stop();
});

describe('demo appointments', () => {
  it('plans bookings ahead of now on every coming day, with ids derived from the day and time', () => {
    const now = new Date();
    const bookings = demoBookings(now);
    expect(bookings.every((b) => b.startsAt.getTime() > now.getTime())).toBe(true);
    expect(new Set(bookings.map((b) => b.appointmentId)).size).toBe(bookings.length);
    const days = new Set(
      bookings.map((b) => {
        const w = wallClockAt(b.startsAt, DEMO_TIME_ZONE);
        return `${w.year}-${w.month}-${w.day}`;
      }),
    );
    expect(days.size).toBeGreaterThanOrEqual(6);
    expect(demoBookings(now).map((b) => b.appointmentId)).toEqual(bookings.map((b) => b.appointmentId));
    // A day later the same appointment keeps its id, and what has passed is no longer planned.
    const later = demoBookings(new Date(now.getTime() + 86_400_000));
    const ids = new Set(bookings.map((b) => b.appointmentId));
    expect(later.filter((b) => ids.has(b.appointmentId)).length).toBeGreaterThan(0);
    expect(later.every((b) => b.startsAt.getTime() > now.getTime() + 86_400_000)).toBe(true);
  });

  it('seeds resources, services, contacts and appointments once; a restart books nothing twice', async () => {
    const now = seededAt;
    const planned = demoBookings(now);
    const booked = await seedDemoAppointments(test.platform, now);
    expect(booked).toBe(planned.length);
    for (const r of DEMO_RESOURCES) {
      expect(
        (await test.platform.store.readStream(`calendar-${DEMO_TENANT}.${r.id}`)).length,
      ).toBeGreaterThan(0);
    }
    const first = planned[0];
    if (first === undefined) throw new Error('nothing planned');
    const events = await test.platform.store.readStream(`appointment-${DEMO_TENANT}.${first.appointmentId}`);
    expect(events[0]?.type).toBe('AppointmentScheduled');
    expect(await seedDemoAppointments(test.platform, now)).toBe(0);
  });

  it('leaves out a booking the tenant’s own changes refuse, and books the rest', async () => {
    await test.platform.handler.handleTrusted(
      'RetireService',
      { tenantId: DEMO_TENANT, serviceId: 'whitening' },
      { actor: SYSTEM_ACTOR, correlationId: 'test' },
    );
    // A day on: that day's bookings are new, whitening among them on a weekday.
    const later = new Date(seededAt.getTime() + 86_400_000);
    const fresh = demoBookings(later).filter(
      (b) => !demoBookings(seededAt).some((x) => x.appointmentId === b.appointmentId),
    );
    const booked = await seedDemoAppointments(test.platform, later);
    expect(booked).toBe(fresh.filter((b) => b.serviceId !== 'whitening').length);
    expect(booked).toBeGreaterThan(0);
  });
});
