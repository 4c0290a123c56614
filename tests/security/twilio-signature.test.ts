import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NUMBER } from '@ccp/infra';
import { statusCallbackParams, twilioSid, voiceParams, type CallParties } from '@ccp/media-gateway/simulator';
import { requireTwilioSignature } from '@ccp/media-gateway';
import { nextMondayInNewYork, startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';

/*
 * Every other Twilio signature test signs with the twilio library and verifies with the same library, so a
 * mistake shared by both (the URL the gateway rebuilds, the parameters it passes) would pass. Here the
 * signatures come from Twilio's published example and from a signer written from Twilio's description.
 */

/**
 * Twilio's published example request (twilio-php's docs/usage/validation.rst, Twilio's own helper library;
 * the same values are twilio-node's webhook test fixture): auth token 12345, POST to this URL with these form
 * fields, X-Twilio-Signature RSOYDt4T1cUTdK1PDd93/VVr8B8=. Checked once by hand as well:
 *   printf '%s' 'https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+14158675309Digits1234From+14158675309To+18005551212' \
 *     | openssl dgst -sha1 -hmac 12345 -binary | base64
 */
const PUBLISHED = {
  authToken: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675309',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
  },
  signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
} as const;

/**
 * X-Twilio-Signature as Twilio's security documentation describes it, without the twilio library: the full URL,
 * then each form field's name and value in name order, HMAC-SHA1 with the auth token, base64.
 */
const twilioSignature = (authToken: string, url: string, params: Readonly<Record<string, string>>): string =>
  createHmac('sha1', authToken)
    .update(
      Object.keys(params)
        .sort()
        .reduce((signed, name) => signed + name + params[name], url),
    )
    .digest('base64');

const formOf = (params: Readonly<Record<string, string>>) => new URLSearchParams(params).toString();

describe("Twilio signatures checked against Twilio's published example", () => {
  it("the test's own signer, written from Twilio's description, gives the published signature", () => {
    expect(twilioSignature(PUBLISHED.authToken, PUBLISHED.url, PUBLISHED.params)).toBe(PUBLISHED.signature);
  });

  describe("the gateway's signature check, behind the public URL Twilio called", () => {
    let server: Server;
    let local: string;
    beforeAll(async () => {
      const app = new Koa();
      // As the gateway's webhook routes: the same form parser, then the check, then the handler.
      app.use(bodyParser({ enableTypes: ['form'], formLimit: '64kb', encoding: 'utf-8' }));
      app.use(requireTwilioSignature(PUBLISHED.authToken, 'https://mycompany.com'));
      app.use((ctx) => {
        ctx.body = 'reached';
      });
      server = app.listen(0, '127.0.0.1');
      server.on('error', (error) => {
        throw error;
      });
      await once(server, 'listening');
      local = `http://127.0.0.1:${(server.address() as AddressInfo).port}/myapp.php?foo=1&bar=2`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const post = (signature: string, params: Readonly<Record<string, string>> = PUBLISHED.params) =>
      fetch(local, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: formOf(params),
      });

    it('accepts the published example request', async () => {
      const response = await post(PUBLISHED.signature);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('reached');
    });

    it('refuses it with the signature or a field altered', async () => {
      const flipped = PUBLISHED.signature.replace(/^R/, 'S');
      expect((await post(flipped)).status).toBe(403);
      expect((await post(PUBLISHED.signature, { ...PUBLISHED.params, Digits: '1235' })).status).toBe(403);
      expect((await post('')).status).toBe(403);
    });
  });
});

describe('the running platform takes a webhook signed without the twilio library', () => {
  let env: GatewayPlatform;
  beforeAll(async () => {
    const day = nextMondayInNewYork(11);
    env = await startGatewayPlatform({ now: () => day });
  }, 60_000);
  afterAll(() => env?.stop());

  const signedPost = (url: string, params: Readonly<Record<string, string>>, authToken = env.authToken) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(authToken, url, params),
      },
      body: formOf(params),
    });

  it('/twilio/voice answers a call signed by the documented algorithm, and refuses another token', async () => {
    const parties: CallParties = {
      callSid: twilioSid('CA'),
      accountSid: env.accountSid,
      from: '+15557008888',
      to: DEMO_NUMBER,
      direction: 'inbound',
    };
    const url = `${env.test.url}/twilio/voice`;
    const forged = await signedPost(url, voiceParams(parties, 'ringing'), 'not-the-auth-token');
    expect(forged.status).toBe(403);
    const answered = await signedPost(url, voiceParams(parties, 'ringing'));
    expect(answered.status).toBe(200);
    expect(await answered.text()).toMatch(/^<\?xml[^>]*>\s*<Response>/);
    const ended = await signedPost(
      `${env.test.url}/twilio/status`,
      statusCallbackParams(parties, { status: 'completed', sequenceNumber: 9, durationSeconds: 1 }),
    );
    expect(ended.status).toBeLessThan(300);
  });
});
