import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { TenantId, parseWith, tierAllows, type PlanFeature, type PlanTier } from '@ccp/schemas';
import { CommandRejected } from '../../../command-service/src/application/errors.js';
import { authenticate, requireActor, type ApiState } from '../../../command-service/src/http/command-api.js';
import type { Auth } from '../../../command-service/src/identity/auth.js';
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

/**
 * The tenant a request reads: the credentials' own. A super admin names one with `tenantId`; anyone else may
 * repeat their own but never name another, so a changed parameter is refused rather than quietly ignored.
 */
export const scopeOf = (
  route: QueryRoute,
  state: ApiState,
  query: Record<string, unknown>,
  keyScopes: readonly string[] | undefined,
): Scope => {
  const actor = requireActor(state);
  if (keyScopes !== undefined && !keyScopes.includes(route.scope)) {
    throw new CommandRejected(403, 'FORBIDDEN_SCOPE', `this API key lacks the ${route.scope} scope`);
  }
  const isSuperAdmin = actor.role === 'super_admin';
  if (!isSuperAdmin && (actor.role === undefined || !route.roles.includes(actor.role))) {
    throw new CommandRejected(
      403,
      'FORBIDDEN_ROLE',
      `the ${actor.role ?? 'unknown'} role may not ${route.summary.toLowerCase()}`,
    );
  }
  const named = parse(TenantParam, { tenantId: query['tenantId'] }, 'query').tenantId;
  if (isSuperAdmin) {
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
  const own = actor.tenantId;
  if (own === undefined || own === '*') {
    throw new CommandRejected(403, 'FORBIDDEN_TENANT', 'these credentials belong to no tenant');
  }
  if (named !== undefined && named !== own) {
    throw new CommandRejected(403, 'FORBIDDEN_TENANT', 'you may only read your own tenant', 'tenantId');
  }
  return { actor, tenantId: own };
};

const FEATURE_NAMES: Record<PlanFeature, string> = {
  exports: 'exports',
  api_access: 'API access',
  audit_trail: 'the audit trail',
  scheduled_reports: 'saved and scheduled reports',
  white_label: 'white label',
};

/**
 * The tenant's tier must grant what the route needs, and API access when the credential is an API key. Super
 * admins read any tenant whatever its tier: they support tenants on every plan.
 */
const requireFeatures = async (
  route: QueryRoute,
  scope: Scope,
  byApiKey: boolean,
  planOf: (tenantId: string) => Promise<PlanTier>,
): Promise<void> => {
  if (scope.actor.role === 'super_admin' || scope.tenantId === '*') return;
  const needed = [...(byApiKey ? (['api_access'] as const) : []), ...(route.feature ? [route.feature] : [])];
  if (needed.length === 0) return;
  const tier = await planOf(scope.tenantId);
  for (const feature of needed) {
    if (!tierAllows(tier, feature)) {
      throw new CommandRejected(
        403,
        'PLAN_FEATURE',
        `the ${tier} plan does not include ${FEATURE_NAMES[feature]}; a super admin can change the tenant's plan`,
      );
    }
  }
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
          ctx,
        });
        if ('body' in result) ctx.body = result.body;
        return;
      }
      const bearer = ctx.state.bearer;
      const keyScopes = bearer !== undefined ? auth.scopesOf(bearer) : undefined;
      const scope = scopeOf(route, ctx.state, query, keyScopes);
      await requireFeatures(route, scope, keyScopes !== undefined, planOf);
      const { tenantId: _ignored, ...rest } = query;
      const result = await route.handle({
        scope,
        query: parse(route.query, rest, 'query'),
        params: parse(route.params, ctx.params, 'path'),
        ctx,
      });
      if ('body' in result) ctx.body = result.body;
    });
  }
  return router.routes() as unknown as Middleware;
};
