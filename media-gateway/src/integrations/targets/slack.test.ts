import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionSettings } from '@ccp/schemas';
import { outboundGuard } from '@ccp/command-service';
import type { Connection } from '../connections.js';
import type { DeliveryRequest } from '../port.js';
import type { TargetDeps } from './index.js';
import { createSlackTarget, SLACK_TEXT_LIMIT } from './slack.js';

/*
 * The Slack target against a stand-in of the Slack Web API (chat.postMessage, auth.test) and of an incoming
 * webhook, on 127.0.0.1: it checks the path, method, bearer token and JSON the documentation describes and
 * answers as Slack does: 200 with {ok:true, ts}, 200 with {ok:false, error}, 429 with Retry-After, or a 500.
 */

const BOT_TOKEN = 'xoxb-1111-2222-standin-bot-token';
const HOOK_PATH = '/services/T000STAND/B000STAND/hooksecretpart0123456789';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

type Answer = 'ok' | 'invalid_auth' | 'channel_not_found' | '429' | '500' | 'redirect';

let server: Server;
let base: string;
let seen: Seen[] = [];
let answer: Answer = 'ok';

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
        res.writeHead(status, {
          'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json',
          ...headers,
        });
        res.end(text);
      };
      if (answer === '429') return reply(429, 'rate limited', { 'retry-after': '30' });
      if (answer === '500') return reply(500, 'internal server error');
      // Any path: a moved endpoint, which would take the POST again only as a bodiless GET.
      if (answer === 'redirect' && req.method === 'POST')
        return reply(302, '', { location: `${base}/moved` });
      if (req.url === HOOK_PATH) {
        // An incoming webhook answers "ok", or 403 "invalid_token" once revoked.
        if (req.method !== 'POST' || req.headers['content-type'] !== 'application/json')
          return reply(400, 'invalid_payload');
        return answer === 'invalid_auth' ? reply(403, 'invalid_token') : reply(200, 'ok');
      }
      const bearer = req.headers.authorization === `Bearer ${BOT_TOKEN}`;
      if (req.method !== 'POST') return reply(405, { ok: false, error: 'method_not_supported' });
      if (!bearer || answer === 'invalid_auth') return reply(200, { ok: false, error: 'invalid_auth' });
      if (req.url === '/api/auth.test') return reply(200, { ok: true, team: 'Stand-in', user: 'ccp' });
      if (req.url === '/api/chat.postMessage') {
        if (answer === 'channel_not_found') return reply(200, { ok: false, error: 'channel_not_found' });
        if (typeof body.channel !== 'string' || typeof body.text !== 'string')
          return reply(200, { ok: false, error: 'invalid_arguments' });
        return reply(200, { ok: true, channel: 'C0STANDIN', ts: '1733550000.000100' });
      }
      return reply(404, { ok: false, error: 'unknown_method' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen = [];
  answer = 'ok';
});

const logged: string[] = [];
const target = () => {
  const deps: TargetDeps = {
    fetch: outboundGuard({ allow: ['127.0.0.1/32'] }).fetch,
    apiUrls: { slack: `${base}/api` },
    commands: { send: () => Promise.reject(new Error('Slack sends no commands')) },
    consoleUrl: () => 'https://console.example.test',
    log: (message) => logged.push(message),
  };
  return createSlackTarget(deps);
};

const connection = (settings: ConnectionSettings): Connection => ({
  tenantId: 'acme',
  connectionId: 'slack-1',
  streamId: 'connection-acme.slack-1',
  kind: settings.kind,
  name: 'Support channel',
  settings,
  enabled: true,
  version: 1,
  sealedSecrets: 'secret:v1:sealed',
});
const bot = connection({ kind: 'slack', mode: 'bot', channel: '#support', topics: ['escalation_waiting'] });
const hook = connection({ kind: 'slack', mode: 'incoming_webhook', topics: ['escalation_waiting'] });

const request = (
  conn: Connection,
  secrets: Record<string, string>,
  text = 'Caller +15550100001 has waited 2 minutes.',
): DeliveryRequest => ({
  deliveryId: 'dlv-1',
  attempt: 1,
  connection: conn,
  secrets,
  action: 'notify',
  source: {
    eventId: 'evt-1',
    eventType: 'CallQueued',
    streamId: 'call-acme.c1',
    position: 7,
    occurredAt: '2026-12-07T05:00:00.000Z',
  },
  content: {
    kind: 'notification',
    topic: 'escalation_waiting',
    title: 'A caller is waiting for a person (Sales)',
    text,
    link: 'https://console.example.test/calls/c1',
  },
  signal: new AbortController().signal,
  now: new Date('2026-12-07T05:00:00Z'),
});

describe('Slack bot (chat.postMessage) → stand-in of the Slack Web API', () => {
  it('posts {channel, text, blocks} with the bot token and keeps the ts as the external id', async () => {
    const result = await target().deliver(request(bot, { botToken: BOT_TOKEN }));
    expect(result).toEqual({ ok: true, statusCode: 200, externalId: '1733550000.000100' });
    expect(seen).toHaveLength(1);
    const [call] = seen;
    expect(call?.method).toBe('POST');
    expect(call?.path).toBe('/api/chat.postMessage');
    expect(call?.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(call?.headers['content-type']).toMatch(/^application\/json/);
    expect(call?.body).toMatchObject({
      channel: '#support',
      text: 'A caller is waiting for a person (Sales)\nCaller +15550100001 has waited 2 minutes.\nhttps://console.example.test/calls/c1',
    });
    expect(call?.body.blocks).toEqual([
      {
        type: 'header',
        text: { type: 'plain_text', text: 'A caller is waiting for a person (Sales)', emoji: false },
      },
      { type: 'section', text: { type: 'mrkdwn', text: 'Caller +15550100001 has waited 2 minutes.' } },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Open' },
            url: 'https://console.example.test/calls/c1',
          },
        ],
      },
    ]);
  });

  it(`cuts the text at Slack's documented ${SLACK_TEXT_LIMIT} characters`, async () => {
    await target().deliver(request(bot, { botToken: BOT_TOKEN }, 'x'.repeat(50_000)));
    const text = seen[0]?.body.text as string;
    expect(text).toHaveLength(SLACK_TEXT_LIMIT);
    expect(text.endsWith('…')).toBe(true);
  });

  it('maps {ok:false} answers: invalid_auth to auth_failed, channel_not_found to client_error', async () => {
    answer = 'invalid_auth';
    expect(await target().deliver(request(bot, { botToken: BOT_TOKEN }))).toEqual({
      ok: false,
      errorKind: 'auth_failed',
      statusCode: 200,
      error: 'invalid_auth',
      retryable: false,
    });
    answer = 'channel_not_found';
    expect(await target().deliver(request(bot, { botToken: BOT_TOKEN }))).toEqual({
      ok: false,
      errorKind: 'client_error',
      statusCode: 200,
      error: 'channel_not_found',
      retryable: false,
    });
  });

  it('waits as a 429 says (Retry-After) and tries a 500 again', async () => {
    answer = '429';
    expect(await target().deliver(request(bot, { botToken: BOT_TOKEN }))).toMatchObject({
      ok: false,
      errorKind: 'rate_limited',
      statusCode: 429,
      retryable: true,
      retryAfterMs: 30_000,
    });
    answer = '500';
    expect(await target().deliver(request(bot, { botToken: BOT_TOKEN }))).toMatchObject({
      ok: false,
      errorKind: 'server_error',
      statusCode: 500,
      retryable: true,
    });
  });

  it('tests the token with auth.test and says when it is refused', async () => {
    const signal = new AbortController().signal;
    expect(await target().test(bot, { botToken: BOT_TOKEN }, signal)).toEqual({
      ok: true,
      message: 'Slack accepted the bot token',
      statusCode: 200,
    });
    expect(seen.map((s) => [s.method, s.path, s.headers.authorization])).toEqual([
      ['POST', '/api/auth.test', `Bearer ${BOT_TOKEN}`],
    ]);
    const refused = await target().test(bot, { botToken: 'xoxb-wrong-token-000' }, signal);
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/^the credentials were refused \(200\)/);
    expect(refused.message).not.toContain('xoxb-wrong');
  });
});

describe('Slack incoming webhook → stand-in of an incoming webhook URL', () => {
  it('posts {text, blocks} to the secret URL, without a token', async () => {
    const result = await target().deliver(request(hook, { webhookUrl: `${base}${HOOK_PATH}` }));
    expect(result).toEqual({ ok: true, statusCode: 200 });
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.path).toBe(HOOK_PATH);
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(Object.keys(seen[0]?.body ?? {}).sort()).toEqual(['blocks', 'text']);
  });

  it('maps a revoked webhook (403 invalid_token) to auth_failed, 429 and 500 to tries again', async () => {
    const secrets = { webhookUrl: `${base}${HOOK_PATH}` };
    answer = 'invalid_auth';
    expect(await target().deliver(request(hook, secrets))).toMatchObject({
      ok: false,
      errorKind: 'auth_failed',
      statusCode: 403,
      retryable: false,
    });
    answer = '429';
    expect(await target().deliver(request(hook, secrets))).toMatchObject({
      errorKind: 'rate_limited',
      retryAfterMs: 30_000,
      retryable: true,
    });
    answer = '500';
    expect(await target().deliver(request(hook, secrets))).toMatchObject({
      errorKind: 'server_error',
      retryable: true,
    });
  });

  it('takes a redirect as a final client error, for the webhook URL and the Web API alike, posting once', async () => {
    answer = 'redirect';
    for (const [conn, secrets] of [
      [hook, { webhookUrl: `${base}${HOOK_PATH}` }],
      [bot, { botToken: BOT_TOKEN }],
    ] as const) {
      seen = [];
      const result = await target().deliver(request(conn, secrets));
      expect(result).toMatchObject({
        ok: false,
        errorKind: 'client_error',
        statusCode: 302,
        retryable: false,
      });
      expect(result.ok ? '' : result.error).toContain(`redirected to ${base}/moved; set the final URL`);
      expect(seen.map((s) => s.method)).toEqual(['POST']);
    }
  });

  it('tests by posting a short "connected" message, and names a refused credential', async () => {
    const signal = new AbortController().signal;
    const secrets = { webhookUrl: `${base}${HOOK_PATH}` };
    const tested = await target().test(hook, secrets, signal);
    expect(tested.ok).toBe(true);
    expect(seen[0]?.body).toEqual({ text: 'CustomerCare Pro connected' });
    answer = 'invalid_auth';
    const refused = await target().test(hook, secrets, signal);
    expect(refused).toMatchObject({ ok: false, statusCode: 403 });
    expect(refused.message).toMatch(/^the credentials were refused \(403\)/);
  });

  it('refuses a webhook URL on a private network through the guard, without quoting its secret path', async () => {
    const result = await target().deliver(request(hook, { webhookUrl: `http://10.1.2.3${HOOK_PATH}` }));
    expect(result).toMatchObject({ ok: false, errorKind: 'url_refused', retryable: false });
    expect(JSON.stringify(result)).not.toContain('hooksecretpart');
    expect(seen).toHaveLength(0);
  });
});
