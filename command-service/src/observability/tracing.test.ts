import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
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

describe('sampling (OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG)', () => {
  const settings = { endpoint: 'http://127.0.0.1:9', serviceName: 'test' };
  const parentOf = (flags: number, traceId = TRACE_ID) =>
    trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: SPAN_ID, traceFlags: flags, isRemote: true });

  it('keeps every leaf by default, but none under a caller that sampled its trace out', async () => {
    const tracing = createTracing(settings);
    expect(tracing.sampledLeaf(ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
    expect(tracing.sampledLeaf(parentOf(1))).toBeDefined();
    expect(tracing.sampledLeaf(parentOf(0))).toBeUndefined();
    expect(tracingOff.sampledLeaf(ROOT_CONTEXT)).toBeUndefined();
    await tracing.shutdown();
  });

  it('keeps about the ratio of new traces, each kept one recorded by the SDK without being drawn again', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing(
      { ...settings, sampler: 'parentbased_traceidratio', samplerRatio: 0.5 },
      undefined,
      exporter,
    );
    let kept = 0;
    for (let i = 0; i < 400; i += 1) {
      const context = tracing.sampledLeaf(ROOT_CONTEXT);
      if (context === undefined) continue;
      kept += 1;
      const span = tracing.tracer?.startSpan('leaf', {}, context);
      expect(span?.isRecording()).toBe(true);
      span?.end();
    }
    // 400 draws at one half: fewer than 100 or more than 300 is a one in 10^23 chance.
    expect(kept).toBeGreaterThan(100);
    expect(kept).toBeLessThan(300);
    await tracing.flush();
    expect(exporter.getFinishedSpans()).toHaveLength(kept);
    // A parent's decision holds over the ratio.
    expect(tracing.sampledLeaf(parentOf(1))).toBeDefined();
    expect(tracing.sampledLeaf(parentOf(0))).toBeUndefined();
    // Ratio 0 keeps no new trace, and the SDK starts no recording root either.
    const none = createTracing({ ...settings, sampler: 'parentbased_traceidratio', samplerRatio: 0 });
    for (let i = 0; i < 50; i += 1) expect(none.sampledLeaf(ROOT_CONTEXT)).toBeUndefined();
    expect(none.tracer?.startSpan('root').isRecording()).toBe(false);
    await Promise.all([tracing.shutdown(), none.shutdown()]);
  });

  it("judges a parent's trace id, not its flag, under traceidratio; always_off keeps nothing", async () => {
    const ratio = createTracing({ ...settings, sampler: 'traceidratio', samplerRatio: 0.5 });
    // The SDK's ratio sampler reads the trace id's four 32-bit words XORed: 1 is kept, 0xffffffff is not.
    expect(ratio.sampledLeaf(parentOf(0, `${'0'.repeat(31)}1`))).toBeDefined();
    expect(ratio.sampledLeaf(parentOf(1, `ffffffff${'0'.repeat(24)}`))).toBeUndefined();
    const off = createTracing({ ...settings, sampler: 'always_off' });
    expect(off.sampledLeaf(ROOT_CONTEXT)).toBeUndefined();
    expect(off.sampledLeaf(parentOf(1))).toBeUndefined();
    expect(off.tracer?.startSpan('root').isRecording()).toBe(false);
    await Promise.all([ratio.shutdown(), off.shutdown()]);
  });
});
