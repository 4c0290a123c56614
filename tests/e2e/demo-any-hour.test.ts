import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IVR_NUMBER, DEMO_NUMBER } from '../../infra/platform/demo-seed.js';
import type { BusinessHours } from '@ccp/schemas';
import { configFromEnv } from '../../infra/platform/config.js';
import { isOpen } from '../../media-gateway/src/routing/business-hours.js';
import { placeInboundCall } from '../../media-gateway/src/simulator/phone-call.js';
import { scenario, type ScenarioName } from '../../media-gateway/src/simulator/scenarios.js';
import { nextMondayInNewYork, startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';

/**
 * Issue 21: a newcomer's first call must work whenever they try it. Every scenario the README and the start
 * output name, with the content the CLI gives it by default, at a weekday noon, a weekday 23:00 and a Sunday
 * morning in New York, through signed webhooks and through a Media Stream. One platform, on the real clock with
 * DEMO_CLOCK on: each call asks for its own time with the simulator's signed DemoAt, as `cli.ts --at` does.
 */

/** The demo clinic's hours (infra/platform/demo-seed.ts). */
const DEMO_HOURS: BusinessHours = {
  weekly: [
    ...(['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, open: '08:00', close: '18:00' })),
    { day: 'sat', open: '09:00', close: '13:00' },
  ],
};

const MONDAY_NOON = nextMondayInNewYork(12);
const MONDAY_NIGHT = nextMondayInNewYork(23);
// The Sunday before that Monday, 09:00 in New York (the clinic is closed all day).
const SUNDAY_MORNING = new Date(nextMondayInNewYork(9).getTime() - 86_400_000);

const TIMES = [
  ['weekday 12:00', MONDAY_NOON],
  ['weekday 23:00', MONDAY_NIGHT],
  ['Sunday 09:00', SUNDAY_MORNING],
] as const;

/** Scenario and number, as the README and the start output name them. */
const SCENARIOS: readonly (readonly [ScenarioName, string])[] = [
  ['ivr-dtmf', DEMO_IVR_NUMBER],
  ['ivr-voice', DEMO_IVR_NUMBER],
  ['faq', DEMO_NUMBER],
  ['book', DEMO_NUMBER],
  ['angry', DEMO_NUMBER],
  ['after-hours', DEMO_NUMBER],
  ['spanish', DEMO_NUMBER],
];

let env: GatewayPlatform;

beforeAll(async () => {
  env = await startGatewayPlatform({ now: () => new Date(), env: { DEMO_CLOCK: 'true' } });
}, 60_000);
afterAll(() => env?.stop());

/** Who answered the call first (the IVR's calls start with nobody, then are transferred). */
const answeredBy = async (callSid: string): Promise<string | undefined> => {
  const events = await env.callEvents(callSid);
  const transferred = events.find((e) => e.type === 'CallTransferred')?.data as
    { to: { id: string } } | undefined;
  const started = events.find((e) => e.type === 'CallStarted')?.data as { agentId?: string } | undefined;
  return transferred?.to.id ?? started?.agentId;
};

describe.each(TIMES)('the demo at %s (New York)', (_label, at) => {
  describe.each(['gather', 'stream'] as const)('through %s', (mode) => {
    it.each(SCENARIOS)('%s on %s', { timeout: 30_000 }, async (name, to) => {
      const s = scenario(name, { callerName: 'Ada Lovelace' });
      const result = await placeInboundCall({
        baseUrl: env.test.url,
        voicePath: mode === 'stream' ? '/twilio/voice?mode=stream' : '/twilio/voice',
        statusCallbackPath: '/twilio/status',
        authToken: env.authToken,
        accountSid: env.accountSid,
        from: '+15555550123',
        to,
        caller: s.caller,
        registry: env.carrier.registry,
        media: { realtime: false, endSilenceMs: 600 },
        demoAt: at.toISOString(),
      });
      const transcript = result.transcript.map((l) => `${l.speaker}: ${l.text}`).join('\n');
      if (process.env['SHOW_CALLS']) console.log(`${name} ${mode} ${at.toISOString()}\n${transcript}`);
      expect({ problems: [...s.check(result.heard), ...s.caller.failures], transcript }).toEqual({
        problems: [],
        transcript,
      });
      expect(result.errors).toEqual([]);
      // The call ran at its asked-for time: the day agent when the clinic is open, the night line when not.
      expect(await answeredBy(result.callSid)).toBe(at === MONDAY_NOON ? 'sofia' : 'mateo');
      if (name === 'book') {
        // The goal holds at any hour: an appointment after the call's time, inside the clinic's hours.
        const booked = (await env.callEvents(result.callSid)).find(
          (e) => e.type === 'ToolInvoked' && (e.data as { name: string }).name === 'book_appointment',
        )?.data as { status: string; result: { startsAt: string } } | undefined;
        expect(booked?.status).toBe('succeeded');
        const startsAt = new Date(booked?.result.startsAt ?? 0);
        expect(startsAt > at).toBe(true);
        expect(isOpen(DEMO_HOURS, 'America/New_York', startsAt)).toBe(true);
      }
    });
  });
});

describe('the demo clock is honoured only where it is on', () => {
  it(
    'without DEMO_CLOCK a call asking for another time runs on the real clock',
    { timeout: 60_000 },
    async () => {
      // The gateway's clock at Monday noon (the clinic open); the call asks for Monday 23:00 and is not obeyed.
      const off = await startGatewayPlatform({ now: () => MONDAY_NOON });
      try {
        const s = scenario('faq', { callerName: 'Ada Lovelace' });
        const result = await placeInboundCall({
          baseUrl: off.test.url,
          voicePath: '/twilio/voice',
          authToken: off.authToken,
          accountSid: off.accountSid,
          from: '+15555550123',
          to: DEMO_NUMBER,
          caller: s.caller,
          demoAt: MONDAY_NIGHT.toISOString(),
        });
        expect(result.errors).toEqual([]);
        const started = (await off.callEvents(result.callSid)).find((e) => e.type === 'CallStarted');
        expect(started?.data).toMatchObject({ agentId: 'sofia' });
      } finally {
        await off.stop();
      }
    },
  );

  it('DEMO_CLOCK is refused outside the embedded profile', () => {
    expect(() =>
      configFromEnv({
        DEMO_CLOCK: 'true',
        BUS: 'kafka',
        KAFKA_BROKERS: 'k:9092',
        SCHEMA_REGISTRY_URL: 'http://r',
      }),
    ).toThrow(/DEMO_CLOCK=true is for the embedded demo profile only/);
    expect(() =>
      configFromEnv({
        DEMO_CLOCK: 'true',
        TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
        TWILIO_AUTH_TOKEN: 'a-real-auth-token-0123',
      }),
    ).toThrow(/embedded demo profile only/);
    expect(configFromEnv({ DEMO_CLOCK: 'true' }).mediaGateway.demoClock).toBe(true);
    expect(configFromEnv({}).mediaGateway.demoClock).toBe(false);
  });
});
