import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import twilio from 'twilio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import { TENANT, gatewayFixture, type GatewayFixture } from '../testing/fixture.js';
import { inboundMessageId, messageWebhooks } from './message-webhooks.js';

/*
 * Twilio's messaging webhooks over real HTTP, signed by the twilio library, in front of a real command handler
 * and log: forged or malformed requests record nothing, an incoming message is kept once, a status callback is
 * recorded for a sent message.
 */

const AUTH_TOKEN = 'message-webhook-auth-token';
const SID = 'SM0123456789abcdef0123456789abcdef';
const OUR_NUMBER = '+15550000001';

let f: GatewayFixture;
let server: Server;
let base: string;
const logged: string[] = [];

beforeEach(async () => {
  f = await gatewayFixture();
  const app = new Koa();
  app.use(
    messageWebhooks({ handler: f.handler, live: f.live, authToken: AUTH_TOKEN, log: (m) => logged.push(m) }),
  );
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.close();
  await once(server, 'close');
  await f.close();
  logged.length = 0;
});

const post = async (path: string, params: Record<string, string>, sign: 'valid' | 'forged' = 'valid') => {
  const url = `${base}${path}`;
  const token = sign === 'valid' ? AUTH_TOKEN : 'someone-elses-token';
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(token, url, params),
    },
    body: new URLSearchParams(params),
  });
  return { status: response.status, body: await response.text() };
};

const incoming = { MessageSid: SID, From: '+15557770001', To: OUR_NUMBER, Body: 'R' };
const types = async (messageId: string) =>
  (await f.events(`message-${TENANT}.${messageId}`)).map((e) => e.type);

describe('Twilio messaging webhooks', () => {
  it('record an incoming message once for the tenant owning the number, answering empty TwiML', async () => {
    const first = await post('/twilio/message', incoming);
    expect(first.status).toBe(200);
    expect(first.body).toContain('<Response/>');
    expect((await post('/twilio/message', incoming)).status).toBe(200);
    const events = await f.events(`message-${TENANT}.${inboundMessageId(SID)}`);
    expect(events.map((e) => e.type)).toEqual(['MessageReceived']);
    expect(events[0]?.data).toMatchObject({
      channel: 'sms',
      from: '+15557770001',
      to: OUR_NUMBER,
      body: 'R',
    });
  });

  it('take a WhatsApp message without the whatsapp: prefix on the numbers', async () => {
    const whatsapp = { ...incoming, From: 'whatsapp:+15557770001', To: `whatsapp:${OUR_NUMBER}` };
    expect((await post('/twilio/message', whatsapp)).status).toBe(200);
    const [event] = await f.events(`message-${TENANT}.${inboundMessageId(SID)}`);
    expect(event?.data).toMatchObject({ channel: 'whatsapp', from: '+15557770001', to: OUR_NUMBER });
  });

  it('refuse a forged signature (403), a malformed request (400) and an unknown number (404), recording nothing', async () => {
    expect((await post('/twilio/message', incoming, 'forged')).status).toBe(403);
    expect((await post('/twilio/message', { ...incoming, MessageSid: 'nope' })).status).toBe(400);
    expect((await post('/twilio/message', { ...incoming, From: 'anonymous' })).status).toBe(400);
    expect((await post('/twilio/message', { ...incoming, To: '+15559990000' })).status).toBe(404);
    expect(await types(inboundMessageId(SID))).toEqual([]);
  });

  it('record the delivery status of a sent message, named in the signed callback URL', async () => {
    const send = (type: string, data: Record<string, unknown>) =>
      f.handler.handleTrusted(type, { tenantId: TENANT, messageId: 'm1', ...data }, { actor: SYSTEM_ACTOR });
    await send('ScheduleMessage', {
      channel: 'sms',
      to: '+15557770001',
      from: OUR_NUMBER,
      purpose: 'reminder',
      language: 'en',
      body: 'See you tomorrow.',
      dueAt: '2026-03-02T15:00:00Z',
    });
    await send('StartMessageDelivery', { attempt: 1 });
    await send('RecordMessageSent', { attempt: 1, provider: 'twilio', providerMessageId: SID });
    const status = (value: string) => ({ MessageSid: SID, MessageStatus: value, AccountSid: 'AC1' });
    const path = `/twilio/message-status?tenantId=${TENANT}&messageId=m1`;
    expect((await post(path, status('sent'))).status).toBe(204);
    expect((await post(path, status('delivered'))).status).toBe(204);
    expect((await post(path, status('delivered'), 'forged')).status).toBe(403);
    expect((await post(`/twilio/message-status?tenantId=${TENANT}`, status('read'))).status).toBe(400);
    expect(await types('m1')).toEqual([
      'MessageScheduled',
      'MessageDeliveryStarted',
      'MessageSent',
      'MessageStatusChanged',
    ]);
  });
});
