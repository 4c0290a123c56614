import { AsyncLocalStorage } from 'node:async_hooks';
import {
  createContextKey,
  createTraceState,
  isSpanContextValid,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** The samplers OTEL_TRACES_SAMPLER may name (the OpenTelemetry SDK's standard ones). */
export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TracesSampler = (typeof TRACES_SAMPLERS)[number];

/** Where spans go (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME) and which (OTEL_TRACES_SAMPLER[_ARG]). */
export interface TracingSettings {
  /** The collector's OTLP/HTTP base address; spans are posted to `<endpoint>/v1/traces` as JSON. */
  readonly endpoint: string;
  readonly serviceName: string;
  /** Default `parentbased_always_on`: every trace this process starts, and every one a caller sampled. */
  readonly sampler?: TracesSampler;
  /** The share of new traces the `*traceidratio` samplers keep, 0 to 1 (default 1). */
  readonly samplerRatio?: number;
}

/**
 * The platform's tracing: one per running platform, like its metrics registry. Its provider is never registered
 * as OpenTelemetry's global one and its current span is kept in its own async storage, so two platforms in one
 * process (tests do that) neither share a provider nor see each other's spans. Off, there is no tracer at all and
 * every traced building block is left unwrapped: no work on the hot path.
 */
export interface Tracing {
  /** Absent when tracing is off. */
  readonly tracer?: Tracer;
  /** The context (current span) the calling async work runs in; the root context outside any span. */
  current(): Context;
  /** Runs `work` with `context` as the current one, across its awaits. */
  within<T>(context: Context, work: () => T): T;
  /**
   * The context to start a leaf span (one no other span will have as parent) under `parent` in, or undefined when
   * the sampler would not record it: the caller then makes no span at all, not even a non-recording one. Always
   * undefined when tracing is off.
   */
  sampledLeaf(parent: Context): Context | undefined;
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  /** Exports what is left and stops the exporter; a collector that cannot be reached is logged, never thrown. */
  shutdown(): Promise<void>;
}

export const tracingOff: Tracing = {
  current: () => ROOT_CONTEXT,
  within: (_context, work) => work(),
  sampledLeaf: () => undefined,
  flush: async () => {},
  shutdown: async () => {},
};

/** Marks a root leaf span's context as already sampled in (by sampledLeaf): the SDK's sampler does not ask again. */
const PRESAMPLED = createContextKey('ccp.presampled');
const RECORD = { decision: SamplingDecision.RECORD_AND_SAMPLED };

const rootSamplerOf = (kind: TracesSampler, ratio: number): Sampler =>
  kind.endsWith('always_on')
    ? new AlwaysOnSampler()
    : kind.endsWith('always_off')
      ? new AlwaysOffSampler()
      : new TraceIdRatioBasedSampler(ratio);

/**
 * A leaf span's sampling decision made before the span exists, the same as the SDK's sampler would make it: a
 * parent-based sampler follows the parent's sampled flag; a root leaf under a ratio sampler is kept with that
 * probability (its trace id is random, so this is what the trace-id ratio amounts to); a ratio sampler under a
 * parent judges the parent's trace id, as the SDK does.
 */
const leafSampling = (kind: TracesSampler, ratio: number, root: Sampler) => {
  const parentBased = kind.startsWith('parentbased_');
  const alwaysOn = kind.endsWith('always_on');
  const alwaysOff = kind.endsWith('always_off');
  return (parent: Context): Context | undefined => {
    const parentSpan = trace.getSpanContext(parent);
    if (parentSpan !== undefined && isSpanContextValid(parentSpan)) {
      if (parentBased) return (parentSpan.traceFlags & TraceFlags.SAMPLED) !== 0 ? parent : undefined;
      return root.shouldSample(parent, parentSpan.traceId, '', 0, {}, []).decision ===
        SamplingDecision.RECORD_AND_SAMPLED
        ? parent
        : undefined;
    }
    if (alwaysOn) return parent;
    if (alwaysOff || Math.random() >= ratio) return undefined;
    return parent.setValue(PRESAMPLED, true);
  };
};

/**
 * A provider with a batching OTLP/HTTP (JSON) exporter, owned by the platform: started and stopped with it. Tests
 * may give another exporter (an in-memory one) to read the spans without a collector.
 */
export const createTracing = (
  settings: TracingSettings | undefined,
  log: (message: string) => void = () => undefined,
  exporter?: SpanExporter,
): Tracing => {
  if (settings === undefined) return tracingOff;
  const kind = settings.sampler ?? 'parentbased_always_on';
  const ratio = settings.samplerRatio ?? 1;
  const root = rootSamplerOf(kind, ratio);
  const standard: Sampler = kind.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
  // Given explicitly, so the SDK does not read OTEL_TRACES_SAMPLER itself (it would fall back silently on a typo).
  const sampler: Sampler = {
    shouldSample: (context, traceId, name, spanKind, attributes, links) =>
      context.getValue(PRESAMPLED) === true && trace.getSpanContext(context) === undefined
        ? RECORD
        : standard.shouldSample(context, traceId, name, spanKind, attributes, links),
    toString: () => standard.toString(),
  };
  const provider = new BasicTracerProvider({
    sampler,
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(
        exporter ?? new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` }),
      ),
    ],
  });
  const storage = new AsyncLocalStorage<Context>();
  return {
    tracer: provider.getTracer('@ccp/platform'),
    current: () => storage.getStore() ?? ROOT_CONTEXT,
    within: (context, work) => storage.run(context, work),
    sampledLeaf: leafSampling(kind, ratio, root),
    flush: () => provider.forceFlush(),
    // A platform stops even when its collector is gone: the spans still batched are lost, and said so.
    shutdown: () =>
      provider.shutdown().catch((error: unknown) => {
        log(`tracing: spans not exported at stop: ${error instanceof Error ? error.message : String(error)}`);
      }),
  };
};

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The remote parent a W3C `traceparent` header names (with its `tracestate`), as a context to start a span in;
 * the root context when the header is absent or malformed (version ff, all-zero ids, a future version's
 * extra fields only where the version allows them), as the Trace Context recommendation says.
 */
export const remoteParentOf = (traceparent: string | undefined, tracestate: string | undefined): Context => {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent.trim());
  if (match === null) return ROOT_CONTEXT;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return ROOT_CONTEXT;
  const spanContext = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & 1,
    isRemote: true,
    ...(tracestate !== undefined && tracestate !== '' && { traceState: createTraceState(tracestate) }),
  };
  return isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : ROOT_CONTEXT;
};

/** The W3C `traceparent` (and `tracestate`, when there is one) that names `span` as the parent of what follows. */
export const traceHeadersOf = (
  span: SpanContext,
): { readonly traceparent: string; readonly tracestate?: string } => {
  const tracestate = span.traceState?.serialize();
  return {
    traceparent: `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`,
    ...(tracestate !== undefined && tracestate !== '' && { tracestate }),
  };
};
