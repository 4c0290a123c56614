import { Counter, Histogram } from 'prom-client';
import { WrongExpectedRevisionError, type EventStore } from '../event-store/port.js';
import { FAST_SECONDS, type MetricsRegistry } from './metrics.js';

/**
 * The event store's own metrics, around whatever the platform appends through (the adapter with its hash chain
 * and personal-data sealing): append latency by outcome, and the events appended.
 */
export const observedEventStore = (store: EventStore, registry: MetricsRegistry): EventStore => {
  const appendSeconds = new Histogram({
    name: 'ccp_event_store_append_duration_seconds',
    help: "Time of one append (one command's events to one stream), by outcome: ok, conflict (the stream moved on) or error",
    labelNames: ['outcome'],
    buckets: FAST_SECONDS,
    registers: [registry],
  });
  const appended = new Counter({
    name: 'ccp_event_store_appended_events_total',
    help: 'Events appended to the event store by this process',
    registers: [registry],
  });
  return {
    append: async (streamId, events, expected) => {
      const started = performance.now();
      let outcome = 'error';
      try {
        const result = await store.append(streamId, events, expected);
        outcome = 'ok';
        appended.inc(events.length);
        return result;
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) outcome = 'conflict';
        throw error;
      } finally {
        appendSeconds.observe({ outcome }, (performance.now() - started) / 1000);
      }
    },
    readStream: (streamId, options) => store.readStream(streamId, options),
    readAll: (options) => store.readAll(options),
    subscribe: (options) => store.subscribe(options),
    close: () => store.close(),
  };
};
