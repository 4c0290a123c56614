import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  ConnectionSecrets,
  decodeEvent,
  EntityId,
  parseWith,
  TenantId,
  type ConnectionKind,
} from '@ccp/schemas';
import {
  CommandRejected,
  authenticate,
  authorize,
  requireCredential,
  type ApiState,
  type Auth,
  type CommandHandler,
  type Credential,
  type EventStore,
  type RouteAccess,
} from '@ccp/command-service';
import type { LiveConnections } from './live-connections.js';
import type { IntegrationTarget } from './port.js';

/** The gateway's connection routes, with what each asks of a credential (tenant from body or credential). */
export const CONNECTIONS_ROUTES = {
  create: {
    method: 'post',
    path: '/api/integrations/connections',
    action: 'manage integrations',
    roles: ['tenant_admin'],
    scope: 'admin',
    tenant: 'body',
  },
  rotate: {
    method: 'post',
    path: '/api/integrations/connections/:connectionId/rotate',
    action: 'manage integrations',
    roles: ['tenant_admin'],
    scope: 'admin',
    tenant: 'body',
  },
  test: {
    method: 'post',
    path: '/api/integrations/connections/:connectionId/test',
    action: 'manage integrations',
    roles: ['tenant_admin'],
    scope: 'admin',
    tenant: 'body',
  },
} as const satisfies Record<string, RouteAccess>;

/** Webhook rotations keep the previous secret signing beside the new one for a day unless told otherwise. */
const DEFAULT_WEBHOOK_OVERLAP_SECONDS = 86_400;

/** The tenant a body names, checked before anything is authorized against it. */
const Tenant = z.looseObject({ tenantId: TenantId.optional() });
const Create = z.object({
  tenantId: TenantId.optional(),
  connectionId: EntityId.optional(),
  name: z.unknown(),
  settings: z.unknown(),
  secrets: ConnectionSecrets.optional(),
});
const Rotate = z.object({
  tenantId: TenantId.optional(),
  secrets: ConnectionSecrets.optional(),
  overlapSeconds: z.number().int().optional(),
});

/** A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

const parseBody = <S extends z.ZodType>(schema: S, body: unknown): z.output<S> => {
  const parsed = parseWith(schema, body ?? {});
  if (!parsed.ok) throw new CommandRejected(400, parsed.error.code, parsed.error.message, parsed.error.field);
  return parsed.value;
};

/** The tenant acted on: the credential's own; a super admin names one in the body. */
const tenantOf = (credential: Credential, body: { tenantId?: string | undefined }): string => {
  const tenantId = body.tenantId ?? credential.actor.tenantId;
  if (tenantId === undefined)
    throw new CommandRejected(400, 'VALIDATION_FAILED', 'tenantId: name the tenant', 'tenantId');
  return tenantId;
};

const kindOf = (settings: unknown): string | undefined => {
  const kind = (settings as { kind?: unknown } | null | undefined)?.kind;
  return typeof kind === 'string' ? kind : undefined;
};

/**
 * `POST /api/integrations/connections` (create), `…/:connectionId/rotate` and `…/:connectionId/test`. Commands go
 * through the platform's handler as the caller, so roles, scopes and the outbound-address check apply as they do
 * on the command API; a generated webhook secret is answered once, here, and never again.
 */
export const connectionsApi = (options: {
  readonly auth: Auth;
  readonly handler: Pick<CommandHandler, 'handle' | 'handleTrusted'>;
  readonly store: EventStore;
  readonly connections: LiveConnections;
  readonly targets: ReadonlyMap<ConnectionKind, IntegrationTarget>;
  readonly attemptTimeoutMs: number;
}): Middleware => {
  const { handler, connections, targets } = options;
  const api = new Router<ApiState>({ prefix: '/api/integrations/connections' });
  api.use(bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', encoding: 'utf-8' }));
  api.use(authenticate(options.auth));

  const allow = async (state: ApiState, route: RouteAccess, body: unknown) => {
    const credential = requireCredential(state);
    // Parsed first: a tenantId of the wrong shape is the caller's 400, not a 403 or a failure further in.
    const tenantId = tenantOf(credential, parseBody(Tenant, body));
    await authorize(credential, route, { tenantId }, options.auth.planOf);
    const context = {
      actor: credential.actor,
      ...(credential.scopes !== 'all' && { scopes: credential.scopes }),
    };
    return { tenantId, context };
  };

  const ownConnection = async (tenantId: string, connectionId: string) => {
    await connections.catchUp();
    const connection = connections.view.connection(tenantId, connectionId);
    if (!connection)
      throw new CommandRejected(404, 'CONNECTION_NOT_FOUND', 'no connection with this id', 'connectionId');
    return connection;
  };

  api.post('/', async (ctx) => {
    const { tenantId, context } = await allow(ctx.state, CONNECTIONS_ROUTES.create, ctx.request.body);
    const body = parseBody(Create, ctx.request.body);
    const connectionId = body.connectionId ?? `conn_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
    const generated =
      kindOf(body.settings) === 'webhook' && body.secrets?.['signingSecret'] === undefined
        ? { signingSecret: newSigningSecret() }
        : undefined;
    await handler.handle(
      'CreateConnection',
      {
        tenantId,
        connectionId,
        name: body.name,
        settings: body.settings,
        secrets: { ...body.secrets, ...generated },
      },
      context,
    );
    ctx.status = 201;
    ctx.body = { connectionId, ...(generated && { generatedSecrets: generated }) };
  });

  api.post('/:connectionId/rotate', async (ctx) => {
    const { tenantId, context } = await allow(ctx.state, CONNECTIONS_ROUTES.rotate, ctx.request.body);
    const body = parseBody(Rotate, ctx.request.body);
    const connectionId = ctx.params.connectionId ?? '';
    const connection = await ownConnection(tenantId, connectionId);
    const webhook = connection.kind === 'webhook';
    const generated =
      webhook && body.secrets?.['signingSecret'] === undefined
        ? { signingSecret: newSigningSecret() }
        : undefined;
    const result = await handler.handle(
      'RotateConnectionSecrets',
      {
        tenantId,
        connectionId,
        secrets: { ...body.secrets, ...generated },
        overlapSeconds: body.overlapSeconds ?? (webhook ? DEFAULT_WEBHOOK_OVERLAP_SECONDS : 0),
      },
      context,
    );
    const previousValidUntil = await rotatedUntil(options.store, result.streamId, result.events.at(-1)?.id);
    ctx.body = {
      connectionId,
      ...(generated && { generatedSecrets: generated }),
      ...(previousValidUntil !== undefined && { previousValidUntil }),
    };
  });

  api.post('/:connectionId/test', async (ctx) => {
    const { tenantId, context } = await allow(ctx.state, CONNECTIONS_ROUTES.test, ctx.request.body);
    const connectionId = ctx.params.connectionId ?? '';
    const connection = await ownConnection(tenantId, connectionId);
    const target = targets.get(connection.kind);
    const secrets = connections.view.secretsOf(connection);
    const started = performance.now();
    const result = !target
      ? { ok: false, message: `${connection.kind} connections cannot be tested here` }
      : !secrets
        ? { ok: false, message: 'the stored secrets can no longer be opened: rotate them' }
        : await target
            .test(connection, secrets, AbortSignal.timeout(options.attemptTimeoutMs))
            .catch((error: unknown) => ({ ok: false, message: `the test failed: ${String(error)}` }));
    const latencyMs = Math.round(performance.now() - started);
    const answer = { ...result, message: result.message.slice(0, 500), latencyMs };
    // Recorded as the caller (the audit trail shows who tested), though only the platform may record it.
    await handler.handleTrusted('RecordConnectionTest', { tenantId, connectionId, ...answer }, context);
    ctx.body = answer;
  });

  const routes = api.routes() as unknown as Middleware;
  return async (ctx, next) => {
    if (
      ctx.method === 'POST' &&
      /^\/api\/integrations\/connections(\/[^/]+\/(rotate|test))?\/?$/.test(ctx.path)
    )
      return routes(ctx, next);
    return next();
  };
};

const rotatedUntil = async (
  store: EventStore,
  streamId: string,
  eventId: string | undefined,
): Promise<string | undefined> => {
  if (eventId === undefined) return undefined;
  const last = await store.readStream(streamId, { direction: 'backwards', maxCount: 5 });
  const recorded = last.find((r) => r.id === eventId);
  const decoded = recorded && decodeEvent(recorded);
  if (!decoded?.ok) return undefined;
  const until = (decoded.value.data as { previousValidUntil?: unknown }).previousValidUntil;
  return typeof until === 'string' ? until : undefined;
};
