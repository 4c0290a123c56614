import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IVR_NUMBER, DEMO_NUMBER } from '../../infra/platform/demo-seed.js';
import { placeInboundCall } from '../../media-gateway/src/simulator/phone-call.js';
import { scenario, type ScenarioName } from '../../media-gateway/src/simulator/scenarios.js';
import { nextMondayInNewYork, startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';

/**
 * Issue 21: a newcomer's first call must work whenever they try it. Every scenario the README and the start
 * output name, with the content the CLI gives it by default, at a weekday noon, a weekday 23:00 and a Sunday
 * morning in New York, through signed webhooks and through a Media Stream.
 */

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

let clock = MONDAY_NOON;
let env: GatewayPlatform;

beforeAll(async () => {
  env = await startGatewayPlatform({ now: () => clock });
}, 60_000);
afterAll(() => env?.stop());

describe.each(TIMES)('the demo at %s (New York)', (_label, at) => {
  describe.each(['gather', 'stream'] as const)('through %s', (mode) => {
    it.each(SCENARIOS)('%s on %s', { timeout: 30_000 }, async (name, to) => {
      clock = at;
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
      });
      const transcript = result.transcript.map((l) => `${l.speaker}: ${l.text}`).join('\n');
      if (process.env['SHOW_CALLS']) console.log(`${name} ${mode} ${at.toISOString()}\n${transcript}`);
      expect({ problems: [...s.check(result.heard), ...s.caller.failures], transcript }).toEqual({
        problems: [],
        transcript,
      });
      expect(result.errors).toEqual([]);
    });
  });
});
