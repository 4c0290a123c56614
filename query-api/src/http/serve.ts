import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { TenantId, parseWith, type PlanTier } from '@ccp/schemas';
import {
  CommandRejected,
  authorize,
  type PlanOf,
  authenticate,
  requireCredential,
  tenantOfQuery,
  type ApiState,
  type Auth,
} from '@ccp/command-service';
import type { QueryRoute, Scope } from './route.js';

const TenantParam = z.object({ tenantId: TenantId.optional() });
/** Public routes read for nobody in particular: no tenant, no role. */
const PUBLIC_SCOPE: Scope = { actor: { kind: 'system', id: 'public' }, tenantId: '' };

const parse = <S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): z.output<S> => {
  if (!schema) return {} as z.output<S>;
  const parsed = parseWith(schema, value);
  if (!parsed.ok) {
    throw new CommandRejected(
      400,
      parsed.error.code,
      `${where}: ${parsed.error.message}`,
      parsed.error.field,
    );
  }
  return parsed.value;
};

const json = bodyParser({ enableTypes: ['json'], jsonLimit: '16kb', encoding: 'utf-8' });

/** The route's JSON body, parsed with its schema (an absent body is an empty object); nothing when it has none. */
const bodyOf = async (route: QueryRoute, ctx: Context): Promise<unknown> => {
  if (!route.body) return {};
  try {
    await json(ctx, () => Promise.resolve());
  } catch {
    throw new CommandRejected(400, 'INVALID_BODY', 'body: not a JSON object this route takes', 'body');
  }
  const raw = (ctx.request as { body?: unknown }).body;
  return parse(route.body, raw ?? {}, 'body');
};

/**
 * Authorizes a read by its route (the one check of every route: tenant, role, API key scope, tier) and says
 * which tenant it reads: the credentials' own. A super admin names one with `tenantId`; anyone else may repeat
 * their own but never name another, so a changed parameter is refused rather than quietly ignored.
 */
export const scopeOf = async (
  route: QueryRoute,
  state: ApiState,
  query: Record<string, unknown>,
  planOf: PlanOf,
): Promise<Scope> => {
  const credential = requireCredential(state);
  const { actor } = credential;
  const access = { ...route, action: route.summary.toLowerCase() };
  if (actor.role === 'super_admin') {
    await authorize(credential, access, {});
    const named = parse(TenantParam, { tenantId: query['tenantId'] }, 'query').tenantId;
    if (route.platformWide) return { actor, tenantId: named ?? '*' };
    if (named === undefined) {
      throw new CommandRejected(
        400,
        'TENANT_REQUIRED',
        'name the tenant to read with ?tenantId=',
        'tenantId',
      );
    }
    return { actor, tenantId: named };
  }
  const named = tenantOfQuery(query, credential);
  if (named === undefined || named === '*') {
    throw new CommandRejected(403, 'FORBIDDEN_TENANT', 'these credentials belong to no tenant');
  }
  await authorize(credential, access, { tenantId: named }, planOf);
  return { actor, tenantId: named };
};

/** Mounts every route with authentication, its role check, its tenant scope and parsed parameters. */
export const serveRoutes = (
  routes: readonly QueryRoute[],
  auth: Auth,
  planOf: (tenantId: string) => Promise<PlanTier>,
): Middleware => {
  const router = new Router<ApiState>();
  router.use(authenticate(auth));
  for (const route of routes) {
    router[route.method](route.path, async (ctx) => {
      const query = ctx.query as Record<string, unknown>;
      if (route.public) {
        const result = await route.handle({
          scope: PUBLIC_SCOPE,
          query: parse(route.query, query, 'query'),
          params: parse(route.params, ctx.params, 'path'),
          body: await bodyOf(route, ctx),
          ctx,
        });
        if ('body' in result) ctx.body = result.body;
        return;
      }
      const scope = await scopeOf(route, ctx.state, query, planOf);
      const { tenantId: _ignored, ...rest } = query;
      const result = await route.handle({
        scope,
        query: parse(route.query, rest, 'query'),
        params: parse(route.params, ctx.params, 'path'),
        body: await bodyOf(route, ctx),
        ctx,
      });
      if ('body' in result) ctx.body = result.body;
    });
  }
  return router.routes() as unknown as Middleware;
};
