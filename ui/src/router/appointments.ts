import type { RouteRecordRaw } from 'vue-router';
import { ACCESS } from '../access';

/**
 * Appointments: the calendar, the services and staff editors, the schedule settings, contacts and the message
 * log. Who may open each follows the query API's roles; changes are the tenant admin's, as the command API says.
 */
export const appointmentRoutes: RouteRecordRaw[] = [
  {
    path: 'appointments',
    name: 'calendar',
    component: () => import('../views/appointments/CalendarView.vue'),
    meta: { roles: ACCESS.appointments, title: 'appointments.calendar.title' },
  },
  {
    path: 'appointments/services',
    name: 'services',
    component: () => import('../views/appointments/ServicesView.vue'),
    meta: { roles: ACCESS.appointments, title: 'appointments.services.title' },
  },
  {
    path: 'appointments/staff',
    name: 'staff',
    component: () => import('../views/appointments/ResourcesView.vue'),
    meta: { roles: ACCESS.appointments, title: 'appointments.staff.title' },
  },
  {
    path: 'appointments/settings',
    name: 'schedule-settings',
    component: () => import('../views/appointments/ScheduleSettingsView.vue'),
    meta: { roles: ACCESS.appointments, title: 'appointments.settings.title' },
  },
  {
    path: 'contacts',
    name: 'contacts',
    component: () => import('../views/appointments/ContactsView.vue'),
    meta: { roles: ACCESS.contacts, title: 'appointments.contacts.title' },
  },
  {
    path: 'contacts/:contactId',
    name: 'contact',
    component: () => import('../views/appointments/ContactView.vue'),
    props: true,
    meta: { roles: ACCESS.contacts, title: 'appointments.contacts.title' },
  },
  {
    path: 'messages',
    name: 'messages',
    component: () => import('../views/appointments/MessagesView.vue'),
    meta: { roles: ACCESS.contacts, title: 'appointments.messages.title' },
  },
];
