import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Middleware } from 'koa';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import { remoteParentOf, type Tracing } from '../observability/tracing.js';
import { routeLabelOf } from './http-metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const header = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(',') : value;

/**
 * A server span for every HTTP request, a child of the caller's span when the request carries a W3C
 * `traceparent`. Named `{method} {route template}` (the OpenTelemetry HTTP conventions), the template known once a
 * router matched, never the raw path: ids stay out of span names. The request's work (commands, model requests)
 * runs with this span as the current one. Put first, as the metrics are, to see the final status. Absent when
 * tracing is off.
 */
export const httpTracing = (tracing: Tracing): Middleware | undefined => {
  const { tracer } = tracing;
  if (tracer === undefined) return undefined;
  return async (ctx, next) => {
    const method = METHODS.has(ctx.method) ? ctx.method : '_OTHER';
    const parent = remoteParentOf(header(ctx.req.headers.traceparent), header(ctx.req.headers.tracestate));
    const span = tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: method } },
      parent,
    );
    let failed = false;
    try {
      await tracing.within(trace.setSpan(parent, span), next);
    } catch (error) {
      failed = true;
      span.recordException(error instanceof Error ? error : String(error));
      throw error;
    } finally {
      const route = routeLabelOf(ctx as unknown as { path: string; _matchedRoute?: unknown });
      const status = failed ? 500 : ctx.status;
      span.updateName(`${method} ${route}`);
      span.setAttribute(ATTR_HTTP_ROUTE, route);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
};
