import { describe, expect, it } from 'vitest';
import {
  Conversation,
  MediaStreamClient,
  say,
  scripted,
  sendSignedRequest,
  twilioSid,
  voiceParams,
} from '@ccp/media-gateway/simulator';
import { DEMO_NUMBER } from '@ccp/infra';
import { CALLER, env, logSize, useGatewayPlatform } from '../support/gateway-calls.js';

// Webhooks and media streams the gateway refuses (unsigned, forged, malformed), with nothing written to the log.
useGatewayPlatform();

describe('refusals record nothing', () => {
  const voice = (signature: 'none' | 'forged') =>
    sendSignedRequest({
      url: `${env.test.url}/twilio/voice`,
      authToken: env.authToken,
      signature,
      params: voiceParams(
        {
          callSid: twilioSid('CA'),
          accountSid: env.accountSid,
          from: CALLER,
          to: DEMO_NUMBER,
          caller: CALLER,
          direction: 'inbound',
        },
        'ringing',
      ),
    });

  it.each(['none', 'forged'] as const)('a webhook with signature %s gets 403', async (signature) => {
    const before = await logSize();
    const response = await voice(signature);
    expect(response.status).toBe(403);
    expect(await logSize()).toBe(before);
  });

  it('a signed webhook with a malformed CallSid gets 400', async () => {
    const before = await logSize();
    const response = await sendSignedRequest({
      url: `${env.test.url}/twilio/voice`,
      authToken: env.authToken,
      params: { CallSid: 'not-a-call', AccountSid: env.accountSid, From: CALLER, To: DEMO_NUMBER },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatch(/CallSid/);
    expect(await logSize()).toBe(before);
  });

  it('a signed webhook whose caller is not an address gets 400', async () => {
    const before = await logSize();
    const response = await sendSignedRequest({
      url: `${env.test.url}/twilio/voice`,
      authToken: env.authToken,
      params: voiceParams(
        {
          callSid: twilioSid('CA'),
          accountSid: env.accountSid,
          from: 'not a number',
          to: DEMO_NUMBER,
          caller: 'x',
          direction: 'inbound',
        },
        'ringing',
      ),
    });
    expect(response.status).toBe(400);
    expect(await logSize()).toBe(before);
  });

  it.each(['none', 'forged'] as const)('a media stream with signature %s is refused', async (signature) => {
    const before = await logSize();
    const url = `${env.test.url.replace(/^http/, 'ws')}/twilio/media`;
    const parties = {
      callSid: twilioSid('CA'),
      accountSid: env.accountSid,
      from: CALLER,
      to: DEMO_NUMBER,
      direction: 'inbound' as const,
    };
    await expect(
      MediaStreamClient.connect({ url, authToken: env.authToken, signature, call: parties }),
    ).rejects.toThrow(/403/);
    expect(await logSize()).toBe(before);
  });

  it('a signed media stream for a call that is not live is closed', async () => {
    const url = `${env.test.url.replace(/^http/, 'ws')}/twilio/media`;
    const parties = {
      callSid: twilioSid('CA'),
      accountSid: env.accountSid,
      from: CALLER,
      to: DEMO_NUMBER,
      direction: 'inbound' as const,
    };
    const client = await MediaStreamClient.connect({
      url,
      authToken: env.authToken,
      call: parties,
      realtime: false,
    });
    const ended = await client.converse(scripted([say('hello')]), new Conversation());
    expect(ended).not.toBe('caller-hung-up');
  });
});
