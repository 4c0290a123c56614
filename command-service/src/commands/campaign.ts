import {
  AdvanceCampaign,
  CALLBACKS_CAMPAIGN,
  CancelCampaign,
  CommitLeadImport,
  CreateCampaign,
  EraseCampaignLeads,
  PauseCampaign,
  RecordDialOutcome,
  RecordDialPlacement,
  ResumeCampaign,
  ScheduleCallbackDial,
  ScheduleCampaign,
  StageLeads,
  UpdateCampaign,
  VerifyAgentCanCall,
  VerifyCallerId,
} from '@ccp/schemas';
import { campaignDecider } from '../domain/campaign/decider.js';
import { request, route, type CommandRequest, type CommandRoute, type Reactions } from './route.js';

export const campaignStream = (data: { tenantId: string; campaignId: string }) => ({
  category: 'campaign',
  tenantId: data.tenantId,
  id: data.campaignId,
});

/** Before a campaign calls with an agent and from numbers: the agent is enabled and the numbers the tenant's. */
const callingChecks = (
  tenantId: string,
  agentId: string | undefined,
  callerIds: readonly string[] | undefined,
): CommandRequest[] => [
  ...(agentId === undefined ? [] : [request(VerifyAgentCanCall, { tenantId, agentId })]),
  ...(callerIds ?? []).map((address) => request(VerifyCallerId, { tenantId, address })),
];

const people = {
  stream: campaignStream,
  roles: ['tenant_admin', 'supervisor'],
  feature: 'outbound_campaigns',
} as const;
// The import endpoint and the dialer send these trusted, after their own checks.
const platform = {
  stream: campaignStream,
  roles: [],
  feature: 'outbound_campaigns',
  retryOnConflict: true,
} as const;

export const campaignRoutes: readonly CommandRoute[] = [
  route(CreateCampaign, campaignDecider, {
    ...people,
    retryOnConflict: false,
    prerequisites: ({ tenantId, agentId, callerIds }) => callingChecks(tenantId, agentId, callerIds),
  }),
  // The revision the editor saw is checked on every decision, so a retry after the dialer appended re-decides
  // safely while a concurrent edit is still a 409 (CAMPAIGN_CHANGED).
  route(UpdateCampaign, campaignDecider, {
    ...people,
    retryOnConflict: true,
    prerequisites: ({ tenantId, changes }) => callingChecks(tenantId, changes.agentId, changes.callerIds),
  }),
  route(ScheduleCampaign, campaignDecider, { ...people, retryOnConflict: true }),
  route(PauseCampaign, campaignDecider, { ...people, retryOnConflict: true }),
  route(ResumeCampaign, campaignDecider, { ...people, retryOnConflict: true }),
  route(CancelCampaign, campaignDecider, { ...people, retryOnConflict: true }),
  route(StageLeads, campaignDecider, platform),
  route(CommitLeadImport, campaignDecider, platform),
  route(ScheduleCallbackDial, campaignDecider, {
    ...platform,
    stream: ({ tenantId }) => campaignStream({ tenantId, campaignId: CALLBACKS_CAMPAIGN }),
  }),
  // Erasure reaches every tenant's leads, whatever its plan allows now.
  route(EraseCampaignLeads, campaignDecider, { stream: campaignStream, roles: [], retryOnConflict: true }),
  route(AdvanceCampaign, campaignDecider, platform),
  route(RecordDialPlacement, campaignDecider, platform),
  route(RecordDialOutcome, campaignDecider, platform),
];

// The dialer follows CallbackScheduled and CallWrappedUp itself: it must read the source call for the number.
export const campaignReactions: Reactions = {};
