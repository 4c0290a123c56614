import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { MessageChannel, MessageTemplate } from './message-template.js';
import {
  Email,
  EntityId,
  IsoDateTime,
  LanguageTag,
  Name,
  OpeningInterval,
  TenantId,
  TimeZone,
} from './primitives.js';

/**
 * What a business books and who serves it.
 *
 * - A **service** (`service-<tenant>.<serviceId>`) is an appointment type: how long it takes, the buffers around
 *   it, its price, who can serve it and in which languages.
 * - A **resource** (`calendar-<tenant>.<resourceId>`) is a staff member or a room with a calendar: working hours
 *   and breaks in its time zone, time off, busy time synced from an external calendar, and the **reservations**
 *   of the appointments it serves. Booking reserves on the resource's calendar first (a prerequisite of
 *   ScheduleAppointment), so two callers racing for one slot meet on one stream: one reservation is appended,
 *   the other is decided again and refused with SLOT_TAKEN.
 * - The **schedule settings** (`schedule-<tenant>.settings`) hold the tenant's confirmation and reminder rules,
 *   templates, quiet hours, the no-show grace and the calendar feed rotations.
 */
const UtcDateTime = IsoDateTime.transform((at) => new Date(at).toISOString());
const Minutes = (max: number) => z.number().int().min(0).max(max);

// ---------------------------------------------------------------------------------------------- services

export const Price = z.object({
  /** In the currency's minor unit (cents). */
  amountMinor: z.number().int().min(0).max(100_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'a currency is an ISO 4217 code like USD'),
});
export type Price = z.infer<typeof Price>;

/** A service's own reminder rules; absent fields follow the tenant's schedule settings. */
export const ServiceReminders = z.object({
  offsetsMinutes: z
    .array(
      z
        .number()
        .int()
        .min(5)
        .max(60 * 24 * 14),
    )
    .max(5)
    .optional(),
  templates: z.array(MessageTemplate).max(40).optional(),
});

export const ServiceSettings = z.object({
  name: Name,
  description: z.string().trim().max(1000).optional(),
  durationMinutes: z.number().int().min(5).max(480),
  bufferBeforeMinutes: Minutes(240).default(0),
  bufferAfterMinutes: Minutes(240).default(0),
  price: Price.optional(),
  /** The staff members or rooms that can serve it (any one of them). */
  resourceIds: z.array(EntityId).min(1).max(100),
  /** Languages it is offered in; empty: any. */
  languages: z.array(LanguageTag).max(20).default([]),
  reminders: ServiceReminders.optional(),
});
export type ServiceSettings = z.infer<typeof ServiceSettings>;

const serviceKey = { tenantId: TenantId, serviceId: EntityId };

export const DefineService = defineCommand(
  'service',
  'DefineService',
  z.object({ ...serviceKey, ...ServiceSettings.shape }),
  'Add an appointment type: duration, buffers, price, who can serve it and in which languages.',
);
export const ReviseService = defineCommand(
  'service',
  'ReviseService',
  z.object({ ...serviceKey, ...ServiceSettings.shape }),
  'Replace a service’s settings; appointments already booked keep their times.',
);
export const RetireService = defineCommand(
  'service',
  'RetireService',
  z.object(serviceKey),
  'Stop offering a service; appointments already booked stay.',
);

/** A check a booking runs first, for each service it names; stores nothing. */
export const VerifyServiceBookable = defineCommand(
  'service',
  'VerifyServiceBookable',
  z.object({
    ...serviceKey,
    resourceId: EntityId,
    /** The booking's length when this is its only service: it must be the service's own duration. */
    durationMinutes: z.number().int().min(5).max(480).optional(),
  }),
  'Check that a service is offered and served by a resource, before booking it there; stores nothing.',
);

export const ServiceDefined = defineEvent('service', 'ServiceDefined', 1, ServiceSettings);
export const ServiceRevised = defineEvent('service', 'ServiceRevised', 1, ServiceSettings);
export const ServiceRetired = defineEvent('service', 'ServiceRetired', 1, z.object({}));

export const serviceCommands = [DefineService, ReviseService, RetireService, VerifyServiceBookable] as const;
export const serviceEvents = [ServiceDefined, ServiceRevised, ServiceRetired] as const;

// ---------------------------------------------------------------------------------------------- calendars

export const ResourceKind = z.enum(['staff', 'room']);

export const ResourceSettings = z.object({
  name: Name,
  kind: ResourceKind,
  /** The zone its working hours are in (the tenant's, as the console fills it in). */
  timeZone: TimeZone,
  /** Weekly working hours; several intervals a day are allowed. */
  workingHours: z.array(OpeningInterval).max(50),
  /** Weekly breaks inside the working hours (lunch). */
  breaks: z.array(OpeningInterval).max(50).default([]),
  email: Email.optional(),
  languages: z.array(LanguageTag).max(20).default([]),
});
export type ResourceSettings = z.infer<typeof ResourceSettings>;

const resourceKey = { tenantId: TenantId, resourceId: EntityId };

/** An interval [from, until) in UTC. */
export const TimeRange = z
  .object({ from: UtcDateTime, until: UtcDateTime })
  .refine((r) => Date.parse(r.from) < Date.parse(r.until), {
    message: 'a range must end after it starts',
    path: ['until'],
  });
export type TimeRange = z.infer<typeof TimeRange>;

/** A reservation of a resource's time for an appointment: the service time plus the buffers around it. */
export const Reservation = z.object({
  appointmentId: EntityId,
  startsAt: UtcDateTime,
  endsAt: UtcDateTime,
  bufferBeforeMinutes: Minutes(240).default(0),
  bufferAfterMinutes: Minutes(240).default(0),
});
export type Reservation = z.infer<typeof Reservation>;

export const AddResource = defineCommand(
  'calendar',
  'AddResource',
  z.object({ ...resourceKey, ...ResourceSettings.shape }),
  'Add a staff member or room with its working hours, breaks and time zone.',
);
export const ReviseResource = defineCommand(
  'calendar',
  'ReviseResource',
  z.object({ ...resourceKey, ...ResourceSettings.shape }),
  'Replace a resource’s settings; reservations already made stay.',
);
export const RemoveResource = defineCommand(
  'calendar',
  'RemoveResource',
  z.object(resourceKey),
  'Remove a resource that has no future reservations.',
);
export const AddTimeOff = defineCommand(
  'calendar',
  'AddTimeOff',
  z.object({
    ...resourceKey,
    timeOffId: EntityId,
    ...TimeRange.shape,
    reason: z.string().trim().max(200).optional(),
  }),
  'Block time on a resource’s calendar; it may not overlap other time off or a reservation.',
);
export const RemoveTimeOff = defineCommand(
  'calendar',
  'RemoveTimeOff',
  z.object({ ...resourceKey, timeOffId: EntityId }),
  'Give back blocked time.',
);
export const ReserveSlot = defineCommand(
  'calendar',
  'ReserveSlot',
  z.object({ ...resourceKey, ...Reservation.shape }),
  'Reserve the resource for an appointment (or move the appointment’s reservation): refused when the time is ' +
    'outside working hours, in a break or time off, in the past, or overlaps another reservation.',
);
export const ReleaseSlot = defineCommand(
  'calendar',
  'ReleaseSlot',
  z.object({
    ...resourceKey,
    appointmentId: EntityId,
    /**
     * The reservation being given back: when given, nothing happens unless it is still the appointment's current
     * one (a release runs later than the move it follows, maybe more than once, and the appointment may have
     * been reserved here again since). Without it, whatever the appointment holds is released.
     */
    startsAt: UtcDateTime.optional(),
    endsAt: UtcDateTime.optional(),
  }),
  'Give back an appointment’s reservation (cancelled, completed, no-show or moved elsewhere).',
);
export const UndoReservation = defineCommand(
  'calendar',
  'UndoReservation',
  z.object({
    ...resourceKey,
    appointmentId: EntityId,
    /**
     * The reservation being undone: when given, nothing happens unless it is still the appointment's current
     * one (another booking of the same appointment may have reserved since, and an undo may be repeated).
     */
    startsAt: UtcDateTime.optional(),
    endsAt: UtcDateTime.optional(),
  }),
  'Put an appointment’s reservation back as it was before the last ReserveSlot (the compensation of a booking ' +
    'or a move that then failed).',
);
export const SyncExternalBusy = defineCommand(
  'calendar',
  'SyncExternalBusy',
  z.object({
    ...resourceKey,
    source: z.enum(['google']),
    window: TimeRange,
    busy: z.array(TimeRange).max(2000),
  }),
  'Replace the busy time an external calendar reports for a window (free/busy).',
);
export const LinkExternalCalendar = defineCommand(
  'calendar',
  'LinkExternalCalendar',
  z.object({ ...resourceKey, provider: z.enum(['google']), calendarId: z.string().trim().min(1).max(300) }),
  'Sync the resource with an external calendar both ways.',
);
export const UnlinkExternalCalendar = defineCommand(
  'calendar',
  'UnlinkExternalCalendar',
  z.object(resourceKey),
  'Stop syncing the resource with its external calendar.',
);
/**
 * Records the external calendar's event for an appointment (its id there), so later changes patch or delete
 * that event instead of inserting another.
 */
export const RecordExternalEvent = defineCommand(
  'calendar',
  'RecordExternalEvent',
  z.object({
    ...resourceKey,
    appointmentId: EntityId,
    externalEventId: z.string().min(1).max(1024).optional(),
  }),
  'Remember (or forget, without an id) the external calendar event that mirrors an appointment.',
);

export const ResourceAdded = defineEvent('calendar', 'ResourceAdded', 1, ResourceSettings);
export const ResourceRevised = defineEvent('calendar', 'ResourceRevised', 1, ResourceSettings);
export const ResourceRemoved = defineEvent('calendar', 'ResourceRemoved', 1, z.object({}));
export const TimeOffAdded = defineEvent(
  'calendar',
  'TimeOffAdded',
  1,
  z.object({ timeOffId: EntityId, from: IsoDateTime, until: IsoDateTime, reason: z.string().optional() }),
);
export const TimeOffRemoved = defineEvent('calendar', 'TimeOffRemoved', 1, z.object({ timeOffId: EntityId }));
export const SlotReserved = defineEvent('calendar', 'SlotReserved', 1, Reservation);
export const SlotReleased = defineEvent('calendar', 'SlotReleased', 1, z.object({ appointmentId: EntityId }));
export const ExternalBusySynced = defineEvent(
  'calendar',
  'ExternalBusySynced',
  1,
  z.object({
    source: z.enum(['google']),
    window: z.object({ from: IsoDateTime, until: IsoDateTime }),
    busy: z.array(z.object({ from: IsoDateTime, until: IsoDateTime })),
  }),
);
export const ExternalCalendarLinked = defineEvent(
  'calendar',
  'ExternalCalendarLinked',
  1,
  z.object({ provider: z.enum(['google']), calendarId: z.string() }),
);
export const ExternalCalendarUnlinked = defineEvent('calendar', 'ExternalCalendarUnlinked', 1, z.object({}));
export const ExternalEventRecorded = defineEvent(
  'calendar',
  'ExternalEventRecorded',
  1,
  z.object({ appointmentId: EntityId, externalEventId: z.string().optional() }),
);

export const calendarCommands = [
  AddResource,
  ReviseResource,
  RemoveResource,
  AddTimeOff,
  RemoveTimeOff,
  ReserveSlot,
  ReleaseSlot,
  UndoReservation,
  SyncExternalBusy,
  LinkExternalCalendar,
  UnlinkExternalCalendar,
  RecordExternalEvent,
] as const;
export const calendarEvents = [
  ResourceAdded,
  ResourceRevised,
  ResourceRemoved,
  TimeOffAdded,
  TimeOffRemoved,
  SlotReserved,
  SlotReleased,
  ExternalBusySynced,
  ExternalCalendarLinked,
  ExternalCalendarUnlinked,
  ExternalEventRecorded,
] as const;

// ---------------------------------------------------------------------------------------------- settings

export const SCHEDULE_SETTINGS = 'settings';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM');

export const ScheduleSettings = z.object({
  /** Send a confirmation when an appointment is booked or moved, and a notice when it is cancelled. */
  confirmations: z.boolean().default(true),
  /** Reminders, in minutes before the start (1440 = a day before). */
  reminderOffsetsMinutes: z
    .array(
      z
        .number()
        .int()
        .min(5)
        .max(60 * 24 * 14),
    )
    .max(5)
    .default([1440, 120]),
  /** Channels tried in order for a contact who consented to them. */
  channels: z.array(MessageChannel).min(1).max(3).default(['sms', 'email']),
  /**
   * No message is sent in the recipient's local night: a message due inside quiet hours goes at their end
   * (a reminder that would then be after the appointment's start is dropped).
   */
  quietHours: z.object({ from: HHMM, until: HHMM }).default({ from: '21:00', until: '08:00' }),
  /** After its end (start plus duration) plus this, an appointment neither completed nor cancelled is a no-show. */
  noShowGraceMinutes: z
    .number()
    .int()
    .min(5)
    .max(60 * 24 * 7)
    .default(60),
  templates: z.array(MessageTemplate).max(80).default([]),
});
export type ScheduleSettings = z.infer<typeof ScheduleSettings>;

export const ConfigureSchedule = defineCommand(
  'schedule',
  'ConfigureSchedule',
  z.object({ tenantId: TenantId, ...ScheduleSettings.shape }),
  'Set the tenant’s confirmation and reminder rules, templates, quiet hours and no-show grace.',
);
export const RotateCalendarFeed = defineCommand(
  'schedule',
  'RotateCalendarFeed',
  z.object({ tenantId: TenantId, resourceId: EntityId.optional() }),
  'Issue a new secret iCalendar feed URL for the tenant (or one resource); the old URL stops working.',
);

export const ScheduleConfigured = defineEvent('schedule', 'ScheduleConfigured', 1, ScheduleSettings);
export const CalendarFeedRotated = defineEvent(
  'schedule',
  'CalendarFeedRotated',
  1,
  z.object({ resourceId: EntityId.optional() }),
);

export const scheduleCommands = [ConfigureSchedule, RotateCalendarFeed] as const;
export const scheduleEvents = [ScheduleConfigured, CalendarFeedRotated] as const;
