import { z } from 'zod';
import { EntityId } from '@ccp/schemas';
import {
  campaignLead,
  campaignLeads,
  campaignPage,
  CampaignList,
  CampaignPage,
  DoNotCallList,
  DoNotCallQuery,
  doNotCallList,
  LeadDetail,
  LeadList,
  LeadQuery,
  listCampaigns,
} from '../campaigns/campaigns.js';
import { defineRoute, type QueryRoute } from '../http/route.js';
import type { QueryDependencies } from './dependencies.js';
import { ROLE_MATRIX } from './role-matrix.js';
import { reportContextOf } from './route-helpers.js';

const CampaignParam = z.strictObject({ campaignId: EntityId });
const LeadParam = z.strictObject({ campaignId: EntityId, leadId: EntityId });

/** Outbound campaigns: their progress, leads and attempts, live progress, and the do-not-call list. */
export const campaignRoutes = (deps: QueryDependencies): QueryRoute[] => {
  const reportContext = reportContextOf(deps);
  const common = {
    method: 'get',
    tag: 'campaigns',
    roles: ROLE_MATRIX.campaigns,
    scope: 'read',
    feature: 'outbound_campaigns',
  } as const;

  return [
    defineRoute({
      ...common,
      path: '/api/campaigns',
      operationId: 'listCampaigns',
      summary: 'List outbound campaigns with their progress',
      response: CampaignList,
      handle: async ({ scope }) => ({ body: await listCampaigns(await reportContext(scope)) }),
    }),
    defineRoute({
      ...common,
      path: '/api/campaigns/:campaignId',
      operationId: 'getCampaign',
      summary: 'Read a campaign: settings, progress and imports',
      params: CampaignParam,
      response: CampaignPage,
      handle: async ({ scope, params }) => ({
        body: await campaignPage(await reportContext(scope), params.campaignId),
      }),
    }),
    defineRoute({
      ...common,
      path: '/api/campaigns/:campaignId/leads',
      operationId: 'listCampaignLeads',
      summary: "List a campaign's leads",
      params: CampaignParam,
      query: LeadQuery,
      response: LeadList,
      handle: async ({ scope, params, query }) => ({
        body: await campaignLeads(await reportContext(scope), params.campaignId, query),
      }),
    }),
    defineRoute({
      ...common,
      path: '/api/campaigns/:campaignId/leads/:leadId',
      operationId: 'getCampaignLead',
      summary: 'Read a lead of a campaign with its dial attempts',
      params: LeadParam,
      response: LeadDetail,
      handle: async ({ scope, params }) => ({
        body: await campaignLead(await reportContext(scope), params.campaignId, params.leadId),
      }),
    }),
    defineRoute({
      ...common,
      path: '/api/campaigns/:campaignId/live',
      operationId: 'campaignLiveProgress',
      summary: "Follow a campaign's progress as Server-Sent Events",
      params: CampaignParam,
      response: {
        mediaType: 'text/event-stream',
        description: 'A `progress` event carrying Progress JSON at once and each time it changes',
      },
      handle: async ({ scope, params, ctx }) => {
        // Answers 404 before the stream opens when the tenant has no such campaign.
        await campaignPage(await reportContext(scope), params.campaignId);
        deps.campaignLive.watch(ctx, scope.tenantId, params.campaignId);
        return { streamed: true };
      },
    }),
    defineRoute({
      ...common,
      path: '/api/do-not-call',
      operationId: 'doNotCallList',
      summary: "List the tenant's do-not-call numbers",
      query: DoNotCallQuery,
      response: DoNotCallList,
      handle: async ({ scope, query }) => ({
        body: await doNotCallList(deps.readStore(), scope.tenantId, query),
      }),
    }),
  ];
};
