import twilio from 'twilio';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NUMBER } from '../../infra/platform/demo-seed.js';
import {
  sendSignedRequest,
  twilioSid,
  voiceParams,
  type CallParties,
} from '../../media-gateway/src/simulator/signed-request.js';
import { parseTwiml, type Stream } from '../../media-gateway/src/simulator/twiml.js';
import { nextMondayInNewYork, startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';

/*
 * The media gateway against a caller who holds the platform's signed URLs but not Twilio's place in the call:
 * Media Streams bound to their call, and signed webhooks replayed.
 */

let env: GatewayPlatform;
beforeAll(async () => {
  const day = nextMondayInNewYork(11);
  env = await startGatewayPlatform({ now: () => day });
}, 60_000);
afterAll(() => env?.stop());

const partiesOf = (callSid: string): CallParties => ({
  callSid,
  accountSid: env.accountSid,
  from: '+15557008888',
  to: DEMO_NUMBER,
  direction: 'inbound',
});

/** A call ringing in, answered on a media stream: the `<Stream>` of the platform's TwiML for it. */
const streamCall = async (): Promise<{ callSid: string; stream: Stream }> => {
  const callSid = twilioSid('CA');
  const url = `${env.test.url}/twilio/voice?mode=stream`;
  const response = await sendSignedRequest({
    url,
    authToken: env.authToken,
    params: voiceParams(partiesOf(callSid), 'ringing'),
  });
  expect(response.status).toBe(200);
  const verb = parseTwiml(response.body, url).find((v) => v.verb === 'Connect');
  if (verb?.verb !== 'Connect') throw new Error(`no <Connect><Stream> in ${response.body}`);
  return { callSid, stream: verb.stream };
};

interface OpenedStream {
  /** How many audio messages the platform sent down this socket. */
  media(): number;
  /** The close code, once the platform closed the socket (undefined: still open after `ms`). */
  closed(ms?: number): Promise<number | undefined>;
  close(): void;
}

/**
 * A Media Streams socket with a signed upgrade (the signature covers only the fixed URL, as Twilio signs it),
 * started for `callSid` with these custom parameters, the way Twilio echoes a `<Stream>`'s `<Parameter>`s.
 */
const openStream = async (
  callSid: string,
  customParameters: Readonly<Record<string, string>>,
): Promise<OpenedStream> => {
  const url = `${env.test.url.replace(/^http/, 'ws')}/twilio/media`;
  const ws = new WebSocket(url, {
    headers: { 'x-twilio-signature': twilio.getExpectedTwilioSignature(env.authToken, url, {}) },
  });
  ws.on('error', () => undefined);
  let media = 0;
  let code: number | undefined;
  const gone = new Promise<void>((resolve) =>
    ws.on('close', (c) => {
      code = c;
      resolve();
    }),
  );
  ws.on('message', (raw) => {
    if ((JSON.parse(String(raw)) as { event?: string }).event === 'media') media += 1;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode ?? '?'}`)));
  });
  const streamSid = twilioSid('MZ');
  ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
  ws.send(
    JSON.stringify({
      event: 'start',
      sequenceNumber: '1',
      streamSid,
      start: {
        streamSid,
        accountSid: env.accountSid,
        callSid,
        tracks: ['inbound'],
        customParameters,
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    }),
  );
  return {
    media: () => media,
    closed: async (ms = 3_000) => {
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, ms))]);
      return code;
    },
    close: () => ws.close(1000),
  };
};

const eventCount = async (callSid: string) => (await env.callEvents(callSid)).length;

describe('a Media Stream is bound to its call (issue 11 item 8)', () => {
  it(
    'a signed socket naming another live call is refused, hears nothing and records nothing',
    { timeout: 30_000 },
    async () => {
      const victim = await streamCall();
      const before = await eventCount(victim.callSid);
      // The attacker knows the victim's call id (it is in every webhook and in the console) but not its token.
      const intruder = await openStream(victim.callSid, { callId: victim.callSid });
      expect(await intruder.closed()).toBe(1008);
      expect(intruder.media()).toBe(0);
      expect(await eventCount(victim.callSid)).toBe(before);

      // Twilio, with the TwiML's parameters, still gets the victim's greeting.
      const twilioSide = await openStream(victim.callSid, victim.stream.parameters);
      await expect.poll(() => twilioSide.media(), { timeout: 10_000 }).toBeGreaterThan(0);
      twilioSide.close();
    },
  );

  it(
    'a token of another call, a forged, a missing or a used token is refused',
    { timeout: 30_000 },
    async () => {
      const victim = await streamCall();
      const other = await streamCall();
      const token = (s: Stream) => s.parameters['token'] ?? '';
      expect(token(victim.stream)).not.toBe('');
      const attempts: Record<string, string>[] = [
        // The attacker's own call's token, presented for the victim's call.
        { callId: victim.callSid, token: token(other.stream) },
        { callId: victim.callSid, token: token(victim.stream).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) },
        { callId: victim.callSid, token: '' },
        { callId: victim.callSid, token: 'not a token' },
        // The victim's token naming the other call.
        { callId: other.callSid, token: token(victim.stream) },
      ];
      for (const parameters of attempts) {
        const refused = await openStream(parameters['callId'] ?? '', parameters);
        expect(await refused.closed(), JSON.stringify(parameters)).toBe(1008);
        expect(refused.media()).toBe(0);
      }
      const first = await openStream(victim.callSid, victim.stream.parameters);
      await expect.poll(() => first.media(), { timeout: 10_000 }).toBeGreaterThan(0);
      // Single use: the same start again (a replay of what Twilio sent) is refused while the first is live.
      const before = await eventCount(victim.callSid);
      const replay = await openStream(victim.callSid, victim.stream.parameters);
      expect(await replay.closed()).toBe(1008);
      expect(replay.media()).toBe(0);
      expect(await eventCount(victim.callSid)).toBe(before);
      first.close();
    },
  );
});
