import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { CommandRejected } from '../application/errors.js';
import type { MetricsRegistry } from '../observability/metrics.js';

export const METRICS_PATH = '/metrics';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * `GET /metrics`: the registry in Prometheus's text format, for a scraper holding the scrape token
 * (`Authorization: Bearer <METRICS_TOKEN>`). No token configured: the endpoint is off and answers 404, as if it
 * did not exist, so that an operator who never set one exposes nothing. A missing or wrong token is a 401; the
 * comparison takes the same time whatever the guess (digests of equal length, compared in constant time).
 */
export const metricsEndpoint = (options: {
  readonly registry: MetricsRegistry;
  readonly token: string | undefined;
}): Middleware => {
  const expected = options.token === undefined ? undefined : digest(options.token);
  return async (ctx, next) => {
    if (ctx.path !== METRICS_PATH) return next();
    if (expected === undefined) {
      throw new CommandRejected(404, 'NOT_FOUND', `no route ${ctx.method} ${ctx.path}`);
    }
    const header = ctx.get('authorization');
    const given = /^Bearer ([\x21-\x7e]+)$/.exec(header)?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new CommandRejected(
        401,
        'UNAUTHENTICATED',
        'send the scrape token: Authorization: Bearer <token>',
      );
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.set('Allow', 'GET, HEAD');
      ctx.status = 405;
      ctx.body = { error: { code: 'METHOD_NOT_ALLOWED', message: `${METRICS_PATH} answers GET` } };
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.type = options.registry.contentType;
    ctx.body = await options.registry.metrics();
  };
};
