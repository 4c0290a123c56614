import { PassThrough } from 'node:stream';
import type { Context } from 'koa';

/**
 * Live metrics pushed over Server-Sent Events. One poller per tenant, however many dashboards watch it: the
 * read store is asked once per interval and each watcher gets the snapshot only when it changed. The poller
 * stops with its last watcher.
 */
export interface LiveFeed {
  watch(ctx: Context, tenantId: string): void;
  close(): void;
}

export interface LiveFeedOptions<T> {
  /** What watchers of `tenantId` (or of any key a feed is watched by, such as a tenant's campaign) see. */
  readonly snapshot: (tenantId: string) => Promise<T>;
  /** The Server-Sent Events' event name (default `metrics`). */
  readonly event?: string;
  /** How often the read store is asked; events reach it from the processors within this much more. */
  readonly intervalMs?: number;
  readonly heartbeatMs?: number;
  readonly log: (message: string) => void;
}

interface TenantPoller {
  readonly watchers: Set<PassThrough>;
  last: string | undefined;
  timer: NodeJS.Timeout;
}

const frame = (event: string, data: string, id: number): string =>
  `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;

export const createLiveFeed = <T>(options: LiveFeedOptions<T>): LiveFeed => {
  const interval = options.intervalMs ?? 500;
  const event = options.event ?? 'metrics';
  const pollers = new Map<string, TenantPoller>();
  let sequence = 0;

  const poll = async (tenantId: string, poller: TenantPoller): Promise<void> => {
    try {
      const json = JSON.stringify(await options.snapshot(tenantId));
      if (json === poller.last) return;
      poller.last = json;
      const message = frame(event, json, (sequence += 1));
      for (const watcher of poller.watchers) watcher.write(message);
    } catch (error) {
      options.log(`live metrics for ${tenantId}: ${String(error)}`);
    }
  };

  const start = (tenantId: string): TenantPoller => {
    let running = false;
    const poller: TenantPoller = {
      watchers: new Set(),
      last: undefined,
      timer: setInterval(() => {
        // A slow read store must not pile polls up.
        if (running) return;
        running = true;
        void poll(tenantId, poller).finally(() => {
          running = false;
        });
      }, interval),
    };
    pollers.set(tenantId, poller);
    return poller;
  };

  const heartbeat = setInterval(() => {
    for (const poller of pollers.values())
      for (const watcher of poller.watchers) watcher.write(': keep-alive\n\n');
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    watch: (ctx, tenantId) => {
      const stream = new PassThrough();
      const poller = pollers.get(tenantId) ?? start(tenantId);
      poller.watchers.add(stream);
      ctx.req.socket.setTimeout(0);
      ctx.set('Content-Type', 'text/event-stream; charset=utf-8');
      ctx.set('Cache-Control', 'no-cache, no-transform');
      ctx.set('Connection', 'keep-alive');
      ctx.status = 200;
      ctx.body = stream;
      stream.write('retry: 2000\n\n');
      // The newest snapshot at once, so a new dashboard does not wait for the next change.
      if (poller.last !== undefined) stream.write(frame(event, poller.last, (sequence += 1)));
      else void poll(tenantId, poller).then(() => undefined);
      const leave = () => {
        poller.watchers.delete(stream);
        stream.end();
        if (poller.watchers.size === 0) {
          clearInterval(poller.timer);
          pollers.delete(tenantId);
        }
      };
      ctx.req.once('close', leave);
    },
    close: () => {
      clearInterval(heartbeat);
      for (const poller of pollers.values()) {
        clearInterval(poller.timer);
        for (const watcher of poller.watchers) watcher.end();
      }
      pollers.clear();
    },
  };
};
