import { LiveMetrics, liveMetrics } from '../live/metrics.js';
import { defineRoute, type QueryRoute } from '../http/route.js';
import type { QueryDependencies } from './dependencies.js';
import { ROLE_MATRIX } from './role-matrix.js';
import { reportContextOf } from './route-helpers.js';

/** The live dashboard: metrics now, and as Server-Sent Events each time they change. */
export const liveRoutes = (deps: QueryDependencies): QueryRoute[] => {
  const reportContext = reportContextOf(deps);

  return [
    defineRoute({
      method: 'get',
      path: '/api/live',
      operationId: 'liveMetrics',
      summary: 'Read live metrics now',
      tag: 'live',
      roles: ROLE_MATRIX.dashboards,
      scope: 'read',
      response: LiveMetrics,
      handle: async ({ scope }) => {
        const { store, tenantId, timeZone, now } = await reportContext(scope);
        return { body: await liveMetrics(store, tenantId, timeZone, now) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/live/stream',
      operationId: 'liveMetricsStream',
      summary: 'Follow live metrics as Server-Sent Events',
      tag: 'live',
      roles: ROLE_MATRIX.dashboards,
      scope: 'read',
      response: {
        mediaType: 'text/event-stream',
        description: 'A `metrics` event carrying LiveMetrics JSON each time they change',
      },
      handle: async ({ scope, ctx }) => {
        deps.live.watch(ctx, scope.tenantId);
        return { streamed: true };
      },
    }),
  ];
};
