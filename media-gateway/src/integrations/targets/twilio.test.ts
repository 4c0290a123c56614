import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outboundGuard } from '@ccp/command-service';
import type { Connection } from '../connections.js';
import { twilioTarget } from './twilio.js';

/*
 * The Twilio target's test against a stand-in of Twilio's Accounts API on 127.0.0.1: GET
 * /2010-04-01/Accounts/{AccountSid}.json with HTTP Basic (SID:auth token), answered with the Account resource
 * ({sid, friendly_name, status}) or Twilio's error body ({code, message, status}) — 401 for a wrong token, 404
 * for a SID the credentials do not reach.
 */

const SID = `AC${'ab'.repeat(16)}`;
const TOKEN = 'stand-in-auth-token-0123456789abcd';

let server: Server;
let base: string;
let accountStatus = 'active';
let seen: { path: string; authorization: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\.json$/.exec(req.url ?? '');
    const [user, password] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString('utf8')
      .split(':');
    if (req.method !== 'GET' || !match) return reply(404, { code: 20404, message: 'Not found', status: 404 });
    if (password !== TOKEN) return reply(401, { code: 20003, message: 'Authenticate', status: 401 });
    if (match[1] !== SID || user !== SID)
      return reply(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    return reply(200, { sid: SID, friendly_name: 'Acme Dental', status: accountStatus });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen = [];
  accountStatus = 'active';
});

const connection = (accountSid = SID): Connection => ({
  tenantId: 'acme',
  connectionId: 'own-twilio',
  streamId: 'connection-acme.own-twilio',
  kind: 'twilio',
  name: 'Our Twilio',
  settings: { kind: 'twilio', accountSid },
  enabled: true,
  version: 1,
  sealedSecrets: 'secret:v1:sealed',
});

const target = (twilioApiUrl: string | undefined = base) =>
  twilioTarget({
    fetch: outboundGuard({ allow: ['127.0.0.1/32'] }).fetch,
    ...(twilioApiUrl !== undefined && { twilioApiUrl }),
  });

const test = (accountSid: string, authToken: string, t = target()) =>
  t.test(connection(accountSid), { authToken }, AbortSignal.timeout(5_000));

describe('twilio target', () => {
  it('serves the twilio kind and takes no deliveries', () => {
    expect(target().kinds).toEqual(['twilio']);
    expect(target().actions).toEqual([]);
  });

  it('accepts the SID and token the Accounts API answers to, with Basic auth', async () => {
    const result = await test(SID, TOKEN);
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(result.message).toMatch(/Acme Dental/);
    expect(seen).toEqual([
      {
        path: `/2010-04-01/Accounts/${SID}.json`,
        authorization: `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`,
      },
    ]);
  });

  it('reports a wrong token (401) as refused, without the token in the message', async () => {
    const result = await test(SID, 'wrong-token-000000000000');
    expect(result).toMatchObject({ ok: false, statusCode: 401 });
    expect(result.message).toMatch(/refused/);
    expect(result.message).not.toContain('wrong-token');
  });

  it('reports a SID the token does not reach (404) as refused', async () => {
    const result = await test(`AC${'cd'.repeat(16)}`, TOKEN);
    expect(result).toMatchObject({ ok: false, statusCode: 404 });
    expect(result.message).toMatch(/refused/);
  });

  it('reports a suspended account as not working', async () => {
    accountStatus = 'suspended';
    const result = await test(SID, TOKEN);
    expect(result).toMatchObject({ ok: false, statusCode: 200 });
    expect(result.message).toMatch(/suspended/);
  });

  it('asks through the outbound guard it is given (a refused address is never reached)', async () => {
    const guarded = twilioTarget({ fetch: outboundGuard({ allow: [] }).fetch, twilioApiUrl: base });
    const result = await test(SID, TOKEN, guarded);
    expect(result.ok).toBe(false);
    expect(seen).toEqual([]);
  });
});
