import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { SYSTEM_ACTOR, type EventEnvelope } from '@ccp/schemas';
import { queueWaits } from './queue-waits.js';

const T0 = Date.parse('2026-03-02T15:00:00Z');
let n = 0;
const event = (callId: string, type: string, atSeconds: number, data: unknown = {}): EventEnvelope =>
  ({
    id: `e${(n += 1)}`,
    type,
    version: 1,
    tenantId: 'acme',
    streamId: `call-acme.${callId}`,
    occurredAt: new Date(T0 + atSeconds * 1000).toISOString(),
    causationId: null,
    correlationId: callId,
    actor: SYSTEM_ACTOR,
    data,
  }) as EventEnvelope;

const waits = async (registry: Registry) =>
  Object.fromEntries(
    ((await registry.getSingleMetric('ccp_queue_wait_seconds')?.get())?.values ?? [])
      .filter((v) => (v as { metricName?: string }).metricName === 'ccp_queue_wait_seconds_sum')
      .map((v) => [String(v.labels['outcome']), v.value]),
  );

describe('queue waits', () => {
  it('measures from the first CallQueued to a person, a transfer away or the end, once per wait', async () => {
    const registry = new Registry();
    const meter = queueWaits(registry);
    const queued = (callId: string, at: number) =>
      meter.apply(event(callId, 'CallQueued', at, { departmentId: 'support', queue: 'Support' }));
    queued('CA1', 0);
    // Queued again elsewhere while waiting: still one wait, from the first.
    queued('CA1', 5);
    meter.apply(event('CA1', 'HumanJoined', 12, { userId: 'ana', mode: 'barge' }));
    // Later events of the call no longer wait.
    meter.apply(event('CA1', 'CallEnded', 60, { outcome: 'resolved', durationSeconds: 60 }));
    queued('CA2', 0);
    // To another department it still waits for a person; to an AI agent it does not.
    meter.apply(event('CA2', 'CallTransferred', 3, { to: { kind: 'department', id: 'sales' } }));
    meter.apply(event('CA2', 'CallTransferred', 7, { to: { kind: 'agent', id: 'sofia' } }));
    queued('CA3', 10);
    meter.apply(event('CA3', 'CallEnded', 40, { outcome: 'abandoned', durationSeconds: 40 }));
    // A call never queued has no wait.
    meter.apply(event('CA4', 'HumanTookOver', 1, { userId: 'ana' }));
    expect(await waits(registry)).toEqual({ answered: 12, transferred: 7, abandoned: 30 });
  });
});
