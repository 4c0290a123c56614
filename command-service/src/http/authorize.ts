import {
  ApiKeyRole,
  tierAllows,
  type Actor,
  type ApiKeyScope,
  type PlanFeature,
  type PlanTier,
  type Role,
} from '@ccp/schemas';
import { CommandRejected } from '../application/errors.js';

/** Every role a tenant's people and keys can have: what "anyone signed in" means in a route table. */
export const TENANT_ROLES = ApiKeyRole.options;

/** A credential as presented with a request: who it acts as, and what an API key was limited to. */
export interface Credential {
  readonly actor: Actor;
  /** An API key's scopes; `all` for a session: a person signed in holds every scope of their role. */
  readonly scopes: readonly ApiKeyScope[] | 'all';
}

/** Sessions, and whatever runs inside the platform, hold every scope. */
export const fullCredential = (actor: Actor): Credential => ({ actor, scopes: 'all' });

/** What one route asks of a credential: the same three questions for commands, reads and telephony. */
export interface Access {
  /** Tenant roles allowed; super admins and the platform itself always are. */
  readonly roles: readonly Role[];
  /**
   * The API key scope needed. `session`: a person signed in, never an API key (what could turn a key into a
   * session, such as setting a password). `any`: whatever the credential, e.g. asking who one is.
   */
  readonly scope: ApiKeyScope | 'session' | 'any';
  /** What the route does, for refusals: "the viewer role may not <action>". */
  readonly action: string;
  /** The permission scope the tenant's tier must grant (super admins act regardless). */
  readonly feature?: PlanFeature;
  /** A member may do it to themselves whatever their role (their own password, their own sessions). */
  readonly self?: boolean;
}

/**
 * Where a route finds the tenant it acts on. `body`: the JSON body's tenantId. `query`: `?tenantId=`, else the
 * credential's own. `member`: the tenant of the member the request names; another tenant's member is answered as
 * not found, so that nobody learns who is on another team. `credential`: always the caller's own.
 */
export type TenantFrom = 'body' | 'query' | 'member' | 'credential';

/** One HTTP route in an authorization table: the router serves it and the matrix test is generated from it. */
export interface RouteAccess extends Access {
  readonly method: 'get' | 'post' | 'put' | 'delete';
  /** Koa-router style, e.g. `/api/members/:userId/password`. */
  readonly path: string;
  readonly tenant: TenantFrom;
  /** Answered without credentials (signing in); the other fields do not apply. */
  readonly public?: boolean;
  /** Ends the credential that calls it (signing out). */
  readonly endsSession?: boolean;
}

/** What a request acts on, as far as it is known before its body is validated. */
export interface Target {
  /** The tenant acted on; undefined when the request names none (validation refuses it next). */
  readonly tenantId?: string | undefined;
  /** Another tenant's entity is answered with this 404 rather than a 403 that would confirm it exists. */
  readonly hidden?: CommandRejected;
  /** The request acts on the caller themselves. */
  readonly self?: boolean;
}

/**
 * Looks up a tenant's tier, for routes that need a plan feature and for API keys (which need API access): every
 * route an API key can call passes one.
 */
export type PlanOf = (tenantId: string) => Promise<PlanTier>;

const FEATURE_NAMES: Record<PlanFeature, string> = {
  exports: 'exports',
  api_access: 'API access',
  audit_trail: 'the audit trail',
  scheduled_reports: 'saved and scheduled reports',
  white_label: 'white label',
  outbound_campaigns: 'outbound campaigns',
};

const requireFeature = (tier: PlanTier, feature: PlanFeature): void => {
  if (!tierAllows(tier, feature)) {
    throw new CommandRejected(
      403,
      'PLAN_FEATURE',
      `the ${tier} plan does not include ${FEATURE_NAMES[feature]}; a super admin can change the tenant's plan`,
    );
  }
};

const isPlatform = (actor: Actor): boolean => actor.kind === 'system' || actor.role === 'super_admin';

/**
 * The one authorization check of every route: the tenant first (so another tenant's caller learns nothing,
 * not even which roles could), then the role, then the API key's scope, then the tenant's tier. It runs before
 * the request body is validated: a refused caller cannot tell a valid request from an invalid one.
 */
export const authorize = async (
  credential: Credential,
  access: Access,
  target: Target,
  planOf?: PlanOf,
): Promise<void> => {
  const { actor } = credential;
  const platform = isPlatform(actor);
  if (!platform && target.tenantId !== undefined && target.tenantId !== actor.tenantId) {
    if (target.hidden) throw target.hidden;
    throw new CommandRejected(
      403,
      'FORBIDDEN_TENANT',
      `you may not act on tenant ${target.tenantId}`,
      'tenantId',
    );
  }
  const roleAllows = actor.role !== undefined && access.roles.includes(actor.role);
  if (!platform && !roleAllows && !(access.self === true && target.self === true)) {
    throw new CommandRejected(
      403,
      'FORBIDDEN_ROLE',
      `the ${actor.role ?? 'anonymous'} role may not ${access.action}`,
    );
  }
  const { scopes } = credential;
  if (scopes !== 'all' && access.scope !== 'any') {
    if (access.scope === 'session') {
      throw new CommandRejected(
        403,
        'FORBIDDEN_SCOPE',
        `an API key may not ${access.action}: sign in as a person`,
      );
    }
    if (!scopes.includes(access.scope)) {
      throw new CommandRejected(403, 'FORBIDDEN_SCOPE', `this API key lacks the ${access.scope} scope`);
    }
  }
  if (platform || planOf === undefined) return;
  // Nothing to ask about (no tenant): nothing is granted.
  const tierOf = (tenantId: string | undefined): Promise<PlanTier> =>
    tenantId === undefined ? Promise.resolve('free') : planOf(tenantId);
  // An API key is a credential only on a tier with API access: its own tenant's, whatever the route acts on.
  if (scopes !== 'all') requireFeature(await tierOf(actor.tenantId), 'api_access');
  if (access.feature) requireFeature(await tierOf(target.tenantId ?? actor.tenantId), access.feature);
};

/**
 * The roles a credential of each role may hand out (to an API key): only roles that can do nothing it cannot.
 * Derived from the route tables and checked against them by the authorization matrix test: an analyst sees
 * everything a viewer does, a supervisor everything an agent does, while compliance's audit trail and the
 * supervisor's configuration rights make neither a superset of the other.
 */
export const GRANTABLE_ROLES: Readonly<Record<Role, readonly Role[]>> = {
  super_admin: TENANT_ROLES,
  tenant_admin: TENANT_ROLES,
  supervisor: ['supervisor', 'agent'],
  agent: ['agent'],
  analyst: ['analyst', 'viewer'],
  compliance: ['compliance', 'viewer'],
  viewer: ['viewer'],
};

/**
 * A credential never grants more than it holds: the API key it issues, rotates or re-enables has a role its own
 * role covers and scopes it holds itself (a session holds every scope).
 */
export const requireWithinOwnAccess = (
  credential: Credential,
  key: { readonly role: Role; readonly scopes: readonly ApiKeyScope[] },
): void => {
  const { actor, scopes } = credential;
  if (actor.kind === 'system') return;
  if (actor.role === undefined || !GRANTABLE_ROLES[actor.role].includes(key.role)) {
    throw new CommandRejected(
      403,
      'FORBIDDEN_GRANT',
      `a ${actor.role ?? 'roleless'} credential may not hand out the ${key.role} role`,
      'role',
    );
  }
  if (scopes === 'all') return;
  const beyond = key.scopes.filter((scope) => !scopes.includes(scope));
  if (beyond.length > 0) {
    throw new CommandRejected(
      403,
      'FORBIDDEN_GRANT',
      `this API key may not hand out scopes it lacks: ${beyond.join(', ')}`,
      'scopes',
    );
  }
};

/**
 * A command as its route declares it: its roles, the `commands` scope unless it names another, and the plan
 * feature it needs, if any.
 */
export const commandAccess = (route: {
  readonly definition: { readonly type: string };
  readonly roles: readonly Role[];
  readonly scope?: ApiKeyScope;
  readonly feature?: PlanFeature;
}): Access => ({
  roles: route.roles,
  scope: route.scope ?? 'commands',
  action: route.definition.type,
  ...(route.feature === undefined ? {} : { feature: route.feature }),
});

/** The tenantId a raw, not yet validated body names, if it names one as a string. */
export const tenantIdIn = (body: unknown): string | undefined => {
  const tenantId = (body as { tenantId?: unknown } | null | undefined)?.tenantId;
  return typeof tenantId === 'string' ? tenantId : undefined;
};
