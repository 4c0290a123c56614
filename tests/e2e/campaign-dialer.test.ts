import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IVR_NUMBER, DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { CALLBACKS_CAMPAIGN, type EventEnvelope } from '@ccp/schemas';
import { say, scripted } from '@ccp/media-gateway/simulator';
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
/** Answers, and asks not to be called again. */
const REFUSER = '+15550000106';
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
            : to === REFUSER
              ? { answer: 'human', caller: scripted([say("Please don't call me again.")]) }
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
          { leadId: 'lead-refuser', phone: REFUSER, name: 'Fay Gil' },
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
        (es) => dataOf(es, 'DialEnded').length >= 6,
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
        'lead-refuser': 'answered',
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
      expect([PERSON, MACHINE, BUSY, NOBODY, LISTED, REFUSER].map(dialsTo)).toEqual([1, 1, 2, 2, 0, 1]);
      const started = dataOf<{ attemptId: string; callerId: string }>(final, 'DialStarted');
      const placed = dataOf<{ attemptId: string; callId: string }>(final, 'DialPlaced');
      expect(started).toHaveLength(8);
      expect(placed).toHaveLength(7);
      expect(ended).toHaveLength(8);
      // Every attempt ended exactly once.
      expect(new Set(ended.map((d) => (d as unknown as { attemptId: string }).attemptId)).size).toBe(8);
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

  it('puts a callee who asks not to be called again on the do-not-call list (the AI’s tool)', async () => {
    const placed = dataOf<{ attemptId: string; callId: string }>(final, 'DialPlaced');
    const callId = placed.find((p) => p.attemptId.startsWith('lead-refuser'))?.callId;
    if (callId === undefined) throw new Error('the refuser was not called');
    const tool = (await env.callEvents(callId)).find((e) => e.type === 'ToolInvoked');
    expect(tool?.data).toMatchObject({ name: 'add_to_do_not_call', status: 'succeeded' });
    const list = await env.test.platform.store.readStream(`donotcall-${DEMO_TENANT}.list`);
    const added = list.map((e) => e.data as { numbers: string[]; source: string; callId?: string });
    expect(added).toContainEqual({ numbers: [REFUSER], source: 'caller_request', callId });
  });

  it('dials callbacks promised on calls and wrap-up follow-ups through the callbacks campaign', async () => {
    const { handler, store } = env.test.platform;
    const placed = dataOf<{ attemptId: string; callId: string }>(final, 'DialPlaced');
    const campaignCall = placed.find((p) => p.attemptId.startsWith('lead-person'))?.callId;
    if (campaignCall === undefined) throw new Error('the person was not called');
    const at = new Date(MONDAY.getTime() + 3 * 3_600_000).toISOString();
    // An inbound call on which the AI promised a call back (as its schedule_callback tool records it).
    const inbound = 'CA' + 'e2e0'.repeat(8);
    const caller = '+15557654321';
    await trusted(handler, 'StartCall', {
      tenantId: DEMO_TENANT,
      callId: inbound,
      direction: 'inbound',
      from: caller,
      to: DEMO_NUMBER,
      provider: 'twilio',
      agentId: 'sofia',
    });
    await trusted(handler, 'ScheduleCallback', {
      tenantId: DEMO_TENANT,
      callId: inbound,
      callbackId: 'cb-e2e-1',
      at,
      number: caller,
      reason: 'wants the price list',
    });
    // A person wrapping up the campaign's call asks for a follow-up.
    await trusted(handler, 'WrapUpCall', {
      tenantId: DEMO_TENANT,
      callId: campaignCall,
      userId: 'supervisor',
      tags: [],
      resolved: false,
      followUp: { dueAt: at, reason: 'send the forms' },
    });
    const callbacks = await waitFor(
      () => campaignEvents(store, DEMO_TENANT, CALLBACKS_CAMPAIGN),
      (es) => dataOf(es, 'CallbackDialScheduled').length >= 2,
      15_000,
      'the callback and the follow-up on the callbacks campaign',
    );
    const scheduled = dataOf<{ kind: string; lead: Record<string, unknown> }>(
      callbacks,
      'CallbackDialScheduled',
    );
    // The number, agent and caller ID of the call each was promised on.
    expect(scheduled.map((d) => [d.kind, d.lead['leadId'], d.lead['phone'], d.lead['agentId']])).toEqual([
      ['callback', 'cb-e2e-1', caller, 'sofia'],
      ['follow_up', `fu-${campaignCall}`, PERSON, 'lucas'],
    ]);
    expect(scheduled[0]?.lead).toMatchObject({ callerId: DEMO_NUMBER, sourceCallId: inbound, dueAt: at });
    expect([DEMO_NUMBER, DEMO_IVR_NUMBER]).toContain(scheduled[1]?.lead['callerId']);
    expect(scheduled[1]?.lead).toMatchObject({ sourceCallId: campaignCall, dueAt: at });
  });

  it(
    'dials those callbacks when due, each with its own agent and caller ID',
    { timeout: 60_000 },
    async () => {
      const { store } = env.test.platform;
      ahead += 3 * 3_600_000 + 5 * 60_000;
      const events = await waitFor(
        () => campaignEvents(store, DEMO_TENANT, CALLBACKS_CAMPAIGN),
        (es) => dataOf(es, 'DialEnded').length >= 2,
        40_000,
        'the callbacks to be dialled',
      );
      const ended = dataOf<{ leadId: string; outcome: string; callId: string }>(events, 'DialEnded');
      expect(ended.map((d) => d.outcome)).toEqual(['answered', 'answered']);
      const agents: Record<string, unknown> = {};
      for (const { leadId, callId } of ended) {
        agents[leadId] = (await env.callEvents(callId)).find((e) => e.type === 'CallStarted')?.data;
      }
      expect(agents['cb-e2e-1']).toMatchObject({ agentId: 'sofia', from: DEMO_NUMBER, to: '+15557654321' });
      expect(Object.values(agents).find((d) => (d as { to: string }).to === PERSON)).toMatchObject({
        agentId: 'lucas',
      });
    },
  );

  it('never starts dials faster than the campaign’s rate', () => {
    const starts = final.filter((e) => e.type === 'DialStarted').map((e) => Date.parse(e.occurredAt));
    expect(pacingHolds(starts, 2)).toBe(true);
  });
});
