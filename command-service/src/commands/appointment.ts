import {
  AppointmentCancelled,
  AppointmentCompleted,
  AppointmentNoShow,
  AppointmentRescheduled,
  CancelAppointment,
  CompleteAppointment,
  ConfirmAppointment,
  MarkNoShow,
  ReleaseSlot,
  RescheduleAppointment,
  ReserveSlot,
  ScheduleAppointment,
  VerifyServiceBookable,
  type EventEnvelope,
} from '@ccp/schemas';
import { appointmentDecider } from '../domain/appointment.js';
import { reservationOf } from '../domain/scheduling/availability.js';
import { reactionInput } from './reaction-input.js';
import { request, route, type CommandRequest, type CommandRoute, type Reactions } from './route.js';

export const appointmentStream = (data: { tenantId: string; appointmentId: string }) => ({
  category: 'appointment',
  tenantId: data.tenantId,
  id: data.appointmentId,
});

const staff = { stream: appointmentStream, roles: ['tenant_admin', 'supervisor', 'agent'] } as const;

const reserve = (
  tenantId: string,
  resourceId: string,
  appointmentId: string,
  startsAt: string,
  durationMinutes: number,
  buffers: { bufferBeforeMinutes: number; bufferAfterMinutes: number },
): CommandRequest =>
  request(ReserveSlot, {
    tenantId,
    resourceId,
    ...reservationOf(appointmentId, startsAt, durationMinutes, buffers),
  });

/**
 * Releases run later than the event they follow, maybe more than once: naming the time given back keeps a late
 * one from releasing a reservation the appointment took there again since (moved away and back).
 */
const release = (
  tenantId: string,
  resourceId: string,
  appointmentId: string,
  held: { startsAt?: string | undefined; durationMinutes?: number | undefined },
): CommandRequest => {
  if (held.startsAt === undefined || held.durationMinutes === undefined) {
    return request(ReleaseSlot, { tenantId, resourceId, appointmentId });
  }
  const { startsAt, endsAt } = reservationOf(appointmentId, held.startsAt, held.durationMinutes, {
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
  });
  return request(ReleaseSlot, { tenantId, resourceId, appointmentId, startsAt, endsAt });
};

/** A settled appointment (cancelled, completed, no-show) gives its resource's time back. */
const releaseOnResource =
  (definition: typeof AppointmentCancelled | typeof AppointmentCompleted | typeof AppointmentNoShow) =>
  (event: EventEnvelope): readonly CommandRequest[] => {
    const { tenantId, id, data } = reactionInput(definition, event);
    return data.resourceId === undefined ? [] : [release(tenantId, data.resourceId, id, data)];
  };

export const appointmentRoutes: readonly CommandRoute[] = [
  // A booking on a calendar first reserves its time there (undone if the booking then fails), so two bookings
  // of one slot meet on the calendar's stream and only one gets it.
  route(ScheduleAppointment, appointmentDecider, {
    ...staff,
    retryOnConflict: false,
    prerequisites: ({ tenantId, appointmentId, startsAt, durationMinutes, placement }) =>
      placement
        ? [
            ...placement.serviceIds.map((serviceId) =>
              request(VerifyServiceBookable, {
                tenantId,
                serviceId,
                resourceId: placement.resourceId,
                ...(placement.serviceIds.length === 1 && { durationMinutes }),
              }),
            ),
            reserve(tenantId, placement.resourceId, appointmentId, startsAt, durationMinutes, placement),
          ]
        : [],
  }),
  route(ConfirmAppointment, appointmentDecider, { ...staff, retryOnConflict: true }),
  // Whoever moves an appointment agreed the new time against the old one, which may just have changed.
  route(RescheduleAppointment, appointmentDecider, {
    ...staff,
    retryOnConflict: false,
    prerequisites: ({ tenantId, appointmentId }, { state, events }) => {
      const [moved] = events;
      if (state.status === 'none' || !state.placement || moved?.type !== 'AppointmentRescheduled') return [];
      const { to } = moved.data;
      if (to.resourceId === undefined) return [];
      // Moved to another resource: that one must serve what was booked.
      const served =
        to.resourceId === state.placement.resourceId
          ? []
          : state.placement.serviceIds.map((serviceId) =>
              request(VerifyServiceBookable, { tenantId, serviceId, resourceId: to.resourceId ?? '' }),
            );
      return [
        ...served,
        reserve(tenantId, to.resourceId, appointmentId, to.startsAt, to.durationMinutes, state.placement),
      ];
    },
  }),
  route(CancelAppointment, appointmentDecider, { ...staff, retryOnConflict: true }),
  route(CompleteAppointment, appointmentDecider, { ...staff, retryOnConflict: true }),
  route(MarkNoShow, appointmentDecider, { ...staff, retryOnConflict: true }),
];

export const appointmentReactions: Reactions = {
  AppointmentCancelled: releaseOnResource(AppointmentCancelled),
  AppointmentCompleted: releaseOnResource(AppointmentCompleted),
  AppointmentNoShow: releaseOnResource(AppointmentNoShow),
  // Moved to another resource: the new one was reserved before the move was stored; the old one is given back.
  AppointmentRescheduled: (event) => {
    const { tenantId, id, data } = reactionInput(AppointmentRescheduled, event);
    const { from, to } = data;
    return from.resourceId !== undefined && from.resourceId !== to.resourceId
      ? [release(tenantId, from.resourceId, id, from)]
      : [];
  },
};
