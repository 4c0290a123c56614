import { z } from 'zod';
import { EntityId, TenantId } from '@ccp/schemas';
import { CommandRejected } from '@ccp/command-service';
import {
  AppointmentDetail,
  AppointmentList,
  AppointmentQuery,
  appointmentDetail,
  listAppointments,
} from '../appointments/appointments.js';
import {
  ContactDetail,
  ContactList,
  ContactQuery,
  contactDetail,
  listContacts,
} from '../appointments/contacts.js';
import { ALL_RESOURCES, calendarFeed, feedUrls } from '../appointments/ical.js';
import { listMessages, MessageList, MessageQuery } from '../appointments/messages.js';
import {
  availability,
  Availability,
  AvailabilityQuery,
  listResources,
  listServices,
  ResourceList,
  scheduleSettings,
  ScheduleSettingsPage,
  ServiceList,
} from '../appointments/schedule.js';
import { defineRoute, type QueryRoute } from '../http/route.js';
import type { QueryDependencies } from './dependencies.js';
import { ROLE_MATRIX } from './role-matrix.js';
import { notFound } from './route-helpers.js';

const AppointmentParam = z.strictObject({ appointmentId: EntityId });
const ContactParam = z.strictObject({ contactId: EntityId });
/**
 * Loose on purpose: whatever is wrong in a feed URL (tenant, scope or token) is answered with the same 404, so
 * the answer tells nothing about which part was wrong.
 */
const FeedParam = z.strictObject({
  tenantId: z.string().max(100),
  scope: z.string().max(100),
  token: z.string().max(100),
});

const feedNotFound = () => new CommandRejected(404, 'NOT_FOUND', 'no such calendar');

/**
 * Appointments as a product on the read side: services, resources and schedule settings, the appointments list
 * and an appointment's history, free slots, contacts with their linked history, the outbox and delivery log,
 * and the secret iCalendar feeds.
 */
export const appointmentRoutes = (deps: QueryDependencies): QueryRoute[] => {
  const read = { method: 'get', scope: 'read' } as const;
  const scheduling = { ...read, tag: 'appointments', roles: ROLE_MATRIX.scheduling } as const;
  return [
    defineRoute({
      ...scheduling,
      path: '/api/services',
      operationId: 'listServices',
      summary: 'List the services (appointment types)',
      response: ServiceList,
      handle: async ({ scope }) => ({ body: await listServices(deps.readStore(), scope.tenantId) }),
    }),
    defineRoute({
      ...scheduling,
      path: '/api/resources',
      operationId: 'listResources',
      summary: 'List the staff members and rooms with their calendars',
      response: ResourceList,
      handle: async ({ scope }) => ({ body: await listResources(deps.readStore(), scope.tenantId) }),
    }),
    defineRoute({
      ...scheduling,
      path: '/api/schedule-settings',
      operationId: 'scheduleSettings',
      summary: "Read the tenant's schedule settings (and, for tenant admins, the calendar feed URLs)",
      response: ScheduleSettingsPage,
      handle: async ({ scope, ctx }) => {
        const settings = await scheduleSettings(deps.readStore(), scope.tenantId);
        if (scope.actor.role !== 'tenant_admin') return { body: settings };
        const secret = deps.calendarFeedSecret(scope.tenantId, true);
        if (secret === undefined) throw new Error(`no calendar feed key for ${scope.tenantId}`);
        // Where this request reached the platform (Host, or X-Forwarded-Host behind a trusted proxy).
        const origin = `${ctx.protocol}://${ctx.host}`;
        const feeds = await feedUrls(deps.readStore(), scope.tenantId, secret, origin);
        return { body: { ...settings, feeds } };
      },
    }),
    defineRoute({
      ...read,
      tag: 'appointments',
      roles: ROLE_MATRIX.appointments,
      path: '/api/appointments',
      operationId: 'listAppointments',
      summary: 'List appointments by time, resource, status or customer',
      query: AppointmentQuery,
      response: AppointmentList,
      handle: async ({ scope, query }) => ({
        body: await listAppointments(deps.readStore(), scope.tenantId, query),
      }),
    }),
    defineRoute({
      ...read,
      tag: 'appointments',
      roles: ROLE_MATRIX.appointments,
      path: '/api/appointments/:appointmentId',
      operationId: 'getAppointment',
      summary: 'Read an appointment with its history',
      params: AppointmentParam,
      response: AppointmentDetail,
      handle: async ({ scope, params }) => {
        const detail = await appointmentDetail(
          deps.readStore(),
          deps.store,
          scope.tenantId,
          params.appointmentId,
        );
        if (detail === undefined) throw notFound('appointment');
        return { body: detail };
      },
    }),
    defineRoute({
      ...scheduling,
      path: '/api/availability',
      operationId: 'availability',
      summary: 'List free slots for services booked back to back',
      query: AvailabilityQuery,
      response: Availability,
      handle: async ({ scope, query }) => ({
        body: await availability(deps.readStore(), scope.tenantId, query, deps.now()),
      }),
    }),
    defineRoute({
      ...read,
      tag: 'contacts',
      roles: ROLE_MATRIX.contacts,
      path: '/api/contacts',
      operationId: 'listContacts',
      summary: 'List contacts by name, number, address or tag',
      query: ContactQuery,
      response: ContactList,
      handle: async ({ scope, query }) => ({
        body: await listContacts(deps.readStore(), scope.tenantId, query),
      }),
    }),
    defineRoute({
      ...read,
      tag: 'contacts',
      roles: ROLE_MATRIX.contacts,
      path: '/api/contacts/:contactId',
      operationId: 'getContact',
      summary: 'Read a contact with their calls, appointments, tickets, campaign leads and messages',
      params: ContactParam,
      response: ContactDetail,
      handle: async ({ scope, params }) => {
        const detail = await contactDetail(deps.readStore(), scope.tenantId, params.contactId);
        if (detail === undefined) throw notFound('contact');
        return { body: detail };
      },
    }),
    defineRoute({
      ...read,
      tag: 'messages',
      roles: ROLE_MATRIX.messages,
      path: '/api/messages',
      operationId: 'listMessages',
      summary: 'List the outbox and delivery log, newest first',
      query: MessageQuery,
      response: MessageList,
      handle: async ({ scope, query }) => ({
        body: await listMessages(deps.readStore(), scope.tenantId, query),
      }),
    }),
    defineRoute({
      ...read,
      tag: 'appointments',
      roles: [],
      public: true,
      path: '/ical/:tenantId/:scope/:token.ics',
      operationId: 'calendarFeed',
      summary: 'Read a secret iCalendar feed of appointments (the URL is the credential)',
      params: FeedParam,
      response: {
        mediaType: 'text/calendar',
        description: `An RFC 5545 calendar; scope '${ALL_RESOURCES}' or a resource`,
      },
      handle: async ({ params, ctx }) => {
        if (!TenantId.safeParse(params.tenantId).success) throw feedNotFound();
        const secret = deps.calendarFeedSecret(params.tenantId, false);
        if (secret === undefined) throw feedNotFound();
        const feed = await calendarFeed(deps.readStore(), params, secret, deps.now());
        if (feed === undefined) throw feedNotFound();
        ctx.type = 'text/calendar; charset=utf-8';
        ctx.set('Cache-Control', 'private, max-age=300');
        ctx.body = feed;
        return { streamed: true };
      },
    }),
  ];
};
