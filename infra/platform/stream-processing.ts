import Router from '@koa/router';
import type { Middleware } from 'koa';
import { SYSTEM_ACTOR } from '@ccp/schemas';
import {
  authenticate,
  requireCredential,
  type ApiState,
  authorize,
  type RouteAccess,
  CommandRejected,
  isPassingRefusal,
  type CommandHandler,
  type PlatformContext,
  type PlatformModule,
} from '@ccp/command-service';
import { migrate, observedReadStore, openReadStore, type ReadStore } from '@ccp/projections';
import {
  createEmbeddedBus,
  personalDataDecryptor,
  createKafkaBus,
  type Bus,
  type Rejection,
  type Processor,
  type ProcessorContext,
  type SendCommand,
  processorMetrics,
  tracedProcessors,
  projectionVersions,
  rebuildProjection,
  startProcessors,
  type RebuildReport,
  type RunningProcessors,
} from '@ccp/stream-processors';

export interface StreamProcessing {
  readonly module: PlatformModule;
  /** Available once the module started. */
  readStore(): ReadStore;
  processors(): RunningProcessors;
  rejections(): readonly Rejection[];
  /**
   * Runs `work` with every processor of this process paused: a batch in flight is written first, none is read
   * until `work` is done. An erasure shreds keys and scrubs rows in it, so no batch decrypted before the keys
   * went writes clear text after the scrub. A projection rebuild still filling its own tables is started again
   * (what it read before the keys went would come back when its tables are swapped in), and none swaps its
   * tables in while `work` runs.
   */
  whilePaused<T>(work: () => Promise<T>): Promise<T>;
}

/** Why a rebuild was abandoned part way: an erasure shredded keys while it was filling its tables. */
class ErasureRan extends Error {
  constructor() {
    super('an erasure ran while it was being rebuilt');
    this.name = 'ErasureRan';
  }
}

type BusFactory = (context: PlatformContext, onRejected: (rejection: Rejection) => void) => Promise<Bus>;

/** BUS=embedded reads the (decrypting) event store; BUS=kafka relays the stored form and decrypts on consume. */
const configuredBus: BusFactory = async (context, onRejected) => {
  const { bus } = context.config;
  if (bus.kind === 'kafka') {
    return createKafkaBus({
      store: context.rawStore,
      decrypt: personalDataDecryptor(context.keys),
      brokers: bus.brokers,
      registryUrl: bus.registryUrl,
      checkpoints: context.checkpoints,
      onRejected,
      log: context.log,
      tracing: context.tracing,
    });
  }
  return createEmbeddedBus({
    store: context.store,
    checkpoints: context.checkpoints,
    onRejected,
    log: context.log,
  });
};

/** The super admins' stream-processing routes, in the form of every route table (see http/authorize.ts). */
export const STREAM_ADMIN_ROUTES = {
  processors: {
    method: 'get',
    path: '/api/admin/processors',
    action: 'run the platform',
    roles: [],
    scope: 'session',
    tenant: 'credential',
  },
  checksum: {
    method: 'get',
    path: '/api/admin/projections/:name/checksum',
    action: 'run the platform',
    roles: [],
    scope: 'session',
    tenant: 'credential',
  },
  rebuild: {
    method: 'post',
    path: '/api/admin/projections/:name/rebuild',
    action: 'run the platform',
    roles: [],
    scope: 'session',
    tenant: 'credential',
  },
} as const satisfies Record<string, RouteAccess>;

/**
 * The read side in the platform process: the read store (migrated), the bus, and every processor as a consumer
 * group. Commands the processors emit (SLA breaches, usage caps) go to the command handler as the platform.
 */
/**
 * How processors send commands: as the platform. A refusal is final (the write side said no). Infrastructure
 * errors and refusals another try may not meet (a stream that kept moving under the decision) make the batch
 * retry: metered usage, for one, must not be dropped because the meter was busy.
 */
export const platformSend =
  (handler: Pick<CommandHandler, 'handleTrusted'>, log: (message: string) => void): SendCommand =>
  async (type, data, options) => {
    try {
      await handler.handleTrusted(type, data, { actor: SYSTEM_ACTOR, ...options });
    } catch (error) {
      if (!(error instanceof CommandRejected) || isPassingRefusal(error)) throw error;
      log(`stream processing: ${type} refused: ${error.code} ${error.message}`);
    }
  };

export const streamProcessing = (
  processors: readonly Processor[],
  openBus: BusFactory = configuredBus,
): StreamProcessing => {
  let store: ReadStore | undefined;
  let running: RunningProcessors | undefined;
  const rejected: Rejection[] = [];
  // One at a time: an erasure's shredding and scrubbing (whilePaused), and a rebuild's swap of its tables.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const mine = turn.then(work, work);
    turn = mine.catch(() => undefined);
    return mine;
  };
  /** Rebuilds filling their own tables, each abandoned (and started again) when an erasure runs. */
  const rebuilding = new Set<AbortController>();

  const module: PlatformModule = {
    name: 'stream-processing',
    start: async (context) => {
      // Timed as the processors and the query API use it (they share it); rebuilds' own stores are not.
      const readStore = observedReadStore(await openReadStore(context.config.readStore), context.metrics);
      await migrate(readStore);
      const bus = await openBus(context, (rejection) => {
        rejected.push(rejection);
        if (rejected.length > 1000) rejected.shift();
        context.log(`bus: rejected ${rejection.type ?? 'message'} on ${rejection.key}: ${rejection.reason}`);
      });
      await bus.start();
      const processorContext: ProcessorContext = {
        readStore,
        log: context.log,
        now: () => new Date(),
        send: platformSend(context.handler, context.log),
      };
      // Judged before the processors start: on a first start their tables are still empty (nothing to rebuild);
      // judged after, the demo seed's events already in them would pass for an older version's rows.
      const versions = projectionVersions(readStore);
      const outdated = await versions.outdated(processors);
      running = await startProcessors(bus, tracedProcessors(processors, context.tracing), processorContext);
      store = readStore;
      const live = running;
      processorMetrics(context.metrics, () => live.lag(), {
        lag: () => bus.lag(),
        relays: context.config.bus.kind === 'kafka',
        log: context.log,
      });
      const stopping = new AbortController();
      const rebuild = async (name: string): Promise<RebuildReport> => {
        for (;;) {
          const attempt = new AbortController();
          const stop = () => attempt.abort(stopping.signal.reason);
          stopping.signal.addEventListener('abort', stop, { once: true });
          rebuilding.add(attempt);
          try {
            return await rebuildProjection({
              bus,
              live,
              name,
              readStore,
              openIn: (database) => openReadStore({ ...context.config.readStore, database }),
              context: processorContext,
              signal: attempt.signal,
              exclusive: inTurn,
            });
          } catch (error) {
            if (stopping.signal.aborted || !(attempt.signal.reason instanceof ErasureRan)) throw error;
            context.log(`stream processing: rebuilding ${name} again: ${attempt.signal.reason.message}`);
          } finally {
            rebuilding.delete(attempt);
            stopping.signal.removeEventListener('abort', stop);
          }
        }
      };
      // Tables an older release wrote are rebuilt in the background, one processor at a time, while the live
      // tables keep serving; the new version is recorded once its tables are swapped in.
      const upgrading = (async () => {
        for (const processor of outdated) {
          context.log(
            `stream processing: rebuilding ${processor.name} for version ${processor.version ?? 1}`,
          );
          const report = await rebuild(processor.name);
          await versions.record(processor.name, processor.version ?? 1);
          context.log(`stream processing: ${processor.name} rebuilt from ${report.events} events`);
        }
        // Said when the start-up check is over, rebuilds or none, so an operator (or a test) knows nothing more
        // is coming rather than waiting to see.
        context.log('stream processing: projection versions up to date');
      })().catch((error: unknown) => {
        if (stopping.signal.aborted) return;
        context.log(
          `stream processing: upgrade rebuild failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
      const admin = new Router<ApiState>({ prefix: '/api/admin' });
      admin.use(authenticate(context.auth));
      const allow = (state: ApiState, route: RouteAccess) => authorize(requireCredential(state), route, {});
      admin.get('/processors', async (ctx) => {
        await allow(ctx.state, STREAM_ADMIN_ROUTES.processors);
        ctx.body = { processors: live.lag(), rejections: rejected.slice(-50) };
      });
      // A fingerprint of a projection's tables as reads see them (FINAL), to compare a projection with its rebuild.
      admin.get('/projections/:name/checksum', async (ctx) => {
        await allow(ctx.state, STREAM_ADMIN_ROUTES.checksum);
        const processor = live.processor(ctx.params.name ?? '');
        if (!processor)
          throw new CommandRejected(404, 'PROCESSOR_NOT_FOUND', `no processor ${ctx.params.name}`);
        const tables: Record<string, { rows: string; hash: string }> = {};
        for (const table of processor.tables) {
          const [row] = await readStore.query<{ rows: string; hash: string }>(
            `SELECT toString(count()) AS rows, toString(sum(cityHash64(tuple(*)))) AS hash FROM ${table} FINAL`,
          );
          tables[table] = row ?? { rows: '0', hash: '0' };
        }
        ctx.body = { processor: processor.name, tables };
      });
      admin.post('/projections/:name/rebuild', async (ctx) => {
        await allow(ctx.state, STREAM_ADMIN_ROUTES.rebuild);
        const name = ctx.params.name ?? '';
        if (!live.processor(name))
          throw new CommandRejected(404, 'PROCESSOR_NOT_FOUND', `no processor ${name}`);
        ctx.body = await rebuild(name);
      });
      return {
        http: admin.routes() as Middleware,
        stop: async () => {
          // An upgrade rebuild still running is abandoned before the stores close under it: its version is not
          // recorded, so the next start redoes it.
          stopping.abort();
          await upgrading;
          await running?.stop();
          await bus.close();
          await readStore.close();
        },
      };
    },
  };

  return {
    module,
    readStore: () => {
      if (!store) throw new Error('stream processing has not started');
      return store;
    },
    processors: () => {
      if (!running) throw new Error('stream processing has not started');
      return running;
    },
    whilePaused: <T>(work: () => Promise<T>): Promise<T> =>
      inTurn(async () => {
        // A rebuild's own tables hold what it read before the keys went, and the scrub does not reach them:
        // swapped in later, they would bring the clear text back. It starts again and reads the log as it is now.
        for (const attempt of rebuilding) attempt.abort(new ErasureRan());
        const live = running;
        if (!live) return work();
        const names = Object.keys(live.lag());
        for (const name of names) await live.pause(name);
        try {
          return await work();
        } finally {
          for (const name of names) await live.resume(name);
        }
      }),
    rejections: () => rejected,
  };
};
