import { hkdfSync } from 'node:crypto';
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { createPayments, deliveryMetrics, type PlatformModule, subjectOf } from '@ccp/command-service';
import type { ReadStore } from '@ccp/projections';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import { createRequestRecorder } from './admin/api-usage.js';
import { createCatalog } from './config/catalog.js';
import { createReportBook } from './reports/book.js';
import type { EmailSettings } from './reports/deliver.js';
import type { ProviderFailure, ProviderFallbacks } from './admin/platform.js';
import { createReportScheduler } from './reports/scheduler.js';
import { openApiDocument } from './http/openapi.js';
import { serveRoutes } from './http/serve.js';
import { createCampaignLiveFeed } from './campaigns/live.js';
import { createLiveFeed } from './live/feed.js';
import { liveMetrics } from './live/metrics.js';
import { queryRoutes, type ChainCheck } from './routes.js';
import type { ReportContext } from './analytics/reports.js';
import { tenantProfiles } from './tenant-profile.js';
import type { PaymentsPortal } from './billing/portal.js';

export interface QueryApiHooks {
  readonly now?: () => Date;
  /** How often live metrics are read for watchers (default 500 ms). */
  readonly liveIntervalMs?: number;
  /** The stream processors' lag, for the health page. */
  readonly processors?: () => unknown;
  /** Where scheduled reports are mailed from; absent, email deliveries fail with that reason. */
  readonly email?: EmailSettings;
  /** How often due scheduled reports are looked for (default every minute). */
  readonly reportTickMs?: number;
  /** Which adapter each port runs on (names only), for the health and integrations pages. */
  readonly engines?: Readonly<Record<string, string>>;
  /** The remote providers' last failures (the media gateway's report), for the health page. */
  readonly providerFailures?: () => readonly ProviderFailure[];
  /** How often calls fell back from each provider, by reason (the media gateway's count), for the health page. */
  readonly providerFallbacks?: () => readonly ProviderFallbacks[];
  /** The payments provider; absent, the one the platform's PAYMENTS settings name. */
  readonly payments?: PaymentsPortal;
}

/**
 * The query API as a service of the platform: it reads the stream processors' read store (available once that
 * module started, hence a function) and the event store, and authenticates like the command API.
 */
export const queryApiModule = (
  readStore: () => ReadStore,
  verifyChain: (
    rawStore: Parameters<PlatformModule['start']>[0]['rawStore'],
    streamId: string,
  ) => Promise<ChainCheck>,
  hooks: QueryApiHooks = {},
): PlatformModule => ({
  name: 'query-api',
  start: async (context) => {
    const now = hooks.now ?? (() => new Date());
    const profileOf = tenantProfiles(context.store);
    const timeZoneOf = async (tenantId: string) => (await profileOf(tenantId)).timeZone;
    const live = createLiveFeed({
      snapshot: async (tenantId) => liveMetrics(readStore(), tenantId, await timeZoneOf(tenantId), now()),
      ...(hooks.liveIntervalMs !== undefined && { intervalMs: hooks.liveIntervalMs }),
      log: context.log,
    });
    const reports = createReportBook(context.store);
    const catalog = createCatalog(context.store);
    const webhookSecret = (tenantId: string, reportId: string) =>
      context.keys.keyFor(subjectOf(tenantId, `report-webhook.${reportId}`)).toString('hex');
    const calendarFeedSecret = (tenantId: string, create: boolean): Buffer | undefined => {
      const subject = subjectOf(tenantId, 'calendar-feed');
      const key = create ? context.keys.keyFor(subject) : context.keys.existingKey(subject);
      // A key of its own for this one use, derived with a label from the tenant's subject key.
      return key && Buffer.from(hkdfSync('sha256', key, '', 'ccp calendar feed token v1', 32));
    };
    const reportContext = async (tenantId: string): Promise<ReportContext> => {
      const profile = await profileOf(tenantId);
      return {
        store: readStore(),
        tenantId,
        timeZone: profile.timeZone,
        planTier: profile.planTier,
        now: now(),
      };
    };
    const campaignLive = createCampaignLiveFeed({
      reportContext,
      ...(hooks.liveIntervalMs !== undefined && { intervalMs: hooks.liveIntervalMs }),
      log: context.log,
    });
    const scheduler = createReportScheduler({
      book: reports,
      context: reportContext,
      profileOf,
      email: hooks.email,
      webhookSecret,
      fetch: context.outbound.fetch,
      metrics: deliveryMetrics(context.metrics),
      record: async (tenantId, reportId, slot, outcome, detail) => {
        await context.handler.handleTrusted(
          'RecordReportDelivery',
          { tenantId, reportId, slot, outcome, detail },
          { actor: SYSTEM_ACTOR },
        );
      },
      now,
      log: context.log,
    });
    scheduler.start(hooks.reportTickMs ?? 60_000);
    const routes = queryRoutes({
      readStore,
      store: context.store,
      verifyChain: (streamId) => verifyChain(context.rawStore, streamId),
      reportContext,
      live,
      campaignLive,
      now,
      log: context.log,
      processors: hooks.processors ?? (() => ({})),
      engines: hooks.engines ?? {},
      providerFailures: hooks.providerFailures ?? (() => []),
      providerFallbacks: hooks.providerFallbacks ?? (() => []),
      reports,
      catalog,
      tenantName: async (tenantId) => (await profileOf(tenantId)).name,
      webhookSecret,
      calendarFeedSecret,
      payments: hooks.payments ?? createPayments(context.config.payments),
    });
    const document = openApiDocument(routes, { version: '1' });
    const docs = new Router();
    docs.get('/api/openapi.json', (ctx) => {
      ctx.body = document;
    });
    const recorder = createRequestRecorder({ readStore, log: context.log });
    const served = serveRoutes(
      routes,
      context.auth,
      async (tenantId) => (await profileOf(tenantId)).planTier,
    );
    const docsRoutes = docs.routes() as unknown as Middleware;
    const http: Middleware = async (ctx, next) => docsRoutes(ctx, () => served(ctx, next));
    return {
      http,
      front: recorder.middleware,
      stop: async () => {
        await scheduler.stop();
        live.close();
        campaignLive.close();
        await recorder.close();
      },
    };
  },
});
