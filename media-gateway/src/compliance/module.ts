import { randomUUID } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { DataSubject, EntityId, TenantId, parseWith } from '@ccp/schemas';
import {
  CommandRejected,
  authenticate,
  authorize,
  requireCredential,
  type ApiState,
  type PlatformModule,
  type RouteAccess,
} from '@ccp/command-service';
import { findSubjectHoldings, readSubjectRows, type ReadStore } from '@ccp/projections';
import type { LogFollower } from '../process-manager/follow-log.js';
import { startErasureWorker } from './erasure-worker.js';
import { createLiveConnections } from '../integrations/live-connections.js';
import { tenantTwilio } from '../integrations/tenant-twilio.js';
import { createTwilioSender } from '../messaging/twilio.js';
import { createTwilioCarrier, type TwilioCarrierOptions } from '../telephony/carrier.js';
import { twilioRecordingDeleter, type RecordingDeleter } from './recordings.js';
import { retentionOf, startRetentionScheduler, type RetentionScheduler } from './retention-scheduler.js';

/** The compliance routes of this module, in the form of every route table (see http/authorize.ts). */
export const COMPLIANCE_ROUTES = {
  eraseSubject: {
    method: 'post',
    path: '/api/compliance/erasures',
    action: "erase a person's data",
    roles: ['tenant_admin', 'compliance'],
    scope: 'admin',
    tenant: 'body',
  },
  readRetention: {
    method: 'get',
    path: '/api/compliance/retention',
    action: "read the tenant's retention policy and legal holds",
    roles: ['tenant_admin', 'compliance'],
    scope: 'audit',
    tenant: 'query',
  },
  exportSubject: {
    method: 'post',
    path: '/api/compliance/exports',
    action: "export a person's data",
    roles: ['tenant_admin', 'compliance'],
    scope: 'audit',
    tenant: 'body',
  },
} as const satisfies Record<string, RouteAccess>;

const ExportRequest = z.object({
  tenantId: TenantId.optional(),
  exportId: EntityId.optional(),
  subject: DataSubject,
});
const EraseRequest = z.object({
  tenantId: TenantId.optional(),
  erasureId: EntityId.optional(),
  subject: DataSubject,
});

/** The tenant a body names, checked before anything is authorized against it. */
const Tenant = z.looseObject({ tenantId: TenantId.optional() });

const parseBody = <S extends z.ZodType>(schema: S, body: unknown): z.output<S> => {
  const parsed = parseWith(schema, body ?? {});
  if (!parsed.ok) throw new CommandRejected(400, parsed.error.code, parsed.error.message, parsed.error.field);
  return parsed.value;
};

export interface ComplianceModule extends PlatformModule {
  /** The erasure worker, once started (tests wait on it). */
  readonly erasures: () => LogFollower | undefined;
  /** The daily retention run, once started (tests run it at a chosen time). */
  readonly retention: () => RetentionScheduler | undefined;
}

/**
 * GDPR (issue 18): the erasure worker (erasures are requested with the EraseDataSubject command) and the
 * subject access export. Recordings are deleted at Twilio, in the tenant's own account and the platform's;
 * `recordings` replaces that (tests).
 */
export const complianceModule = (
  readStore: () => ReadStore,
  hooks: {
    readonly recordings?: RecordingDeleter;
    readonly now?: () => Date;
    /** How often retention policies are applied (a day). */
    readonly retentionEveryMs?: number;
    /** The read side's processors paused while keys are shredded and rows scrubbed (see the erasure worker). */
    readonly readSidePaused?: <T>(work: () => Promise<T>) => Promise<T>;
  } = {},
): ComplianceModule => {
  let worker: LogFollower | undefined;
  let retention: RetentionScheduler | undefined;
  return {
    name: 'compliance',
    erasures: () => worker,
    retention: () => retention,
    start: async (context) => {
      const twilio = context.config.mediaGateway.twilio;
      const now = hooks.now ?? (() => new Date());
      // A tenant's recordings are in its own Twilio account when it brought one, else in the platform's.
      const apiUrl = twilio?.apiUrl !== undefined ? { apiUrl: twilio.apiUrl } : {};
      const own = tenantTwilio({
        connections: createLiveConnections(context.store, context.keys),
        platformAccountSid: twilio?.accountSid ?? '',
        carrierFor: (account) => createTwilioCarrier({ ...account, ...apiUrl }),
        senderFor: (account) => createTwilioSender({ ...account, ...apiUrl }),
      });
      const accountsOf = async (tenantId: string): Promise<TwilioCarrierOptions[]> => {
        const account = await own.accountOf(tenantId);
        return [
          ...(account ? [{ accountSid: account.accountSid, authToken: account.authToken, ...apiUrl }] : []),
          ...(twilio ? [twilio] : []),
        ];
      };
      worker = await startErasureWorker({
        store: context.store,
        checkpoints: context.checkpoints,
        handler: context.handler,
        keys: context.keys,
        readStore,
        recordings: hooks.recordings ?? twilioRecordingDeleter(accountsOf),
        now,
        log: context.log,
        ...(hooks.readSidePaused !== undefined && { readSidePaused: hooks.readSidePaused }),
      });
      retention = startRetentionScheduler({
        store: context.store,
        readStore,
        handler: context.handler,
        now,
        everyMs: hooks.retentionEveryMs ?? 86_400_000,
        log: context.log,
      });

      const api = new Router<ApiState>({ prefix: '/api/compliance' });
      api.use(bodyParser({ enableTypes: ['json'], jsonLimit: '16kb', encoding: 'utf-8' }));
      api.use(authenticate(context.auth));
      /** The tenant acted on (a super admin names one), authorized for `route`, and the command context. */
      const allow = async (state: ApiState, route: RouteAccess, body: unknown) => {
        const credential = requireCredential(state);
        // Authorized before the rest of the body is read: a caller who may not is told so, whatever they sent.
        const tenantId = parseBody(Tenant, body).tenantId ?? credential.actor.tenantId;
        if (tenantId === undefined)
          throw new CommandRejected(400, 'VALIDATION_FAILED', 'tenantId: name the tenant', 'tenantId');
        await authorize(credential, route, { tenantId }, context.auth.planOf);
        const commandContext = {
          actor: credential.actor,
          ...(credential.scopes !== 'all' && { scopes: credential.scopes }),
        };
        return { tenantId, commandContext };
      };

      // The console's way to erase: the EraseDataSubject command, once the read store shows the tenant holds
      // something about the person (the command alone would certify an erasure of nothing).
      api.post('/erasures', async (ctx) => {
        const { tenantId, commandContext } = await allow(
          ctx.state,
          COMPLIANCE_ROUTES.eraseSubject,
          ctx.request.body,
        );
        const body = parseBody(EraseRequest, ctx.request.body);
        const held = await findSubjectHoldings(readStore(), tenantId, body.subject);
        // A person may be held only as a lead of a campaign (in its stream, under a key of their own).
        if (held.streams.length === 0 && held.leads.length === 0)
          throw new CommandRejected(
            404,
            'SUBJECT_NOT_FOUND',
            'nothing is held about this person in your tenant (or it was erased already)',
            'subject',
          );
        const erasureId = body.erasureId ?? `er-${randomUUID()}`;
        const result = await context.handler.handle(
          'EraseDataSubject',
          { tenantId, erasureId, subject: body.subject },
          commandContext,
        );
        ctx.status = 202;
        ctx.body = { erasureId, position: result.position, streams: held.streams.length };
      });

      // Everything held about a person: their streams' events as the platform reads them (decrypted) and the
      // read store's rows. Recorded first: an export that cannot be put in the audit trail is not made.
      api.post('/exports', async (ctx) => {
        const { tenantId, commandContext } = await allow(
          ctx.state,
          COMPLIANCE_ROUTES.exportSubject,
          ctx.request.body,
        );
        const body = parseBody(ExportRequest, ctx.request.body);
        const exportId = body.exportId ?? `sar-${randomUUID()}`;
        const { subject } = body;
        await context.handler.handle('RecordSubjectAccess', { tenantId, exportId, subject }, commandContext);
        const held = await findSubjectHoldings(readStore(), tenantId, subject);
        const streams = [];
        for (const streamId of held.streams) {
          const events = await context.store.readStream(streamId);
          streams.push({
            streamId,
            events: events.map((event) => ({
              type: event.type,
              recordedAt: event.recordedAt.toISOString(),
              data: event.data,
            })),
          });
        }
        ctx.set('content-disposition', `attachment; filename="${exportId}.json"`);
        ctx.body = {
          exportId,
          tenantId,
          subject,
          exportedAt: now().toISOString(),
          identifiers: held.identifiers,
          recordings: held.recordings,
          streams,
          rows: await readSubjectRows(readStore(), tenantId, held.streams, held.identifiers.phones),
        };
      });
      // The policy and the holds in force, read from the log (a hold's target and reason are sealed there).
      api.get('/retention', async (ctx) => {
        const tenantId = typeof ctx.query['tenantId'] === 'string' ? ctx.query['tenantId'] : undefined;
        const { tenantId: tenant } = await allow(ctx.state, COMPLIANCE_ROUTES.readRetention, { tenantId });
        ctx.body = await retentionOf(context.store, readStore(), tenant);
      });
      return {
        http: api.routes() as Middleware,
        stop: async () => {
          await retention?.stop();
          await worker?.stop();
        },
      };
    },
  };
};
