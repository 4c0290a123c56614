import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { decodeEvent, EntityId, parseWith } from '@ccp/schemas';
import {
  CommandRejected,
  authenticate,
  authorize,
  requireCredential,
  tenantOfQuery,
  type ApiState,
  type Auth,
  type EventStore,
  type RouteAccess,
} from '@ccp/command-service';
import type { CrmRecordLookup } from './crm-lookup.js';

/** The agent workspace's look at a caller's CRM record, with what it asks of a credential. */
export const CRM_RECORD_ROUTES = {
  crmRecord: {
    method: 'get',
    path: '/api/integrations/crm-record',
    action: "see a caller's CRM record",
    roles: ['tenant_admin', 'supervisor', 'agent'],
    scope: 'read',
    tenant: 'query',
  },
} as const satisfies Record<string, RouteAccess>;

const Query = z.object({ callId: EntityId, tenantId: z.string().optional() });

/** The call's customer: the caller of an inbound call, the callee of an outbound one (from its CallStarted). */
export const customerOfCall = async (
  store: EventStore,
  tenantId: string,
  callId: string,
): Promise<string | undefined> => {
  for (const recorded of await store.readStream(`call-${tenantId}.${callId}`)) {
    if (recorded.type !== 'CallStarted') continue;
    const decoded = decodeEvent(recorded);
    if (!decoded.ok) return undefined;
    const data = decoded.value.data as { direction?: string; from?: string; to?: string };
    return data.direction === 'outbound' ? data.to : data.from;
  }
  return undefined;
};

/**
 * GET /api/integrations/crm-record?callId=: the record of the call's customer in the tenant's CRM, for the
 * agent who takes the call (the same lookup, and cache, as the AI's caller-history tool). A call of another
 * tenant is not found, as if it did not exist; no CRM, or one too slow, is `{record: null}`.
 */
export const crmRecordApi = (deps: {
  readonly auth: Auth;
  readonly store: EventStore;
  readonly lookup: CrmRecordLookup;
}): Middleware => {
  const api = new Router<ApiState>({ prefix: '/api/integrations' });
  api.use(authenticate(deps.auth));
  api.get('/crm-record', async (ctx) => {
    const credential = requireCredential(ctx.state);
    const route = CRM_RECORD_ROUTES.crmRecord;
    const tenantId = tenantOfQuery(ctx.query, credential);
    await authorize(credential, route, { tenantId }, deps.auth.planOf);
    const parsed = parseWith(Query, ctx.query);
    if (!parsed.ok)
      throw new CommandRejected(400, parsed.error.code, parsed.error.message, parsed.error.field);
    if (tenantId === undefined)
      throw new CommandRejected(400, 'VALIDATION_FAILED', 'tenantId: name the tenant', 'tenantId');
    const customer = await customerOfCall(deps.store, tenantId, parsed.value.callId);
    if (customer === undefined)
      throw new CommandRejected(404, 'CALL_NOT_FOUND', 'no call with this id', 'callId');
    ctx.body = { record: (await deps.lookup(tenantId, customer)) ?? null };
  });
  const routes = api.routes() as unknown as Middleware;
  // Only its own path: the router's authentication must not run for the other /api/integrations/ routes.
  return async (ctx, next) =>
    ctx.method === 'GET' && /^\/api\/integrations\/crm-record\/?$/.test(ctx.path)
      ? routes(ctx, next)
      : next();
};
