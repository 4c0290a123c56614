import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { scenario } from '@ccp/media-gateway/simulator';
import { tracingOff } from '@ccp/command-service';
import { content, CALLER, DAY } from '../support/gateway-calls.js';
import { startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN } from '../support/platform.js';

/*
 * Traces over the real wire: the platform's own OTLP/HTTP exporter posts JSON to a collector stand-in (a node:http
 * server on loopback that takes POST /v1/traces as an OpenTelemetry Collector's OTLP/HTTP receiver would, and
 * keeps what it got). An HTTP request carrying a W3C traceparent, a command and a whole call go through the
 * platform; the spans it exported are read back with their names, attributes and parents.
 */

const AnyValue = z.object({
  stringValue: z.string().optional(),
  intValue: z.union([z.number(), z.string()]).optional(),
  boolValue: z.boolean().optional(),
  doubleValue: z.number().optional(),
});
const Attributes = z.array(z.object({ key: z.string(), value: AnyValue })).default([]);
const ExportRequest = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: Attributes }),
      scopeSpans: z.array(
        z.object({
          spans: z.array(
            z.object({
              traceId: z.string(),
              spanId: z.string(),
              parentSpanId: z.string().optional(),
              name: z.string(),
              kind: z.number(),
              attributes: Attributes,
            }),
          ),
        }),
      ),
    }),
  ),
});

interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: number;
  readonly service: unknown;
  readonly attributes: Record<string, unknown>;
}

const valueOf = (value: z.infer<typeof AnyValue>): unknown =>
  value.stringValue ??
  (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
  value.boolValue ??
  value.doubleValue;
const flat = (attributes: z.infer<typeof Attributes>): Record<string, unknown> =>
  Object.fromEntries(attributes.map((a) => [a.key, valueOf(a.value)]));

/** The collector stand-in: what each POST /v1/traces carried, and every request's path and content type. */
const startCollectorStandIn = async () => {
  const spans: ReceivedSpan[] = [];
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('error', () => response.destroy());
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push(`${request.method ?? ''} ${request.url ?? ''} ${request.headers['content-type'] ?? ''}`);
      const parsed =
        request.method === 'POST' && request.url === '/v1/traces'
          ? ExportRequest.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')))
          : undefined;
      if (parsed?.success !== true) {
        response.writeHead(400).end();
        return;
      }
      for (const { resource, scopeSpans } of parsed.data.resourceSpans) {
        const service = flat(resource.attributes)['service.name'];
        for (const span of scopeSpans.flatMap((s) => s.spans)) {
          spans.push({
            ...span,
            parentSpanId: span.parentSpanId || undefined,
            service,
            attributes: flat(span.attributes),
          });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
let collector: Awaited<ReturnType<typeof startCollectorStandIn>>;
let env: GatewayPlatform | undefined;
let callSid: string;

beforeAll(async () => {
  collector = await startCollectorStandIn();
  env = await startGatewayPlatform({
    now: () => DAY,
    readSide: true,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'ccp-trace-test' },
  });
  const token = await login(env.test.url, SUPER_ADMIN.email, SUPER_ADMIN.password);
  const created = await apiClient(env.test.url, token).command(
    'CreateDepartment',
    { tenantId: DEMO_TENANT, departmentId: 'traced', name: 'Traced department' },
    { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` },
  );
  expect(created.status).toBe(200);
  const call = await env.call({
    from: CALLER,
    to: DEMO_NUMBER,
    caller: scenario('book', content).caller,
    media: { realtime: false, endSilenceMs: 600 },
  });
  expect(call.errors).toEqual([]);
  callSid = call.callSid;
  // Stopping the platform exports what its batch still holds.
  await env.stop();
  env = undefined;
}, 120_000);
afterAll(async () => {
  await env?.stop();
  await collector?.stop();
});

const named = (name: string) => collector.spans.filter((s) => s.name === name);
const byId = (spanId: string | undefined) => collector.spans.find((s) => s.spanId === spanId);

describe('traces exported by OTLP/HTTP', () => {
  it('posts JSON to <endpoint>/v1/traces, with the service name of OTEL_SERVICE_NAME', () => {
    expect(collector.requests.length).toBeGreaterThan(0);
    expect(new Set(collector.requests)).toEqual(new Set(['POST /v1/traces application/json']));
    expect(new Set(collector.spans.map((s) => s.service))).toEqual(new Set(['ccp-trace-test']));
  });

  it("makes a request's span the child of its traceparent, named by route template, and the command its child", () => {
    const [request] = named('POST /api/commands/:type');
    expect(request).toMatchObject({
      traceId: TRACE_ID,
      parentSpanId: CALLER_SPAN_ID,
      kind: 2, // SERVER
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/api/commands/:type',
        'http.response.status_code': 200,
      },
    });
    const command = named('command CreateDepartment').find((s) => s.parentSpanId === request?.spanId);
    expect(command).toMatchObject({
      traceId: TRACE_ID,
      attributes: {
        'ccp.command.type': 'CreateDepartment',
        'ccp.command.caller': 'api',
        'ccp.command.outcome': 'accepted',
      },
    });
    // A request without a traceparent starts a trace of its own.
    const [signIn] = named('POST /api/auth/login');
    expect(signIn?.parentSpanId).toBeUndefined();
    expect(signIn?.traceId).not.toBe(TRACE_ID);
  });

  it("gives every turn of the call a span with the call's id, holding its model requests, tool calls and commands", () => {
    const turns = named('call turn').filter((s) => s.attributes['ccp.call.id'] === callSid);
    expect(turns.length).toBeGreaterThan(1);
    // Each turn is answered by a Twilio webhook: the turn's span is that request's child.
    for (const turn of turns) expect(byId(turn.parentSpanId)?.name).toBe('POST /twilio/turn');
    const inTurns = (span: ReceivedSpan) => turns.some((t) => t.spanId === span.parentSpanId);
    const chats = collector.spans.filter((s) => s.name.startsWith('chat ') && inTurns(s));
    expect(chats.length).toBeGreaterThanOrEqual(turns.length);
    for (const chat of chats) {
      expect(chat.kind).toBe(3); // CLIENT
      expect(chat.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': expect.any(String),
        'gen_ai.response.model': expect.any(String),
        'gen_ai.usage.input_tokens': expect.any(Number),
        'gen_ai.usage.output_tokens': expect.any(Number),
      });
    }
    const tools = collector.spans.filter((s) => s.name.startsWith('execute_tool ') && inTurns(s));
    expect(tools.map((t) => t.attributes['gen_ai.tool.name'])).toContain('book_appointment');
    for (const tool of tools) expect(tool.attributes['ccp.call.id']).toBe(callSid);
    // The commands recording the turn: children of it, naming the call.
    const recorded = collector.spans.filter((s) => s.name.startsWith('command ') && inTurns(s));
    expect(recorded.map((s) => s.name)).toEqual(
      expect.arrayContaining(['command RecordUtterance', 'command InvokeTool']),
    );
    for (const command of recorded) {
      expect(command.attributes).toMatchObject({ 'ccp.call.id': callSid, 'ccp.command.caller': 'platform' });
    }
  });

  it("gives each stream processor's batch a span of its own trace, its size and positions", () => {
    const batches = collector.spans.filter((s) => s.name.startsWith('process '));
    const processors = new Set(batches.map((s) => s.attributes['messaging.consumer.group.name']));
    expect(processors.size).toBeGreaterThan(1);
    for (const batch of batches) {
      expect(batch.name).toBe(`process ${String(batch.attributes['messaging.consumer.group.name'])}`);
      expect(batch.kind).toBe(5); // CONSUMER
      expect(batch.parentSpanId).toBeUndefined();
      const count = Number(batch.attributes['messaging.batch.message_count']);
      const first = Number(batch.attributes['ccp.log.first_position']);
      const last = Number(batch.attributes['ccp.log.last_position']);
      expect(count).toBeGreaterThan(0);
      expect(last).toBeGreaterThanOrEqual(first);
    }
  });

  it("registers nothing global: OpenTelemetry's own tracer provider is still the no-op proxy", () => {
    expect(trace.getTracerProvider().getTracer('x').startSpan('y').isRecording()).toBe(false);
  });
});

describe('tracing without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('creates no provider and exports nothing', async () => {
    const before = collector.requests.length;
    const test = await startTestPlatform();
    try {
      expect(test.platform.tracing).toBe(tracingOff);
      expect(test.platform.tracing.tracer).toBeUndefined();
      const token = await login(test.url, SUPER_ADMIN.email, SUPER_ADMIN.password);
      const created = await apiClient(test.url, token).command(
        'CreateTenant',
        { tenantId: 'untraced', name: 'Untraced' },
        { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` },
      );
      expect(created.status).toBe(200);
    } finally {
      await test.stop();
    }
    expect(collector.requests.length).toBe(before);
  });
});
