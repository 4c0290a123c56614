import type { Bus, RunningConsumer } from './bus/port.js';
import { createLagMeter, type LagFigures } from './lag.js';
import type { Processor, ProcessorContext } from './processor.js';

export interface RunningProcessors {
  lag(): Readonly<Record<string, LagFigures>>;
  /** Starts the lag figures afresh, e.g. after a backlog, to measure a steady load alone. */
  resetLag(): void;
  processor(name: string): Processor | undefined;
  /** Stops one processor's consumer (its checkpoint stays), e.g. while its tables are swapped. */
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Appended to every group name: a rebuild consumes as a new group, from position 0. */
  readonly groupSuffix?: string;
  readonly maxBatchSize?: number;
}

/** Runs each processor as its own consumer group on the bus and measures its lag. */
export const startProcessors = async (
  bus: Bus,
  processors: readonly Processor[],
  context: ProcessorContext,
  options: StartOptions = {},
): Promise<RunningProcessors> => {
  const meters = new Map(processors.map((p) => [p.name, createLagMeter()]));
  const consumers = new Map<string, RunningConsumer>();
  const byName = new Map(processors.map((p) => [p.name, p]));

  const run = async (processor: Processor) => {
    const consumer = await bus.consume({
      group: processor.name + (options.groupSuffix ?? ''),
      categories: processor.categories,
      ...(options.maxBatchSize !== undefined && { maxBatchSize: options.maxBatchSize }),
      handle: async (batch) => {
        await processor.handle(batch, context);
        const now = context.now().getTime();
        const meter = meters.get(processor.name);
        for (const event of batch) meter?.record(event.envelope.occurredAt, event.position, now);
      },
    });
    consumers.set(processor.name, consumer);
  };
  for (const processor of processors) await run(processor);

  return {
    lag: () => Object.fromEntries([...meters].map(([name, meter]) => [name, meter.figures()])),
    resetLag: () => {
      for (const name of meters.keys()) meters.set(name, createLagMeter());
    },
    processor: (name) => byName.get(name),
    pause: async (name) => {
      await consumers.get(name)?.stop();
      consumers.delete(name);
    },
    resume: async (name) => {
      const processor = byName.get(name);
      if (processor && !consumers.has(name)) await run(processor);
    },
    stop: async () => {
      for (const consumer of consumers.values()) await consumer.stop();
      consumers.clear();
    },
  };
};
