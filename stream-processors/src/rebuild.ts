import type { ReadStore } from '@ccp/projections';
import type { Bus } from './bus/port.js';
import type { Processor, ProcessorContext } from './processor.js';
import { startProcessors, type RunningProcessors } from './runtime.js';

export interface RebuildOptions {
  readonly bus: Bus;
  /** The processors running live; the one rebuilt is paused while its tables are swapped. */
  readonly live: RunningProcessors;
  readonly name: string;
  /** The read store the live processor writes to. */
  readonly readStore: ReadStore;
  /** Opens the same read store with unqualified table names resolving to `database`. */
  readonly openIn: (database: string) => Promise<ReadStore>;
  readonly context: ProcessorContext;
  /** How long the rebuild must see no new batch before it counts as caught up. */
  readonly settleMs?: number;
  /** Abandons the rebuild (the platform is stopping): the live tables stay as they were. */
  readonly signal?: AbortSignal;
  /**
   * Runs the final catch-up and the swap, the live processor paused: the platform keeps other work on the read
   * side (an erasure's scrub) out of it. By default it runs at once.
   */
  readonly exclusive?: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface RebuildReport {
  readonly processor: string;
  readonly version: string;
  readonly tables: readonly string[];
  readonly events: number;
  readonly switchedAt: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rebuilds one processor's projection from position 0 into new tables while the live tables keep serving reads,
 * then switches reads over atomically (EXCHANGE TABLES) once the rebuild has caught up. The live processor is
 * paused only for the final catch-up and the swap, so no event handled in between is missing from the new
 * tables; when it resumes it continues from its own checkpoint (idempotent writes make the overlap harmless).
 */
export const rebuildProjection = async (options: RebuildOptions): Promise<RebuildReport> => {
  const { bus, live, name, readStore, context } = options;
  const processor = live.processor(name);
  if (!processor) throw new Error(`no processor named ${name}`);
  const tables = processor.tables;
  const version = `r${Date.now()}`;
  const database = `rebuild_${name.replaceAll(/[^A-Za-z0-9]/g, '_')}_${version}`;
  const settleMs = options.settleMs ?? 500;

  await readStore.command(`CREATE DATABASE IF NOT EXISTS ${database}`);
  for (const table of tables) await readStore.command(`CREATE TABLE ${database}.${table} AS ${table}`);
  const target = await options.openIn(database);
  let handled = 0;
  let lastBatchAt = Date.now();
  let lastPosition = 0;
  const counting: Processor = {
    ...processor,
    handle: async (batch, ctx) => {
      await processor.handle(batch, ctx);
      handled += batch.length;
      lastBatchAt = Date.now();
      for (const event of batch) lastPosition = Math.max(lastPosition, event.position);
    },
  };
  // Commands a rebuild would emit were sent by the live processor already (and carry the same idempotency keys).
  const quiet: ProcessorContext = { ...context, readStore: target, send: async () => undefined };
  const rebuild = await startProcessors(bus, [counting], quiet, { groupSuffix: `#${version}` });
  try {
    const caughtUp = async (livePosition: number) => {
      while (lastPosition < livePosition || Date.now() - lastBatchAt < settleMs) {
        options.signal?.throwIfAborted();
        await sleep(50);
      }
    };
    await caughtUp(live.lag()[name]?.lastPosition ?? 0);
    const exclusive = options.exclusive ?? (<T>(work: () => Promise<T>) => work());
    await exclusive(async () => {
      await live.pause(name);
      try {
        await caughtUp(live.lag()[name]?.lastPosition ?? 0);
        options.signal?.throwIfAborted();
        for (const table of tables)
          await readStore.command(`EXCHANGE TABLES ${table} AND ${database}.${table}`);
      } finally {
        await live.resume(name);
      }
    });
  } finally {
    await rebuild.stop();
    await target.close();
    // Swapped in or abandoned, what is left in the rebuild's database is not read by anyone.
    await readStore.command(`DROP DATABASE IF EXISTS ${database}`);
  }
  return { processor: name, version, tables, events: handled, switchedAt: new Date().toISOString() };
};
