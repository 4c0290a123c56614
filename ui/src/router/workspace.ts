import type { RouteRecordRaw } from 'vue-router';
import { ACCESS } from '../access';

/** The agent workspace: the escalation inbox, a call being handled, and wrapped-up calls by tag. */
export const workspaceRoutes: RouteRecordRaw[] = [
  {
    path: 'workspace',
    name: 'workspace',
    component: () => import('../views/workspace/InboxView.vue'),
    meta: { roles: ACCESS.workspace, title: 'workspace.inbox.title' },
  },
  {
    path: 'workspace/calls/:callId',
    name: 'workspace-call',
    component: () => import('../views/workspace/WorkspaceCallView.vue'),
    props: true,
    meta: { roles: ACCESS.workspace, title: 'workspace.call.pageTitle' },
  },
  {
    path: 'workspace/wrap-ups',
    name: 'workspace-wrap-ups',
    component: () => import('../views/workspace/WrapUpsView.vue'),
    meta: { roles: ACCESS.workspace, title: 'workspace.wrapUps.title' },
  },
];
