import type { Context } from 'koa';
import type { z } from 'zod';
import type { Actor, ApiKeyScope, PlanFeature, Role } from '@ccp/schemas';

/** Who a request reads for: always the credentials' tenant, or the one a super admin names. */
export interface Scope {
  readonly actor: Actor;
  readonly tenantId: string;
}

/** What a route's handler answers: a JSON body (validated against `response` in tests), or a stream it wrote. */
export type RouteResult<T> = { readonly body: T } | { readonly streamed: true };

/**
 * One endpoint of the query API, declared once: the router serves it, the OpenAPI document describes it, and the
 * role matrix is read from it. Query and path parameters are parsed with their schemas before the handler runs.
 */
export interface QueryRoute<
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
  R = unknown,
  B extends z.ZodType = z.ZodType,
> {
  readonly method: 'get' | 'post' | 'put' | 'delete';
  /** Koa-router style, e.g. `/api/calls/:callId`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** The roles that may call it (super admins always may). */
  readonly roles: readonly Role[];
  /** The scope an API key needs besides its role (sessions carry their role only). */
  readonly scope: z.infer<typeof ApiKeyScope>;
  readonly query?: Q;
  readonly params?: P;
  /** A JSON request body (POST/PUT only), parsed with this schema before the handler runs. */
  readonly body?: B;
  /** The JSON body on success, or the media type of a streamed answer. */
  readonly response: z.ZodType<R> | { readonly mediaType: string; readonly description: string };
  /** Whether a super admin reads across tenants here (no tenant scope at all). */
  readonly platformWide?: boolean;
  /** Answered without credentials (what a sign-in page needs); `roles` and `scope` do not apply. */
  readonly public?: boolean;
  /** The permission scope the tenant's subscription tier must grant (super admins read regardless). */
  readonly feature?: PlanFeature;
  handle(input: {
    readonly scope: Scope;
    readonly query: z.output<Q>;
    readonly params: z.output<P>;
    readonly body: z.output<B>;
    readonly ctx: Context;
  }): Promise<RouteResult<R>>;
}

/** Declares a route with its types inferred from its schemas. */
export const defineRoute = <Q extends z.ZodType, P extends z.ZodType, R, B extends z.ZodType = z.ZodType>(
  route: QueryRoute<Q, P, R, B>,
): QueryRoute => route as unknown as QueryRoute;
