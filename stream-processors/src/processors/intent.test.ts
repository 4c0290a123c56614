import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import type { IntentClassifier } from '../nlp/intent-classifier.js';
import { createIntentProcessor, localIntentClassifier, topIntents } from './intent.js';
import { handleAll, inBatchesOf, tableRows, testReadStores, sampleBusEvents } from './processor-testing.js';

const stores = testReadStores('intent');
let store: ReadStore;
const processor = createIntentProcessor();
const MARCH = { from: new Date('2024-03-01T00:00:00Z'), to: new Date('2024-04-01T00:00:00Z') };

const sample = (tenantId: string): Promise<BusEvent[]> => sampleBusEvents(tenantId, processor.categories);

beforeAll(async () => {
  store = await stores.open('intent');
});
afterAll(() => stores.close());

describe('intent processor', () => {
  // How long the training takes is a figure of tests/bench/intent.ts, not an assertion here.
  it('trains the local classifier once per process, on first use', async () => {
    const first = localIntentClassifier();
    expect(localIntentClassifier()).toBe(first);
    const classifier = await first;
    expect(localIntentClassifier()).toBe(first);
    expect(await classifier.classify('I want to speak to a real person')).toMatchObject({
      intent: 'talk_to_human',
    });
  });

  it("classifies the caller's utterances, and only theirs", async () => {
    await handleAll(processor, store, [await sample('intent-lines')]);
    const rows = await store.query<Record<string, unknown>>(
      `SELECT call_id, utterance_id, intent, confidence, occurred_at FROM utterance_intents FINAL
       WHERE tenant_id = {t:String} ORDER BY occurred_at`,
      { t: 'intent-lines' },
    );
    expect(rows.map((row) => [row.call_id, row.utterance_id, row.intent])).toEqual([
      ['CA1', 'u1', 'order_status'],
      ['CA1', 'u2', 'complaint'],
      ['CA1', 'u3', 'complaint'],
      ['CA2', 'u4', 'talk_to_human'],
      ['CA2', 'u6', 'feedback_compliment'],
      ['CA3', 'u7', 'cancel_subscription'],
      // Spanish, which the dataset barely covers: a low-confidence guess.
      ['CA5', 'u8', expect.any(String)],
    ]);
    expect(rows[0]).toMatchObject({ occurred_at: '2024-03-01 09:00:05.000', confidence: expect.any(Number) });
    expect(Number(rows[0]?.confidence)).toBeGreaterThan(0.9);
    expect(Number(rows[6]?.confidence)).toBeLessThan(0.5);
  });

  it('takes another classifier through the port', async () => {
    // A stand-in for an LLM classifier (a fake of the IntentClassifier port, named as such).
    const fakeLlmClassifier: IntentClassifier = {
      classify: (text) =>
        Promise.resolve({ intent: text.includes('cancel') ? 'cancel' : 'other', confidence: 0.5 }),
    };
    const withFake = createIntentProcessor({ classifier: () => Promise.resolve(fakeLlmClassifier) });
    await handleAll(withFake, store, [await sample('intent-port')]);
    expect(
      await store.query(
        `SELECT intent, count() AS n FROM utterance_intents FINAL WHERE tenant_id = 'intent-port'
         GROUP BY intent ORDER BY intent`,
      ),
    ).toEqual([
      { intent: 'cancel', n: '1' },
      { intent: 'other', n: '6' },
    ]);
  });

  it('changes nothing when the same batch is handled twice', async () => {
    const events = await sample('intent-twice');
    await handleAll(processor, store, [events]);
    const once = await tableRows(store, 'utterance_intents', 'intent-twice', 'call_id, utterance_id');
    const rollup = await tableRows(store, 'call_intents', 'intent-twice', 'call_id');
    await handleAll(processor, store, [events]);
    expect(await tableRows(store, 'utterance_intents', 'intent-twice', 'call_id, utterance_id')).toEqual(
      once,
    );
    expect(await tableRows(store, 'call_intents', 'intent-twice', 'call_id')).toEqual(rollup);
    expect(once).toHaveLength(7);
  });

  it('adds up each call’s caller lines per intent, for the dashboards', async () => {
    const events = await sample('intent-rollup');
    await handleAll(processor, store, [events]);
    const perCall = await store.query<{ call_id: string; intent: string; n: string }>(
      `SELECT call_id, intent, count() AS n FROM utterance_intents FINAL WHERE tenant_id = 'intent-rollup'
        GROUP BY call_id, intent ORDER BY call_id, intent`,
    );
    const rollup = await store.query<{ call_id: string; intents: Record<string, number> }>(
      `SELECT call_id, intents FROM call_intents FINAL WHERE tenant_id = 'intent-rollup' ORDER BY call_id`,
    );
    const fromRollup = rollup.flatMap((row) =>
      Object.entries(row.intents).map(([intent, n]) => ({ call_id: row.call_id, intent, n: String(n) })),
    );
    expect(
      fromRollup.sort((a, b) => `${a.call_id} ${a.intent}`.localeCompare(`${b.call_id} ${b.intent}`)),
    ).toEqual(perCall);
    // Every call has its row, from its start, even one in which the caller never spoke.
    expect(rollup.length).toBeGreaterThan(new Set(perCall.map((r) => r.call_id)).size);
  });

  it('ends with the same table whether the log comes whole or split and redelivered', async () => {
    const events = await sample('intent-split');
    const whole = await stores.open('intent_whole');
    await handleAll(processor, whole, [events]);
    const split = await stores.open('intent_split');
    const batches = inBatchesOf(events, 6);
    await handleAll(processor, split, [...batches, batches[0] ?? [], events.slice(10, 25)]);
    expect(await tableRows(split, 'utterance_intents', 'intent-split', 'call_id, utterance_id')).toEqual(
      await tableRows(whole, 'utterance_intents', 'intent-split', 'call_id, utterance_id'),
    );
    expect(await tableRows(split, 'call_intents', 'intent-split', 'call_id')).toEqual(
      await tableRows(whole, 'call_intents', 'intent-split', 'call_id'),
    );
  });
});

describe('top intents', () => {
  beforeAll(async () => {
    await handleAll(processor, store, [await sample('intent-top')]);
  });

  it('counts utterances and calls per intent, most frequent first', async () => {
    const top = await topIntents(store, 'intent-top', MARCH, { minConfidence: 0.5 });
    expect(top.map(({ intent, utterances, calls }) => [intent, utterances, calls])).toEqual([
      ['complaint', 2, 1],
      ['cancel_subscription', 1, 1],
      ['feedback_compliment', 1, 1],
      ['order_status', 1, 1],
      ['talk_to_human', 1, 1],
    ]);
    expect(top[0]?.averageConfidence).toBeGreaterThan(0.9);
  });

  it('keeps to the limit, the range and the tenant', async () => {
    expect((await topIntents(store, 'intent-top', MARCH, { limit: 2 })).map((i) => i.intent)).toEqual([
      'complaint',
      expect.any(String),
    ]);
    expect(await topIntents(store, 'intent-top', MARCH)).toHaveLength(6);
    const march2 = { from: new Date('2024-03-02T00:00:00Z'), to: new Date('2024-03-03T00:00:00Z') };
    expect((await topIntents(store, 'intent-top', march2)).map((i) => i.utterances)).toEqual([1]);
    expect(await topIntents(store, 'intent-nobody', MARCH)).toEqual([]);
    await expect(topIntents(store, 'intent-top', MARCH, { limit: 0 })).rejects.toThrow(RangeError);
  });
});
