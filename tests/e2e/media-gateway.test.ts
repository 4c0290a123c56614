import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IVR_NUMBER, DEMO_NUMBER } from '../../infra/platform/demo-seed.js';
import { expectToHear, hangUp, press, say, scripted } from '../../media-gateway/src/simulator/caller.js';
import { placeInboundCall } from '../../media-gateway/src/simulator/phone-call.js';
import { nextMondayInNewYork, startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';

const CALLER = '+15557654321';
let env: GatewayPlatform;

beforeAll(async () => {
  const monday = nextMondayInNewYork(11);
  env = await startGatewayPlatform({ now: () => monday });
}, 60_000);
afterAll(() => env?.stop());

const call = (
  to: string,
  caller: Parameters<typeof placeInboundCall>[0]['caller'],
  mode: 'gather' | 'stream' = 'gather',
) =>
  placeInboundCall({
    baseUrl: env.test.url,
    voicePath: mode === 'stream' ? '/twilio/voice?mode=stream' : '/twilio/voice',
    statusCallbackPath: '/twilio/status',
    authToken: env.authToken,
    accountSid: env.accountSid,
    from: CALLER,
    to,
    caller,
    registry: env.carrier.registry,
    media: { realtime: false, endSilenceMs: 600 },
  });

describe('a caller on the phone (gather webhooks)', () => {
  it('asks a question and is answered from the knowledge base', { timeout: 30_000 }, async () => {
    const result = await call(
      DEMO_NUMBER,
      scripted([
        expectToHear(/Sofia/),
        say('Do you accept Cigna insurance?'),
        expectToHear(/Cigna/),
        say('No, that is all, thank you. Goodbye.'),
        expectToHear(/.+/),
        hangUp(),
      ]),
    );
    expect(result.errors).toEqual([]);
    expect(result.failures).toEqual([]);
    const types = (await env.callEvents(result.callSid)).map((e) => e.type);
    expect(types).toContain('CallStarted');
    expect(types).toContain('ToolInvoked');
    expect(types).toContain('CallEnded');
  });
});
