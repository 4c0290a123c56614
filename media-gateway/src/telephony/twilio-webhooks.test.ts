import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import twilio from 'twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MediaGateway } from '../gateway.js';
import { tenantKnowledge } from '../knowledge.js';
import type { LanguageModel } from '../llm/port.js';
import { OPEN_HOURS, TENANT, gatewayFixture, type GatewayFixture } from '../testing/fixture.js';
import { streamTokens } from './stream-token.js';
import { twilioWebhooks } from './twilio-webhooks.js';

/*
 * The webhook handler over real HTTP, signed by the twilio library as Twilio signs, in front of a real gateway
 * and log: a request that is unsigned, forged or malformed is refused before anything is recorded, and a signed
 * request made again is answered as the first was without running anything twice.
 */

const AUTH_TOKEN = 'webhook-test-auth-token';
const CALL = 'CA0123456789abcdef0123456789abcdef';
const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const callStream = `call-${TENANT}.${CALL}`;

let f: GatewayFixture;
let server: Server;
let base: string;
let modelCalls: number;

beforeEach(async () => {
  f = await gatewayFixture();
  modelCalls = 0;
  const model: LanguageModel = {
    name: 'scripted',
    respond: async () => {
      modelCalls += 1;
      return {
        text: 'Thanks for calling Acme Dental, this is Ava.',
        toolCalls: [],
        model: 'scripted-1',
        usage: { promptTokens: 1, completionTokens: 1 },
      };
    },
  };
  const gateway = new MediaGateway({
    live: f.live,
    commands: f.commands,
    model,
    searchKnowledge: tenantKnowledge(f.live.directory),
    humansAvailable: () => false,
    now: () => OPEN_HOURS,
    log: () => undefined,
    readCall: (tenantId, callId) => f.events(`call-${tenantId}.${callId}`),
  });
  const app = new Koa();
  app.use(
    twilioWebhooks({
      gateway,
      authToken: AUTH_TOKEN,
      streamTokens: streamTokens({ authToken: AUTH_TOKEN }),
      log: () => undefined,
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.close();
  await once(server, 'close');
  await f.close();
});

const post = async (
  path: string,
  params: Record<string, string>,
  sign: 'valid' | 'forged' | 'none' = 'valid',
): Promise<{ status: number; body: string }> => {
  const url = `${base}${path}`;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (sign !== 'none') {
    const token = sign === 'valid' ? AUTH_TOKEN : 'someone-elses-token';
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(token, url, params);
  }
  const response = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params) });
  return { status: response.status, body: await response.text() };
};

const voice = { CallSid: CALL, AccountSid: ACCOUNT, From: '+15557770001', To: '+15550000001' };
const recorded = async () => (await f.events(callStream)).map((e) => e.type);

describe('Twilio webhooks', () => {
  it('refuse an unsigned or forged request and record nothing', async () => {
    expect(await post('/twilio/voice', voice, 'none')).toEqual({
      status: 403,
      body: 'missing X-Twilio-Signature',
    });
    expect(await post('/twilio/voice', voice, 'forged')).toEqual({
      status: 403,
      body: 'X-Twilio-Signature does not match',
    });
    // Signed for other parameters than those sent: the signature covers the body.
    const url = `${base}/twilio/voice`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, voice),
      },
      body: new URLSearchParams({ ...voice, From: '+15559990000' }),
    });
    expect(response.status).toBe(403);
    expect(await recorded()).toEqual([]);
    expect(modelCalls).toBe(0);
  });

  it('refuse signed but malformed parameters, naming the field, and record nothing', async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ['/twilio/voice', { ...voice, CallSid: 'CA-not-a-sid' }, /CallSid: CallSid is CA followed by 32 hex/],
      ['/twilio/voice', { ...voice, AccountSid: 'nope' }, /AccountSid/],
      ['/twilio/voice', { CallSid: CALL, AccountSid: ACCOUNT, To: '+15550000001' }, /From/],
      ['/twilio/voice', { ...voice, DemoAt: 'yesterday' }, /DemoAt/],
      ['/twilio/turn?turn=abc', { CallSid: CALL, SpeechResult: 'hi' }, /turn/],
      ['/twilio/turn?turn=1', { CallSid: CALL, Confidence: '7' }, /Confidence/],
      ['/twilio/ivr', { CallSid: CALL, Digits: '1' }, /attempt/],
      ['/twilio/status', { CallSid: CALL, CallStatus: 'exploded' }, /CallStatus/],
      [
        '/twilio/recording',
        { CallSid: CALL, RecordingSid: 'RE1', RecordingUrl: 'x', RecordingDuration: '1' },
        /RecordingSid/,
      ],
    ];
    for (const [path, params, error] of cases) {
      const answer = await post(path, params);
      expect(answer.status, path).toBe(400);
      expect(answer.body, path).toMatch(/^invalid webhook: /);
      expect(answer.body, path).toMatch(error);
    }
    expect(await recorded()).toEqual([]);
    expect(modelCalls).toBe(0);
  });

  it('answer a signed call and, made again, answer it alike without starting or greeting twice', async () => {
    const first = await post('/twilio/voice', voice);
    expect(first.status).toBe(200);
    expect(first.body).toContain('this is Ava');
    const again = await post('/twilio/voice', voice);
    expect(again).toEqual(first);
    expect(await recorded()).toEqual(['CallStarted', 'AiReplied']);
    expect(modelCalls).toBe(1);
  });

  it('refuse a body over the form limit', async () => {
    const answer = await post('/twilio/voice', { ...voice, Padding: 'x'.repeat(70 * 1024) });
    expect(answer.status).toBe(413);
    expect(await recorded()).toEqual([]);
  });
});
