import { afterAll, beforeAll, expect } from 'vitest';
import { type Caller, placeInboundCall, type CallResult } from '@ccp/media-gateway/simulator';
import { nextMondayInNewYork, startGatewayPlatform, type GatewayPlatform } from './gateway.js';

/**
 * Simulated calls to the demo tenant on the media gateway, for its end-to-end tests
 * (tests/e2e/media-gateway-*.test.ts): the caller, the hours, what the scenarios say, the gateway platform each
 * test file starts (useGatewayPlatform) and placing a call to it and reading its events.
 */

export const CALLER = '+15557654321';
export const DAY = nextMondayInNewYork(11);
export const NIGHT = nextMondayInNewYork(23);
export let env: GatewayPlatform;

/** The gateway platform for the tests of the calling file, its clock read from `now`: started before them. */
export const useGatewayPlatform = (now: () => Date = () => DAY): void => {
  beforeAll(async () => {
    env = await startGatewayPlatform({
      now,
      // Who picks up outbound calls, by the number dialled.
      callee: ({ to }) =>
        to === '+15553334444'
          ? { answer: 'machine' }
          : to === '+15555556666'
            ? { answer: 'busy' }
            : { answer: 'human' },
    });
  }, 60_000);
  afterAll(() => env?.stop());
};

export const call = (
  to: string,
  caller: Caller,
  options: {
    mode?: 'gather' | 'stream';
    timeScale?: number;
    signature?: 'valid' | 'none' | 'forged';
    /** How long the caller talks with the person in the conference (simulated seconds). */
    conferenceSeconds?: number;
    /** Media Streams in real time: the agent's audio takes as long to play as to say, so it can be talked over. */
    realtime?: boolean;
    /** The caller's number (CALLER unless told). */
    from?: string;
  } = {},
): Promise<CallResult> =>
  placeInboundCall({
    baseUrl: env.test.url,
    voicePath: options.mode === 'stream' ? '/twilio/voice?mode=stream' : '/twilio/voice',
    statusCallbackPath: '/twilio/status',
    authToken: env.authToken,
    accountSid: env.accountSid,
    from: options.from ?? CALLER,
    to,
    caller,
    registry: env.carrier.registry,
    ...(options.timeScale !== undefined && { timeScale: options.timeScale }),
    ...(options.signature !== undefined && { signature: options.signature }),
    ...(options.conferenceSeconds !== undefined && { conferenceSeconds: options.conferenceSeconds }),
    media:
      options.realtime === true
        ? { realtime: true, bargeInAfterMs: 400 }
        : { realtime: false, endSilenceMs: 600 },
  });

export const typesOf = async (callSid: string) => (await env.callEvents(callSid)).map((e) => e.type);
export const eventOf = async (callSid: string, type: string) =>
  (await env.callEvents(callSid)).find((e) => e.type === type);
export const logSize = async () => (await env.test.platform.store.readAll({ maxCount: 1_000_000 })).length;
export const clean = (result: CallResult) => {
  expect(result.errors).toEqual([]);
  expect(result.failures).toEqual([]);
};

export const content = {
  callerName: 'Ana Lopez',
  question: 'Do you accept Cigna insurance?',
  expectedAnswer: /Cigna/,
  service: 'a cleaning',
  when: 'tomorrow at 3 pm',
  message: 'Hi, this is Ana Lopez. Please call me back tomorrow about my crown, it hurts.',
  menuDigit: '3',
  menuChoice: 'billing',
  spanishQuestion: '¿Aceptan el seguro Delta Dental?',
  expectedSpanishAnswer: /Delta Dental/,
};
