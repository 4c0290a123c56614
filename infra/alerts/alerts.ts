import Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import {
  ALERT_KIND_UNITS,
  decodeEvent,
  PLATFORM_TENANT,
  SYSTEM_ACTOR,
  TenantId,
  type AlertKind,
} from '@ccp/schemas';
import {
  authenticate,
  authorize,
  CommandRejected,
  requireCredential,
  type ApiState,
  type PlatformContext,
  type PlatformModule,
  type RouteAccess,
} from '@ccp/command-service';
import type { ReadStore } from '@ccp/projections';
import { commandSenderFor, ConnectionsView, createTargets } from '@ccp/media-gateway';
import { notifyChannel, type Notice, type NotifySettings } from './notify.js';
import { createSignals, type SignalSources } from './signals.js';
import { AlertsView, step, type Watch } from './view.js';

export interface AlertSettings {
  /** Seconds between evaluations (ALERTS_EVERY_SECONDS). */
  readonly everySeconds: number;
  /** Attempts to tell a channel of one transition, the first included (ALERT_NOTIFY_ATTEMPTS). */
  readonly notifyAttempts: number;
}

const Env = z.object({
  ALERTS_EVERY_SECONDS: z.coerce.number().min(0.1).max(3600).default(30),
  ALERT_NOTIFY_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
});

/** ALERTS_EVERY_SECONDS, ALERT_NOTIFY_ATTEMPTS; a bad value stops start-up with the variable named. */
export const alertSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): AlertSettings => {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid setting ${String(issue?.path[0])}: ${issue?.message}`);
  }
  return {
    everySeconds: parsed.data.ALERTS_EVERY_SECONDS,
    notifyAttempts: parsed.data.ALERT_NOTIFY_ATTEMPTS,
  };
};

/** The alerts read route, in the form of every route table (see http/authorize.ts). */
export const ALERT_ROUTES = {
  listAlerts: {
    method: 'get',
    path: '/api/alerts',
    action: 'read alerts',
    roles: ['tenant_admin'],
    scope: 'read',
    tenant: 'query',
  },
} as const satisfies Record<string, RouteAccess>;

/** What the evaluator reads besides the platform's own context: the services it is composed with. */
export interface AlertSources {
  readonly processors?: SignalSources['processors'];
  readonly providerFailures?: SignalSources['providerFailures'];
  readonly readStore?: () => ReadStore;
}

/** Connections an alert can go to: Telegram and Slack through their targets, email through SMTP. */
const CHANNEL_KINDS: ReadonlySet<string> = new Set(['telegram', 'slack', 'email']);

/** Transitions older than this are not told after a restart: news of last week is noise. */
const STALE_MS = 3_600_000;

/**
 * The embedded profile's alert evaluator: every ALERTS_EVERY_SECONDS it reads the figures the rules watch,
 * steps each rule (pending, firing, resolved), records each transition once as an event through the command
 * handler, and tells the rule's channels. Its memory is the log: rules, what fires and what was told are folded
 * from the alert streams at start and after every evaluation.
 */
export const alertModule = (
  settings: AlertSettings,
  sources: AlertSources = {},
  now: () => Date = () => new Date(),
): PlatformModule => ({
  name: 'alerts',
  start: async (context: PlatformContext) => {
    const { config, store, handler, log } = context;
    const view = new AlertsView();
    const connections = new ConnectionsView(context.keys);
    let position: number | undefined;
    const catchUp = async (): Promise<void> => {
      for (;;) {
        const page = await store.readAll({
          ...(position !== undefined && { after: position }),
          maxCount: 500,
        });
        for (const recorded of page) {
          position = recorded.position;
          if (!recorded.streamId.startsWith('alert-') && !ConnectionsView.folds(recorded.streamId)) continue;
          const decoded = decodeEvent(recorded);
          if (!decoded.ok) continue;
          view.apply(decoded.value);
          connections.apply(decoded.value);
        }
        if (page.length < 500) return;
      }
    };
    await catchUp();

    const signals = createSignals({
      metrics: context.metrics,
      dataDir: config.dataDir,
      now,
      ...(sources.processors && { processors: sources.processors }),
      ...(sources.providerFailures && { providerFailures: sources.providerFailures }),
      ...(sources.readStore && { readStore: sources.readStore }),
    });
    let consoleUrl = config.mediaGateway.publicUrl ?? '';
    const integrations = config.mediaGateway.integrations;
    const messaging = config.mediaGateway.messaging;
    const smtpUrl = messaging?.smtpUrl;
    const notify: NotifySettings = {
      targets: createTargets({
        fetch: context.outbound.fetch,
        apiUrls: integrations.apiUrls,
        commands: commandSenderFor(handler),
        consoleUrl: () => consoleUrl,
        log,
      }),
      connections,
      ...(smtpUrl !== undefined && {
        email: { url: smtpUrl, from: messaging?.emailFrom ?? 'alerts@customercare.local' },
      }),
      maxAttempts: settings.notifyAttempts,
      retryBaseMs: integrations.retryBaseMs,
      attemptTimeoutMs: integrations.attemptTimeoutMs,
      consoleUrl: () => consoleUrl,
    };

    const watches = new Map<string, Watch>();
    const figures = new Map<string, number>();
    const inFlight = new Map<string, Promise<void>>();
    const stopping = new AbortController();

    /** The last refusal logged per rule and command: a rule of a closed tenant is refused at every evaluation. */
    const refusals = new Map<string, string>();
    const send = async (type: string, data: Record<string, unknown>): Promise<void> => {
      const key = `${String(data['tenantId'])}/${String(data['ruleId'])}/${type}`;
      try {
        await handler.handleTrusted(type, data, { actor: SYSTEM_ACTOR });
        refusals.delete(key);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (refusals.get(key) !== message) log(`alerts: ${type} ${String(data['ruleId'])}: ${message}`);
        refusals.set(key, message);
      }
    };

    const tell = (notice: Notice, connectionId: string, key: string): void => {
      const done = notifyChannel(notify, notice, connectionId, stopping.signal).then(async (outcome) => {
        // Stopping cuts retries short: what was not told is told after the next start, not recorded as failed.
        if (!outcome.ok && stopping.signal.aborted) return;
        await send('RecordAlertNotification', {
          tenantId: notice.tenantId,
          ruleId: notice.ruleId,
          firedAt: notice.firedAt,
          transition: notice.transition,
          connectionId,
          outcome: outcome.ok ? 'delivered' : 'failed',
          attempts: outcome.attempts,
          ...(outcome.error !== undefined && { error: outcome.error.slice(0, 500) }),
        });
        if (!outcome.ok) log(`alerts: ${notice.ruleId} not told to ${connectionId}: ${outcome.error ?? ''}`);
      });
      inFlight.set(
        key,
        done.finally(() => inFlight.delete(key)),
      );
    };

    /** Every channel of every rule's last transition that is neither told nor being told. */
    const tellPending = (): void => {
      for (const entry of view.all()) {
        const { last, rule } = entry;
        if (last === undefined || rule === undefined) continue;
        if (now().getTime() - Date.parse(last.at) > STALE_MS) continue;
        for (const connectionId of rule.channels) {
          const key = `${entry.streamId}/${last.firedAt}/${last.transition}/${connectionId}`;
          if (view.told(key) || inFlight.has(key)) continue;
          const { value } = last;
          tell(
            {
              tenantId: entry.tenantId,
              ruleId: entry.ruleId,
              rule,
              transition: last.transition,
              firedAt: last.firedAt,
              ...(value !== undefined && { value }),
              now: now(),
            },
            connectionId,
            key,
          );
        }
      }
    };

    const evaluate = async (): Promise<void> => {
      await catchUp();
      const rules = view.active();
      const kinds = new Set<AlertKind>(rules.map((r) => r.state.rule.kind));
      const read = await signals.read(kinds, log);
      const at = now().getTime();
      for (const entry of rules) {
        const { rule, firing } = entry.state;
        const value = read(rule.kind, entry.tenantId);
        if (value !== undefined) figures.set(entry.streamId, value);
        else figures.delete(entry.streamId);
        const next = step(rule, firing !== undefined, value, at, watches.get(entry.streamId) ?? {});
        watches.set(entry.streamId, next.watch);
        if (next.transition === 'fire' && value !== undefined)
          await send('FireAlert', {
            tenantId: entry.tenantId,
            ruleId: entry.ruleId,
            value,
            since: new Date(next.since).toISOString(),
          });
        if (next.transition === 'resolve' && value !== undefined)
          await send('ResolveAlert', { tenantId: entry.tenantId, ruleId: entry.ruleId, value });
      }
      await catchUp();
      tellPending();
    };

    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | undefined;
    let stopped = false;
    const schedule = (): void => {
      if (stopped) return;
      timer = setTimeout(() => {
        running = evaluate()
          .catch((error: unknown) =>
            log(`alerts: evaluation failed: ${error instanceof Error ? error.message : String(error)}`),
          )
          .finally(() => {
            running = undefined;
            schedule();
          });
      }, settings.everySeconds * 1000);
      timer.unref();
    };
    schedule();

    const router = new Router<ApiState>();
    router.use('/api/alerts', authenticate(context.auth));
    router.get('/api/alerts', async (ctx) => {
      const credential = requireCredential(ctx.state);
      const asked = ctx.query['tenantId'];
      const tenantId = typeof asked === 'string' ? asked : (credential.actor.tenantId ?? PLATFORM_TENANT);
      await authorize(credential, ALERT_ROUTES.listAlerts, { tenantId }, context.auth.planOf);
      if (tenantId !== PLATFORM_TENANT && !TenantId.safeParse(tenantId).success)
        throw new CommandRejected(400, 'VALIDATION_FAILED', 'tenantId: not a tenant id', 'tenantId');
      const { rules, transitions, failures } = view.of(tenantId);
      ctx.body = {
        tenantId,
        rules: rules.map((r) => {
          const { rule, firing } = r.state;
          const watch = watches.get(r.streamId) ?? {};
          const value = figures.get(r.streamId);
          return {
            ruleId: r.ruleId,
            ...rule,
            unit: ALERT_KIND_UNITS[rule.kind],
            status: firing !== undefined ? 'firing' : watch.breachedSince !== undefined ? 'pending' : 'ok',
            ...(value !== undefined && { value }),
            ...(firing !== undefined && { firedAt: firing.firedAt, since: firing.since }),
          };
        }),
        transitions: transitions.slice(0, 50),
        failures: failures.slice(0, 50),
        // What a rule's channels may name: the tenant's connections that can tell a person.
        channels: connections
          .connections(tenantId)
          .filter((c) => CHANNEL_KINDS.has(c.kind))
          .map((c) => ({ connectionId: c.connectionId, name: c.name, kind: c.kind, enabled: c.enabled })),
      };
    });

    return {
      http: router.routes() as Middleware,
      listening: (url) => {
        if (consoleUrl === '') consoleUrl = url;
      },
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        stopping.abort();
        await running;
        // Telegram's and Slack's requests end with the abort; a mail in flight cannot be called back, so it gets
        // one attempt's time, and what it still does afterwards finds the stores closed (logged, not thrown).
        let waited: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all([...inFlight.values()]),
          new Promise((resolve) => (waited = setTimeout(resolve, integrations.attemptTimeoutMs))),
        ]);
        clearTimeout(waited);
      },
    };
  },
});
