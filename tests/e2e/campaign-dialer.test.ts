import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IVR_NUMBER, DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import type { EventEnvelope } from '@ccp/schemas';
import { nextMondayInNewYork, startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import {
  campaignEvents,
  dataOf,
  launchCampaign,
  pacingHolds,
  trusted,
  waitFor,
} from '../support/campaign-dialer.js';

// The dialer end to end: a campaign on the demo tenant dialled through the local carrier, whose callees answer
// as a person, a machine, a busy line and nobody; one number is on the do-not-call list.
const PERSON = '+15550000101';
const MACHINE = '+15550000102';
const BUSY = '+15550000103';
const NOBODY = '+15550000104';
const LISTED = '+15550000105';
const CAMPAIGN = 'spring-recall';

/** The campaign's clock: a Monday 11:00 in New York, stepped ahead by the test to reach retry times. */
const MONDAY = nextMondayInNewYork(11);
let ahead = 0;
const campaignClock = () => new Date(MONDAY.getTime() + ahead + (Date.now() - startedAt));
const startedAt = Date.now();

let env: GatewayPlatform;
beforeAll(async () => {
  env = await startGatewayPlatform({
    now: campaignClock,
    callee: ({ to }) =>
      to === MACHINE
        ? { answer: 'machine' }
        : to === BUSY
          ? { answer: 'busy' }
          : to === NOBODY
            ? { answer: 'no-answer' }
            : { answer: 'human' },
    hooks: { dialer: { clock: campaignClock, idleTickMs: 100, leaseSeconds: 120 } },
  });
}, 60_000);
afterAll(() => env?.stop());

const events = () => campaignEvents(env.test.platform.store, DEMO_TENANT, CAMPAIGN);
const dialsTo = (to: string) =>
  env.carrier.requests.filter(
    (r) => r.method === 'POST' && /\/Calls\.json$/.test(r.path) && r.params['To']?.[0] === to,
  ).length;

describe('campaign dialer (demo tenant, local carrier)', () => {
  let final: EventEnvelope[] = [];

  it(
    'dials every lead, leaves the campaign voicemail, retries busy and no answer, skips the listed number',
    { timeout: 90_000 },
    async () => {
      const { handler } = env.test.platform;
      await trusted(handler, 'UpdateAgent', {
        tenantId: DEMO_TENANT,
        agentId: 'lucas',
        personality: {
          tone: 'enthusiastic',
          greeting: 'Hi {{first_name}}, this is Lucas from Bright Smile Dental about your {{plan}} plan.',
        },
      });
      await trusted(handler, 'AddToDoNotCall', {
        tenantId: DEMO_TENANT,
        numbers: [LISTED],
        source: 'manual',
      });
      await launchCampaign(handler, {
        tenantId: DEMO_TENANT,
        campaignId: CAMPAIGN,
        agentId: 'lucas',
        callerIds: [DEMO_NUMBER, DEMO_IVR_NUMBER],
        startDate: MONDAY.toISOString().slice(0, 10),
        leads: [
          { leadId: 'lead-person', phone: PERSON, name: 'Ana Lopez', variables: { plan: 'Gold' } },
          { leadId: 'lead-machine', phone: MACHINE, name: 'Bea Ruiz', variables: { plan: 'Silver' } },
          { leadId: 'lead-busy', phone: BUSY, name: 'Carl Diaz' },
          { leadId: 'lead-nobody', phone: NOBODY, name: 'Dan Eto' },
          { leadId: 'lead-listed', phone: LISTED, name: 'Eve Fox' },
        ],
        retry: {
          busy: { attempts: 1, spacingMinutes: 1 },
          no_answer: { attempts: 1, spacingMinutes: 1 },
          failed: { attempts: 0, spacingMinutes: 1 },
          voicemail: { attempts: 0, spacingMinutes: 1 },
          maxAttempts: 3,
        },
        pacing: { maxConcurrentCalls: 5, callsPerSecond: 2, inboundReserve: 0 },
        voicemail: {
          action: 'leave_message',
          message: 'Hi {{first_name}}, Bright Smile Dental here about your {{plan}} checkup. Call us back!',
        },
      });

      // First round: five dials decided, four placed; busy and no answer wait for their retry time.
      const first = await waitFor(
        events,
        (es) => dataOf(es, 'DialEnded').length >= 5,
        30_000,
        'the first round of outcomes',
      );
      expect(first.map((e) => e.type)).toContain('CampaignStarted');
      const outcomes = Object.fromEntries(
        dataOf<{ leadId: string; outcome: string }>(first, 'DialEnded').map((d) => [d.leadId, d.outcome]),
      );
      expect(outcomes).toEqual({
        'lead-person': 'answered',
        'lead-machine': 'voicemail',
        'lead-busy': 'busy',
        'lead-nobody': 'no_answer',
        'lead-listed': 'do_not_call',
      });

      // Past the spacing: the retries are dialled, end the same way, and nothing is left to dial.
      ahead += 2 * 60_000;
      final = await waitFor(
        events,
        (es) => es.some((e) => e.type === 'CampaignCompleted'),
        30_000,
        'the campaign to complete',
      );
      const ended = dataOf<{ leadId: string; outcome: string; attempt: number; retryAt?: string }>(
        final,
        'DialEnded',
      );
      expect(ended.filter((d) => d.leadId === 'lead-busy').map((d) => d.outcome)).toEqual(['busy', 'busy']);
      expect(ended.filter((d) => d.leadId === 'lead-nobody').map((d) => d.outcome)).toEqual([
        'no_answer',
        'no_answer',
      ]);
      const firstBusy = ended.find((d) => d.leadId === 'lead-busy');
      expect(firstBusy?.retryAt).toBeDefined();
      expect(firstBusy?.attempt).toBe(1);

      // What the carrier was asked: each number as often as attempts were placed, the listed one never.
      expect([PERSON, MACHINE, BUSY, NOBODY, LISTED].map(dialsTo)).toEqual([1, 1, 2, 2, 0]);
      const started = dataOf<{ attemptId: string; callerId: string }>(final, 'DialStarted');
      const placed = dataOf<{ attemptId: string; callId: string }>(final, 'DialPlaced');
      expect(started).toHaveLength(7);
      expect(placed).toHaveLength(6);
      expect(ended).toHaveLength(7);
      // Every attempt ended exactly once.
      expect(new Set(ended.map((d) => (d as unknown as { attemptId: string }).attemptId)).size).toBe(7);
      // Caller IDs rotate through the campaign's numbers.
      expect(new Set(started.map((d) => d.callerId))).toEqual(new Set([DEMO_NUMBER, DEMO_IVR_NUMBER]));
    },
  );

  it('greets the person by their variables and leaves the campaign’s voicemail with the lead’s', async () => {
    const placed = dataOf<{ attemptId: string; callId: string }>(final, 'DialPlaced');
    const callOf = (attemptPrefix: string) =>
      placed.find((p) => p.attemptId.startsWith(attemptPrefix))?.callId;
    const personCall = callOf('lead-person');
    const machineCall = callOf('lead-machine');
    if (personCall === undefined || machineCall === undefined) throw new Error('calls not placed');
    const heard = (await env.carrier.outboundResult(personCall)).heard;
    expect(heard[0]).toBe('Hi Ana, this is Lucas from Bright Smile Dental about your Gold plan.');
    const personEvents = await env.callEvents(personCall);
    expect(personEvents.find((e) => e.type === 'CallStarted')?.data).toMatchObject({
      direction: 'outbound',
      campaignId: CAMPAIGN,
      leadId: 'lead-person',
      attemptId: expect.stringMatching(/^lead-person/),
    });
    const voicemail = (await env.callEvents(machineCall)).find((e) => e.type === 'VoicemailLeft');
    expect(voicemail?.data).toEqual({
      text: 'Hi Bea, Bright Smile Dental here about your Silver checkup. Call us back!',
    });
  });

  it('never starts dials faster than the campaign’s rate', () => {
    const starts = final.filter((e) => e.type === 'DialStarted').map((e) => Date.parse(e.occurredAt));
    expect(pacingHolds(starts, 2)).toBe(true);
  });
});
