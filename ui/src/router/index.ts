import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { ACCESS, HOME } from '../access';
import type { Role } from '../api/types';
import { i18n } from '../i18n';
import { useSessionStore } from '../stores/session';
import { adminRoutes } from './admin';
import { appointmentRoutes } from './appointments';
import { billingRoutes } from './billing';
import { campaignRoutes } from './campaigns';
import { complianceRoutes } from './compliance';
import { integrationRoutes } from './integrations';
import { platformRoutes } from './platform';
import { workspaceRoutes } from './workspace';

declare module 'vue-router' {
  interface RouteMeta {
    /** Open without signing in. */
    public?: boolean;
    /** The roles that may open the screen (super admins always may); others get the "not allowed" page. */
    roles?: readonly Role[];
    /** The i18n key of the page title. */
    title?: string;
  }
}

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('../views/LoginView.vue'),
    meta: { public: true, title: 'login.title' },
  },
  {
    path: '/login/sso',
    name: 'sso-callback',
    component: () => import('../views/SsoCallbackView.vue'),
    meta: { public: true, title: 'login.title' },
  },
  {
    path: '/',
    component: () => import('../layouts/ConsoleLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('../views/NotFoundView.vue') },
      {
        path: 'dashboard',
        name: 'dashboard',
        component: () => import('../views/DashboardView.vue'),
        meta: { roles: ACCESS.dashboards, title: 'dashboard.title' },
      },
      {
        path: 'analytics',
        name: 'analytics',
        component: () => import('../views/AnalyticsView.vue'),
        meta: { roles: ACCESS.analytics, title: 'analytics.title' },
      },
      {
        path: 'calls',
        name: 'calls',
        component: () => import('../views/CallsView.vue'),
        meta: { roles: ACCESS.calls, title: 'calls.title' },
      },
      {
        path: 'calls/:callId',
        name: 'call',
        component: () => import('../views/CallDetailView.vue'),
        props: true,
        meta: { roles: ACCESS.calls, title: 'calls.title' },
      },
      {
        path: 'replay/:callId?',
        name: 'replay',
        component: () => import('../views/ReplayView.vue'),
        props: true,
        meta: { roles: ACCESS.calls, title: 'replay.title' },
      },
      {
        path: 'compliance/audit',
        name: 'audit',
        component: () => import('../views/AuditView.vue'),
        meta: { roles: ACCESS.audit, title: 'audit.title' },
      },
      {
        path: 'compliance/verify/:streamId?',
        name: 'verify',
        component: () => import('../views/VerifyView.vue'),
        props: true,
        meta: { roles: ACCESS.audit, title: 'verify.title' },
      },
      ...adminRoutes,
      ...campaignRoutes,
      ...appointmentRoutes,
      ...billingRoutes,
      ...integrationRoutes,
      ...complianceRoutes,
      ...workspaceRoutes,
      ...platformRoutes,
      {
        path: 'not-allowed',
        name: 'not-allowed',
        component: () => import('../views/NotAllowedView.vue'),
        meta: { title: 'notAllowed.title' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('../views/NotFoundView.vue'),
        meta: { title: 'notFound.title' },
      },
    ],
  },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});

router.beforeEach((to) => {
  const session = useSessionStore();
  if (to.meta.public) {
    if (to.name === 'login' && session.role !== undefined) return { name: HOME[session.role] };
    return true;
  }
  if (session.role === undefined) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  }
  if (to.name === 'home') return { name: HOME[session.role] };
  const roles = to.meta.roles;
  if (roles !== undefined && session.role !== 'super_admin' && !roles.includes(session.role)) {
    return { name: 'not-allowed', query: { from: to.fullPath } };
  }
  return true;
});

router.afterEach((to) => {
  const { t } = i18n.global;
  const name = t('app.name');
  document.title = to.meta.title !== undefined ? `${t(to.meta.title)} · ${name}` : name;
});
