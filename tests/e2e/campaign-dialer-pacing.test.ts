import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { nextMondayInNewYork, startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import {
  campaignEvents,
  dataOf,
  launchCampaign,
  pacingHolds,
  trusted,
  waitFor,
} from '../support/campaign-dialer.js';

// Pacing and lines: the rate of dial starts, the campaign's concurrency and the agent's free lines (its limit
// less the inbound reserve) hold while many leads are dialled. Invariants only; the accuracy of the rate is
// the benchmark's to measure.
const MONDAY = nextMondayInNewYork(11);
const offset = MONDAY.getTime() - Date.now();
const clock = () => new Date(Date.now() + offset);
const CAMPAIGN = 'pacing';
const LEADS = 24;
const RATE = 4;

let env: GatewayPlatform;
beforeAll(async () => {
  env = await startGatewayPlatform({
    now: clock,
    // People who pick up after a second of ringing and hang up at the agent's first question.
    callee: () => ({ answer: 'human', ringSeconds: 100 }),
    hooks: { dialer: { clock, idleTickMs: 100 } },
  });
}, 60_000);
afterAll(() => env?.stop());

describe('campaign dialer pacing', () => {
  it(
    'never starts faster than the rate, nor holds more lines than the campaign and the agent allow',
    { timeout: 90_000 },
    async () => {
      const { handler, store } = env.test.platform;
      // Four lines, one kept for inbound callers: three for the campaign, below its own limit of eight.
      await trusted(handler, 'UpdateAgent', { tenantId: DEMO_TENANT, agentId: 'lucas', concurrencyLimit: 4 });
      await launchCampaign(handler, {
        tenantId: DEMO_TENANT,
        campaignId: CAMPAIGN,
        agentId: 'lucas',
        callerIds: [DEMO_NUMBER],
        startDate: MONDAY.toISOString().slice(0, 10),
        leads: Array.from({ length: LEADS }, (_, i) => ({
          leadId: `lead-${i}`,
          phone: `+1555000${String(3000 + i)}`,
        })),
        retry: {
          busy: { attempts: 0, spacingMinutes: 1 },
          no_answer: { attempts: 0, spacingMinutes: 1 },
          failed: { attempts: 0, spacingMinutes: 1 },
          voicemail: { attempts: 0, spacingMinutes: 1 },
          maxAttempts: 1,
        },
        pacing: { maxConcurrentCalls: 8, callsPerSecond: RATE, inboundReserve: 1 },
        voicemail: { action: 'hang_up' },
      });
      const events = await waitFor(
        () => campaignEvents(store, DEMO_TENANT, CAMPAIGN),
        (es) => es.some((e) => e.type === 'CampaignCompleted'),
        60_000,
        'the campaign to complete',
      );
      const starts = events.filter((e) => e.type === 'DialStarted').map((e) => Date.parse(e.occurredAt));
      expect(starts).toHaveLength(LEADS);
      expect(pacingHolds(starts, RATE)).toBe(true);
      let active = 0;
      let most = 0;
      for (const event of events) {
        if (event.type === 'DialStarted') active += 1;
        if (event.type === 'DialEnded') active -= 1;
        most = Math.max(most, active);
      }
      expect(most).toBeLessThanOrEqual(3);
      // The lines were used: calls overlapped.
      expect(most).toBeGreaterThan(1);
      expect(dataOf<{ outcome: string }>(events, 'DialEnded').every((d) => d.outcome === 'answered')).toBe(
        true,
      );
    },
  );
});
