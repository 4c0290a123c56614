import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { billingPeriodOf } from '@ccp/schemas';
import { nextMondayInNewYork, startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { campaignEvents, dataOf, launchCampaign, trusted, waitFor } from '../support/campaign-dialer.js';

// A tenant whose AI allowance is used up (cap rule block_ai): the dialer places no call, records the attempt as
// not placed and pauses the campaign as the platform, as an inbound call would not reach the AI either.
const MONDAY = nextMondayInNewYork(11);
const offset = MONDAY.getTime() - Date.now();
const clock = () => new Date(Date.now() + offset);
const CAMPAIGN = 'capped';

let env: GatewayPlatform;
beforeAll(async () => {
  env = await startGatewayPlatform({ now: clock, hooks: { dialer: { clock, idleTickMs: 100 } } });
}, 60_000);
afterAll(() => env?.stop());

describe('campaign dialer and the usage cap', () => {
  it(
    'dials nobody once the AI is blocked by the cap, and pauses the campaign',
    { timeout: 60_000 },
    async () => {
      const { handler, store } = env.test.platform;
      await trusted(handler, 'SetUsageLimits', {
        tenantId: DEMO_TENANT,
        overrides: { includedMinutesPerMonth: 1, atUsageCap: 'block_ai' },
        billingThresholdUsd: null,
      });
      await trusted(handler, 'EnforceUsageCap', {
        tenantId: DEMO_TENANT,
        period: billingPeriodOf(clock()),
        resource: 'call_minutes',
        used: 5,
        cap: 1,
      });
      await launchCampaign(handler, {
        tenantId: DEMO_TENANT,
        campaignId: CAMPAIGN,
        agentId: 'lucas',
        callerIds: [DEMO_NUMBER],
        startDate: MONDAY.toISOString().slice(0, 10),
        leads: [
          { leadId: 'lead-1', phone: '+15550000401' },
          { leadId: 'lead-2', phone: '+15550000402' },
        ],
        retry: {
          busy: { attempts: 0, spacingMinutes: 1 },
          no_answer: { attempts: 0, spacingMinutes: 1 },
          failed: { attempts: 0, spacingMinutes: 1 },
          voicemail: { attempts: 0, spacingMinutes: 1 },
          maxAttempts: 1,
        },
        pacing: { maxConcurrentCalls: 1, callsPerSecond: 1, inboundReserve: 0 },
        voicemail: { action: 'hang_up' },
      });
      const events = await waitFor(
        () => campaignEvents(store, DEMO_TENANT, CAMPAIGN),
        (es) => es.some((e) => e.type === 'CampaignPaused'),
        20_000,
        'the campaign to pause',
      );
      expect(dataOf(events, 'CampaignPaused')).toEqual([{ by: 'platform', reason: 'usage cap reached' }]);
      expect(dataOf(events, 'DialEnded')).toEqual([
        expect.objectContaining({ outcome: 'not_placed', reason: 'usage cap reached' }),
      ]);
      // Paused: nothing more is started, and the carrier was never asked.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const later = await campaignEvents(store, DEMO_TENANT, CAMPAIGN);
      expect(dataOf(later, 'DialStarted')).toHaveLength(1);
      expect(env.carrier.requests.filter((r) => r.method === 'POST')).toEqual([]);
    },
  );
});
