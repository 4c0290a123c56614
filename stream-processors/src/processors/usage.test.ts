import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import { tableRows, testReadStores } from './processor-testing.js';
import { createUsageProcessor, usageTotals } from './usage.js';
import { writeSide, type SentCommand, type WriteSide } from './write-side-testing.js';

const stores = testReadStores('usage');
const categories = createUsageProcessor().categories;

const reply = (utteranceId: string, promptTokens: number, completionTokens: number) => ({
  utteranceId,
  text: 'Sure.',
  language: 'en',
  model: 'offline-dialogue',
  promptTokens,
  completionTokens,
  latencyMs: 300,
});

const startCall = (w: WriteSide, callId: string, agentId: string) =>
  w.send('StartCall', {
    callId,
    direction: 'inbound',
    from: '+15551230001',
    to: '+15557650002',
    provider: 'simulator',
    agentId,
  });

/**
 * A free tenant (60 minutes and 200,000 tokens a month, each call rounded up to the minute):
 * - F1 with agent a1: 3.5 s of caller speech, a 200-token reply, 59 minutes long (3540 s): 59 minutes.
 * - F2 with agent a1, handed to agent a2, which replies with 200,000 tokens; 61 s long: 2 minutes, on a2.
 * Together 61 minutes and 200,200 tokens: both caps reached.
 */
const recordFreeTenant = async (w: WriteSide): Promise<void> => {
  w.at('2024-03-01T09:00:00.000Z');
  await startCall(w, 'F1', 'a1');
  w.at('2024-03-01T09:00:05.000Z');
  await w.send('RecordUtterance', {
    callId: 'F1',
    utteranceId: 'u1',
    speaker: 'caller',
    text: 'Hello',
    confidence: 0.9,
    language: 'en',
    startedAt: '2024-03-01T09:00:01.000Z',
    endedAt: '2024-03-01T09:00:04.500Z',
  });
  await w.send('RecordAiReply', { callId: 'F1', ...reply('r1', 150, 50) });
  w.at('2024-03-01T09:59:00.000Z');
  await w.send('EndCall', { callId: 'F1', outcome: 'resolved' });

  w.at('2024-03-01T10:00:00.000Z');
  await startCall(w, 'F2', 'a1');
  w.at('2024-03-01T10:00:10.000Z');
  await w.send('TransferCall', { callId: 'F2', to: { kind: 'agent', id: 'a2' } });
  w.at('2024-03-01T10:00:20.000Z');
  await w.send('RecordAiReply', { callId: 'F2', ...reply('r2', 120_000, 80_000) });
  w.at('2024-03-01T10:01:01.000Z');
  await w.send('EndCall', { callId: 'F2', outcome: 'resolved' });
};

/** The caps asked for; the RecordUsage commands every batch also sends are usage-meter.test.ts's. */
const capsOf = (sent: readonly SentCommand[]) => sent.filter((s) => s.type === 'EnforceUsageCap');

const snapshot = async (readStore: ReadStore, tenantId: string) => ({
  usage: await tableRows(readStore, 'usage_events', tenantId, 'event_id'),
  calls: await tableRows(readStore, 'usage_calls', tenantId, 'call_id'),
  plans: await tableRows(readStore, 'tenant_plans', tenantId, 'position'),
});

const EXPECTED_CAPS = [
  { tenantId: 'u-free', period: '2024-03', resource: 'call_minutes', used: 61, cap: 60 },
  { tenantId: 'u-free', period: '2024-03', resource: 'llm_tokens', used: 200_200, cap: 200_000 },
];
const EXPECTED_KEYS = [
  'usage-cap:u-free:2024-03:call_minutes:free:60',
  'usage-cap:u-free:2024-03:llm_tokens:free:200000',
];

let free: WriteSide;
let freeLog: BusEvent[];

beforeAll(async () => {
  free = await writeSide('u-free', { planTier: 'free' });
  await recordFreeTenant(free);
  freeLog = await free.busEvents(categories);
});
afterAll(async () => {
  await free.close();
  await stores.close();
});

describe('usage processor', () => {
  it('meters call minutes by the plan, tokens and speech, per tenant and agent', async () => {
    const store = await stores.open('usage_free');
    await createUsageProcessor().handle(freeLog, free.context(store));
    expect(await usageTotals(store, 'u-free', '2024-03')).toEqual({
      period: '2024-03',
      callMinutes: 61,
      llmTokens: 200_200,
      speechSeconds: 3.5,
      byAgent: [
        { agentId: 'a1', callMinutes: 59, llmTokens: 200, speechSeconds: 3.5 },
        // The call ended with a2, which took it over from a1.
        { agentId: 'a2', callMinutes: 2, llmTokens: 200_000, speechSeconds: 0 },
      ],
    });
    expect(await usageTotals(store, 'u-free', '2024-04')).toMatchObject({ callMinutes: 0, byAgent: [] });
    const minutes = await store.query(
      `SELECT call_id, quantity, plan_tier FROM usage_events FINAL
       WHERE tenant_id = 'u-free' AND kind = 'call_minutes' ORDER BY call_id`,
    );
    expect(minutes).toEqual([
      { call_id: 'F1', quantity: 59, plan_tier: 'free' },
      { call_id: 'F2', quantity: 2, plan_tier: 'free' },
    ]);
    const tokens = await store.query(
      `SELECT call_id, quantity, plan_tier FROM usage_events FINAL
       WHERE tenant_id = 'u-free' AND kind = 'llm_tokens' ORDER BY call_id`,
    );
    expect(tokens).toEqual([
      { call_id: 'F1', quantity: 200, plan_tier: 'free' },
      { call_id: 'F2', quantity: 200_000, plan_tier: 'free' },
    ]);
  });

  it('reaching a cap sends EnforceUsageCap, which limits the tenant as its plan says', async () => {
    const caps = free.sent.filter((s) => s.type === 'EnforceUsageCap');
    expect(caps.map((s) => s.data)).toEqual(EXPECTED_CAPS);
    expect(caps.map((s) => s.idempotencyKey)).toEqual(EXPECTED_KEYS);
    expect(caps.map((s) => s.outcome)).toEqual([
      { kind: 'stored', events: ['UsageCapReached'] },
      { kind: 'stored', events: ['UsageCapReached'] },
    ]);
  });

  it('the same batch again, by a restarted processor, gives the same tables and the same keys, which store nothing', async () => {
    const store = await stores.open('usage_free');
    const before = await snapshot(store, 'u-free');
    const sentBefore = free.sent.length;
    await createUsageProcessor().handle(freeLog, free.context(store));
    expect(await snapshot(store, 'u-free')).toEqual(before);
    const again = capsOf(free.sent.slice(sentBefore));
    expect(again.map((s) => s.idempotencyKey)).toEqual(EXPECTED_KEYS);
    expect(again.map((s) => s.data)).toEqual(EXPECTED_CAPS);
    expect(again.every((s) => s.outcome.kind === 'replayed')).toBe(true);
    expect((await free.streamTypes('tenant', 'u-free')).filter((t) => t === 'UsageCapReached')).toHaveLength(
      2,
    );
  });

  it('asks for a cap when it is crossed, once per process, and the split of batches does not change the tables', async () => {
    const store = await stores.open('usage_split');
    const processor = createUsageProcessor();
    const firstCallEnds = freeLog.findIndex((e) => e.envelope.type === 'CallEnded') + 1;
    const sentBefore = free.sent.length;
    const ctx = free.context(store);
    await processor.handle(freeLog.slice(0, firstCallEnds), ctx);
    // 59 minutes and 200 tokens: under both caps.
    expect(capsOf(free.sent.slice(sentBefore))).toEqual([]);
    for (const event of freeLog.slice(firstCallEnds)) await processor.handle([event], ctx);
    await processor.handle(freeLog, ctx);
    const sent = capsOf(free.sent.slice(sentBefore));
    // Tokens crossed at F2's reply, minutes at its end; the redelivered log asks for neither again.
    expect(sent.map((s) => s.idempotencyKey)).toEqual([EXPECTED_KEYS[1], EXPECTED_KEYS[0]]);
    expect(await snapshot(store, 'u-free')).toEqual(
      await snapshot(await stores.open('usage_free'), 'u-free'),
    );
  });

  it('enforces only the current month: a first run or a rebuild over past months sends nothing', async () => {
    const store = await stores.open('usage_later');
    const sentBefore = free.sent.length;
    const april = { ...free.context(store), now: () => new Date('2024-04-02T00:00:00.000Z') };
    await createUsageProcessor().handle(freeLog, april);
    expect(capsOf(free.sent.slice(sentBefore))).toEqual([]);
    expect(await usageTotals(store, 'u-free', '2024-03')).toMatchObject({ callMinutes: 61 });
  });

  it('rounds each call by the plan in force when it ended: per minute on starter, per second with a 6 s minimum on professional', async () => {
    const w = await writeSide('u-pro', { planTier: 'starter' });
    try {
      const call = async (callId: string, from: string, to: string) => {
        w.at(from);
        await startCall(w, callId, 'a1');
        w.at(to);
        await w.send('EndCall', { callId, outcome: 'resolved' });
      };
      await call('P1', '2024-03-01T09:00:00.000Z', '2024-03-01T09:00:03.000Z');
      w.at('2024-03-02T00:00:00.000Z');
      await w.send('ChangePlanTier', { planTier: 'professional' });
      await call('P2', '2024-03-02T09:00:00.000Z', '2024-03-02T09:00:03.000Z');
      await call('P3', '2024-03-02T10:00:00.000Z', '2024-03-02T10:01:01.000Z');
      await call('P4', '2024-03-02T11:00:00.000Z', '2024-03-02T11:00:00.000Z');
      const store = await stores.open('usage_pro');
      await createUsageProcessor().handle(await w.busEvents(categories), w.context(store));
      const minutes = await store.query(
        `SELECT call_id, round(quantity, 6) AS minutes, plan_tier FROM usage_events FINAL
         WHERE tenant_id = 'u-pro' ORDER BY call_id`,
      );
      expect(minutes).toEqual([
        { call_id: 'P1', minutes: 1, plan_tier: 'starter' },
        { call_id: 'P2', minutes: 0.1, plan_tier: 'professional' },
        { call_id: 'P3', minutes: 1.016667, plan_tier: 'professional' },
        // A call that never connected is not billed, minimum or not.
        { call_id: 'P4', minutes: 0, plan_tier: 'professional' },
      ]);
      expect(await usageTotals(store, 'u-pro', '2024-03')).toMatchObject({ callMinutes: 2.116667 });
      expect(await tableRows(store, 'tenant_plans', 'u-pro', 'position')).toMatchObject([
        { plan_tier: 'starter' },
        { plan_tier: 'professional' },
      ]);
      expect(capsOf(w.sent)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it("enforces a tenant's own limits where a super admin set them, and asks again when they change", async () => {
    const w = await writeSide('u-limits', { planTier: 'professional' });
    try {
      w.at('2024-03-01T08:30:00.000Z');
      await w.send('SetUsageLimits', {
        overrides: { llmTokensPerMonth: 1_000, atUsageCap: 'block_ai' },
        billingThresholdUsd: 5,
      });
      w.at('2024-03-01T09:00:00.000Z');
      await startCall(w, 'L1', 'a1');
      await w.send('RecordAiReply', { callId: 'L1', ...reply('r1', 900, 200) });
      const store = await stores.open('usage_limits');
      const processor = createUsageProcessor();
      const ctx = w.context(store);
      await processor.handle(await w.busEvents(categories), ctx);
      // 1,100 tokens: under professional's 30 million, over the tenant's own 1,000.
      expect(capsOf(w.sent).map((s) => [s.idempotencyKey, s.outcome])).toEqual([
        [
          'usage-cap:u-limits:2024-03:llm_tokens:professional:1000',
          { kind: 'stored', events: ['UsageCapReached'] },
        ],
      ]);
      expect(await w.streamTypes('tenant', 'u-limits')).toContain('UsageCapReached');
      const plans = await tableRows(store, 'tenant_plans', 'u-limits', 'position');
      expect(plans).toMatchObject([
        { plan_tier: 'professional', usage_limits: '' },
        { plan_tier: '', usage_limits: '{"llmTokensPerMonth":1000,"atUsageCap":"block_ai"}' },
      ]);

      // Lifted: the rounding still comes from the tier, and nothing more is asked.
      w.at('2024-03-01T10:00:00.000Z');
      await w.send('SetUsageLimits', { overrides: { llmTokensPerMonth: null }, billingThresholdUsd: null });
      await w.send('EndCall', { callId: 'L1', outcome: 'resolved' });
      const sentBefore = w.sent.length;
      await processor.handle(await w.busEvents(categories), ctx);
      expect(capsOf(w.sent.slice(sentBefore))).toEqual([]);
      const minutes = await store.query(
        `SELECT plan_tier FROM usage_events FINAL WHERE tenant_id = 'u-limits' AND kind = 'call_minutes'`,
      );
      expect(minutes).toEqual([{ plan_tier: 'professional' }]);
    } finally {
      await w.close();
    }
  });

  it('refuses a period that is not YYYY-MM', async () => {
    const store = await stores.open('usage_free');
    await expect(usageTotals(store, 'u-free', '2024-3')).rejects.toThrow(RangeError);
  });
});
