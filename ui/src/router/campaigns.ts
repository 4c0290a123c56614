import type { RouteRecordRaw } from 'vue-router';
import { ACCESS } from '../access';

/**
 * Outbound campaigns and the tenant's do-not-call list. Analysts read them; only tenant admins and supervisors
 * create and edit, as the API allows. The do-not-call path comes before the campaign's own so that it is not
 * read as a campaign id.
 */
export const campaignRoutes: RouteRecordRaw[] = [
  {
    path: 'campaigns',
    name: 'campaigns',
    component: () => import('../views/campaigns/CampaignsView.vue'),
    meta: { roles: ACCESS.campaigns, title: 'campaigns.list.title' },
  },
  {
    path: 'campaigns/do-not-call',
    name: 'do-not-call',
    component: () => import('../views/campaigns/DoNotCallView.vue'),
    meta: { roles: ACCESS.campaigns, title: 'campaigns.dnc.title' },
  },
  {
    path: 'campaigns/new',
    name: 'campaign-new',
    component: () => import('../views/campaigns/CampaignEditView.vue'),
    meta: { roles: ACCESS.manageCampaigns, title: 'campaigns.editor.newTitle' },
  },
  {
    path: 'campaigns/:campaignId/edit',
    name: 'campaign-edit',
    component: () => import('../views/campaigns/CampaignEditView.vue'),
    props: true,
    meta: { roles: ACCESS.manageCampaigns, title: 'campaigns.editor.editTitle' },
  },
  {
    path: 'campaigns/:campaignId',
    name: 'campaign',
    component: () => import('../views/campaigns/CampaignView.vue'),
    props: true,
    meta: { roles: ACCESS.campaigns, title: 'campaigns.page.title' },
  },
];
