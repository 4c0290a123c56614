import { PublishAnnouncement, WithdrawAnnouncement } from '@ccp/schemas';
import { announcementDecider } from '../domain/announcement.js';
import { route, type CommandRoute, type Reactions } from './route.js';

export const announcementStream = (data: { tenantId: string; announcementId: string }) => ({
  category: 'announcement',
  tenantId: data.tenantId,
  id: data.announcementId,
});

// Tenant admins announce to their own tenant; only super admins reach tenant 'platform' (everyone), since the
// handler keeps every other role inside its own tenant.
const admins = { stream: announcementStream, roles: ['tenant_admin'], retryOnConflict: true } as const;

export const announcementRoutes: readonly CommandRoute[] = [
  route(PublishAnnouncement, announcementDecider, admins),
  route(WithdrawAnnouncement, announcementDecider, admins),
];

export const announcementReactions: Reactions = {};
