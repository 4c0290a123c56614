import { AsyncLocalStorage } from 'node:async_hooks';
import {
  createTraceState,
  isSpanContextValid,
  ROOT_CONTEXT,
  trace,
  type Context,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** Where spans go (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME); absent, tracing is off. */
export interface TracingSettings {
  /** The collector's OTLP/HTTP base address; spans are posted to `<endpoint>/v1/traces` as JSON. */
  readonly endpoint: string;
  readonly serviceName: string;
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
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  /** Exports what is left and stops the exporter; a collector that cannot be reached is logged, never thrown. */
  shutdown(): Promise<void>;
}

export const tracingOff: Tracing = {
  current: () => ROOT_CONTEXT,
  within: (_context, work) => work(),
  flush: async () => {},
  shutdown: async () => {},
};

/** A provider with a batching OTLP/HTTP (JSON) exporter, owned by the platform: started and stopped with it. */
export const createTracing = (
  settings: TracingSettings | undefined,
  log: (message: string) => void = () => undefined,
): Tracing => {
  if (settings === undefined) return tracingOff;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` }),
      ),
    ],
  });
  const storage = new AsyncLocalStorage<Context>();
  return {
    tracer: provider.getTracer('@ccp/platform'),
    current: () => storage.getStore() ?? ROOT_CONTEXT,
    within: (context, work) => storage.run(context, work),
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
