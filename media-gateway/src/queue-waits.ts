import { Histogram } from 'prom-client';
import type { CallEvent, EventEnvelope } from '@ccp/schemas';
import type { MetricsRegistry } from '@ccp/command-service';
import { BoundedMap } from './bounded-map.js';

/** Calls waiting in a queue now, remembered until they leave it; more than this are not waited on at once. */
const WAITING_CALLS = 20_000;

/** Seconds a caller may wait for a person: from a second to twenty minutes. */
const QUEUE_SECONDS = [1, 2.5, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200];

/**
 * The human hand-off queue's waits, observed as the call events arrive live (never replayed: the gateway follows
 * the log from its end): from CallQueued until a person joins or takes over (`answered`), the call is handed to
 * an AI agent or an outside number (`transferred`), or it ends in the queue (`abandoned`). The
 * same measure as the SLA processor's queue wait, as a distribution rather than per call.
 */
export const queueWaits = (registry: MetricsRegistry) => {
  const seconds = new Histogram({
    name: 'ccp_queue_wait_seconds',
    help: 'Time a call waited in a human hand-off queue, by how the wait ended: answered (a person joined or took over), transferred or abandoned',
    labelNames: ['outcome'],
    buckets: QUEUE_SECONDS,
    registers: [registry],
  });
  const waiting = new BoundedMap<string, number>(WAITING_CALLS);
  const left = (envelope: EventEnvelope, outcome: 'answered' | 'transferred' | 'abandoned') => {
    const since = waiting.get(envelope.streamId);
    if (since === undefined) return;
    waiting.delete(envelope.streamId);
    seconds.observe({ outcome }, Math.max(0, Date.parse(envelope.occurredAt) - since) / 1000);
  };
  return {
    /** A call event, in log order. */
    apply: (envelope: EventEnvelope): void => {
      // Decoded already (decodeEvent): a call stream's event is one of the call's.
      const event = envelope as CallEvent;
      switch (event.type) {
        case 'CallQueued':
          // Queued again while waiting (another department): one wait, from the first.
          if (!waiting.has(envelope.streamId)) {
            waiting.set(envelope.streamId, Date.parse(envelope.occurredAt));
          }
          return;
        case 'HumanJoined':
        case 'HumanTookOver':
          return left(envelope, 'answered');
        case 'CallTransferred':
          // To a department or a person it still waits for one of the tenant's people (as the SLA counts it).
          if (event.data.to.kind === 'agent' || event.data.to.kind === 'external')
            left(envelope, 'transferred');
          return;
        case 'CallEnded':
          return left(envelope, 'abandoned');
        default:
          return;
      }
    },
  };
};
