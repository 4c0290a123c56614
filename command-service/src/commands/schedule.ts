import { ConfigureSchedule, RotateCalendarFeed, SCHEDULE_SETTINGS } from '@ccp/schemas';
import { scheduleDecider } from '../domain/schedule.js';
import { route, type CommandRoute, type Reactions } from './route.js';

/** One stream of settings per tenant. */
export const scheduleStream = (data: { tenantId: string }) => ({
  category: 'schedule',
  tenantId: data.tenantId,
  id: SCHEDULE_SETTINGS,
});

const admins = { stream: scheduleStream, roles: ['tenant_admin'] } as const;

export const scheduleRoutes: readonly CommandRoute[] = [
  // The whole settings are replaced by what the admin saw: a concurrent change must be looked at.
  route(ConfigureSchedule, scheduleDecider, { ...admins, retryOnConflict: false }),
  route(RotateCalendarFeed, scheduleDecider, { ...admins, retryOnConflict: true }),
];
export const scheduleReactions: Reactions = {};
