import type { RouteRecordRaw } from 'vue-router';
import { ACCESS } from '../access';

/**
 * The tenant admin's screens, children of the console layout. Who may open each mirrors the API: supervisors
 * read departments, agents and numbers and edit knowledge and scripts; the tenant's settings (IVR menus, single
 * sign-on), the team, API keys and the plan are the tenant admin's alone.
 */
export const adminRoutes: RouteRecordRaw[] = [
  {
    path: 'admin/departments',
    name: 'admin-departments',
    component: () => import('../views/admin/DepartmentsView.vue'),
    meta: { roles: ACCESS.configuration, title: 'admin.departments.title' },
  },
  {
    path: 'admin/agents',
    name: 'admin-agents',
    component: () => import('../views/admin/AgentsView.vue'),
    meta: { roles: ACCESS.configuration, title: 'admin.agents.title' },
  },
  {
    path: 'admin/agents/new',
    name: 'admin-agent-new',
    component: () => import('../views/admin/AgentEditView.vue'),
    meta: { roles: ACCESS.configure, title: 'admin.agents.new' },
  },
  {
    path: 'admin/agents/edit/:agentId',
    name: 'admin-agent',
    component: () => import('../views/admin/AgentEditView.vue'),
    props: true,
    meta: { roles: ACCESS.configuration, title: 'admin.agents.title' },
  },
  {
    path: 'admin/numbers',
    name: 'admin-numbers',
    component: () => import('../views/admin/NumbersView.vue'),
    meta: { roles: ACCESS.configuration, title: 'admin.numbers.title' },
  },
  {
    path: 'admin/ivr',
    name: 'admin-ivr',
    component: () => import('../views/admin/IvrView.vue'),
    meta: { roles: ACCESS.team, title: 'admin.ivr.title' },
  },
  {
    path: 'admin/knowledge',
    name: 'admin-knowledge',
    component: () => import('../views/admin/KnowledgeView.vue'),
    meta: { roles: ACCESS.knowledge, title: 'admin.knowledge.title' },
  },
  {
    path: 'admin/scripts',
    name: 'admin-scripts',
    component: () => import('../views/admin/ScriptsView.vue'),
    meta: { roles: ACCESS.knowledge, title: 'admin.scripts.title' },
  },
  {
    path: 'admin/team',
    name: 'admin-team',
    component: () => import('../views/admin/TeamView.vue'),
    meta: { roles: ACCESS.team, title: 'admin.team.title' },
  },
  {
    path: 'admin/integrations',
    name: 'admin-integrations',
    component: () => import('../views/admin/IntegrationsView.vue'),
    meta: { roles: ACCESS.team, title: 'admin.integrations.title' },
  },
  {
    path: 'admin/billing',
    name: 'admin-billing',
    component: () => import('../views/admin/BillingView.vue'),
    meta: { roles: ACCESS.team, title: 'admin.billing.title' },
  },
];
