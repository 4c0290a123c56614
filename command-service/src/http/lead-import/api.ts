import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { DO_NOT_CALL_BATCH, EntityId } from '@ccp/schemas';
import type { CommandHandler } from '../../application/command-handler.js';
import { CommandRejected } from '../../application/errors.js';
import type { EventStore } from '../../event-store/port.js';
import type { Auth } from '../../identity/auth.js';
import { authorize, type Credential, type RouteAccess } from '../authorize.js';
import { authenticate, requireCredential, tenantOfQuery, type ApiState } from '../command-api.js';
import { RowsInvalid, type RowCollector } from './collector.js';
import { readCsvLeads } from './csv.js';
import { readCsvNumbers, readJsonNumbers, type NumberCollector } from './do-not-call-rows.js';
import { readJsonLeads } from './json.js';
import type { CountryCode } from './numbers.js';
import {
  createImportReads,
  previewOf,
  requireOpenCampaign,
  stageAndCommit,
  leaveOutDoNotCall,
} from './stage.js';

export interface LeadImportApiOptions {
  readonly handler: CommandHandler;
  readonly auth: Auth;
  /** Where the campaign and do-not-call streams are read (the same store the handler appends to). */
  readonly store: EventStore;
  /** Largest JSON body; a CSV body is streamed and limited by its row count instead. */
  readonly jsonLimit?: string;
}

const managers = {
  roles: ['tenant_admin', 'supervisor'],
  scope: 'commands',
  feature: 'outbound_campaigns',
  tenant: 'query',
} as const;

/** The import routes with what they ask of a credential (the authorization matrix reads this table). */
export const LEAD_IMPORT_ROUTES = {
  importLeads: {
    method: 'post',
    path: '/api/campaigns/:campaignId/leads/import',
    action: 'import leads',
    ...managers,
  },
  importDoNotCall: {
    method: 'post',
    path: '/api/do-not-call/import',
    action: 'import do-not-call numbers',
    ...managers,
  },
} as const satisfies Record<string, RouteAccess>;

const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/plain']);

const badQuery = (field: string, message: string): CommandRejected =>
  new CommandRejected(400, 'VALIDATION_FAILED', `${field}: ${message}`, field);

const queryValue = (ctx: Context, name: string): string | undefined => {
  const value = ctx.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badQuery(name, 'give it once');
  return value;
};

const defaultCountryOf = (ctx: Context): CountryCode => {
  const value = (queryValue(ctx, 'defaultCountry') ?? 'US').toUpperCase();
  if (!isSupportedCountry(value)) throw badQuery('defaultCountry', 'a country code such as US or ES');
  return value;
};

const dryRunOf = (ctx: Context): boolean => {
  const value = queryValue(ctx, 'dryRun');
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw badQuery('dryRun', 'true or false');
};

const fileNameOf = (ctx: Context): string | undefined => {
  const value = queryValue(ctx, 'fileName')?.trim();
  if (value === undefined || value === '') return undefined;
  if (value.length > 200) throw badQuery('fileName', 'at most 200 characters');
  return value;
};

/** The caller may import into the tenant: the one authorization check, with the tenant from the query. */
const allow = async (
  ctx: Context & { state: ApiState },
  route: RouteAccess,
  auth: Auth,
): Promise<{ credential: Credential; tenantId: string }> => {
  const credential = requireCredential(ctx.state);
  const tenantId = tenantOfQuery(ctx.query, credential);
  await authorize(credential, route, { tenantId }, auth.planOf);
  if (tenantId === undefined) {
    throw new CommandRejected(400, 'TENANT_REQUIRED', 'name the tenant with ?tenantId=', 'tenantId');
  }
  return { credential, tenantId };
};

type BodyKind = 'csv' | 'json';

const bodyKindOf = (ctx: Context): BodyKind => {
  const type = ctx.request.type;
  if (type === 'application/json') return 'json';
  if (CSV_TYPES.has(type)) return 'csv';
  throw new CommandRejected(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'send the file as text/csv, or the rows as application/json',
  );
};

/** A refusal row by row keeps its rows in the body, next to the usual error. */
const rowReport: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (!(error instanceof RowsInvalid)) throw error;
    ctx.status = 422;
    ctx.body = error.body();
  }
};

/** A refusal that leaves the rest of a request body unread closes the connection rather than read it. */
const closeOnEarlyRefusal: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (!ctx.req.readableEnded) ctx.set('Connection', 'close');
    throw error;
  }
};

/**
 * `POST /api/campaigns/:campaignId/leads/import` and `POST /api/do-not-call/import`: files of leads and of
 * numbers never to call. A CSV body is read as it streams and only its valid rows are kept (compactly); a JSON
 * body is parsed whole, up to `jsonLimit`. Any bad row refuses the whole file with a report of every row.
 */
export const leadImportApi = (options: LeadImportApiOptions): Middleware => {
  const { handler, auth, store } = options;
  const reads = createImportReads(store);
  const router = new Router<ApiState>({ prefix: '/api' });
  const json = bodyParser({
    enableTypes: ['json'],
    jsonLimit: options.jsonLimit ?? '20mb',
    encoding: 'utf-8',
  });
  router.use(closeOnEarlyRefusal);
  router.use(rowReport);
  router.use(authenticate(auth));

  const jsonBody = async (ctx: Context): Promise<unknown> => {
    await json(ctx, () => Promise.resolve());
    return ctx.request.body;
  };

  router.post('/campaigns/:campaignId/leads/import', async (ctx) => {
    const { credential, tenantId } = await allow(ctx, LEAD_IMPORT_ROUTES.importLeads, auth);
    const campaignId = ctx.params.campaignId ?? '';
    if (!EntityId.safeParse(campaignId).success) {
      throw new CommandRejected(404, 'CAMPAIGN_NOT_FOUND', `no campaign ${campaignId}`, 'campaignId');
    }
    const defaultCountry = defaultCountryOf(ctx);
    const dryRun = dryRunOf(ctx);
    const fileName = fileNameOf(ctx);
    const kind = bodyKindOf(ctx);
    // Before the file is read: a file for a campaign that cannot take it is not worth reading.
    requireOpenCampaign(await reads.campaign(tenantId, campaignId), campaignId);
    const collector: RowCollector =
      kind === 'csv'
        ? await readCsvLeads(ctx.req, { defaultCountry })
        : readJsonLeads(await jsonBody(ctx), { defaultCountry });
    collector.requireValid();
    const skipped = leaveOutDoNotCall(collector, await reads.doNotCall(tenantId));
    if (dryRun) {
      ctx.body = { preview: previewOf(collector, collector.leads.size, skipped) };
      return;
    }
    const outcome = await stageAndCommit(handler, store, {
      tenantId,
      campaignId,
      actor: credential.actor,
      leads: collector.leads,
      rows: collector.rows,
      skippedDoNotCall: skipped,
      source: kind,
      ...(fileName !== undefined && { fileName }),
    });
    // Every number on the do-not-call list: nothing was created.
    ctx.status = outcome.importId === null ? 200 : 201;
    ctx.body = outcome;
  });

  router.post('/do-not-call/import', async (ctx) => {
    const { credential, tenantId } = await allow(ctx, LEAD_IMPORT_ROUTES.importDoNotCall, auth);
    const defaultCountry = defaultCountryOf(ctx);
    const collector: NumberCollector =
      bodyKindOf(ctx) === 'csv'
        ? await readCsvNumbers(ctx.req, { defaultCountry })
        : readJsonNumbers(await jsonBody(ctx), { defaultCountry });
    collector.requireValid();
    const numbers = [...collector.numbers];
    // Batches are appended one by one: should a later one fail, the earlier ones stay listed, and sending the
    // file again adds only what is missing (a listed number is left as it is).
    let added = 0;
    for (let start = 0; start < numbers.length; start += DO_NOT_CALL_BATCH) {
      const result = await handler.handleTrusted(
        'AddToDoNotCall',
        { tenantId, numbers: numbers.slice(start, start + DO_NOT_CALL_BATCH), source: 'import' },
        { actor: credential.actor },
      );
      added += await addedBy(store, result.streamId, result.nextRevision, result.events.length);
    }
    ctx.body = { added, alreadyListed: numbers.length - added, rows: collector.rows };
  });

  return router.routes() as Middleware;
};

/** How many numbers the DoNotCallAdded a batch appended holds (the decider leaves listed ones out). */
const addedBy = async (
  store: EventStore,
  streamId: string,
  revision: number | null,
  appended: number,
): Promise<number> => {
  if (appended === 0 || revision === null) return 0;
  const [event] = await store.readStream(streamId, { fromRevision: revision, maxCount: 1 });
  const numbers = (event?.data as { numbers?: unknown } | undefined)?.numbers;
  if (!Array.isArray(numbers))
    throw new Error(`the do-not-call event at ${streamId}@${revision} has no numbers`);
  return numbers.length;
};
