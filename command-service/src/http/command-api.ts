import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { commandJsonSchema, Email, IssueApiKey, parseWith, TenantId, type Actor } from '@ccp/schemas';
import type { CommandHandler } from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import type { Auth } from '../identity/auth.js';
import type { Member } from '../identity/identity-store.js';
import {
  authorize,
  commandAccess,
  TENANT_ROLES,
  tenantIdIn,
  type Credential,
  type RouteAccess,
  type Target,
} from './authorize.js';
import { SignInThrottled } from '../identity/sign-in-throttle.js';

export interface CommandApiOptions {
  readonly handler: CommandHandler;
  readonly auth: Auth;
  /** Largest JSON body accepted; larger ones get a 413 and change nothing. */
  readonly bodyLimit?: string;
}

export interface ApiState {
  actor?: Actor;
  /** The actor with the scopes its credential holds: what every route is authorized against. */
  credential?: Credential;
  bearer?: string;
}

const bearerOf = (ctx: Context): string | undefined => {
  const header = ctx.get('authorization');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
};

/** Puts the caller's identity on ctx.state; routes that need one call `requireActor`. */
export const authenticate =
  (auth: Auth): Middleware<ApiState> =>
  async (ctx, next) => {
    const bearer = bearerOf(ctx);
    if (bearer) {
      const credential = await auth.authenticate(bearer);
      if (!credential) {
        throw new CommandRejected(401, 'UNAUTHENTICATED', 'the session or API key is not valid');
      }
      ctx.state.actor = credential.actor;
      ctx.state.credential = credential;
      ctx.state.bearer = bearer;
    }
    await next();
  };

export const requireActor = (state: ApiState): Actor => requireCredential(state).actor;

export const requireCredential = (state: ApiState): Credential => {
  if (!state.credential) throw new CommandRejected(401, 'UNAUTHENTICATED', 'sign in or send an API key');
  return state.credential;
};

/** The tenant a `?tenantId=` names, or the credential's own; named twice is a bad request, not a guess. */
export const tenantOfQuery = (query: Record<string, unknown>, credential: Credential): string | undefined => {
  const named = query['tenantId'];
  if (named === undefined) return credential.actor.tenantId;
  if (typeof named !== 'string') {
    throw new CommandRejected(400, 'VALIDATION_FAILED', 'tenantId: name one tenant', 'tenantId');
  }
  return named;
};

const parseBody = <S extends z.ZodType>(schema: S, body: unknown): z.output<S> => {
  const parsed = parseWith(schema, body);
  if (!parsed.ok) throw new CommandRejected(400, parsed.error.code, parsed.error.message, parsed.error.field);
  return parsed.value;
};

const requireJson: Middleware = async (ctx, next) => {
  if (ctx.method === 'POST' || ctx.method === 'PUT') {
    if (!ctx.is('application/json')) {
      throw new CommandRejected(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
    }
  }
  await next();
};

/** A sign-in step refused for a while (account or second factor locked) says for how long. */
const retryAfterOfLocks: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (error instanceof SignInThrottled) ctx.set('Retry-After', String(error.retryAfterSeconds));
    throw error;
  }
};

const LoginBody = z.object({ email: Email, password: z.string().min(1).max(200) });
// A member is named by id in a tenant: the one the body names, else the caller's own (see memberNamed).
const PasswordBody = z.object({ password: z.string(), tenantId: TenantId.optional() });
// The command's own rules (role, scopes and their default), minus what the platform chooses.
const ApiKeyBody = IssueApiKey.data.pick({ tenantId: true, name: true, role: true, scopes: true });
const IdempotencyKey = z.string().min(8).max(200);
const MfaLoginBody = z.object({ challenge: z.string().min(1).max(200), code: z.string().min(1).max(20) });
const CodeBody = z.object({ code: z.string().min(1).max(20) });
const IdTokenBody = z.object({ idToken: z.string().min(20).max(20_000) });
const RevokeSessionsBody = z.object({ userId: z.string().min(1).max(80), tenantId: TenantId.optional() });
const MEMBER_NOT_FOUND = new CommandRejected(404, 'MEMBER_NOT_FOUND', 'no such member', 'userId');
const RotateKeyBody = z.object({ tenantId: z.string().min(1).max(40) });

const anyone = { roles: TENANT_ROLES, tenant: 'credential' } as const;
const admins = { roles: ['tenant_admin'], scope: 'admin' } as const;

/**
 * Every route of this API with what it asks of a credential; commands are declared with their routes
 * (`commandRoutes`). Credentials are managed with the `admin` scope and never beyond the caller's own access; a
 * password is set only by a person signed in, since a password opens a session with every scope.
 */
export const COMMAND_API_ROUTES = {
  login: {
    method: 'post',
    path: '/api/auth/login',
    action: 'sign in',
    public: true,
    ...anyone,
    scope: 'any',
  },
  oidc: { method: 'post', path: '/api/auth/oidc', action: 'sign in', public: true, ...anyone, scope: 'any' },
  mfaLogin: {
    method: 'post',
    path: '/api/auth/login/mfa',
    action: 'sign in',
    public: true,
    ...anyone,
    scope: 'any',
  },
  me: { method: 'get', path: '/api/auth/me', action: 'say who they are', ...anyone, scope: 'any' },
  logout: {
    method: 'post',
    path: '/api/auth/logout',
    action: 'sign out',
    ...anyone,
    scope: 'any',
    endsSession: true,
  },
  startTotp: {
    method: 'post',
    path: '/api/auth/mfa/totp',
    action: 'enrol a second factor',
    ...anyone,
    scope: 'session',
  },
  confirmTotp: {
    method: 'post',
    path: '/api/auth/mfa/totp/confirm',
    action: 'enrol a second factor',
    ...anyone,
    scope: 'session',
  },
  disableTotp: {
    method: 'post',
    path: '/api/auth/mfa/totp/disable',
    action: 'turn a second factor off',
    ...anyone,
    scope: 'session',
  },
  sessions: {
    method: 'get',
    path: '/api/auth/sessions',
    action: 'list sessions',
    ...anyone,
    scope: 'session',
  },
  endSession: {
    method: 'delete',
    path: '/api/auth/sessions/:sessionId',
    action: 'end a session',
    ...anyone,
    scope: 'session',
  },
  endSessionsOf: {
    method: 'post',
    path: '/api/auth/sessions/revoke',
    action: 'end other people’s sessions',
    ...admins,
    tenant: 'member',
    self: true,
  },
  setPassword: {
    method: 'put',
    path: '/api/members/:userId/password',
    action: 'set other people’s passwords',
    roles: ['tenant_admin'],
    scope: 'session',
    tenant: 'member',
    self: true,
  },
  listApiKeys: { method: 'get', path: '/api/api-keys', action: 'list API keys', ...admins, tenant: 'query' },
  issueApiKey: { method: 'post', path: '/api/api-keys', action: 'issue API keys', ...admins, tenant: 'body' },
  rotateApiKey: {
    method: 'post',
    path: '/api/api-keys/:keyId/rotate',
    action: 'rotate API keys',
    ...admins,
    tenant: 'body',
  },
  reinstateApiKey: {
    method: 'post',
    path: '/api/api-keys/:keyId/reinstate',
    action: 're-enable API keys',
    ...admins,
    tenant: 'body',
  },
  commandCatalog: {
    method: 'get',
    path: '/api/commands',
    action: 'list the commands',
    ...anyone,
    scope: 'commands',
  },
} as const satisfies Record<string, RouteAccess>;

/** The write side over HTTP: sign-in, API keys and `POST /api/commands/:type` for every command. */
export const commandApi = (options: CommandApiOptions): Middleware => {
  const { handler, auth } = options;
  const router = new Router<ApiState>({ prefix: '/api' });
  router.use(requireJson);
  router.use(
    bodyParser({ enableTypes: ['json'], jsonLimit: options.bodyLimit ?? '64kb', encoding: 'utf-8' }),
  );
  router.use(retryAfterOfLocks);
  router.use(authenticate(auth));

  /**
   * The member a request names: its `userId` (path or body) in the tenant the body names, else in the caller's
   * own. A super admin is on no tenant's team: naming no tenant, they mean the only tenant with an active member
   * by that id, and are asked to name one when there are several.
   */
  const memberNamed = async (ctx: Context, credential: Credential): Promise<Member | undefined> => {
    const named =
      (ctx.params as Record<string, string | undefined>)['userId'] ??
      (ctx.request.body as { userId?: unknown } | undefined)?.userId;
    if (typeof named !== 'string') return undefined;
    const { actor } = credential;
    const tenantNamed = tenantIdIn(ctx.request.body);
    const tenantId = tenantNamed ?? actor.tenantId;
    const member = tenantId === undefined ? undefined : await auth.member({ tenantId, userId: named });
    if (member?.status === 'active') return member;
    if (tenantNamed === undefined && actor.role === 'super_admin') {
      const found = await auth.activeMembersWithId(named);
      if (found.length > 1) {
        throw new CommandRejected(
          400,
          'TENANT_REQUIRED',
          `members of ${found.length} tenants have the id ${named}: name the tenant with tenantId`,
          'tenantId',
        );
      }
      if (found[0]) return found[0];
    }
    throw MEMBER_NOT_FOUND;
  };

  /** Where a request's tenant is, per its table entry, read before the body is validated. */
  const targetOf = async (
    ctx: Context,
    route: RouteAccess,
    credential: Credential,
  ): Promise<Target & { readonly member?: Member }> => {
    switch (route.tenant) {
      case 'credential':
        return {};
      case 'body':
        return { tenantId: tenantIdIn(ctx.request.body) };
      case 'query':
        return { tenantId: tenantOfQuery(ctx.query, credential) };
      case 'member': {
        const member = await memberNamed(ctx, credential);
        if (!member) return {};
        const { actor } = credential;
        const self =
          actor.kind === 'user' && actor.id === member.userId && actor.tenantId === member.tenantId;
        return { tenantId: member.tenantId, hidden: MEMBER_NOT_FOUND, self, member };
      }
    }
  };

  /** Authorizes a request by its entry in the route table, before its body is validated. */
  const allow = async (
    ctx: Context & { state: ApiState },
    route: RouteAccess,
  ): Promise<{ credential: Credential; target: Target & { readonly member?: Member } }> => {
    const credential = requireCredential(ctx.state);
    const target = await targetOf(ctx, route, credential);
    await authorize(credential, route, target, auth.planOf);
    return { credential, target };
  };
  const routes = COMMAND_API_ROUTES;

  router.post('/auth/login', async (ctx) => {
    const { email, password } = parseBody(LoginBody, ctx.request.body);
    ctx.body = await auth.login(email, password);
  });

  router.post('/auth/oidc', async (ctx) => {
    const { idToken } = parseBody(IdTokenBody, ctx.request.body);
    ctx.body = await auth.loginWithIdToken(idToken);
  });

  router.post('/auth/login/mfa', async (ctx) => {
    const { challenge, code } = parseBody(MfaLoginBody, ctx.request.body);
    ctx.body = await auth.completeMfaLogin(challenge, code);
  });

  router.post('/auth/mfa/totp', async (ctx) => {
    await allow(ctx, routes.startTotp);
    ctx.status = 201;
    ctx.body = await auth.startTotp(requireActor(ctx.state));
  });

  router.post('/auth/mfa/totp/confirm', async (ctx) => {
    await allow(ctx, routes.confirmTotp);
    const { code } = parseBody(CodeBody, ctx.request.body);
    // The session that confirmed stays signed in; the member's other sessions end.
    await auth.confirmTotp(requireActor(ctx.state), code, ctx.state.bearer);
    ctx.status = 204;
  });

  router.post('/auth/mfa/totp/disable', async (ctx) => {
    await allow(ctx, routes.disableTotp);
    const { code } = parseBody(CodeBody, ctx.request.body);
    await auth.disableTotp(requireActor(ctx.state), code);
    ctx.status = 204;
  });

  router.get('/auth/sessions', async (ctx) => {
    const { credential } = await allow(ctx, routes.sessions);
    const { actor } = credential;
    ctx.body = {
      sessions: auth.sessions(actor).map((s) => ({
        sessionId: s.sessionId,
        createdAt: new Date(s.createdAt).toISOString(),
        expiresAt: new Date(s.expiresAt).toISOString(),
      })),
    };
  });

  router.delete('/auth/sessions/:sessionId', async (ctx) => {
    const { credential } = await allow(ctx, routes.endSession);
    auth.revokeSession(credential.actor, ctx.params.sessionId ?? '');
    ctx.status = 204;
  });

  router.post('/auth/sessions/revoke', async (ctx) => {
    const { target } = await allow(ctx, routes.endSessionsOf);
    parseBody(RevokeSessionsBody, ctx.request.body);
    if (!target.member) throw MEMBER_NOT_FOUND;
    await auth.revokeSessionsOf(target.member);
    ctx.status = 204;
  });

  router.get('/api-keys', async (ctx) => {
    const { target } = await allow(ctx, routes.listApiKeys);
    ctx.body = await auth.apiKeys(target.tenantId ?? '');
  });

  router.post('/api-keys/:keyId/rotate', async (ctx) => {
    const { credential } = await allow(ctx, routes.rotateApiKey);
    const { tenantId } = parseBody(RotateKeyBody, ctx.request.body);
    ctx.body = await auth.rotateApiKey(credential, tenantId, ctx.params.keyId ?? '');
  });

  router.post('/api-keys/:keyId/reinstate', async (ctx) => {
    const { credential } = await allow(ctx, routes.reinstateApiKey);
    const { tenantId } = parseBody(RotateKeyBody, ctx.request.body);
    await auth.reinstateApiKey(credential, tenantId, ctx.params.keyId ?? '');
    ctx.body = { keyId: ctx.params.keyId, status: 'active' };
  });

  router.post('/auth/logout', async (ctx) => {
    await allow(ctx, routes.logout);
    if (ctx.state.bearer) auth.logout(ctx.state.bearer);
    ctx.status = 204;
  });

  router.get('/auth/me', async (ctx) => {
    const { credential } = await allow(ctx, routes.me);
    ctx.body = { actor: credential.actor };
  });

  router.put('/members/:userId/password', async (ctx) => {
    const { target } = await allow(ctx, routes.setPassword);
    const { password } = parseBody(PasswordBody, ctx.request.body);
    if (!target.member) throw MEMBER_NOT_FOUND;
    await auth.setPassword(target.member, password);
    ctx.status = 204;
  });

  router.post('/api-keys', async (ctx) => {
    const { credential } = await allow(ctx, routes.issueApiKey);
    const body = parseBody(ApiKeyBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = await auth.issueApiKey(credential, body);
  });

  router.get('/commands', async (ctx) => {
    await allow(ctx, routes.commandCatalog);
    ctx.body = {
      commands: [...handler.routes.values()].map((r) => ({
        type: r.definition.type,
        category: r.definition.category,
        description: r.definition.description,
        roles: r.roles,
        schema: commandJsonSchema(r.definition),
      })),
    };
  });

  router.post('/commands/:type', async (ctx) => {
    const credential = requireCredential(ctx.state);
    const type = ctx.params.type ?? '';
    const route = handler.routes.get(type);
    if (!route) throw new CommandRejected(404, 'UNKNOWN_COMMAND', `there is no command ${type}`);
    // Before the headers and the body are looked at: a refused caller learns nothing from their validity.
    await authorize(
      credential,
      commandAccess(route),
      { tenantId: tenantIdIn(ctx.request.body) },
      auth.planOf,
    );
    const keyHeader = ctx.get('idempotency-key');
    let idempotencyKey: string | undefined;
    if (keyHeader) {
      const key = parseWith(IdempotencyKey, keyHeader);
      if (!key.ok)
        throw new CommandRejected(
          400,
          'VALIDATION_FAILED',
          'Idempotency-Key: 8 to 200 characters',
          'Idempotency-Key',
        );
      idempotencyKey = key.value;
    }
    const correlationId = ctx.get('x-correlation-id') || undefined;
    const result = await handler.handle(type, ctx.request.body, {
      actor: credential.actor,
      ...(credential.scopes !== 'all' && { scopes: credential.scopes }),
      ...(idempotencyKey !== undefined && { idempotencyKey }),
      ...(correlationId !== undefined && { correlationId }),
    });
    if (result.replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.body = result;
  });

  return router.routes() as Middleware;
};
