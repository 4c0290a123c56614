import { Counter, Gauge } from 'prom-client';
import type { MetricsRegistry } from '@ccp/command-service';
import type { LagFigures } from './lag.js';

/**
 * The stream processors' metrics, read at each scrape from the lag figures the runtime keeps for the super
 * admins' lag report (one measurement, two readers): events handled per processor (its throughput, as a rate),
 * the lag from an event's append to its rows being written (p50, p99 and max over the last 10,000 events), and
 * the global position of the newest event handled.
 */
export const processorMetrics = (
  registry: MetricsRegistry,
  lag: () => Readonly<Record<string, LagFigures>>,
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
};
