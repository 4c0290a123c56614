import type { Middleware } from 'koa';
import {
  createCommandHandler,
  deliveryMetrics,
  type PlatformContext,
  type IntegrationsSettings,
} from '@ccp/command-service';
import type { CommandSender } from '../conversation/commands.js';
import { connectionsApi } from './connections-api.js';
import { crmRecordFor, type CrmRecordLookup } from './crm-lookup.js';
import { crmRecordApi } from './crm-record-api.js';
import { helpdeskWebhooks } from './helpdesk-webhooks.js';
import { startDispatcher, type Dispatcher, type DispatcherStats } from './dispatcher.js';
import type { LiveConnections } from './live-connections.js';
import { startPlanner } from './planner.js';
import { renderContent } from './render.js';
import { createTargets } from './targets/index.js';

export interface IntegrationsHooks {
  /** The clock deliveries are due and recorded on (tests move it to a retry time). */
  readonly clock?: () => Date;
  /** The longest wait between two looks at the clock. */
  readonly pollMs?: number;
  /** The backoff's jitter (tests fix it). */
  readonly random?: () => number;
}

export interface RunningIntegrations {
  /** The connection routes: create, rotate, test. */
  readonly http: Middleware;
  readonly dispatcher: Dispatcher;
  readonly stats: () => DispatcherStats;
  /** A caller's record in the tenant's CRM, for the AI's caller-history tool (cached, never slow). */
  readonly crmRecord: CrmRecordLookup;
  /** Resolves once the planner has handled the log as it is and every delivery due now was attempted. */
  readonly caughtUp: () => Promise<void>;
  stop(): Promise<void>;
}

/**
 * The delivery engine: the planner turns tenants' events into deliveries for their connections, the dispatcher
 * makes them through the targets; and the gateway's connection routes.
 */
export const startIntegrations = async (options: {
  readonly context: PlatformContext;
  readonly settings: IntegrationsSettings;
  readonly connections: LiveConnections;
  readonly commands: CommandSender;
  readonly consoleUrl: () => string;
  /** The Twilio REST API the platform's own client uses (a tenant's account is tested there too). */
  readonly twilioApiUrl?: string;
  readonly hooks?: IntegrationsHooks;
}): Promise<RunningIntegrations> => {
  const { context, settings, connections, hooks } = options;
  const now = hooks?.clock ?? (() => new Date());
  const handler = hooks?.clock
    ? createCommandHandler({ store: context.store, routes: [...context.handler.routes.values()], clock: now })
    : context.handler;
  const targets = createTargets({
    fetch: context.outbound.fetch,
    apiUrls: settings.apiUrls,
    commands: options.commands,
    consoleUrl: options.consoleUrl,
    log: context.log,
    ...(options.twilioApiUrl !== undefined && { twilioApiUrl: options.twilioApiUrl }),
  });
  const dispatcher = await startDispatcher({
    store: context.store,
    checkpoints: context.checkpoints,
    handler,
    connections,
    targets,
    settings,
    render: (action, source) => renderContent(context.store, options.consoleUrl(), action, source),
    now,
    log: context.log,
    metrics: deliveryMetrics(context.metrics),
    tracing: context.tracing,
    ...(hooks?.pollMs !== undefined && { pollMs: hooks.pollMs }),
    ...(hooks?.random && { random: hooks.random }),
  });
  const planner = await startPlanner({
    store: context.store,
    checkpoints: context.checkpoints,
    keys: context.keys,
    handler,
    targets,
    dispatch: dispatcher,
    now,
    log: context.log,
  });
  const api = connectionsApi({
    auth: context.auth,
    handler: context.handler,
    store: context.store,
    connections,
    targets,
    attemptTimeoutMs: settings.attemptTimeoutMs,
  });
  // Zendesk's and Freshdesk's status changes (/integrations/zendesk|freshdesk/…), verified per connection.
  const helpdesks = helpdeskWebhooks({
    connections: connections.view,
    catchUp: connections.catchUp,
    handler: context.handler,
    log: context.log,
  });
  const crmRecord = crmRecordFor({
    view: connections.view,
    catchUp: connections.catchUp,
    targets,
    log: context.log,
  });
  const crm = crmRecordApi({ auth: context.auth, store: context.store, lookup: crmRecord });
  const http: Middleware = (ctx, next) => helpdesks(ctx, () => api(ctx, () => crm(ctx, next)));
  return {
    http,
    dispatcher,
    stats: dispatcher.stats,
    crmRecord,
    caughtUp: async () => {
      await planner.caughtUp();
      await dispatcher.settled();
    },
    stop: async () => {
      await planner.stop();
      await dispatcher.stop();
    },
  };
};
