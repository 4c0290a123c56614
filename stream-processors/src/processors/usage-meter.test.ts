import { afterAll, describe, expect, it } from 'vitest';
import { parseStreamName, type MeterItem, type PlanTier } from '@ccp/schemas';
import type { BusEvent } from '../bus/port.js';
import { createBillingProcessor } from './billing.js';
import { testReadStores } from './processor-testing.js';
import { meterCommands, type Metered } from './usage-meter.js';
import { createUsageProcessor } from './usage.js';
import { writeSide, type SentCommand, type WriteSide } from './write-side-testing.js';

const stores = testReadStores('usage-meter');
const categories = createUsageProcessor().categories;
afterAll(() => stores.close());

const meterSends = (sent: readonly SentCommand[]) =>
  sent
    .filter((s) => s.type === 'RecordUsage')
    .map((s) => ({ data: s.data, idempotencyKey: s.idempotencyKey }));

const outcomes = (sent: readonly SentCommand[]) =>
  sent.filter((s) => s.type === 'RecordUsage').map((s) => s.outcome);

const startCall = (w: WriteSide, callId: string) =>
  w.send('StartCall', {
    callId,
    direction: 'inbound',
    from: '+15551230001',
    to: '+15557650002',
    provider: 'simulator',
    agentId: 'a1',
  });

const reply = (utteranceId: string, promptTokens: number, completionTokens: number) => ({
  utteranceId,
  text: 'Sure.',
  language: 'en',
  model: 'offline-dialogue',
  promptTokens,
  completionTokens,
  latencyMs: 300,
});

/** A call `seconds` long ending at `endsAt`. */
const call = async (w: WriteSide, callId: string, endsAt: string, seconds: number) => {
  w.at(new Date(Date.parse(endsAt) - seconds * 1000).toISOString());
  await startCall(w, callId);
  w.at(endsAt);
  await w.send('EndCall', { callId, outcome: 'resolved' });
};

const callOf = (event: BusEvent | undefined): string | undefined =>
  event === undefined ? undefined : parseStreamName(event.envelope.streamId)?.id;

/** `u<position>` of a call's event of a type, and when it occurred. */
const eventOf = (log: readonly BusEvent[], type: string, callId: string) => {
  const found = log.find((e) => e.envelope.type === type && callOf(e) === callId);
  if (found === undefined) throw new Error(`no ${type} of ${callId}`);
  return { identifier: `u${found.position}`, occurredAt: found.envelope.occurredAt };
};

/** The log up to a call's event of a type, included. */
const upTo = (log: readonly BusEvent[], type: string, callId: string) =>
  log.slice(0, log.findIndex((e) => e.envelope.type === type && callOf(e) === callId) + 1);

const item = (
  log: readonly BusEvent[],
  type: string,
  callId: string,
  resource: MeterItem['resource'],
  quantity: number,
): MeterItem => ({ ...eventOf(log, type, callId), resource, quantity });

const tenantWith = async (tenantId: string, planTier: PlanTier) => writeSide(tenantId, { planTier });

describe('usage processor: metering', () => {
  it("sends a batch's billable seconds and tokens to the month's meter, once, and the same again on redelivery", async () => {
    const w = await tenantWith('m-free', 'free');
    try {
      w.at('2024-03-01T09:00:00.000Z');
      await startCall(w, 'F1');
      w.at('2024-03-01T09:00:05.000Z');
      // Speech is usage, but it is not billed.
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
      // A reply without tokens bills nothing.
      await w.send('RecordAiReply', { callId: 'F1', ...reply('r2', 0, 0) });
      w.at('2024-03-01T09:59:00.000Z');
      await w.send('EndCall', { callId: 'F1', outcome: 'resolved' });
      const log = await w.busEvents(categories);
      const store = await stores.open('meter_free');
      await createUsageProcessor().handle(log, w.context(store));

      const expected = {
        data: {
          tenantId: 'm-free',
          period: '2024-03',
          items: [
            item(log, 'AiReplied', 'F1', 'llm_tokens', 200),
            // 59 minutes, rounded to the minute on free.
            item(log, 'CallEnded', 'F1', 'call_seconds', 3540),
          ],
        },
        idempotencyKey: `meter:m-free:2024-03:${eventOf(log, 'AiReplied', 'F1').identifier}:${eventOf(log, 'CallEnded', 'F1').identifier}:2`,
      };
      expect(meterSends(w.sent)).toEqual([expected]);
      expect(outcomes(w.sent)).toEqual([{ kind: 'stored', events: ['UsageMetered'] }]);
      const speech = await store.query(
        `SELECT kind FROM usage_events FINAL WHERE tenant_id = 'm-free' AND kind = 'speech_seconds'`,
      );
      expect(speech).toEqual([{ kind: 'speech_seconds' }]);

      // Redelivered to a restarted processor: the same command with the same key.
      const before = w.sent.length;
      await createUsageProcessor().handle(log, w.context(store));
      expect(meterSends(w.sent.slice(before))).toEqual([expected]);
      expect(outcomes(w.sent.slice(before))).toEqual([{ kind: 'replayed' }]);

      // Cut into single events: every unit once, under the same identifiers.
      const single = w.sent.length;
      const processor = createUsageProcessor();
      for (const event of log) await processor.handle([event], w.context(store));
      const items = meterSends(w.sent.slice(single)).flatMap((s) => (s.data as { items: MeterItem[] }).items);
      expect(items).toEqual(expected.data.items);
      // Other keys, but the meter knows every identifier: nothing is metered twice.
      expect(outcomes(w.sent.slice(single))).toEqual([
        { kind: 'stored', events: [] },
        { kind: 'stored', events: [] },
      ]);
      expect(await w.streamTypes('meter', '2024-03')).toEqual(['UsageMetered']);
    } finally {
      await w.close();
    }
  });

  it('rounds seconds by the tier in force when the call ended: to the minute on starter, by the second with a 6 s minimum on professional', async () => {
    const w = await tenantWith('m-round', 'starter');
    try {
      const durations = [59, 60, 61, 1, 6, 7, 0];
      for (const [n, seconds] of durations.entries()) {
        await call(w, `S${seconds}`, `2024-03-0${n + 1}T10:00:00.000Z`, seconds);
      }
      w.at('2024-03-10T00:00:00.000Z');
      await w.send('ChangePlanTier', { planTier: 'professional' });
      for (const [n, seconds] of durations.entries()) {
        await call(w, `P${seconds}`, `2024-03-1${n + 1}T10:00:00.000Z`, seconds);
      }
      const log = await w.busEvents(categories);
      await createUsageProcessor().handle(log, w.context(await stores.open('meter_round')));
      const sent = meterSends(w.sent);
      expect(sent).toHaveLength(1);
      const quantities = (sent[0]?.data as { items: MeterItem[] }).items.map((i) => [
        callOf(log.find((e) => `u${e.position}` === i.identifier)),
        i.quantity,
      ]);
      // A call that never connected (0 s) bills nothing on either tier.
      expect(quantities).toEqual([
        ['S59', 60],
        ['S60', 60],
        ['S61', 120],
        ['S1', 60],
        ['S6', 60],
        ['S7', 60],
        ['P59', 59],
        ['P60', 60],
        ['P61', 61],
        ['P1', 6],
        ['P6', 6],
        ['P7', 7],
      ]);
      expect(
        (sent[0]?.data as { items: MeterItem[] }).items.every((i) => i.resource === 'call_seconds'),
      ).toBe(true);
    } finally {
      await w.close();
    }
  });

  it('sends nothing for speech alone, and splits a batch over the months its usage occurred in', async () => {
    const w = await tenantWith('m-months', 'professional');
    try {
      w.at('2024-03-31T23:58:00.000Z');
      await startCall(w, 'C1');
      await w.send('RecordUtterance', {
        callId: 'C1',
        utteranceId: 'u1',
        speaker: 'caller',
        text: 'Hello',
        confidence: 0.9,
        language: 'en',
        startedAt: '2024-03-31T23:58:01.000Z',
        endedAt: '2024-03-31T23:58:04.000Z',
      });
      const speechOnly = await w.busEvents(categories);
      const store = await stores.open('meter_months');
      await createUsageProcessor().handle(speechOnly, w.context(store));
      expect(meterSends(w.sent)).toEqual([]);

      w.at('2024-03-31T23:59:30.000Z');
      await w.send('RecordAiReply', { callId: 'C1', ...reply('r1', 10, 5) });
      w.at('2024-04-01T00:00:30.000Z');
      await w.send('EndCall', { callId: 'C1', outcome: 'resolved' });
      const log = await w.busEvents(categories);
      await createUsageProcessor().handle(log, w.context(store));
      const sent = meterSends(w.sent);
      expect(sent.map((s) => (s.data as { period: string }).period)).toEqual(['2024-03', '2024-04']);
      expect(sent.map((s) => (s.data as { items: MeterItem[] }).items)).toEqual([
        [item(log, 'AiReplied', 'C1', 'llm_tokens', 15)],
        [item(log, 'CallEnded', 'C1', 'call_seconds', 150)],
      ]);
    } finally {
      await w.close();
    }
  });
});

describe('usage processor, meter and billing projection together', () => {
  it("a month's calls are billed in it, a call processed after the month's meter closed in the next one", async () => {
    const w = await tenantWith('m-chain', 'professional');
    try {
      await call(w, 'A', '2024-03-10T10:00:00.000Z', 90);
      await call(w, 'B', '2024-03-31T23:59:00.000Z', 40);
      const log = await w.busEvents(categories);
      const store = await stores.open('meter_chain');
      const usage = createUsageProcessor();
      const billing = createBillingProcessor();
      // B ends in March but reaches the usage processor only after March's meter closed.
      await usage.handle(upTo(log, 'CallEnded', 'A'), w.context(store));
      w.at('2024-04-01T00:10:00.000Z');
      await w.send('CloseMeter', { period: '2024-03' });
      await usage.handle(log, w.context(store));
      await billing.handle(await w.busEvents(['billing', 'meter']), w.context(store));
      const billed = await store.query(
        `SELECT billed_period, groupArray(identifier) AS ids, toUInt64(sum(quantity)) AS seconds
         FROM billing_meter FINAL WHERE tenant_id = 'm-chain' GROUP BY billed_period ORDER BY billed_period`,
      );
      expect(billed).toEqual([
        { billed_period: '2024-03', ids: [eventOf(log, 'CallEnded', 'A').identifier], seconds: '90' },
        { billed_period: '2024-04', ids: [eventOf(log, 'CallEnded', 'B').identifier], seconds: '40' },
      ]);
      expect(await w.streamTypes('meter', '2024-03')).toEqual([
        'UsageMetered',
        'MeterClosed',
        'UsageMetered',
      ]);
    } finally {
      await w.close();
    }
  });
});

describe('meterCommands', () => {
  const unit = (tenantId: string, position: number, occurredAt: string): Metered => ({
    tenantId,
    item: { identifier: `u${position}`, resource: 'llm_tokens', quantity: position, occurredAt },
    correlationId: `c${position}`,
    causationId: `e${position}`,
  });

  it('sends at most 1000 items a command, per tenant and month, keyed by the items', () => {
    const units = [
      ...Array.from({ length: 2500 }, (_, n) => unit('t1', n + 1, '2024-03-05T00:00:00.000Z')),
      unit('t2', 3000, '2024-03-05T00:00:00.000Z'),
      unit('t1', 3001, '2024-04-01T00:00:00.000Z'),
    ];
    const commands = meterCommands(units);
    expect(
      commands.map((c) => [c.data.tenantId, c.data.period, c.data.items.length, c.idempotencyKey]),
    ).toEqual([
      ['t1', '2024-03', 1000, 'meter:t1:2024-03:u1:u1000:1000'],
      ['t1', '2024-03', 1000, 'meter:t1:2024-03:u1001:u2000:1000'],
      ['t1', '2024-03', 500, 'meter:t1:2024-03:u2001:u2500:500'],
      ['t2', '2024-03', 1, 'meter:t2:2024-03:u3000:u3000:1'],
      ['t1', '2024-04', 1, 'meter:t1:2024-04:u3001:u3001:1'],
    ]);
    expect(commands[1]?.causationId).toBe('e1001');
    // The meter's own trail, not the first call's.
    expect(commands[1]?.correlationId).toBe('meter:t1:2024-03');
    expect(meterCommands(units)).toEqual(commands);
    expect(meterCommands([])).toEqual([]);
  });
});
