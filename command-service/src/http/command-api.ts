import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { commandJsonSchema, Email, parseWith, Role, type Actor } from '@ccp/schemas';
import type { CommandHandler } from '../application/command-handler.js';
import { CommandRejected } from '../application/errors.js';
import type { Auth } from '../identity/auth.js';
import { SignInThrottled } from '../identity/sign-in-throttle.js';

export interface CommandApiOptions {
  readonly handler: CommandHandler;
  readonly auth: Auth;
  /** Largest JSON body accepted; larger ones get a 413 and change nothing. */
  readonly bodyLimit?: string;
}

export interface ApiState {
  actor?: Actor;
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
      const actor = await auth.authenticate(bearer);
      if (!actor) throw new CommandRejected(401, 'UNAUTHENTICATED', 'the session or API key is not valid');
      ctx.state.actor = actor;
      ctx.state.bearer = bearer;
    }
    await next();
  };

export const requireActor = (state: ApiState): Actor => {
  if (!state.actor) throw new CommandRejected(401, 'UNAUTHENTICATED', 'sign in or send an API key');
  return state.actor;
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
const PasswordBody = z.object({ password: z.string() });
const ApiKeyBody = z.object({
  tenantId: z.string(),
  name: z.string(),
  role: Role,
  scopes: z.array(z.string()).optional(),
});
const IdempotencyKey = z.string().min(8).max(200);
const MfaLoginBody = z.object({ challenge: z.string().min(1).max(200), code: z.string().min(1).max(20) });
const CodeBody = z.object({ code: z.string().min(1).max(20) });
const IdTokenBody = z.object({ idToken: z.string().min(20).max(20_000) });
const RevokeSessionsBody = z.object({ userId: z.string().min(1).max(80) });
const RotateKeyBody = z.object({ tenantId: z.string().min(1).max(40) });

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
    ctx.status = 201;
    ctx.body = await auth.startTotp(requireActor(ctx.state));
  });

  router.post('/auth/mfa/totp/confirm', async (ctx) => {
    const { code } = parseBody(CodeBody, ctx.request.body);
    // The session that confirmed stays signed in; the member's other sessions end.
    await auth.confirmTotp(requireActor(ctx.state), code, ctx.state.bearer);
    ctx.status = 204;
  });

  router.post('/auth/mfa/totp/disable', async (ctx) => {
    const { code } = parseBody(CodeBody, ctx.request.body);
    await auth.disableTotp(requireActor(ctx.state), code);
    ctx.status = 204;
  });

  router.get('/auth/sessions', async (ctx) => {
    const actor = requireActor(ctx.state);
    ctx.body = {
      sessions: auth.sessions(actor).map((s) => ({
        sessionId: s.sessionId,
        createdAt: new Date(s.createdAt).toISOString(),
        expiresAt: new Date(s.expiresAt).toISOString(),
      })),
    };
  });

  router.delete('/auth/sessions/:sessionId', async (ctx) => {
    auth.revokeSession(requireActor(ctx.state), ctx.params.sessionId ?? '');
    ctx.status = 204;
  });

  router.post('/auth/sessions/revoke', async (ctx) => {
    const { userId } = parseBody(RevokeSessionsBody, ctx.request.body);
    await auth.revokeSessionsOf(requireActor(ctx.state), userId);
    ctx.status = 204;
  });

  router.get('/api-keys', async (ctx) => {
    const actor = requireActor(ctx.state);
    const tenantId = String(ctx.query['tenantId'] ?? actor.tenantId ?? '');
    ctx.body = { keys: await auth.apiKeys(actor, tenantId) };
  });

  router.post('/api-keys/:keyId/rotate', async (ctx) => {
    const actor = requireActor(ctx.state);
    const { tenantId } = parseBody(RotateKeyBody, ctx.request.body);
    ctx.body = await auth.rotateApiKey(actor, tenantId, ctx.params.keyId ?? '');
  });

  router.post('/auth/logout', async (ctx) => {
    requireActor(ctx.state);
    if (ctx.state.bearer) auth.logout(ctx.state.bearer);
    ctx.status = 204;
  });

  router.get('/auth/me', async (ctx) => {
    ctx.body = { actor: requireActor(ctx.state) };
  });

  router.put('/members/:userId/password', async (ctx) => {
    const actor = requireActor(ctx.state);
    const { password } = parseBody(PasswordBody, ctx.request.body);
    await auth.setPassword(actor, ctx.params.userId ?? '', password);
    ctx.status = 204;
  });

  router.post('/api-keys', async (ctx) => {
    const actor = requireActor(ctx.state);
    const body = parseBody(ApiKeyBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = await auth.issueApiKey(actor, body);
  });

  router.get('/commands', async (ctx) => {
    requireActor(ctx.state);
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
    const actor = requireActor(ctx.state);
    const scopes = ctx.state.bearer !== undefined ? auth.scopesOf(ctx.state.bearer) : undefined;
    if (scopes !== undefined && !scopes.includes('commands')) {
      throw new CommandRejected(403, 'FORBIDDEN_SCOPE', 'this API key lacks the commands scope');
    }
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
    const result = await handler.handle(ctx.params.type ?? '', ctx.request.body, {
      actor,
      ...(idempotencyKey !== undefined && { idempotencyKey }),
      ...(correlationId !== undefined && { correlationId }),
    });
    if (result.replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.body = result;
  });

  return router.routes() as Middleware;
};
