import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadStore } from '@ccp/projections';
import { createCallFactsProcessor } from './call-facts.js';
import { agentStatistics, departmentStatistics, queueStatistics } from './call-statistics.js';
import {
  handleAll,
  inBatchesOf,
  recordCalls,
  recordSampleCalls,
  testReadStores,
} from './processor-testing.js';

const stores = testReadStores('call-statistics');
let store: ReadStore;
const TENANT = 'stats-acme';
const MARCH_1 = { from: new Date('2024-03-01T00:00:00Z'), to: new Date('2024-03-02T00:00:00Z') };
const MARCH = { from: new Date('2024-03-01T00:00:00Z'), to: new Date('2024-04-01T00:00:00Z') };

beforeAll(async () => {
  store = await stores.open('call_statistics');
  const calls = await recordCalls(TENANT);
  await recordSampleCalls(calls);
  // One more call, still waiting in the sales queue.
  calls.at('2024-03-02T09:00:00.000Z');
  await calls.send('StartCall', {
    callId: 'CA6',
    direction: 'inbound',
    from: '+15551230001',
    to: '+15557650002',
    provider: 'twilio',
    agentId: 'a1',
  });
  calls.at('2024-03-02T09:00:20.000Z');
  await calls.send('RequestEscalation', { callId: 'CA6', reason: 'keyword', summary: 'Said "lawyer"' });
  calls.at('2024-03-02T09:00:30.000Z');
  await calls.send('QueueCall', { callId: 'CA6', departmentId: 'sales', queue: 'priority' });
  // Written by the processor as the bus would deliver it: small batches.
  await handleAll(createCallFactsProcessor(), store, inBatchesOf(await calls.busEvents(['call']), 4));
  await calls.close();
});
afterAll(() => stores.close());

describe('call statistics over the calls the call-facts processor wrote', () => {
  it('per agent: outcomes, containment, durations, feedback, tokens and AI latency', async () => {
    expect(await agentStatistics(store, TENANT, MARCH_1)).toEqual([
      {
        agentId: 'a1',
        calls: 3,
        ended: 3,
        resolved: 3,
        resolvedByAi: 2,
        abandoned: 0,
        escalated: 1,
        transferred: 1,
        humanHandled: 1,
        takenOver: 1,
        averageDurationSeconds: 170,
        averageFeedback: 4.5,
        feedbackCount: 2,
        promptTokens: 410,
        completionTokens: 80,
        averageAiLatencyMs: 400,
      },
      {
        agentId: 'a2',
        calls: 1,
        ended: 1,
        resolved: 0,
        resolvedByAi: 0,
        abandoned: 1,
        escalated: 1,
        transferred: 0,
        humanHandled: 0,
        takenOver: 0,
        averageDurationSeconds: 130,
        averageFeedback: null,
        feedbackCount: 0,
        promptTokens: 0,
        completionTokens: 0,
        averageAiLatencyMs: null,
      },
    ]);
  });

  it('per department, over the range asked for', async () => {
    const march1 = await departmentStatistics(store, TENANT, MARCH_1);
    expect(
      march1.map(({ departmentId, calls, resolved, abandoned, escalated, averageDurationSeconds }) => ({
        departmentId,
        calls,
        resolved,
        abandoned,
        escalated,
        averageDurationSeconds,
      })),
    ).toEqual([
      {
        departmentId: 'sales',
        calls: 2,
        resolved: 2,
        abandoned: 0,
        escalated: 1,
        averageDurationSeconds: 210,
      },
      {
        departmentId: 'support',
        calls: 2,
        resolved: 1,
        abandoned: 1,
        escalated: 1,
        averageDurationSeconds: 110,
      },
    ]);
    // March 2 adds CA5 (support, in progress) and CA6 (queued in sales).
    const month = await departmentStatistics(store, TENANT, MARCH);
    expect(month.map((d) => [d.departmentId, d.calls, d.ended])).toEqual([
      ['sales', 3, 2],
      ['support', 3, 2],
    ]);
  });

  it('per queue: answered, abandoned, waiting now, and wait times', async () => {
    expect(await queueStatistics(store, TENANT, MARCH)).toEqual([
      {
        departmentId: 'sales',
        queue: 'priority',
        queued: 2,
        waiting: 1,
        answered: 1,
        abandoned: 0,
        averageWaitSeconds: 45,
        maxWaitSeconds: 45,
        oldestWaitingSince: '2024-03-02T09:00:30.000Z',
      },
      {
        departmentId: 'support',
        queue: 'general',
        queued: 1,
        waiting: 0,
        answered: 0,
        abandoned: 1,
        averageWaitSeconds: null,
        maxWaitSeconds: null,
        oldestWaitingSince: null,
      },
    ]);
  });

  it("sees only the tenant's own calls, and nothing outside the range", async () => {
    expect(await agentStatistics(store, 'stats-other', MARCH)).toEqual([]);
    const april = { from: new Date('2024-04-01T00:00:00Z'), to: new Date('2024-05-01T00:00:00Z') };
    expect(await queueStatistics(store, TENANT, april)).toEqual([]);
    await expect(departmentStatistics(store, TENANT, { from: MARCH.to, to: MARCH.from })).rejects.toThrow(
      RangeError,
    );
  });
});
