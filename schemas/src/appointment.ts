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
  z.object({ ...appointmentKey, startsAt: UtcDateTime, durationMinutes: AppointmentDuration.optional() }),
  'Move an open appointment to another future time; it needs confirming again.',
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
  'Record that the customer did not come to a confirmed appointment, once its start time has passed.',
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
  }),
);
export const AppointmentConfirmed = defineEvent(category, 'AppointmentConfirmed', 1, z.object({}));
export const AppointmentRescheduled = defineEvent(
  category,
  'AppointmentRescheduled',
  1,
  z.object({ from: AppointmentSlot, to: AppointmentSlot }),
);
export const AppointmentCancelled = defineEvent(
  category,
  'AppointmentCancelled',
  1,
  z.object({ reason: z.string() }),
);
export const AppointmentCompleted = defineEvent(category, 'AppointmentCompleted', 1, z.object({}));
export const AppointmentNoShow = defineEvent(category, 'AppointmentNoShow', 1, z.object({}));

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
