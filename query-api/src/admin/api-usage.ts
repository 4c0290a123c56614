import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Context, Middleware } from 'koa';
import type { ApiState } from '@ccp/command-service';
import type { InsertRow, ReadStore } from '@ccp/projections';
import { isoOf } from '../calls/calls.js';

export interface RequestRecorder {
  /** Goes in front of every API route: it reads who called and how it ended once the route is done. */
  readonly middleware: Middleware;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Koa-router names the route pattern that matched; ids in paths must not become separate "routes". */
const routeOf = (ctx: Context): string => {
  const matched = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
  return typeof matched === 'string' ? matched : 'unmatched';
};

/**
 * Records every /api request into api_requests, in batches (one insert per second at most), so logging never
 * adds a read-store round trip to a request. A full buffer drops the oldest rows rather than grow: usage logs
 * are for reading trends, not an audit trail (commands are in the event log).
 */
export const createRequestRecorder = (options: {
  readonly readStore: () => ReadStore | undefined;
  readonly log: (message: string) => void;
  readonly flushMs?: number;
  readonly maxBuffer?: number;
}): RequestRecorder => {
  const max = options.maxBuffer ?? 10_000;
  let buffer: InsertRow[] = [];
  let flushing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    flushing = flushing.then(async () => {
      const store = options.readStore();
      if (buffer.length === 0 || !store) return;
      const rows = buffer;
      buffer = [];
      try {
        await store.insert('api_requests', rows);
      } catch (error) {
        options.log(`api usage log: ${rows.length} requests not recorded: ${String(error)}`);
      }
    });
    return flushing;
  };
  const timer = setInterval(() => void flush(), options.flushMs ?? 1_000);
  timer.unref();

  const middleware: Middleware<ApiState> = async (ctx, next) => {
    if (!ctx.path.startsWith('/api/')) return next();
    const started = performance.now();
    let failed: number | undefined;
    try {
      await next();
    } catch (error) {
      // Refusals become their status in errorBodies, outside this middleware: read it off the error.
      const status = (error as { status?: unknown }).status;
      failed = typeof status === 'number' ? status : 500;
      throw error;
    } finally {
      const actor = ctx.state.actor;
      buffer.push({
        tenant_id: actor?.tenantId ?? '',
        at: new Date(),
        request_id: randomUUID(),
        credential_kind: actor?.kind ?? 'anonymous',
        credential: actor?.id ?? '',
        method: ctx.method,
        route: routeOf(ctx),
        status: failed ?? ctx.status,
        duration_ms: performance.now() - started,
        client_ip: ctx.ip,
      });
      if (buffer.length > max) buffer.splice(0, buffer.length - max);
    }
  };

  return {
    middleware: middleware as Middleware,
    flush,
    close: async () => {
      clearInterval(timer);
      await flush();
    },
  };
};

export const ApiUsageQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export const ApiUsageReport = z.object({
  credentials: z.array(
    z.object({
      tenantId: z.string(),
      kind: z.string(),
      credential: z.string(),
      requests: z.number().int(),
      errors: z.number().int(),
      p50Ms: z.number().nullable(),
      p95Ms: z.number().nullable(),
      lastAt: z.string().nullable(),
    }),
  ),
  routes: z.array(z.object({ method: z.string(), route: z.string(), requests: z.number().int() })),
});

/** Requests per credential and per route; `tenantId` '*' reads every tenant (super admins). */
export const apiUsage = async (
  store: ReadStore,
  tenantId: string,
  range: { from: Date; to: Date },
): Promise<z.infer<typeof ApiUsageReport>> => {
  const where = `${tenantId === '*' ? '1' : 'tenant_id = {tenantId:String}'}
    AND at >= {from:DateTime64(3, 'UTC')} AND at < {to:DateTime64(3, 'UTC')}`;
  const params = { tenantId, from: range.from, to: range.to };
  const credentials = await store.query<Record<string, unknown>>(
    `SELECT tenant_id, credential_kind, credential, count() AS requests, countIf(status >= 400) AS errors,
            quantile(0.5)(duration_ms) AS p50, quantile(0.95)(duration_ms) AS p95, toString(max(at)) AS last_at
       FROM api_requests FINAL WHERE ${where}
      GROUP BY tenant_id, credential_kind, credential ORDER BY requests DESC LIMIT 500`,
    params,
  );
  const routes = await store.query<Record<string, unknown>>(
    `SELECT method, route, count() AS requests FROM api_requests FINAL WHERE ${where}
      GROUP BY method, route ORDER BY requests DESC LIMIT 100`,
    params,
  );
  return {
    credentials: credentials.map((r) => ({
      tenantId: String(r['tenant_id']),
      kind: String(r['credential_kind']),
      credential: String(r['credential']),
      requests: Number(r['requests']),
      errors: Number(r['errors']),
      p50Ms: r['p50'] === null ? null : Number(r['p50']),
      p95Ms: r['p95'] === null ? null : Number(r['p95']),
      lastAt: isoOf(r['last_at']),
    })),
    routes: routes.map((r) => ({
      method: String(r['method']),
      route: String(r['route']),
      requests: Number(r['requests']),
    })),
  };
};
