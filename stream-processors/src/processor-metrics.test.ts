import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { BusLag } from './bus/port.js';
import type { LagFigures } from './lag.js';
import { processorMetrics } from './processor-metrics.js';

const FIGURES: LagFigures = { events: 3, p50Ms: 10, p99Ms: 20, maxMs: 30, lastPosition: 40 };

const valuesOf = async (registry: Registry, name: string) =>
  ((await registry.getSingleMetric(name)?.get())?.values ?? []).map((v) => ({
    labels: v.labels,
    value: v.value,
  }));

describe("the processors' lag in events", () => {
  it("reads the bus's lag for the live processors only, and the relay's when the bus relays", async () => {
    const registry = new Registry();
    let asked = 0;
    processorMetrics(registry, () => ({ sla: FIGURES, usage: FIGURES }), {
      lag: async (): Promise<BusLag> => {
        asked += 1;
        return { groups: { sla: 7, usage: 0, 'sla-rebuild-1': 900 }, relay: 12 };
      },
      relays: true,
      log: () => undefined,
    });
    expect(await valuesOf(registry, 'ccp_processor_lag_events')).toEqual([
      { labels: { processor: 'sla' }, value: 7 },
      { labels: { processor: 'usage' }, value: 0 },
    ]);
    expect(await valuesOf(registry, 'ccp_kafka_relay_lag_events')).toEqual([{ labels: {}, value: 12 }]);
    // One look at the bus served both gauges of the scrape.
    expect(asked).toBe(1);
  });

  it('has no relay gauge on a bus that relays nothing', () => {
    const registry = new Registry();
    processorMetrics(registry, () => ({}), {
      lag: async () => ({ groups: {} }),
      relays: false,
      log: () => undefined,
    });
    expect(registry.getSingleMetric('ccp_kafka_relay_lag_events')).toBeUndefined();
  });

  it('answers the scrape without the figures when the bus fails or is slow, and says why', async () => {
    const logged: string[] = [];
    const failing = new Registry();
    processorMetrics(failing, () => ({ sla: FIGURES }), {
      lag: () => Promise.reject(new Error('broker down')),
      relays: true,
      log: (line) => logged.push(line),
    });
    expect(await failing.metrics()).toContain('# TYPE ccp_processor_lag_events gauge');
    expect(await valuesOf(failing, 'ccp_processor_lag_events')).toEqual([]);
    expect(logged).toEqual([expect.stringContaining('broker down')]);
    const slow = new Registry();
    let looks = 0;
    processorMetrics(slow, () => ({ sla: FIGURES }), {
      lag: () => {
        looks += 1;
        return new Promise<BusLag>(() => undefined);
      },
      relays: false,
      log: () => undefined,
    });
    const started = performance.now();
    await slow.metrics();
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await valuesOf(slow, 'ccp_processor_lag_events')).toEqual([]);
    // The look still under way is waited on again, never a second one started beside it.
    expect(looks).toBe(1);
  }, 15_000);
});
