import type { RouteRecordRaw } from 'vue-router';
import { ACCESS } from '../access';

declare module 'vue-router' {
  interface RouteMeta {
    /** A super admin's platform-wide screen: it reads no one tenant, so it opens before any tenant is chosen. */
    platformWide?: boolean;
  }
}

/** The super admin's screens: tenants, tiers and caps, announcements, health, global analytics, white label. */
export const platformRoutes: RouteRecordRaw[] = [
  {
    path: 'platform/tenants',
    name: 'platform-tenants',
    component: () => import('../views/platform/TenantsView.vue'),
    meta: { roles: ACCESS.platform, title: 'platform.tenants.title', platformWide: true },
  },
  {
    path: 'platform/tenants/:tenantId',
    name: 'platform-tenant',
    component: () => import('../views/platform/TenantDetailView.vue'),
    props: true,
    meta: { roles: ACCESS.platform, title: 'platform.tenant.title', platformWide: true },
  },
  {
    path: 'platform/plans',
    name: 'platform-plans',
    component: () => import('../views/platform/PlansView.vue'),
    meta: { roles: ACCESS.platform, title: 'platform.plans.title', platformWide: true },
  },
  {
    path: 'platform/announcements',
    name: 'platform-announcements',
    component: () => import('../views/platform/AnnouncementsView.vue'),
    meta: { roles: ACCESS.platform, title: 'platform.announcements.title', platformWide: true },
  },
  {
    path: 'platform/health',
    name: 'platform-health',
    component: () => import('../views/platform/HealthView.vue'),
    meta: { roles: ACCESS.platform, title: 'platform.health.title', platformWide: true },
  },
  {
    path: 'platform/analytics',
    name: 'platform-analytics',
    component: () => import('../views/platform/PlatformAnalyticsView.vue'),
    meta: { roles: ACCESS.platform, title: 'platform.analytics.title', platformWide: true },
  },
];
