import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTracing, tracingOff } from '../observability/tracing.js';
import { outboundGuard } from './outbound-guard.js';
import { redactedUrl, tracedFetch } from './outbound-tracing.js';

// A receiver on loopback that keeps the trace headers of every request; /hop redirects to /landed.
let server: Server;
let base = '';
const received: { path: string; traceparent?: string; tracestate?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    received.push({
      path: req.url ?? '',
      ...(req.headers.traceparent !== undefined && { traceparent: String(req.headers.traceparent) }),
      ...(req.headers.tracestate !== undefined && { tracestate: String(req.headers.tracestate) }),
    });
    req.resume();
    if (req.url === '/hop') res.writeHead(302, { location: '/landed' }).end();
    else res.writeHead(req.url === '/missing' ? 404 : 200).end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server?.close());

const traced = () => {
  const exporter = new InMemorySpanExporter();
  const tracing = createTracing({ endpoint: 'http://127.0.0.1:9', serviceName: 'test' }, undefined, exporter);
  return { tracing, exporter, guard: outboundGuard({ allow: ['127.0.0.1/32'], tracing }) };
};
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe("an outbound request's trace context", () => {
  it('is a client span of the current span, sent as the traceparent the receiver sees', async () => {
    const { tracing, exporter, guard } = traced();
    const parent = tracing.tracer!.startSpan('deliver');
    received.length = 0;
    const response = await tracing.within(trace.setSpan(ROOT_CONTEXT, parent), () =>
      guard.fetch(`${base}/hook?token=s3cret`, { method: 'POST', body: '{}' }),
    );
    expect(response.status).toBe(200);
    parent.end();
    await tracing.flush();
    const [, traceId, parentId] = TRACEPARENT.exec(received[0]?.traceparent ?? '') ?? [];
    expect(traceId).toBe(parent.spanContext().traceId);
    const client = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CLIENT);
    expect(client?.spanContext().spanId).toBe(parentId);
    expect(client?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(client?.name).toBe('POST');
    expect(client?.attributes).toEqual({
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(base).port),
      'url.full': `${base}/hook?token=REDACTED`,
      'http.response.status_code': 200,
    });
    await tracing.shutdown();
  });

  it('starts a trace of its own outside any span; each redirect hop is a span; a 404 is an error', async () => {
    const { tracing, exporter, guard } = traced();
    received.length = 0;
    expect((await guard.fetch(`${base}/hop`)).status).toBe(200);
    expect((await guard.fetch(`${base}/missing`)).status).toBe(404);
    await tracing.flush();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.attributes['url.full'], s.attributes['http.request.resend_count']])).toEqual([
      [`${base}/hop`, undefined],
      [`${base}/landed`, 1],
      [`${base}/missing`, undefined],
    ]);
    // The two hops of one request: one trace, each hop's own span named in its traceparent.
    expect(spans[0]?.parentSpanContext).toBeUndefined();
    expect(received.map((r) => TRACEPARENT.exec(r.traceparent ?? '')?.[2])).toEqual(
      spans.map((s) => s.spanContext().spanId),
    );
    expect(spans[2]?.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans[2]?.attributes['error.type']).toBe('404');
    await tracing.shutdown();
  });

  it('records a refused or failed request as an error', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing(
      { endpoint: 'http://127.0.0.1:9', serviceName: 'test' },
      undefined,
      exporter,
    );
    const strict = outboundGuard({ tracing, resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    await expect(strict.fetch('http://receiver.example/')).rejects.toThrow(/not on the public internet/);
    await tracing.flush();
    const [span] = exporter.getFinishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes).toMatchObject({
      'server.address': 'receiver.example',
      'error.type': 'OutboundRefused',
    });
    await tracing.shutdown();
  });

  it('is not sent when tracing is off, nor a header the caller did not give', async () => {
    for (const guard of [
      outboundGuard({ allow: ['127.0.0.1/32'] }),
      outboundGuard({ allow: ['127.0.0.1/32'], tracing: tracingOff }),
    ]) {
      received.length = 0;
      await guard.fetch(`${base}/plain`, { headers: { 'x-kept': '1' } });
      expect(received).toEqual([{ path: '/plain' }]);
    }
  });
});

describe("the platform's provider clients' fetch", () => {
  it('sends the current span as a client span the receiver sees, and is none when tracing is off', async () => {
    const { tracing, exporter } = traced();
    const fetch = tracedFetch(tracing);
    const parent = tracing.tracer!.startSpan('chat gpt-4o-mini');
    received.length = 0;
    const response = await tracing.within(trace.setSpan(ROOT_CONTEXT, parent), () =>
      fetch!(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'x-kept': '1' }, body: '{}' }),
    );
    expect(response.status).toBe(200);
    parent.end();
    await tracing.flush();
    const client = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CLIENT);
    expect(client?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(received[0]?.traceparent).toBe(
      `00-${parent.spanContext().traceId}-${client?.spanContext().spanId}-01`,
    );
    // A data: URL is no request: no span, and its answer as it is.
    expect(await (await fetch!('data:,ok')).text()).toBe('ok');
    expect(exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT)).toHaveLength(1);
    expect(tracedFetch(tracingOff)).toBeUndefined();
    await tracing.shutdown();
  });
});

describe('a URL in a span', () => {
  it('keeps no credential: user, query values, fragment, long or colon-holding path segments', () => {
    expect(
      redactedUrl(
        new URL('https://user:pw@hooks.example/services/T0/B0/abcdefghijklmnopqrstuvwx?a=1&sig=xyz#f'),
      ),
    ).toBe('https://hooks.example/services/T0/B0/REDACTED?a=REDACTED&sig=REDACTED');
    expect(redactedUrl(new URL('https://api.telegram.org/bot123:ABC/sendMessage'))).toBe(
      'https://api.telegram.org/REDACTED/sendMessage',
    );
    expect(redactedUrl(new URL('http://[::1]:8080/v1/chat/completions'))).toBe(
      'http://[::1]:8080/v1/chat/completions',
    );
  });
});
