import type { RouteRecordRaw } from 'vue-router';
import { ACCESS } from '../access';

/**
 * Billing: the tenant admin's subscription, usage, invoices and payment method (at /billing, where the
 * platform's portal session sends a ledger account back), and the super admin's figures across tenants.
 */
export const billingRoutes: RouteRecordRaw[] = [
  {
    path: 'billing',
    name: 'billing',
    component: () => import('../views/billing/BillingView.vue'),
    meta: { roles: ACCESS.team, title: 'billing.tenant.title' },
  },
  {
    path: 'platform/billing',
    name: 'platform-billing',
    component: () => import('../views/billing/PlatformBillingView.vue'),
    meta: { roles: ACCESS.platform, title: 'billing.platform.title', platformWide: true },
  },
];
