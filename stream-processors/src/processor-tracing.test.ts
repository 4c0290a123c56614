import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import type { Tracing } from '@ccp/command-service';
import type { BusEvent } from './bus/port.js';
import type { Processor, ProcessorContext } from './processor.js';
import { tracedProcessors } from './processor-tracing.js';

/** A tracing that keeps its spans in memory, as the platform's would export them. */
const inMemoryTracing = () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const storage = new AsyncLocalStorage<Context>();
  const tracing: Tracing = {
    tracer: provider.getTracer('test'),
    current: () => storage.getStore() ?? ROOT_CONTEXT,
    within: (context, work) => storage.run(context, work),
    sampledLeaf: (parent) => parent,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
  return { tracing, exporter };
};

const SEND_A = { trace: '4bf92f3577b34da6a3ce929d0e0e4736', span: '00f067aa0ba902b7' };
const SEND_B = { trace: '5bf92f3577b34da6a3ce929d0e0e4737', span: '10f067aa0ba902b8' };
const traceparent = ({ trace, span }: typeof SEND_A) => `00-${trace}-${span}-01`;

const event = (position: number, carried?: typeof SEND_A): BusEvent => ({
  envelope: {
    id: `e${position}`,
    type: 'CallEnded',
    version: 1,
    tenantId: 'acme',
    streamId: 'call-acme.CA1',
    occurredAt: new Date().toISOString(),
    causationId: null,
    correlationId: 'CA1',
    actor: SYSTEM_ACTOR,
    data: {},
  } as EventEnvelope,
  position,
  key: 'call-acme.CA1',
  ...(carried && { trace: { traceparent: traceparent(carried) } }),
});

const processor: Processor = {
  name: 'call-facts',
  categories: ['call'],
  tables: [],
  handle: async () => undefined,
};

const batchSpan = async (batch: readonly BusEvent[]) => {
  const { tracing, exporter } = inMemoryTracing();
  const [traced] = tracedProcessors([processor], tracing);
  await traced?.handle(batch, {} as ProcessorContext);
  const [span] = exporter.getFinishedSpans();
  return span;
};

describe("a batch's span and the trace context its messages carried", () => {
  it('continues the publisher when the whole batch came from one, and links it', async () => {
    const span = await batchSpan([event(1, SEND_A), event(2, SEND_A)]);
    expect(span?.spanContext().traceId).toBe(SEND_A.trace);
    expect(span?.parentSpanContext?.spanId).toBe(SEND_A.span);
    expect(span?.links.map((l) => l.context.spanId)).toEqual([SEND_A.span]);
  });

  it('starts a trace of its own from several publishers, linking each', async () => {
    const span = await batchSpan([event(1, SEND_A), event(2, SEND_B), event(3, SEND_A)]);
    expect(span?.parentSpanContext).toBeUndefined();
    expect([SEND_A.trace, SEND_B.trace]).not.toContain(span?.spanContext().traceId);
    expect(span?.links.map((l) => l.context.spanId)).toEqual([SEND_A.span, SEND_B.span]);
  });

  it('starts a trace of its own when some messages carried none (the embedded bus carries none)', async () => {
    const mixed = await batchSpan([event(1, SEND_A), event(2)]);
    expect(mixed?.parentSpanContext).toBeUndefined();
    expect(mixed?.links.map((l) => l.context.spanId)).toEqual([SEND_A.span]);
    const none = await batchSpan([event(1), event(2)]);
    expect(none?.parentSpanContext).toBeUndefined();
    expect(none?.links).toEqual([]);
  });

  it('ignores a malformed traceparent', async () => {
    const bad = { ...event(1), trace: { traceparent: 'not-a-traceparent' } };
    const span = await batchSpan([bad]);
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.links).toEqual([]);
  });
});
