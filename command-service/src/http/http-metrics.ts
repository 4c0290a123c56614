import type { Middleware } from 'koa';
import { Counter, Histogram } from 'prom-client';
import { FAST_SECONDS, type MetricsRegistry } from '../observability/metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Paths answered outside any router: named as themselves, being fixed. */
const FIXED_PATHS = new Set(['/health', '/metrics']);

/**
 * The route a request matched, as its router declares it (`/api/calls/:callId`), never the raw URL: a raw path
 * holds ids, and every distinct one would be a series of its own. What no router matched (the console's pages
 * and assets, unknown paths) is `other`.
 */
export const routeLabelOf = (ctx: { readonly path: string; readonly _matchedRoute?: unknown }): string => {
  const matched = ctx._matchedRoute;
  if (typeof matched === 'string') return matched;
  if (matched instanceof RegExp) return matched.source;
  return FIXED_PATHS.has(ctx.path) ? ctx.path : 'other';
};

/**
 * Every HTTP request by method, route template and status, with its duration up to the answer's headers (a
 * streamed body, such as a live feed or a download, goes on after). Put first, so it sees the status the error
 * handler and the rate limiter gave.
 */
export const httpMetrics = (registry: MetricsRegistry): Middleware => {
  const requests = new Counter({
    name: 'ccp_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'ccp_http_request_duration_seconds',
    help: "Time from a request to its answer's headers, by method and route template",
    labelNames: ['method', 'route'],
    buckets: FAST_SECONDS,
    registers: [registry],
  });
  return async (ctx, next) => {
    const started = performance.now();
    let failed = false;
    try {
      await next();
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      const labels = {
        method: METHODS.has(ctx.method) ? ctx.method : 'other',
        route: routeLabelOf(ctx as unknown as { path: string; _matchedRoute?: unknown }),
      };
      requests.inc({ ...labels, status: failed ? '500' : String(ctx.status) });
      duration.observe(labels, (performance.now() - started) / 1000);
    }
  };
};
