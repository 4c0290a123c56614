import {
  AddResource,
  ConfirmAppointment,
  CreateContact,
  DefineService,
  ScheduleAppointment,
  SYSTEM_ACTOR,
  wallClockAt,
  wallClockToInstant,
  type CommandDefinition,
} from '@ccp/schemas';
import { CommandRejected, type PlatformContext } from '@ccp/command-service';
import type { z } from 'zod';
import { DEMO_TENANT, DEMO_TIME_ZONE } from './demo-seed.js';

/**
 * The demo clinic's appointments: three staff members (a dentist, a hygienist, and a dentist on call for
 * emergencies around the clock), three services, a few patients as contacts, and appointments over the coming
 * week. Every id is derived (from the day and time for appointments), so a restart seeds only what is missing:
 * the days that have come since the last start get their appointments, and nothing is booked twice.
 */
export const DEMO_CALENDAR_PATH = '/appointments';
const ZONE = DEMO_TIME_ZONE;
const DAYS_AHEAD = 7;
/** No booking closer to now than this: the command service refuses the past, and the seed takes a moment. */
const LEAD_MS = 15 * 60_000;

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

interface DemoResource {
  readonly id: string;
  readonly name: string;
  readonly days: readonly (typeof everyDay)[number][];
  readonly open: string;
  readonly close: string;
  readonly lunch: boolean;
  readonly languages: readonly string[];
  /** Local times of the day it has appointments, and the service of each. */
  readonly bookings: readonly (readonly [hhmm: string, serviceId: string])[];
}

export const DEMO_RESOURCES: readonly DemoResource[] = [
  {
    id: 'dr-patel',
    name: 'Dr. Priya Patel',
    days: weekdays,
    open: '08:00',
    close: '18:00',
    lunch: true,
    languages: ['en'],
    bookings: [
      ['09:00', 'check-up'],
      ['10:00', 'whitening'],
      ['14:30', 'check-up'],
    ],
  },
  {
    id: 'hygienist-rivera',
    name: 'Carmen Rivera',
    days: [...weekdays, 'sat'],
    open: '08:00',
    close: '17:00',
    lunch: true,
    languages: ['en', 'es'],
    bookings: [
      ['08:30', 'cleaning'],
      ['11:00', 'cleaning'],
      ['15:00', 'cleaning'],
    ],
  },
  {
    // Dental emergencies are seen at any hour: the calendar has appointments whenever the demo is opened.
    id: 'on-call',
    name: 'Dr. Omar Haddad (on call)',
    days: everyDay,
    open: '00:00',
    close: '23:59',
    lunch: false,
    languages: ['en', 'es'],
    bookings: [
      ['02:00', 'check-up'],
      ['07:00', 'check-up'],
      ['13:00', 'cleaning'],
      ['19:00', 'check-up'],
      ['22:30', 'check-up'],
    ],
  },
];

export const DEMO_SERVICES = [
  {
    serviceId: 'check-up',
    name: 'Check-up',
    durationMinutes: 30,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
    price: { amountMinor: 8500, currency: 'USD' },
    resourceIds: ['dr-patel', 'on-call'],
    languages: [],
  },
  {
    serviceId: 'cleaning',
    name: 'Cleaning',
    durationMinutes: 45,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 10,
    price: { amountMinor: 12000, currency: 'USD' },
    resourceIds: ['hygienist-rivera', 'on-call'],
    languages: [],
  },
  {
    serviceId: 'whitening',
    name: 'Whitening',
    durationMinutes: 60,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
    price: { amountMinor: 25000, currency: 'USD' },
    resourceIds: ['dr-patel'],
    languages: [],
  },
] as const;

/** Patients of the demo campaign, as contacts (their numbers link their calls and leads). */
export const DEMO_CONTACTS = [
  { contactId: 'ana-garcia', name: 'Ana García', phone: '+15550200101', language: 'es', tags: ['recall'] },
  { contactId: 'ben-okafor', name: 'Ben Okafor', phone: '+15550200102', language: 'en', tags: ['recall'] },
  { contactId: 'chloe-martin', name: 'Chloe Martin', phone: '+15550200103', language: 'en', tags: ['vip'] },
  { contactId: 'diego-ramos', name: 'Diego Ramos', phone: '+15550200104', language: 'es', tags: [] },
  { contactId: 'emma-schultz', name: 'Emma Schultz', phone: '+15550200105', language: 'en', tags: ['new'] },
] as const;

const pad = (n: number): string => String(n).padStart(2, '0');
const dateOf = (w: { year: number; month: number; day: number }): string =>
  `${w.year}-${pad(w.month)}-${pad(w.day)}`;
const WEEKDAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export interface DemoBooking {
  readonly appointmentId: string;
  readonly resourceId: string;
  readonly serviceId: string;
  readonly startsAt: Date;
}

/** The appointments of the coming days that are still ahead of `now` (by a margin), with derived ids. */
export const demoBookings = (now: Date): DemoBooking[] => {
  const bookings: DemoBooking[] = [];
  const today = wallClockAt(now, ZONE);
  for (let offset = 0; offset < DAYS_AHEAD; offset++) {
    // Noon of the day, so a daylight-saving change cannot skip or repeat a day.
    const noon = wallClockToInstant(
      { year: today.year, month: today.month, day: today.day + offset, hour: 12, minute: 0 },
      ZONE,
    );
    const day = wallClockAt(noon, ZONE);
    const weekday = WEEKDAY_KEYS[day.weekday] ?? 'sun';
    for (const resource of DEMO_RESOURCES) {
      if (!resource.days.includes(weekday)) continue;
      for (const [hhmm, serviceId] of resource.bookings) {
        const startsAt = wallClockToInstant(
          {
            year: day.year,
            month: day.month,
            day: day.day,
            hour: Number(hhmm.slice(0, 2)),
            minute: Number(hhmm.slice(3)),
          },
          ZONE,
        );
        if (startsAt.getTime() < now.getTime() + LEAD_MS) continue;
        bookings.push({
          appointmentId: `demo-${dateOf(day)}-${resource.id}-${hhmm.replace(':', '')}`,
          resourceId: resource.id,
          serviceId,
          startsAt,
        });
      }
    }
  }
  return bookings;
};

/**
 * A business refusal of one booking: the tenant changed the demo since (a staff member removed, a service
 * retired, time off or another booking in the way). That appointment is left out; anything else stops the start.
 */
const refused = (error: unknown): boolean =>
  error instanceof CommandRejected && (error.status === 404 || error.status === 409 || error.status === 422);

/**
 * Seeds what is missing of the demo's appointments. Returns how many appointments it booked; one the tenant's
 * own changes now refuse is left out rather than stopping the start.
 */
export const seedDemoAppointments = async (context: PlatformContext, now = new Date()): Promise<number> => {
  const exists = async (streamId: string): Promise<boolean> =>
    (await context.store.readStream(streamId)).length > 0;
  const send = async <D extends CommandDefinition>(
    definition: D,
    input: z.input<D['data']>,
  ): Promise<void> => {
    await context.handler.handleTrusted(definition.type, input, {
      actor: SYSTEM_ACTOR,
      correlationId: 'demo-seed',
    });
  };
  const tenantId = DEMO_TENANT;

  for (const r of DEMO_RESOURCES) {
    if (await exists(`calendar-${tenantId}.${r.id}`)) continue;
    await send(AddResource, {
      tenantId,
      resourceId: r.id,
      name: r.name,
      kind: 'staff',
      timeZone: ZONE,
      workingHours: r.days.map((day) => ({ day, open: r.open, close: r.close })),
      breaks: r.lunch ? r.days.map((day) => ({ day, open: '12:00', close: '13:00' })) : [],
      languages: [...r.languages],
    });
  }
  for (const s of DEMO_SERVICES) {
    if (await exists(`service-${tenantId}.${s.serviceId}`)) continue;
    await send(DefineService, { tenantId, ...s, resourceIds: [...s.resourceIds], languages: [] });
  }
  for (const c of DEMO_CONTACTS) {
    if (await exists(`contact-${tenantId}.${c.contactId}`)) continue;
    await send(CreateContact, {
      tenantId,
      contactId: c.contactId,
      name: c.name,
      phones: [c.phone],
      emails: [],
      language: c.language,
      timeZone: ZONE,
      tags: [...c.tags],
      consent: ['sms', 'calls'],
    });
  }

  let booked = 0;
  for (const [index, b] of demoBookings(now).entries()) {
    if (await exists(`appointment-${tenantId}.${b.appointmentId}`)) continue;
    const service = DEMO_SERVICES.find((s) => s.serviceId === b.serviceId);
    const contact = DEMO_CONTACTS[index % DEMO_CONTACTS.length];
    if (service === undefined || contact === undefined) continue;
    try {
      await send(ScheduleAppointment, {
        tenantId,
        appointmentId: b.appointmentId,
        customer: { name: contact.name, phone: contact.phone },
        service: service.name,
        startsAt: b.startsAt.toISOString(),
        durationMinutes: service.durationMinutes,
        timeZone: ZONE,
        contactId: contact.contactId,
        language: contact.language,
        placement: {
          resourceId: b.resourceId,
          serviceIds: [service.serviceId],
          bufferBeforeMinutes: service.bufferBeforeMinutes,
          bufferAfterMinutes: service.bufferAfterMinutes,
        },
      });
    } catch (error) {
      if (refused(error)) continue;
      throw error;
    }
    booked += 1;
    // Every other one confirmed, so the calendar shows both states.
    if (index % 2 === 0) await send(ConfirmAppointment, { tenantId, appointmentId: b.appointmentId });
  }
  return booked;
};
