import {
  CancelAppointment,
  CompleteAppointment,
  ConfirmAppointment,
  MarkNoShow,
  RescheduleAppointment,
  ScheduleAppointment,
} from '@ccp/schemas';
import { appointmentDecider } from '../domain/appointment.js';
import { route, type CommandRoute, type Reactions } from './route.js';

export const appointmentStream = (data: { tenantId: string; appointmentId: string }) => ({
  category: 'appointment',
  tenantId: data.tenantId,
  id: data.appointmentId,
});

const staff = { stream: appointmentStream, roles: ['tenant_admin', 'supervisor', 'agent'] } as const;

export const appointmentRoutes: readonly CommandRoute[] = [
  route(ScheduleAppointment, appointmentDecider, { ...staff, retryOnConflict: false }),
  route(ConfirmAppointment, appointmentDecider, { ...staff, retryOnConflict: true }),
  // Whoever moves an appointment agreed the new time against the old one, which may just have changed.
  route(RescheduleAppointment, appointmentDecider, { ...staff, retryOnConflict: false }),
  route(CancelAppointment, appointmentDecider, { ...staff, retryOnConflict: true }),
  route(CompleteAppointment, appointmentDecider, { ...staff, retryOnConflict: true }),
  route(MarkNoShow, appointmentDecider, { ...staff, retryOnConflict: true }),
];
export const appointmentReactions: Reactions = {};
