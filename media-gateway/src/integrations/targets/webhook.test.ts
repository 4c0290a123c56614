import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { outboundGuard } from '@ccp/command-service';
import type { Connection } from '../connections.js';
import type { DeliveryContent, DeliveryRequest } from '../port.js';
import { MAX_WEBHOOK_PAYLOAD_BYTES, webhookTarget } from './webhook.js';

/*
 * The webhook target against a test receiver on loopback that verifies Standard Webhooks signatures with the
 * standardwebhooks library itself (what a tenant's endpoint would run).
 */

const CURRENT = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const PREVIOUS = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}
let server: Server;
let url = '';
let received: Received[] = [];
let answer: { status: number; headers?: Record<string, string>; endless?: boolean } = { status: 200 };
let endlessClosed: Promise<void> = Promise.resolve();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answer.status, answer.headers ?? {});
      if (answer.endless) {
        // A receiver that never stops talking: only the reader hanging up ends it.
        endlessClosed = new Promise((resolve) => res.on('close', () => resolve()));
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      res.end(answer.status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  received = [];
  answer = { status: 200 };
});

const connection = (): Connection => ({
  tenantId: 'acme',
  connectionId: 'hook1',
  streamId: 'connection-acme.hook1',
  kind: 'webhook',
  name: 'Our endpoint',
  settings: { kind: 'webhook', url, eventTypes: ['*'] },
  enabled: true,
  version: 1,
  sealedSecrets: 'secret:v1:x',
});

const content: DeliveryContent = {
  kind: 'event',
  type: 'CallEnded',
  timestamp: '2026-03-10T12:00:00.000Z',
  data: {
    tenantId: 'acme',
    eventId: 'e1',
    eventType: 'CallEnded',
    streamId: 'call-acme.c1',
    position: 7,
    occurredAt: '2026-03-10T12:00:00.000Z',
    correlationId: 'c1',
  },
};

const request = (overrides: Partial<DeliveryRequest> = {}): DeliveryRequest => ({
  deliveryId: 'dlv_abc',
  attempt: 1,
  connection: connection(),
  secrets: { signingSecret: CURRENT },
  action: 'send_webhook',
  source: {
    eventId: 'e1',
    eventType: 'CallEnded',
    streamId: 'call-acme.c1',
    position: 7,
    occurredAt: '2026-03-10T12:00:00.000Z',
  },
  content,
  signal: AbortSignal.timeout(5_000),
  now: new Date(),
  ...overrides,
});

const headersOf = (r: Received): Record<string, string> => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

const target = webhookTarget(outboundGuard({ allow: ['127.0.0.1/32'] }).fetch);

describe('the Standard Webhooks target', () => {
  it('posts {type, timestamp, data} signed with the secret, the delivery id as webhook-id', async () => {
    const result = await target.deliver(request());
    expect(result).toEqual({ ok: true, statusCode: 200 });
    const [got] = received;
    if (!got) throw new Error('nothing received');
    expect(got.headers['webhook-id']).toBe('dlv_abc');
    expect(JSON.parse(got.body)).toEqual({
      type: 'CallEnded',
      timestamp: content.timestamp,
      data: content.data,
    });
    expect(new Webhook(CURRENT).verify(got.body, headersOf(got))).toEqual(JSON.parse(got.body));
    expect(() => new Webhook(PREVIOUS).verify(got.body, headersOf(got))).toThrow();
  });

  it('signs with both secrets during a rotation: a receiver holding either verifies', async () => {
    await target.deliver(request({ previousSecrets: { signingSecret: PREVIOUS } }));
    const [got] = received;
    if (!got) throw new Error('nothing received');
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(new Webhook(CURRENT).verify(got.body, headersOf(got))).toBeTruthy();
    expect(new Webhook(PREVIOUS).verify(got.body, headersOf(got))).toBeTruthy();
  });

  it('classifies answers: 500 retryable, 429 with Retry-After, 413 final', async () => {
    answer = { status: 500 };
    expect(await target.deliver(request())).toMatchObject({
      ok: false,
      errorKind: 'server_error',
      retryable: true,
    });
    answer = { status: 429, headers: { 'retry-after': '30' } };
    expect(await target.deliver(request())).toMatchObject({
      errorKind: 'rate_limited',
      retryable: true,
      retryAfterMs: 30_000,
    });
    answer = { status: 413 };
    expect(await target.deliver(request())).toMatchObject({
      errorKind: 'payload_too_large',
      retryable: false,
    });
  });

  it('treats a redirect as a final client error naming where it points, and never re-sends as a GET', async () => {
    answer = { status: 301, headers: { location: 'https://receiver.example/hook' } };
    const result = await target.deliver(request());
    expect(result).toMatchObject({
      ok: false,
      errorKind: 'client_error',
      statusCode: 301,
      retryable: false,
    });
    expect(result.ok ? '' : result.error).toMatch(
      /redirected to https:\/\/receiver\.example\/hook; set the final URL/,
    );
    expect(received.map((r) => r.body !== '')).toEqual([true]);
  });

  it('reads a bounded excerpt of an endless answer and hangs up', async () => {
    answer = { status: 500, endless: true };
    // No deadline on the attempt: only a bounded read lets it end.
    const result = await target.deliver(request({ signal: new AbortController().signal }));
    expect(result).toMatchObject({ ok: false, errorKind: 'server_error', retryable: true });
    await endlessClosed;
  });

  it('refuses a payload over 256 KB without sending it', async () => {
    const big = { ...content, type: 'X'.repeat(MAX_WEBHOOK_PAYLOAD_BYTES) } as DeliveryContent;
    expect(await target.deliver(request({ content: big }))).toMatchObject({
      errorKind: 'payload_too_large',
      retryable: false,
    });
    expect(received).toHaveLength(0);
  });

  it('refuses an address the outbound guard does not allow', async () => {
    const guarded = webhookTarget(outboundGuard().fetch);
    expect(await guarded.deliver(request())).toMatchObject({ errorKind: 'url_refused', retryable: false });
    expect(received).toHaveLength(0);
  });

  it('tests the endpoint with a signed webhook.test ping', async () => {
    const result = await target.test(connection(), { signingSecret: CURRENT }, AbortSignal.timeout(5_000));
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    const [got] = received;
    if (!got) throw new Error('nothing received');
    expect(JSON.parse(got.body)).toMatchObject({ type: 'webhook.test' });
    expect(new Webhook(CURRENT).verify(got.body, headersOf(got))).toBeTruthy();
  });
});
