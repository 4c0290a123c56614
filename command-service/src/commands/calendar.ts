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
/**
 * Fed by the platform only: reservations follow appointments (prerequisites, their compensations and reactions,
 * all run trusted), so no one can hold or free a resource's time without a booking that says why; the calendar
 * sync feeds the rest.
 */
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
    ...platform,
    retryOnConflict: true,
    compensation: ({ tenantId, resourceId, appointmentId, startsAt, endsAt }) =>
      request(UndoReservation, { tenantId, resourceId, appointmentId, startsAt, endsAt }),
  }),
  route(ReleaseSlot, calendarDecider, { ...platform, retryOnConflict: true }),
  route(UndoReservation, calendarDecider, { ...platform, retryOnConflict: true }),
  route(SyncExternalBusy, calendarDecider, { ...platform, retryOnConflict: true }),
  route(RecordExternalEvent, calendarDecider, { ...platform, retryOnConflict: true }),
];
export const calendarReactions: Reactions = {};
