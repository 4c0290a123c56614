import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import { createOfflineDialogueEngine } from '../dialogue/engine.js';
import { MediaGateway } from '../gateway.js';
import { tenantKnowledge } from '../knowledge.js';
import { OPEN_HOURS, TENANT, gatewayFixture, type GatewayFixture } from '../testing/fixture.js';

const CALL = 'CA' + 'c0ffee00'.repeat(4);
const LEAD = { first_name: 'Ana', plan: 'Gold' };
let fixture: GatewayFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** A gateway over the fixture's store; a second one plays the process that takes over after a restart. */
const gatewayOn = (f: GatewayFixture) =>
  new MediaGateway({
    live: f.live,
    commands: f.commands,
    model: createOfflineDialogueEngine(),
    searchKnowledge: tenantKnowledge(f.live.directory),
    humansAvailable: () => false,
    now: () => OPEN_HOURS,
    log: () => undefined,
    readCall: (tenantId, callId) => f.events(`call-${tenantId}.${callId}`),
    leadVariables: async (tenantId, campaignId, leadId) =>
      tenantId === TENANT && campaignId === 'spring' && leadId === 'lead-1' ? LEAD : undefined,
  });

describe('campaign calls on the gateway', () => {
  it('greets with the lead’s variables, records the attempt, and keeps the variables after a restart', async () => {
    const f = await gatewayFixture();
    fixture = f;
    await f.handler.handleTrusted(
      'UpdateAgent',
      {
        tenantId: TENANT,
        agentId: 'ava',
        personality: { tone: 'friendly', greeting: 'Hi {{first_name}}, Ava here about your {{plan}} plan.' },
      },
      { actor: SYSTEM_ACTOR },
    );
    const first = gatewayOn(f);
    const call = {
      callId: CALL,
      from: '+15550000001',
      to: '+15557654321',
      provider: 'twilio' as const,
      direction: 'outbound' as const,
      agentId: 'ava',
      campaignId: 'spring',
      leadId: 'lead-1',
      attemptId: 'lead-1-a1',
    };
    first.remember(CALL, TENANT);
    await first.placed(TENANT, call);
    await first.answered(CALL, 'human');
    const opening = await first.open({ ...call, variables: LEAD });
    if (opening.kind !== 'agent') throw new Error(opening.kind);
    expect(opening.turn.lines).toEqual(['Hi Ana, Ava here about your Gold plan.']);
    const started = (await f.events(`call-${TENANT}.${CALL}`)).find((e) => e.type === 'CallStarted');
    expect(started?.data).toMatchObject({ campaignId: 'spring', leadId: 'lead-1', attemptId: 'lead-1-a1' });

    // Another process picks the call up from its events: the lead's variables come from the campaign again.
    const second = gatewayOn(f);
    const resumed = await second.sessionOrResume(CALL);
    expect(resumed?.setup.variables).toEqual(LEAD);
  });
});
