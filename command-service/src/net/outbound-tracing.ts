import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import { traceHeadersOf, type Tracing } from '../observability/tracing.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const REDACTED = 'REDACTED';

/**
 * A URL as a span may show it: no user or password, every query value and the fragment removed, and each path
 * segment that could be a credential (16 characters or more, or holding a `:`) replaced. Tenants' webhook URLs
 * carry their secrets in the path as often as in the query: Slack's `/services/T…/B…/<token>`, Telegram's
 * `/bot<id>:<token>/`, signed URLs' `?sig=`.
 */
export const redactedUrl = (url: URL): string => {
  const path = url.pathname
    .split('/')
    .map((segment) => (segment.length >= 16 || segment.includes(':') ? REDACTED : segment))
    .join('/');
  const keys = [...url.searchParams.keys()];
  const query =
    keys.length === 0 ? '' : `?${keys.map((k) => `${encodeURIComponent(k)}=${REDACTED}`).join('&')}`;
  return `${url.protocol}//${url.host}${path}${query}`;
};

/** One outbound request's client span, ended with its answer or its failure. */
export interface OutboundSpan {
  /** The W3C trace context to send with the request: the client span as the receiver's parent. */
  readonly headers: { readonly traceparent: string; readonly tracestate?: string };
  answered(status: number): void;
  failed(error: unknown): void;
}

/**
 * A client span (OpenTelemetry HTTP conventions) for one request, a child of the current span; undefined when
 * tracing is off, so that the guard then adds no header and does no work. `hop` counts the redirects followed
 * before this request (`http.request.resend_count`).
 */
export const outboundSpan = (
  tracing: Tracing | undefined,
  method: string,
  url: URL,
  hop: number,
): OutboundSpan | undefined => {
  const tracer = tracing?.tracer;
  if (tracing === undefined || tracer === undefined) return undefined;
  const known = METHODS.has(method) ? method : '_OTHER';
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  const span: Span = tracer.startSpan(
    known,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: known,
        [ATTR_SERVER_ADDRESS]: url.hostname.replace(/^\[|\]$/g, ''),
        [ATTR_SERVER_PORT]: port,
        [ATTR_URL_FULL]: redactedUrl(url),
        ...(hop > 0 && { [ATTR_HTTP_REQUEST_RESEND_COUNT]: hop }),
      },
    },
    tracing.current(),
  );
  // Sent even when the span is not recorded (sampled out): the receiver then knows not to sample either.
  const headers = traceHeadersOf(span.spanContext());
  return {
    headers,
    answered: (status) => {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      // A client span is in error from 4xx on (the HTTP conventions), the answer's class its error type.
      if (status >= 400) {
        span.setAttribute(ATTR_ERROR_TYPE, String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
    failed: (error) => {
      span.setAttribute(ATTR_ERROR_TYPE, error instanceof Error ? error.name : 'unknown');
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
};

/**
 * `fetch` for the platform's own provider clients (addresses the operator set, not tenants: no guard), with the
 * same client span and traceparent as a guarded request's; undefined when tracing is off, so that a client keeps
 * its own fetch and nothing is wrapped.
 */
export const tracedFetch = (
  tracing: Tracing,
  base: typeof fetch = globalThis.fetch,
): typeof fetch | undefined => {
  if (tracing.tracer === undefined) return undefined;
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request?.url ?? String(input));
    // What never leaves the process (the OpenAI SDK fetches a data: URL to build a multipart body) is no request.
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return base(input, init);
    const span = outboundSpan(tracing, (init?.method ?? request?.method ?? 'GET').toUpperCase(), url, 0);
    const headers = new Headers(init?.headers ?? request?.headers);
    if (span !== undefined) {
      headers.set('traceparent', span.headers.traceparent);
      if (span.headers.tracestate !== undefined) headers.set('tracestate', span.headers.tracestate);
    }
    try {
      const response = await base(input, { ...init, headers });
      span?.answered(response.status);
      return response;
    } catch (error) {
      span?.failed(error);
      throw error;
    }
  };
};
