import type { RouteRecordRaw } from 'vue-router';
import { ACCESS } from '../access';

/** GDPR requests: beside the audit trail, for whoever answers for the tenant's data. */
export const complianceRoutes: RouteRecordRaw[] = [
  {
    path: 'compliance/gdpr',
    name: 'compliance-gdpr',
    component: () => import('../views/compliance/GdprView.vue'),
    meta: { roles: ACCESS.gdpr, title: 'gdpr.title' },
  },
];
