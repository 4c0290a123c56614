import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandHandler } from '@ccp/command-service';
import { DEMO_IVR_NUMBER, DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { createTwilioCarrier } from '@ccp/media-gateway';
import { startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { campaignEvents, dataOf, launchCampaign, trusted, waitFor } from '../support/campaign-dialer.js';

// Attempts a dialer left in flight (it stopped after the decider started them): the dialer asks the carrier
// and records what it finds, and never dials them itself. The attempts are started here with a handler on the
// real clock, at 14:00 in the campaign's zone; the platform's dialer runs 12 hours ahead, at night there, so it
// dials nothing of its own and only recovers (the attempts' leases, a day long, outlive its clock).
const dialerClock = () => new Date(Date.now() + 12 * 3_600_000);
const CAMPAIGN = 'left-in-flight';
const PLACED_BEFORE = '+15550000201';
const NEVER_PLACED = '+15550000202';

let env: GatewayPlatform;
beforeAll(async () => {
  env = await startGatewayPlatform({
    now: dialerClock,
    // Rings long enough for the dialer to find the call and record it before it is answered.
    callee: ({ to }) => ({ answer: 'human', ringSeconds: to === PLACED_BEFORE ? 300 : 1 }),
    hooks: { dialer: { clock: dialerClock, idleTickMs: 100, sweepMs: 300, leaseSeconds: 86_400 } },
  });
}, 60_000);
afterAll(() => env?.stop());

describe('campaign dialer: attempts left in flight', () => {
  it(
    'records the call the carrier had as the attempt’s, and the attempt it never had as not placed',
    { timeout: 60_000 },
    async () => {
      const { handler, store } = env.test.platform;
      const now = new Date();
      // Every day 00:00–24:00 UTC is not inside the legal floor; 08:00–21:00 in the zone where it is 14:00 now.
      const offsetHours = 14 - now.getUTCHours();
      const zone = `Etc/GMT${offsetHours <= 0 ? '+' : '-'}${Math.abs(offsetHours)}`;
      await launchCampaign(handler, {
        tenantId: DEMO_TENANT,
        campaignId: CAMPAIGN,
        agentId: 'lucas',
        callerIds: [DEMO_NUMBER, DEMO_IVR_NUMBER],
        startDate: new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(now),
        timeZone: zone,
        leads: [
          { leadId: 'lead-placed', phone: PLACED_BEFORE },
          { leadId: 'lead-unplaced', phone: NEVER_PLACED },
        ],
        retry: {
          busy: { attempts: 0, spacingMinutes: 1 },
          no_answer: { attempts: 0, spacingMinutes: 1 },
          failed: { attempts: 0, spacingMinutes: 1 },
          voicemail: { attempts: 0, spacingMinutes: 1 },
          maxAttempts: 2,
        },
        pacing: { maxConcurrentCalls: 5, callsPerSecond: 5, inboundReserve: 0 },
        voicemail: { action: 'hang_up' },
      });
      // The carrier had the first dial (lead-placed's, from the first caller ID) when the dialer died.
      const carrier = createTwilioCarrier({
        accountSid: env.accountSid,
        authToken: env.authToken,
        apiUrl: env.carrier.url,
      });
      const { callId } = await carrier.placeCall({
        to: PLACED_BEFORE,
        from: DEMO_NUMBER,
        url: `${env.test.url}/twilio/outbound?agentId=lucas&tenantId=${DEMO_TENANT}&campaignId=${CAMPAIGN}&leadId=lead-placed&attemptId=lead-placed-a1`,
        statusCallback: `${env.test.url}/twilio/status`,
        machineDetection: true,
      });

      // The decider starts two dials on the real clock, as a dialer that then died would have had it do.
      const realClock = createCommandHandler({ store, routes: [...handler.routes.values()] });
      // Two ticks a pacing slot apart (5 calls per second: one each 200 ms).
      for (const wait of [0, 300]) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        await trusted(realClock, 'AdvanceCampaign', {
          tenantId: DEMO_TENANT,
          campaignId: CAMPAIGN,
          capacity: 2,
          leaseSeconds: 86_400,
        });
      }
      const started = dataOf<{ attemptId: string; leadId: string; callerId: string }>(
        await campaignEvents(store, DEMO_TENANT, CAMPAIGN),
        'DialStarted',
      );
      expect(started.map((d) => d.leadId).sort()).toEqual(['lead-placed', 'lead-unplaced']);
      const placedAttempt = started.find((d) => d.leadId === 'lead-placed');
      if (!placedAttempt) throw new Error('no attempt for the placed lead');
      expect(placedAttempt).toMatchObject({ attemptId: 'lead-placed-a1', callerId: DEMO_NUMBER });
      const events = await waitFor(
        () => campaignEvents(store, DEMO_TENANT, CAMPAIGN),
        (es) => dataOf(es, 'DialEnded').length >= 2,
        30_000,
        'both attempts to end',
      );
      expect(dataOf(events, 'DialPlaced')).toEqual([{ attemptId: placedAttempt.attemptId, callId }]);
      const ended = dataOf<{ leadId: string; outcome: string; callId?: string }>(events, 'DialEnded');
      expect(ended.find((d) => d.leadId === 'lead-unplaced')?.outcome).toBe('not_placed');
      expect(ended.find((d) => d.leadId === 'lead-placed')).toMatchObject({ outcome: 'answered', callId });
      // The dialer itself placed nothing: the one call is the carrier's from before.
      const dials = env.carrier.requests.filter((r) => r.method === 'POST' && /\/Calls\.json$/.test(r.path));
      expect(dials.map((r) => r.params['To']?.[0])).toEqual([PLACED_BEFORE]);
      expect(dataOf(events, 'DialStarted')).toHaveLength(2);
      const call = await env.callEvents(callId);
      expect(call.find((e) => e.type === 'CallStarted')?.data).toMatchObject({
        campaignId: CAMPAIGN,
        attemptId: placedAttempt.attemptId,
      });
    },
  );
});
