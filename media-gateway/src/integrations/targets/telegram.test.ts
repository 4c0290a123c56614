import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { outboundGuard } from '@ccp/command-service';
import type { Connection } from '../connections.js';
import type { DeliveryRequest } from '../port.js';
import type { TargetDeps } from './index.js';
import { createTelegramTarget, TELEGRAM_TEXT_LIMIT } from './telegram.js';

/*
 * The Telegram target against a stand-in of the Telegram Bot API on 127.0.0.1: the token in the path
 * (/bot<token>/<method>), sendMessage's JSON, and the documented answers — {ok:true, result:{message_id}} or
 * {ok:false, error_code, description, parameters:{retry_after}}.
 */

const TOKEN = '123456789:AAStandInTokenSecretPart_0123456789';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

type Answer = 'ok' | 'blocked' | '429' | '500';

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
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const failure = (code: number, description: string, parameters?: unknown) =>
        reply(code, {
          ok: false,
          error_code: code,
          description,
          ...(parameters !== undefined && { parameters }),
        });
      const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
      if (!match) return failure(404, 'Not Found');
      if (match[1] !== TOKEN) return failure(401, 'Unauthorized');
      if (answer === '500') return failure(500, 'Internal Server Error');
      if (answer === '429') return failure(429, 'Too Many Requests: retry after 17', { retry_after: 17 });
      if (match[2] === 'getMe')
        return reply(200, { ok: true, result: { id: 123456789, is_bot: true, username: 'ccp_bot' } });
      if (match[2] === 'sendMessage') {
        if (answer === 'blocked') return failure(403, 'Forbidden: bot was blocked by the user');
        if (req.method !== 'POST' || body.chat_id === undefined || typeof body.text !== 'string')
          return failure(400, 'Bad Request: message text is empty');
        return reply(200, { ok: true, result: { message_id: 4711, chat: { id: body.chat_id } } });
      }
      return failure(404, 'Not Found');
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
const target = (apiUrl = base) => {
  const deps: TargetDeps = {
    fetch: outboundGuard({ allow: ['127.0.0.1/32'] }).fetch,
    apiUrls: { telegram: apiUrl },
    commands: { send: () => Promise.reject(new Error('Telegram sends no commands')) },
    consoleUrl: () => 'https://console.example.test',
    log: (message) => logged.push(message),
  };
  return createTelegramTarget(deps);
};

const connection: Connection = {
  tenantId: 'acme',
  connectionId: 'tg-1',
  streamId: 'connection-acme.tg-1',
  kind: 'telegram',
  name: 'On-call chat',
  settings: { kind: 'telegram', chatId: '-1001234567890', topics: ['sla_breach'] },
  enabled: true,
  version: 1,
  sealedSecrets: 'secret:v1:sealed',
};

const request = (
  secrets: Record<string, string>,
  text = 'Queue Sales: 3 calls over 60 s.',
): DeliveryRequest => ({
  deliveryId: 'dlv-1',
  attempt: 1,
  connection,
  secrets,
  action: 'notify',
  source: {
    eventId: 'evt-1',
    eventType: 'SlaBreached',
    streamId: 'queue-acme.sales',
    position: 9,
    occurredAt: '2026-12-07T05:00:00.000Z',
  },
  content: {
    kind: 'notification',
    topic: 'sla_breach',
    title: 'SLA breached (Sales)',
    text,
    link: 'https://console.example.test/queues/sales',
  },
  signal: new AbortController().signal,
  now: new Date('2026-12-07T05:00:00Z'),
});

describe('Telegram → stand-in of the Telegram Bot API', () => {
  it('sends {chat_id, text, link_preview_options} to /bot<token>/sendMessage; message_id is the external id', async () => {
    const result = await target().deliver(request({ botToken: TOKEN }));
    expect(result).toEqual({ ok: true, statusCode: 200, externalId: '4711' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(seen[0]?.headers['content-type']).toBe('application/json');
    expect(seen[0]?.body).toEqual({
      chat_id: '-1001234567890',
      text: 'SLA breached (Sales)\n\nQueue Sales: 3 calls over 60 s.\n\nhttps://console.example.test/queues/sales',
      link_preview_options: { is_disabled: true },
    });
  });

  it(`cuts the text at ${TELEGRAM_TEXT_LIMIT} characters with an ellipsis`, async () => {
    await target().deliver(request({ botToken: TOKEN }, 'y'.repeat(10_000)));
    const text = seen[0]?.body.text as string;
    expect(text).toHaveLength(TELEGRAM_TEXT_LIMIT);
    expect(text.endsWith('…')).toBe(true);
  });

  it('maps 401 to auth_failed and 403 (blocked, not in the chat) to client_error, never quoting the token', async () => {
    const refused = await target().deliver(request({ botToken: '999:WrongTokenValue_abcdef' }));
    expect(refused).toEqual({
      ok: false,
      errorKind: 'auth_failed',
      statusCode: 401,
      error: '401: Unauthorized',
      retryable: false,
    });
    answer = 'blocked';
    expect(await target().deliver(request({ botToken: TOKEN }))).toEqual({
      ok: false,
      errorKind: 'client_error',
      statusCode: 403,
      error: '403: Forbidden: bot was blocked by the user',
      retryable: false,
    });
  });

  it('waits parameters.retry_after on a 429 and tries a 500 again', async () => {
    answer = '429';
    expect(await target().deliver(request({ botToken: TOKEN }))).toMatchObject({
      ok: false,
      errorKind: 'rate_limited',
      statusCode: 429,
      retryable: true,
      retryAfterMs: 17_000,
    });
    answer = '500';
    expect(await target().deliver(request({ botToken: TOKEN }))).toMatchObject({
      ok: false,
      errorKind: 'server_error',
      statusCode: 500,
      retryable: true,
    });
  });

  it('tests the token with getMe and says when it is refused', async () => {
    const signal = new AbortController().signal;
    expect(await target().test(connection, { botToken: TOKEN }, signal)).toEqual({
      ok: true,
      message: 'Telegram accepted the bot token',
      statusCode: 200,
    });
    expect(seen.map((s) => [s.method, s.path])).toEqual([['GET', `/bot${TOKEN}/getMe`]]);
    const refused = await target().test(connection, { botToken: '999:WrongTokenValue_abcdef' }, signal);
    expect(refused).toEqual({
      ok: false,
      message: 'the credentials were refused (401): check the token or key',
      statusCode: 401,
    });
  });

  it('refuses a token that is not shaped like a bot token before it is put in a path', async () => {
    const odd = { botToken: '123456:abcdefghijklmnopqrst/../../other' };
    expect(await target().deliver(request(odd))).toMatchObject({
      ok: false,
      errorKind: 'auth_failed',
      retryable: false,
    });
    const tested = await target().test(connection, odd, new AbortController().signal);
    expect(tested).toEqual({
      ok: false,
      message:
        'the connection has no usable Telegram bot token (digits, a colon, then letters, digits, _ or -)',
    });
    expect(seen).toHaveLength(0);
  });

  it('keeps the token out of errors and logs when the API cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await target(`http://127.0.0.1:${port}`).deliver(request({ botToken: TOKEN }));
    expect(result).toMatchObject({ ok: false, errorKind: 'network', retryable: true });
    const tested = await target(`http://127.0.0.1:${port}`).test(
      connection,
      { botToken: TOKEN },
      new AbortController().signal,
    );
    expect(tested.ok).toBe(false);
    const refusedByGuard = await target('http://10.9.9.9').deliver(request({ botToken: TOKEN }));
    expect(refusedByGuard).toMatchObject({ ok: false, errorKind: 'url_refused' });
    for (const text of [
      JSON.stringify(result),
      JSON.stringify(tested),
      JSON.stringify(refusedByGuard),
      ...logged,
    ])
      expect(text).not.toContain('AAStandInTokenSecretPart');
  });
});
