import { describe, expect, it } from 'vitest';
import {
  AddToDoNotCall,
  AdvanceCampaign,
  CreateCampaign,
  PauseCampaign,
  ScheduleCallbackDial,
  UpdateCampaign,
  VerifyAgentCanCall,
  VerifyCallerId,
  type Actor,
  type PlanTier,
} from '@ccp/schemas';
import { statusOfDomainCode } from '../application/errors.js';
import { settings } from '../domain/campaign/fixtures.js';
import { authorize, commandAccess, fullCredential } from '../http/authorize.js';
import { campaignRoutes } from './campaign.js';
import { doNotCallRoutes } from './do-not-call.js';
import { request, type CommandRoute } from './route.js';
import { prerequisitesOf, streamOf } from './testing.js';

const key = { tenantId: 'acme', campaignId: 'spring' };
const creation = { ...key, ...settings };
const routeFor = (routes: readonly CommandRoute[], type: string): CommandRoute => {
  const found = routes.find((r) => r.definition.type === type);
  if (!found) throw new Error(`no route for ${type}`);
  return found;
};
const person = (role: Actor['role']): Actor => ({ kind: 'user', id: 'u-1', role, tenantId: 'acme' });
const refusal = async (route: CommandRoute, actor: Actor, tier: PlanTier) => {
  try {
    await authorize(fullCredential(actor), commandAccess(route), { tenantId: 'acme' }, () =>
      Promise.resolve(tier),
    );
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('campaign routes', () => {
  it('decides on the campaign stream; callbacks on the tenant’s callbacks campaign', () => {
    expect(streamOf(campaignRoutes, CreateCampaign, creation)).toBe('campaign-acme.spring');
    expect(
      streamOf(campaignRoutes, ScheduleCallbackDial, {
        tenantId: 'acme',
        callbackId: 'cb-1',
        kind: 'callback',
        at: '2026-03-02T15:00:00Z',
        phone: '+15550300001',
        agentId: 'ava',
        callerId: '+15550100001',
        timeZones: [],
        sourceCallId: 'CA1',
        reason: 'asked',
      }),
    ).toBe('campaign-acme.callbacks');
  });

  it('checks the agent and every caller ID before creating a campaign', () => {
    expect(prerequisitesOf(campaignRoutes, CreateCampaign, creation)).toEqual([
      request(VerifyAgentCanCall, { tenantId: 'acme', agentId: 'ava' }),
      request(VerifyCallerId, { tenantId: 'acme', address: '+15550100001' }),
      request(VerifyCallerId, { tenantId: 'acme', address: '+15550100002' }),
    ]);
  });

  it('checks only what an edit changes to', () => {
    expect(
      prerequisitesOf(campaignRoutes, UpdateCampaign, {
        ...key,
        revision: 1,
        changes: { callerIds: ['+15550100003'] },
      }),
    ).toEqual([request(VerifyCallerId, { tenantId: 'acme', address: '+15550100003' })]);
    expect(
      prerequisitesOf(campaignRoutes, UpdateCampaign, { ...key, revision: 1, changes: { name: 'New' } }),
    ).toEqual([]);
  });

  it('needs the outbound_campaigns feature of the plan', async () => {
    const create = routeFor(campaignRoutes, CreateCampaign.type);
    expect(await refusal(create, person('tenant_admin'), 'starter')).toBe('PLAN_FEATURE');
    expect(await refusal(create, person('tenant_admin'), 'professional')).toBeUndefined();
    expect(await refusal(create, person('supervisor'), 'enterprise')).toBeUndefined();
    expect(await refusal(routeFor(doNotCallRoutes, AddToDoNotCall.type), person('supervisor'), 'free')).toBe(
      'PLAN_FEATURE',
    );
  });

  it('lets tenant admins and supervisors run campaigns, and only the platform dial', async () => {
    const pause = routeFor(campaignRoutes, PauseCampaign.type);
    expect(await refusal(pause, person('agent'), 'enterprise')).toBe('FORBIDDEN_ROLE');
    const advance = routeFor(campaignRoutes, AdvanceCampaign.type);
    expect(await refusal(advance, person('tenant_admin'), 'enterprise')).toBe('FORBIDDEN_ROLE');
    expect(await refusal(advance, { kind: 'system', id: 'platform' }, 'starter')).toBeUndefined();
    for (const type of [
      'StageLeads',
      'CommitLeadImport',
      'ScheduleCallbackDial',
      'RecordDialPlacement',
      'RecordDialOutcome',
    ]) {
      expect(routeFor(campaignRoutes, type).roles).toEqual([]);
    }
  });

  it('answers a stale campaign edit with 409', () => {
    expect(statusOfDomainCode('CAMPAIGN_CHANGED')).toBe(409);
    expect(statusOfDomainCode('CAMPAIGN_EXISTS')).toBe(409);
    expect(statusOfDomainCode('CAMPAIGN_NOT_FOUND')).toBe(404);
    expect(statusOfDomainCode('CAMPAIGN_RUNNING')).toBe(422);
  });
});
