import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { createTracing, remoteParentOf, traceHeadersOf, tracingOff } from './tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

describe("a request's W3C traceparent", () => {
  it('names the remote parent: its trace, span, sampled flag and tracestate', () => {
    const parent = trace.getSpanContext(remoteParentOf(`00-${TRACE_ID}-${SPAN_ID}-01`, 'vendor=a1'));
    expect(parent).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(parent?.traceState?.get('vendor')).toBe('a1');
    expect(trace.getSpanContext(remoteParentOf(`00-${TRACE_ID}-${SPAN_ID}-00`, undefined))?.traceFlags).toBe(
      0,
    );
    // A later version may add fields after the four it shares with version 00.
    expect(
      trace.getSpanContext(remoteParentOf(`01-${TRACE_ID}-${SPAN_ID}-01-more`, undefined))?.traceId,
    ).toBe(TRACE_ID);
  });

  it("is what traceHeadersOf writes for a span, read back as the same span (Kafka's message headers)", () => {
    const written = traceHeadersOf({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: 1,
      traceState: trace.getSpanContext(remoteParentOf(`00-${TRACE_ID}-${SPAN_ID}-01`, 'vendor=a1,other=b2'))
        ?.traceState,
    });
    expect(written).toEqual({
      traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`,
      tracestate: 'vendor=a1,other=b2',
    });
    const read = trace.getSpanContext(remoteParentOf(written.traceparent, written.tracestate));
    expect(read).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1, isRemote: true });
    expect(traceHeadersOf({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 })).toEqual({
      traceparent: `00-${TRACE_ID}-${SPAN_ID}-00`,
    });
  });

  it('is ignored when absent or malformed: the request starts a trace of its own', () => {
    for (const header of [
      undefined,
      '',
      `00-${TRACE_ID}-${SPAN_ID}`,
      `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`,
      `00-${'0'.repeat(32)}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
      `ff-${TRACE_ID}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${SPAN_ID}-01-extra`,
    ]) {
      expect(remoteParentOf(header, undefined), String(header)).toBe(ROOT_CONTEXT);
    }
  });
});

describe("the platform's tracing", () => {
  it('is the no-op one without settings: no tracer, nothing to flush', async () => {
    const off = createTracing(undefined);
    expect(off).toBe(tracingOff);
    expect(off.tracer).toBeUndefined();
    expect(off.within(ROOT_CONTEXT, () => 7)).toBe(7);
    await off.shutdown();
  });

  it("keeps each platform's current span apart: one platform's span is not another's parent", async () => {
    const settings = { endpoint: 'http://127.0.0.1:9', serviceName: 'test' };
    const one = createTracing(settings);
    const two = createTracing(settings);
    const span = one.tracer?.startSpan('outer');
    expect(span).toBeDefined();
    const seen = one.within(trace.setSpan(ROOT_CONTEXT, span!), () => [
      trace.getSpan(one.current()),
      trace.getSpan(two.current()),
    ]);
    expect(seen).toEqual([span, undefined]);
    await Promise.all([one.shutdown(), two.shutdown()]);
  });

  it('stops when its collector cannot be reached: the spans still batched are lost, and logged', async () => {
    const logged: string[] = [];
    const tracing = createTracing({ endpoint: 'http://127.0.0.1:9', serviceName: 'test' }, (m) =>
      logged.push(m),
    );
    tracing.tracer?.startSpan('lost').end();
    await expect(tracing.shutdown()).resolves.toBeUndefined();
    expect(logged).toEqual([expect.stringMatching(/^tracing: spans not exported at stop: .*ECONNREFUSED/)]);
  }, 30_000);
});
