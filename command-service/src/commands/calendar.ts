import {
  AddResource,
  AddTimeOff,
  LinkExternalCalendar,
  RecordExternalEvent,
  ReleaseSlot,
  RemoveResource,
  RemoveTimeOff,
  ReserveSlot,
  ReviseResource,
  SyncExternalBusy,
  UndoReservation,
  UnlinkExternalCalendar,
} from '@ccp/schemas';
import { calendarDecider } from '../domain/calendar.js';
import { request, route, type CommandRoute, type Reactions } from './route.js';

export const calendarStream = (data: { tenantId: string; resourceId: string }) => ({
  category: 'calendar',
  tenantId: data.tenantId,
  id: data.resourceId,
});

const admins = { stream: calendarStream, roles: ['tenant_admin'] } as const;
/** Reservations follow appointments, which staff book; the platform runs them as prerequisites of a booking. */
const staff = { stream: calendarStream, roles: ['tenant_admin', 'supervisor', 'agent'] } as const;
/** Fed by the platform's calendar sync only. */
const platform = { stream: calendarStream, roles: [] } as const;

export const calendarRoutes: readonly CommandRoute[] = [
  route(AddResource, calendarDecider, { ...admins, retryOnConflict: false }),
  route(ReviseResource, calendarDecider, { ...admins, retryOnConflict: true }),
  route(RemoveResource, calendarDecider, { ...admins, retryOnConflict: true }),
  route(AddTimeOff, calendarDecider, { ...admins, retryOnConflict: true }),
  route(RemoveTimeOff, calendarDecider, { ...admins, retryOnConflict: true }),
  route(LinkExternalCalendar, calendarDecider, { ...admins, retryOnConflict: true }),
  route(UnlinkExternalCalendar, calendarDecider, { ...admins, retryOnConflict: true }),
  // Two bookings racing for one calendar: the loser decides again on the winner's reservation (SLOT_TAKEN).
  route(ReserveSlot, calendarDecider, {
    ...staff,
    retryOnConflict: true,
    compensation: ({ tenantId, resourceId, appointmentId, startsAt, endsAt }) =>
      request(UndoReservation, { tenantId, resourceId, appointmentId, startsAt, endsAt }),
  }),
  route(ReleaseSlot, calendarDecider, { ...staff, retryOnConflict: true }),
  route(UndoReservation, calendarDecider, { ...staff, retryOnConflict: true }),
  route(SyncExternalBusy, calendarDecider, { ...platform, retryOnConflict: true }),
  route(RecordExternalEvent, calendarDecider, { ...platform, retryOnConflict: true }),
];
export const calendarReactions: Reactions = {};
