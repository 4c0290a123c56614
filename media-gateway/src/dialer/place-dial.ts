import { billingPeriodOf, SYSTEM_ACTOR, type DialOutcome } from '@ccp/schemas';
import { CommandRejected, type CommandHandler } from '@ccp/command-service';
import type { LiveDirectory } from '../directory/live-directory.js';
import type { MediaGateway } from '../gateway.js';
import type { Carrier } from '../telephony/carrier.js';
import { leadIn, type ActiveAttempt, type CampaignView } from './campaign-view.js';
import type { DoNotCallLists } from './do-not-call-list.js';

/** Why a dial was not placed because the tenant's AI allowance is used up (also the campaign's pause reason). */
export const USAGE_CAP_PAUSE = 'usage cap reached';

export interface DialDependencies {
  readonly handler: CommandHandler;
  readonly carrier: Carrier;
  readonly gateway: MediaGateway;
  readonly live: LiveDirectory;
  readonly doNotCall: DoNotCallLists;
  readonly now: () => Date;
  /** The base URL the carrier calls back (the platform's public URL). */
  readonly callbackBase: () => string;
  readonly log: (message: string) => void;
}

/** Sends one of the dialer's commands as the platform; a refusal is logged, never thrown at the worker. */
export const sendCampaignCommand = async (
  deps: Pick<DialDependencies, 'handler' | 'log'>,
  type: string,
  data: Record<string, unknown>,
): Promise<boolean> => {
  try {
    await deps.handler.handleTrusted(type, data, { actor: SYSTEM_ACTOR });
    return true;
  } catch (error) {
    const why = error instanceof CommandRejected ? `${error.code}: ${error.message}` : String(error);
    deps.log(`dialer: ${type} ${JSON.stringify(data)} failed: ${why}`);
    return false;
  }
};

export const recordOutcome = (
  deps: Pick<DialDependencies, 'handler' | 'log'>,
  view: Pick<CampaignView, 'tenantId' | 'campaignId'>,
  attemptId: string,
  outcome: DialOutcome,
  extra: { readonly callId?: string; readonly reason?: string } = {},
): Promise<boolean> =>
  sendCampaignCommand(deps, 'RecordDialOutcome', {
    tenantId: view.tenantId,
    campaignId: view.campaignId,
    attemptId,
    outcome,
    ...extra,
  });

/** The answer URL of a campaign dial: who talks, and the attempt, so a call outlives a restart of the platform. */
export const outboundUrl = (
  base: string,
  call: {
    readonly agentId: string;
    readonly tenantId: string;
    readonly campaignId: string;
    readonly leadId: string;
    readonly attemptId: string;
  },
): string => `${base}/twilio/outbound?${new URLSearchParams({ ...call }).toString()}`;

/**
 * Carries out one DialStarted the campaign decided: the do-not-call list and the usage cap are checked right
 * before dialling (a list that cannot be read is not dialled: fail closed), then the carrier is asked, the call
 * recorded as the single outbound endpoint does, and the placement (or why there is none) recorded on the
 * campaign. Every path ends the attempt or records its call: nothing is left for the lease but a lost callback.
 */
export const placeDial = async (
  deps: DialDependencies,
  view: CampaignView,
  attempt: ActiveAttempt,
): Promise<void> => {
  const { tenantId, campaignId } = view;
  const lead = leadIn(view, attempt.leadId);
  if (!lead) {
    await recordOutcome(deps, view, attempt.attemptId, 'failed', {
      reason: 'the lead is not in the campaign',
    });
    return;
  }
  let listed: boolean;
  try {
    listed = await deps.doNotCall.isListed(tenantId, lead.phone);
  } catch (error) {
    deps.log(`dialer: do-not-call list of ${tenantId} unreadable: ${String(error)}`);
    await recordOutcome(deps, view, attempt.attemptId, 'not_placed', {
      reason: 'the do-not-call list could not be read',
    });
    return;
  }
  if (listed) {
    await recordOutcome(deps, view, attempt.attemptId, 'do_not_call', {
      reason: 'on the do-not-call list',
    });
    return;
  }
  await deps.live.catchUp();
  const tenant = deps.live.directory.tenant(tenantId);
  if (tenant?.aiBlockedPeriods.has(billingPeriodOf(deps.now()))) {
    // As an inbound call would be refused to the AI: nobody is dialled, and the campaign waits for a person.
    await recordOutcome(deps, view, attempt.attemptId, 'not_placed', { reason: USAGE_CAP_PAUSE });
    await sendCampaignCommand(deps, 'PauseCampaign', { tenantId, campaignId, reason: USAGE_CAP_PAUSE });
    return;
  }
  const agentId = lead.agentId ?? view.state.settings?.agentId;
  const agent = agentId !== undefined ? deps.live.directory.agent(tenantId, agentId) : undefined;
  if (agentId === undefined || !agent?.enabled) {
    await recordOutcome(deps, view, attempt.attemptId, 'failed', { reason: 'the agent is not enabled' });
    return;
  }
  const base = deps.callbackBase();
  let callId: string;
  try {
    ({ callId } = await deps.carrier.placeCall({
      to: lead.phone,
      from: attempt.callerId,
      url: outboundUrl(base, {
        agentId,
        tenantId,
        campaignId,
        leadId: lead.leadId,
        attemptId: attempt.attemptId,
      }),
      statusCallback: `${base}/twilio/status`,
      machineDetection: true,
    }));
  } catch (error) {
    await recordOutcome(deps, view, attempt.attemptId, 'failed', {
      reason: `the carrier refused the call: ${String(error).slice(0, 400)}`,
    });
    return;
  }
  await startPlacedCall(deps, view, attempt, callId, agentId);
};

/** Records a call the carrier has for an attempt: the call's start (with its attempt), then the placement. */
export const startPlacedCall = async (
  deps: DialDependencies,
  view: CampaignView,
  attempt: ActiveAttempt,
  callId: string,
  agentId: string,
): Promise<void> => {
  const lead = leadIn(view, attempt.leadId);
  deps.gateway.remember(callId, view.tenantId);
  try {
    await deps.gateway.placed(view.tenantId, {
      callId,
      from: attempt.callerId,
      to: lead?.phone ?? '',
      provider: 'twilio',
      direction: 'outbound',
      agentId,
      campaignId: view.campaignId,
      leadId: attempt.leadId,
      attemptId: attempt.attemptId,
    });
  } catch (error) {
    // The carrier has the call: the placement is still recorded, so the attempt is never dialled again.
    deps.log(`dialer: starting call ${callId} failed: ${String(error)}`);
  }
  await sendCampaignCommand(deps, 'RecordDialPlacement', {
    tenantId: view.tenantId,
    campaignId: view.campaignId,
    attemptId: attempt.attemptId,
    callId,
  });
};
