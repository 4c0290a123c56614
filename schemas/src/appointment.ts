import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { E164, Email, EntityId, IsoDateTime, Name, TenantId, TimeZone } from './primitives.js';

const category = 'appointment';

export const AppointmentCustomer = z.object({
  name: Name,
  phone: E164.optional(),
  email: Email.optional(),
});
export type AppointmentCustomer = z.infer<typeof AppointmentCustomer>;

export const AppointmentDuration = z.number().int().min(5).max(480);

// Storage is UTC; the appointment's own time zone says how to show it.
const UtcDateTime = IsoDateTime.transform((at) => new Date(at).toISOString());

export const AppointmentSlot = z.object({ startsAt: IsoDateTime, durationMinutes: AppointmentDuration });
export type AppointmentSlot = z.infer<typeof AppointmentSlot>;

const appointmentKey = { tenantId: TenantId, appointmentId: EntityId };

/**
 * Where an appointment is booked when the tenant keeps calendars: the resource (staff member or room) that
 * serves it, the services it covers back to back (their durations add up to the appointment's), and the buffers
 * kept free around it. A booking with a resource first reserves the time on the resource's calendar
 * (ReserveSlot, see scheduling.ts), so it can never overlap another.
 */
export const AppointmentPlacement = z.object({
  resourceId: EntityId,
  serviceIds: z.array(EntityId).min(1).max(5),
  bufferBeforeMinutes: z.number().int().min(0).max(240).default(0),
  bufferAfterMinutes: z.number().int().min(0).max(240).default(0),
});
export type AppointmentPlacement = z.infer<typeof AppointmentPlacement>;
const Reason = z.string().trim().min(1).max(500);

// Commands

export const ScheduleAppointment = defineCommand(
  category,
  'ScheduleAppointment',
  z.object({
    ...appointmentKey,
    customer: AppointmentCustomer,
    service: z.string().trim().min(1).max(200),
    startsAt: UtcDateTime,
    durationMinutes: AppointmentDuration,
    timeZone: TimeZone,
    agentId: EntityId.optional(),
    callId: EntityId.optional(),
    notes: z.string().max(2000).optional(),
    contactId: EntityId.optional(),
    /** The contact's language, for confirmations and reminders (BCP 47). */
    language: z.string().min(2).max(35).optional(),
    placement: AppointmentPlacement.optional(),
  }),
  'Book an appointment in the future; it waits for confirmation.',
);
export const ConfirmAppointment = defineCommand(
  category,
  'ConfirmAppointment',
  z.object(appointmentKey),
  'Confirm a scheduled appointment.',
);
export const RescheduleAppointment = defineCommand(
  category,
  'RescheduleAppointment',
  z.object({
    ...appointmentKey,
    startsAt: UtcDateTime,
    durationMinutes: AppointmentDuration.optional(),
    /**
     * The resource that serves it from now on: required for an appointment that has a placement (its calendar
     * reservation moves with it), refused for one that has none.
     */
    resourceId: EntityId.optional(),
  }),
  'Move an open appointment to another future time (and resource); it needs confirming again.',
);
export const CancelAppointment = defineCommand(
  category,
  'CancelAppointment',
  z.object({ ...appointmentKey, reason: Reason }),
  'Cancel an appointment that is scheduled or confirmed.',
);
export const CompleteAppointment = defineCommand(
  category,
  'CompleteAppointment',
  z.object(appointmentKey),
  'Record that a confirmed appointment took place, once its start time has passed.',
);
export const MarkNoShow = defineCommand(
  category,
  'MarkNoShow',
  z.object(appointmentKey),
  'Record that the customer did not come to an appointment (confirmed or not), once its start time has passed.',
);

// Events

export const AppointmentScheduled = defineEvent(
  category,
  'AppointmentScheduled',
  1,
  z.object({
    customer: AppointmentCustomer,
    service: z.string(),
    ...AppointmentSlot.shape,
    timeZone: TimeZone,
    agentId: EntityId.optional(),
    callId: EntityId.optional(),
    notes: z.string().optional(),
    contactId: EntityId.optional(),
    language: z.string().optional(),
    placement: AppointmentPlacement.optional(),
  }),
);
export const AppointmentConfirmed = defineEvent(category, 'AppointmentConfirmed', 1, z.object({}));
export const AppointmentRescheduled = defineEvent(
  category,
  'AppointmentRescheduled',
  1,
  z.object({
    from: AppointmentSlot.extend({ resourceId: EntityId.optional() }),
    to: AppointmentSlot.extend({ resourceId: EntityId.optional() }),
  }),
);
/**
 * The resource, and the time the appointment held on it, are named so that its calendar reservation can be given
 * back from the event alone, and only while the calendar still holds that time (ReleaseSlot). Events stored
 * before the time was named carry the resource alone.
 */
const Held = {
  resourceId: EntityId.optional(),
  startsAt: IsoDateTime.optional(),
  durationMinutes: AppointmentDuration.optional(),
};
export const AppointmentCancelled = defineEvent(
  category,
  'AppointmentCancelled',
  1,
  z.object({ reason: z.string(), ...Held }),
);
const Settled = z.object(Held);
export const AppointmentCompleted = defineEvent(category, 'AppointmentCompleted', 1, Settled);
export const AppointmentNoShow = defineEvent(category, 'AppointmentNoShow', 1, Settled);

export const appointmentCommands = [
  ScheduleAppointment,
  ConfirmAppointment,
  RescheduleAppointment,
  CancelAppointment,
  CompleteAppointment,
  MarkNoShow,
] as const;
export const appointmentEvents = [
  AppointmentScheduled,
  AppointmentConfirmed,
  AppointmentRescheduled,
  AppointmentCancelled,
  AppointmentCompleted,
  AppointmentNoShow,
] as const;
