import { Counter, Gauge } from 'prom-client';
import type { MetricsRegistry } from '@ccp/command-service';
import type { BusLag } from './bus/port.js';
import type { LagFigures } from './lag.js';

/** Scrapes closer together than this share one look at the bus (both gauges of a scrape read the same). */
const BUS_LAG_REUSE_MS = 1000;
/**
 * The longest a scrape waits for the bus: a first look at a long log, or a broker slow to answer, leaves the
 * gauges empty for this scrape (the look goes on, and a later scrape reads it) rather than holding the scrape.
 */
const BUS_LAG_WAIT_MS = 2000;

/**
 * The stream processors' metrics, read at each scrape from the lag figures the runtime keeps for the super
 * admins' lag report (one measurement, two readers): events handled per processor (its throughput, as a rate),
 * the lag from an event's append to its rows being written (p50, p99 and max over the last 10,000 events), and
 * the global position of the newest event handled.
 */
export const processorMetrics = (
  registry: MetricsRegistry,
  lag: () => Readonly<Record<string, LagFigures>>,
  bus?: {
    readonly lag: () => Promise<BusLag>;
    /** The bus relays the log (Kafka): its relay's lag is exposed too. */
    readonly relays: boolean;
    readonly log: (message: string) => void;
  },
): void => {
  new Counter({
    name: 'ccp_processor_events_total',
    help: 'Events each stream processor has handled since the process started (its throughput: rate())',
    labelNames: ['processor'],
    registers: [registry],
    collect() {
      // The runtime holds the count; the counter is set to it (a restart or a lag reset reads as a counter reset).
      this.reset();
      for (const [processor, figures] of Object.entries(lag())) this.inc({ processor }, figures.events);
    },
  });
  new Gauge({
    name: 'ccp_processor_lag_seconds',
    help: "Time from an event's append to its rows being written, over the processor's last 10,000 events, by quantile (0.5, 0.99)",
    labelNames: ['processor', 'quantile'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [processor, figures] of Object.entries(lag())) {
        this.set({ processor, quantile: '0.5' }, figures.p50Ms / 1000);
        this.set({ processor, quantile: '0.99' }, figures.p99Ms / 1000);
      }
    },
  });
  new Gauge({
    name: 'ccp_processor_lag_max_seconds',
    help: "The longest time from an event's append to its rows being written, over the processor's last 10,000 events",
    labelNames: ['processor'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [processor, figures] of Object.entries(lag())) this.set({ processor }, figures.maxMs / 1000);
    },
  });
  new Gauge({
    name: 'ccp_processor_position',
    help: 'Global log position of the newest event each stream processor has handled',
    labelNames: ['processor'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [processor, figures] of Object.entries(lag())) this.set({ processor }, figures.lastPosition);
    },
  });
  if (bus === undefined) return;
  /** The last figures read, and when; a look under way, which no second look joins. */
  let last: { readonly at: number; readonly lag: BusLag | undefined } | undefined;
  let looking: Promise<BusLag | undefined> | undefined;
  // A broker that cannot be asked leaves these gauges empty for the scrape, never fails the scrape.
  const busLag = async (): Promise<BusLag | undefined> => {
    if (last !== undefined && performance.now() - last.at <= BUS_LAG_REUSE_MS) return last.lag;
    looking ??= bus
      .lag()
      .catch((error: unknown) => {
        bus.log(`metrics: the bus's lag could not be read: ${String(error)}`);
        return undefined;
      })
      .then((lag) => {
        last = { at: performance.now(), lag };
        return lag;
      })
      .finally(() => (looking = undefined));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(resolve, BUS_LAG_WAIT_MS, undefined);
      timer.unref();
    });
    return Promise.race([looking, late]).finally(() => clearTimeout(timer));
  };
  new Gauge({
    name: 'ccp_processor_lag_events',
    help: "Events each stream processor has yet to read: embedded bus, log events between its read position and the log's head; Kafka, its consumer group's lag over its topics' partitions",
    labelNames: ['processor'],
    registers: [registry],
    async collect() {
      this.reset();
      const groups = (await busLag())?.groups ?? {};
      // Only the live processors' groups: a rebuild's group is named afresh each time.
      for (const processor of Object.keys(lag())) {
        const behind = groups[processor];
        if (behind !== undefined) this.set({ processor }, behind);
      }
    },
  });
  if (!bus.relays) return;
  new Gauge({
    name: 'ccp_kafka_relay_lag_events',
    help: 'Kafka bus: events appended to the log that the relay has not yet had acknowledged by the broker',
    registers: [registry],
    async collect() {
      this.reset();
      const relay = (await busLag())?.relay;
      if (relay !== undefined) this.set(relay);
    },
  });
};
