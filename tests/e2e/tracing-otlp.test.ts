import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NUMBER, DEMO_TENANT } from '@ccp/infra';
import { scenario } from '@ccp/media-gateway/simulator';
import { tracingOff } from '@ccp/command-service';
import { content, CALLER, DAY } from '../support/gateway-calls.js';
import { startGatewayPlatform, type GatewayPlatform } from '../support/gateway.js';
import { startCollectorStandIn, type ReceivedSpan } from '../support/otlp-collector.js';
import { apiClient, login, startTestPlatform, SUPER_ADMIN } from '../support/platform.js';

/*
 * Traces over the real wire: the platform's own OTLP/HTTP exporter posts JSON to a collector stand-in (a node:http
 * server on loopback that takes POST /v1/traces as an OpenTelemetry Collector's OTLP/HTTP receiver would, and
 * keeps what it got). An HTTP request carrying a W3C traceparent, a command and a whole call go through the
 * platform; the spans it exported are read back with their names, attributes and parents. A tenant's webhook (a
 * loopback receiver keeping the traceparent of each request) is tested through the API and gets a delivery: the
 * trace goes on into the requests the platform makes.
 */

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
let collector: Awaited<ReturnType<typeof startCollectorStandIn>>;
let env: GatewayPlatform | undefined;
let callSid: string;
let streamCallSid: string;
let receiver: Server;
let hookUrl = '';
/** What the webhook receiver got: the event type of each request and its traceparent. */
const hooked: { type: string; traceparent: string | undefined }[] = [];

const startReceiver = async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const type = (JSON.parse(body) as { type?: unknown }).type;
      hooked.push({ type: String(type), traceparent: request.headers.traceparent?.toString() });
      response.end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
};

/** A webhook connection of the demo tenant for TicketOpened, tested (with the caller's traceparent), then fed. */
const hookUp = async (url: string) => {
  const admin = apiClient(url, await login(url, 'admin@demo.example', 'demo-password-1'));
  const created = await admin.request('POST', '/api/integrations/connections', {
    name: 'Traced receiver',
    settings: { kind: 'webhook', url: hookUrl, eventTypes: ['TicketOpened'] },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { connectionId } = created.body as { connectionId: string };
  const tested = await admin.request(
    'POST',
    `/api/integrations/connections/${connectionId}/test`,
    {},
    { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` },
  );
  expect(tested.body).toMatchObject({ ok: true });
  const opened = await admin.command('OpenTicket', {
    tenantId: DEMO_TENANT,
    ticketId: 't_traced',
    subject: 'Traced',
    description: 'A ticket whose delivery is traced',
  });
  expect(opened.status).toBe(200);
  for (let waited = 0; !hooked.some((h) => h.type === 'TicketOpened'); waited += 25) {
    if (waited > 15_000) throw new Error('the TicketOpened delivery never came');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

beforeAll(async () => {
  collector = await startCollectorStandIn();
  await startReceiver();
  env = await startGatewayPlatform({
    now: () => DAY,
    readSide: true,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'ccp-trace-test',
      OUTBOUND_ALLOW: '127.0.0.1/32',
    },
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
  // The same on Twilio Media Streams: the platform hears the audio (speech-to-text) and speaks (text-to-speech).
  const streamed = await env.call({
    voicePath: '/twilio/voice?mode=stream',
    from: CALLER,
    to: DEMO_NUMBER,
    caller: scenario('faq', content).caller,
    media: { realtime: false, endSilenceMs: 600 },
  });
  expect(streamed.errors).toEqual([]);
  streamCallSid = streamed.callSid;
  await hookUp(env.test.url);
  // Stopping the platform exports what its batch still holds.
  await env.stop();
  env = undefined;
}, 120_000);
afterAll(async () => {
  await env?.stop();
  await collector?.stop();
  receiver?.close();
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
        // The call is the conversation.
        'gen_ai.conversation.id': callSid,
        'gen_ai.provider.name': expect.any(String),
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

  it('gives the greeting a span: made in the voice webhook, said on the media stream', () => {
    const greetings = named('call greeting');
    const made = greetings.find((s) => s.attributes['ccp.call.id'] === callSid);
    expect(byId(made?.parentSpanId)?.name).toBe('POST /twilio/voice');
    const streamGreetings = greetings.filter((s) => s.attributes['ccp.call.id'] === streamCallSid);
    // One made by the voice webhook, one said when the stream opened (its text-to-speech inside).
    expect(streamGreetings.map((s) => byId(s.parentSpanId)?.name ?? 'root').sort()).toEqual([
      'POST /twilio/voice',
      'root',
    ]);
    const said = streamGreetings.find((s) => s.parentSpanId === undefined);
    expect(collector.spans.some((s) => s.name.startsWith('tts ') && s.parentSpanId === said?.spanId)).toBe(
      true,
    );
  });

  it('makes a Media Streams turn the parent of its speech-to-text, model and text-to-speech spans', () => {
    const turns = named('call turn').filter((s) => s.attributes['ccp.call.id'] === streamCallSid);
    expect(turns.length).toBeGreaterThan(0);
    let answered = 0;
    for (const turn of turns) {
      // A turn of its own trace, from the end of the caller's speech; the session's turn adds its line to it.
      expect(turn.parentSpanId).toBeUndefined();
      expect(turn.attributes['ccp.call.transport']).toBe('media_stream');
      const children = collector.spans.filter((s) => s.parentSpanId === turn.spanId);
      const [stt] = children.filter((s) => s.name.startsWith('stt '));
      expect(stt, 'one stt span per turn').toBeDefined();
      expect(stt?.kind).toBe(3); // CLIENT
      expect(stt?.attributes).toMatchObject({
        'ccp.call.id': streamCallSid,
        'ccp.stt.provider': expect.any(String),
        'ccp.stt.confidence': expect.any(Number),
      });
      // Never the caller's words.
      expect(Object.values(stt?.attributes ?? {}).some((v) => typeof v === 'string' && v.includes(' '))).toBe(
        false,
      );
      if (turn.attributes['ccp.call.line'] === undefined) continue;
      answered += 1;
      const chats = children.filter((s) => s.name.startsWith('chat '));
      expect(chats.length).toBeGreaterThan(0);
      for (const chat of chats) expect(chat.attributes['gen_ai.conversation.id']).toBe(streamCallSid);
      expect(children.some((s) => s.name === 'command RecordUtterance')).toBe(true);
      const tts = children.filter((s) => s.name.startsWith('tts '));
      expect(tts.length).toBeGreaterThan(0);
      for (const span of tts) {
        expect(span.kind).toBe(3);
        expect(span.attributes).toMatchObject({
          'ccp.call.id': streamCallSid,
          'ccp.tts.characters': expect.any(Number),
          'ccp.tts.audio_bytes': expect.any(Number),
        });
      }
    }
    expect(answered).toBeGreaterThan(0);
    // No second turn span for the session's own turn inside the stream's.
    for (const turn of turns) {
      expect(collector.spans.filter((s) => s.parentSpanId === turn.spanId && s.name === 'call turn')).toEqual(
        [],
      );
    }
  });

  it('names why each model request finished, as the GenAI conventions do', () => {
    const chats = collector.spans.filter((s) => s.name.startsWith('chat '));
    expect(chats.length).toBeGreaterThan(0);
    for (const chat of chats) {
      const reasons = chat.attributes['gen_ai.response.finish_reasons'];
      expect(reasons === 'stop' || reasons === 'tool_calls', String(reasons)).toBe(true);
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

  it("goes on into a tenant's webhook: the request is a client span of the API request, named in its traceparent", () => {
    const [request] = named('POST /api/integrations/connections/:connectionId/test');
    expect(request).toMatchObject({ traceId: TRACE_ID, parentSpanId: CALLER_SPAN_ID });
    const client = collector.spans.find((s) => s.kind === 3 && s.parentSpanId === request?.spanId);
    expect(client).toMatchObject({
      name: 'POST',
      traceId: TRACE_ID,
      attributes: {
        'http.request.method': 'POST',
        'server.address': '127.0.0.1',
        'server.port': Number(new URL(hookUrl).port),
        'url.full': hookUrl,
        'http.response.status_code': 200,
      },
    });
    const test = hooked.find((h) => h.type === 'webhook.test');
    expect(test?.traceparent).toBe(`00-${TRACE_ID}-${client?.spanId}-01`);
  });

  it('makes each delivery attempt a trace holding its request and the command recording it', () => {
    const [deliver] = named('deliver webhook');
    expect(deliver).toMatchObject({
      parentSpanId: undefined,
      attributes: { 'ccp.connection.kind': 'webhook', 'ccp.delivery.attempt': 1 },
    });
    const children = collector.spans.filter((s) => s.parentSpanId === deliver?.spanId);
    const client = children.find((s) => s.kind === 3);
    expect(client?.attributes['http.response.status_code']).toBe(200);
    expect(children.map((s) => s.name)).toContain('command RecordDeliveryAttempt');
    const delivered = hooked.find((h) => h.type === 'TicketOpened');
    expect(delivered?.traceparent).toBe(`00-${deliver?.traceId}-${client?.spanId}-01`);
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
