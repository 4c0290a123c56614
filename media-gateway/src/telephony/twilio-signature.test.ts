import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTwilioSignature, type WebhookAccounts } from './twilio-signature.js';

/*
 * Which requests a tenant's own Twilio account may sign: its own numbers and calls, never another tenant's call
 * (by any call id a handler reads) nor a request routed to another tenant's number; a caller's number or the far
 * party of its own outbound call may be anyone's.
 */

const PLATFORM_TOKEN = 'platform-token-0123456789';
const A_SID = `AC${'aa'.repeat(16)}`;
const A_TOKEN = 'tenant-a-token-0123456789';
const A_NUMBER = '+15550000001';
const B_NUMBER = '+15550000002';
const A_CALL = `CA${'a1'.repeat(16)}`;
const B_CALL = `CA${'b1'.repeat(16)}`;
const NEW_CALL = `CA${'0e'.repeat(16)}`;
const STRANGER = '+15557770000';

const accounts: WebhookAccounts = {
  byAccountSid: (sid) => Promise.resolve(sid === A_SID ? [{ tenantId: 'a', authToken: A_TOKEN }] : []),
  ownerOfNumber: (n) => Promise.resolve(n === A_NUMBER ? 'a' : n === B_NUMBER ? 'b' : undefined),
  tenantOfCall: (c) => Promise.resolve(c === A_CALL ? 'a' : c === B_CALL ? 'b' : undefined),
};

let server: Server;
let base: string;

beforeAll(async () => {
  const app = new Koa();
  app.use(bodyParser({ enableTypes: ['form'] }));
  app.use(requireTwilioSignature(PLATFORM_TOKEN, undefined, accounts));
  app.use((ctx) => {
    ctx.status = 200;
    ctx.body = 'handled';
  });
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.close();
  await once(server, 'close');
});

/** Signed with tenant A's own token, naming A's AccountSid. */
const asA = async (path: string, params: Record<string, string>): Promise<number> => {
  const url = `${base}${path}`;
  const body = { AccountSid: A_SID, ...params };
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(A_TOKEN, url, body),
    },
    body: new URLSearchParams(body),
  });
  return response.status;
};

describe("a tenant's own account signing webhooks", () => {
  it('drives its own numbers and calls', async () => {
    expect(await asA('/twilio/voice', { CallSid: NEW_CALL, From: STRANGER, To: A_NUMBER })).toBe(200);
    expect(await asA('/twilio/status', { CallSid: A_CALL, From: A_NUMBER, To: STRANGER })).toBe(200);
    // Its outbound call's first status may overtake the platform remembering the call: From is its number.
    expect(await asA('/twilio/status', { CallSid: NEW_CALL, From: A_NUMBER, To: STRANGER })).toBe(200);
  });

  it("takes a call from another tenant's number to its own", async () => {
    expect(await asA('/twilio/voice', { CallSid: NEW_CALL, From: B_NUMBER, To: A_NUMBER })).toBe(200);
  });

  it('places its own outbound call to a number another tenant owns', async () => {
    const outbound = { CallSid: NEW_CALL, From: A_NUMBER, To: B_NUMBER, Direction: 'outbound-api' };
    expect(await asA('/twilio/outbound?agentId=x&tenantId=a', outbound)).toBe(200);
    expect(await asA('/twilio/status', { ...outbound, CallSid: A_CALL })).toBe(200);
  });

  it("never rings another tenant's number on a call that is not its own", async () => {
    const forged = { CallSid: NEW_CALL, From: A_NUMBER, To: B_NUMBER, Direction: 'outbound-api' };
    expect(await asA('/twilio/voice', forged)).toBe(403);
    expect(await asA('/twilio/voice', { CallSid: NEW_CALL, From: STRANGER, To: B_NUMBER })).toBe(403);
  });

  it('refuses any call id of another tenant, wherever the handler reads it', async () => {
    const leg = { CallSid: NEW_CALL, From: 'client:mallory', To: A_NUMBER };
    expect(await asA('/twilio/human-leg?tenantId=a', { ...leg, callId: B_CALL })).toBe(403);
    expect(await asA(`/twilio/human-leg?callId=${B_CALL}`, leg)).toBe(403);
    expect(await asA('/twilio/status', { ...leg, ParentCallSid: B_CALL })).toBe(403);
    expect(await asA('/twilio/status', { CallSid: B_CALL, From: A_NUMBER, To: STRANGER })).toBe(403);
    expect(await asA('/twilio/human-leg?tenantId=b', { ...leg, callId: A_CALL })).toBe(403);
    expect(await asA('/twilio/human-leg?tenantId=a', { ...leg, callId: A_CALL })).toBe(200);
  });

  it('refuses a request that names nothing of its own', async () => {
    expect(await asA('/twilio/status', { CallSid: NEW_CALL, From: STRANGER, To: STRANGER })).toBe(403);
    expect(await asA('/twilio/status', { CallSid: NEW_CALL, From: B_NUMBER, To: STRANGER })).toBe(403);
  });
});
