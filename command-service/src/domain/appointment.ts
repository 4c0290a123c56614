import type {
  AppointmentPlacement,
  AppointmentSlot,
  CommandMetadata,
  CommandOf,
  EventOf,
  appointmentCommands,
  appointmentEvents,
} from '@ccp/schemas';
import { DomainError, type Decider } from './decider.js';

export type AppointmentCommand = CommandOf<(typeof appointmentCommands)[number]>;
export type AppointmentEvent = EventOf<(typeof appointmentEvents)[number]>;

export type AppointmentStatus = 'scheduled' | 'confirmed' | 'cancelled' | 'completed' | 'no_show';

export type AppointmentState =
  | { readonly status: 'none' }
  | {
      readonly status: AppointmentStatus;
      readonly slot: AppointmentSlot;
      /** Where it is booked when the tenant keeps calendars; the resource follows every move. */
      readonly placement?: AppointmentPlacement;
    };

type ExistingAppointment = Exclude<AppointmentState, { status: 'none' }>;

const CLOSED: readonly AppointmentStatus[] = ['cancelled', 'completed', 'no_show'];

const existing = (state: AppointmentState): ExistingAppointment => {
  if (state.status === 'none') {
    throw new DomainError('APPOINTMENT_NOT_FOUND', 'the appointment does not exist', 'appointmentId');
  }
  return state;
};

const open = (appointment: ExistingAppointment): ExistingAppointment => {
  if (CLOSED.includes(appointment.status)) {
    throw new DomainError(
      'APPOINTMENT_CLOSED',
      `the appointment is already ${appointment.status.replace('_', ' ')}`,
      'appointmentId',
    );
  }
  return appointment;
};

const inFuture = (startsAt: string, metadata: CommandMetadata): void => {
  if (Date.parse(startsAt) <= metadata.now.getTime()) {
    throw new DomainError('APPOINTMENT_IN_PAST', 'an appointment must start in the future', 'startsAt');
  }
};

const onResource = (
  appointment: ExistingAppointment,
): { resourceId?: string; startsAt?: string; durationMinutes?: number } =>
  appointment.placement
    ? {
        resourceId: appointment.placement.resourceId,
        startsAt: appointment.slot.startsAt,
        durationMinutes: appointment.slot.durationMinutes,
      }
    : {};

/**
 * Completion is recorded for a confirmed appointment whose start time has come; a no-show also for one never
 * confirmed (the customer who did not confirm is the likeliest not to come).
 */
const settle = (
  state: AppointmentState,
  target: 'completed' | 'no_show',
  metadata: CommandMetadata,
): AppointmentEvent[] => {
  const appointment = existing(state);
  if (appointment.status === target) return [];
  open(appointment);
  if (target === 'completed' && appointment.status !== 'confirmed') {
    throw new DomainError('APPOINTMENT_NOT_CONFIRMED', 'the appointment is not confirmed', 'appointmentId');
  }
  if (Date.parse(appointment.slot.startsAt) > metadata.now.getTime()) {
    throw new DomainError('APPOINTMENT_NOT_STARTED', 'the appointment has not started yet', 'appointmentId');
  }
  const data = onResource(appointment);
  return [
    target === 'completed' ? { type: 'AppointmentCompleted', data } : { type: 'AppointmentNoShow', data },
  ];
};

type Reschedule = Extract<AppointmentCommand, { type: 'RescheduleAppointment' }>;

const reschedule = (command: Reschedule, state: AppointmentState): AppointmentEvent[] => {
  const appointment = open(existing(state));
  const { resourceId } = command.data;
  const placed = appointment.placement;
  if (placed && resourceId === undefined) {
    throw new DomainError(
      'APPOINTMENT_RESOURCE_REQUIRED',
      'the appointment is booked on a resource: name the resource that serves it at the new time',
      'resourceId',
    );
  }
  if (!placed && resourceId !== undefined) {
    throw new DomainError(
      'APPOINTMENT_NOT_PLACED',
      'the appointment is not booked on a resource calendar, so it cannot move to one',
      'resourceId',
    );
  }
  const from = { ...appointment.slot, ...onResource(appointment) };
  const to = {
    startsAt: command.data.startsAt,
    durationMinutes: command.data.durationMinutes ?? from.durationMinutes,
    ...(resourceId !== undefined && { resourceId }),
  };
  const sameStart = Date.parse(to.startsAt) === Date.parse(from.startsAt);
  if (sameStart && to.durationMinutes === from.durationMinutes && to.resourceId === from.resourceId)
    return [];
  inFuture(to.startsAt, command.metadata);
  return [{ type: 'AppointmentRescheduled', data: { from, to } }];
};

export const decide = (command: AppointmentCommand, state: AppointmentState): AppointmentEvent[] => {
  switch (command.type) {
    case 'ScheduleAppointment': {
      if (state.status !== 'none') {
        throw new DomainError(
          'APPOINTMENT_EXISTS',
          `appointment ${command.data.appointmentId} already exists`,
          'appointmentId',
        );
      }
      const { tenantId: _tenantId, appointmentId: _appointmentId, ...appointment } = command.data;
      inFuture(appointment.startsAt, command.metadata);
      return [{ type: 'AppointmentScheduled', data: appointment }];
    }
    case 'ConfirmAppointment': {
      const appointment = open(existing(state));
      return appointment.status === 'confirmed' ? [] : [{ type: 'AppointmentConfirmed', data: {} }];
    }
    case 'RescheduleAppointment':
      return reschedule(command, state);
    case 'CancelAppointment': {
      const appointment = existing(state);
      if (appointment.status === 'cancelled') return [];
      open(appointment);
      return [
        { type: 'AppointmentCancelled', data: { reason: command.data.reason, ...onResource(appointment) } },
      ];
    }
    case 'CompleteAppointment':
      return settle(state, 'completed', command.metadata);
    case 'MarkNoShow':
      return settle(state, 'no_show', command.metadata);
  }
};

export const evolve = (state: AppointmentState, event: AppointmentEvent): AppointmentState => {
  if (event.type === 'AppointmentScheduled') {
    const { startsAt, durationMinutes, placement } = event.data;
    return { status: 'scheduled', slot: { startsAt, durationMinutes }, ...(placement && { placement }) };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'AppointmentConfirmed':
      return { ...state, status: 'confirmed' };
    case 'AppointmentRescheduled': {
      // A new time is a new agreement: the customer confirms again.
      const { startsAt, durationMinutes, resourceId } = event.data.to;
      const placement =
        state.placement && resourceId !== undefined ? { ...state.placement, resourceId } : state.placement;
      return { status: 'scheduled', slot: { startsAt, durationMinutes }, ...(placement && { placement }) };
    }
    case 'AppointmentCancelled':
      return { ...state, status: 'cancelled' };
    case 'AppointmentCompleted':
      return { ...state, status: 'completed' };
    case 'AppointmentNoShow':
      return { ...state, status: 'no_show' };
  }
};

export const appointmentDecider: Decider<AppointmentCommand, AppointmentEvent, AppointmentState> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
