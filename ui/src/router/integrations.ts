import type { RouteRecordRaw } from 'vue-router';
import { ACCESS } from '../access';

/** Integrations: the tenant admin's connections, notification rules and delivery log. */
export const integrationRoutes: RouteRecordRaw[] = [
  {
    path: 'integrations',
    name: 'integrations',
    component: () => import('../views/integrations/IntegrationsView.vue'),
    meta: { roles: ACCESS.team, title: 'integrations.title' },
  },
  {
    // Alerts go out through the connections above: their rules sit beside them.
    path: 'alerts',
    name: 'alerts',
    component: () => import('../views/alerts/AlertsView.vue'),
    meta: { roles: ACCESS.team, title: 'alerts.title' },
  },
];
