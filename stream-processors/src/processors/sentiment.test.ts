import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent, ERASED, ERASED_FIELDS_KEY } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import { scoreSentiment } from '../nlp/sentiment.js';
import { rollingSentiment } from '../nlp/sentiment-trend.js';
import { createSentimentProcessor, sentimentOverTime } from './sentiment.js';
import {
  handleAll,
  handleWithCrash,
  inBatchesOf,
  recordCalls,
  tableRows,
  testReadStores,
  sampleBusEvents,
} from './processor-testing.js';

const stores = testReadStores('sentiment');
let store: ReadStore;
const processor = createSentimentProcessor();
const MARCH = { from: new Date('2024-03-01T00:00:00Z'), to: new Date('2024-04-01T00:00:00Z') };

const sample = (tenantId: string): Promise<BusEvent[]> => sampleBusEvents(tenantId, processor.categories);

const snapshot = async (readStore: ReadStore, tenantId: string) => ({
  utterances: await tableRows(readStore, 'utterance_sentiment', tenantId, 'call_id, utterance_id'),
  calls: await tableRows(readStore, 'call_sentiment', tenantId, 'call_id'),
});

const score = (text: string, language = 'en') => scoreSentiment(text, language).score;
const CA1_LINES = [
  'Hi, I need to check my order status',
  'This is terrible, it is late again and nobody fixed the problem',
  'I am really angry and disappointed, this is awful service',
] as const;
const [U1, U2, U3] = CA1_LINES.map((line) => score(line)) as [number, number, number];
/** How many of the lines the scorer labels positive, neutral and negative. */
const labelCounts = (lines: readonly string[]) => {
  const counts = { positive: 0, neutral: 0, negative: 0 };
  for (const line of lines) counts[scoreSentiment(line, 'en').label] += 1;
  return counts;
};
const U4 = score('I want to talk to a person please');
const U6 = score('Great, thank you so much, that is wonderful');

beforeAll(async () => {
  store = await stores.open('sentiment');
});
afterAll(() => stores.close());

describe('sentiment processor', () => {
  it('scores every line, labelled by speaker, with the agent the call had at the time', async () => {
    await handleAll(processor, store, [await sample('senti-lines')]);
    const rows = await store.query<Record<string, unknown>>(
      `SELECT call_id, utterance_id, speaker, score, label, language, agent_id, occurred_at
       FROM utterance_sentiment FINAL WHERE tenant_id = {t:String} ORDER BY occurred_at`,
      { t: 'senti-lines' },
    );
    expect(rows).toHaveLength(11);
    expect(rows.slice(0, 5)).toEqual([
      {
        call_id: 'CA1',
        utterance_id: 'u1',
        speaker: 'caller',
        score: U1,
        label: 'neutral',
        language: 'en',
        agent_id: 'a1',
        occurred_at: '2024-03-01 09:00:05.000',
      },
      expect.objectContaining({ utterance_id: 'r1', speaker: 'ai', label: 'neutral' }),
      expect.objectContaining({ utterance_id: 'u2', speaker: 'caller', score: U2, label: 'negative' }),
      expect.objectContaining({ utterance_id: 'r2', speaker: 'ai' }),
      expect.objectContaining({ utterance_id: 'u3', speaker: 'caller', score: U3, label: 'negative' }),
    ]);
    expect(rows.find((row) => row.utterance_id === 'u5')).toMatchObject({
      speaker: 'human',
      label: 'positive',
    });
    // CA4 was transferred from agent a2 to a1 before the AI spoke.
    expect(rows.find((row) => row.utterance_id === 'r3')).toMatchObject({ call_id: 'CA4', agent_id: 'a1' });
    expect(rows.find((row) => row.utterance_id === 'u8')).toMatchObject({ language: 'es', agent_id: 'a2' });
  });

  it("keeps a rolling view per call over the caller's scores", async () => {
    await handleAll(processor, store, inBatchesOf(await sample('senti-calls'), 5));
    const rows = await store.query<Record<string, unknown>>(
      `SELECT call_id, agent_id, started_at, average, trend, last_score, utterances, score_sum, recent_scores,
              positive, neutral, negative
       FROM call_sentiment FINAL WHERE tenant_id = {t:String} ORDER BY call_id`,
      { t: 'senti-calls' },
    );
    const ca1 = rollingSentiment([U1, U2, U3], 5);
    expect(ca1.trend).toBe('worsening');
    expect(rows).toEqual([
      {
        call_id: 'CA1',
        agent_id: 'a1',
        started_at: '2024-03-01 09:00:00.000',
        average: ca1.average,
        trend: 'worsening',
        last_score: U3,
        utterances: 3,
        score_sum: U1 + U2 + U3,
        recent_scores: [U1, U2, U3],
        ...labelCounts(CA1_LINES),
      },
      expect.objectContaining({ call_id: 'CA2', trend: 'improving', last_score: U6, utterances: 2 }),
      expect.objectContaining({ call_id: 'CA3', trend: 'stable', utterances: 1 }),
      // Only the AI spoke on CA4: no caller sentiment, but the agent it was transferred to.
      expect.objectContaining({
        call_id: 'CA4',
        agent_id: 'a1',
        average: 0,
        last_score: null,
        utterances: 0,
      }),
      expect.objectContaining({ call_id: 'CA5', agent_id: 'a2', started_at: '2024-03-02 08:00:00.000' }),
    ]);
  });

  it('keeps only the last window of caller scores', async () => {
    const calls = await recordCalls('senti-window');
    await calls.send('StartCall', {
      callId: 'CW',
      direction: 'outbound',
      from: '+15557650002',
      to: '+15551230001',
      provider: 'twilio',
    });
    const lines = ['great', 'good', 'fine', 'bad', 'awful', 'terrible', 'horrible'];
    for (const [n, text] of lines.entries()) {
      await calls.send('RecordUtterance', {
        callId: 'CW',
        utteranceId: `w${n}`,
        speaker: 'caller',
        text,
        confidence: 1,
        language: 'en',
      });
    }
    await handleAll(processor, store, inBatchesOf(await calls.busEvents(['call']), 3));
    await calls.close();
    const scores = lines.map((text) => score(text));
    const [row] = await store.query<Record<string, unknown>>(
      `SELECT agent_id, average, trend, utterances, recent_scores FROM call_sentiment FINAL
       WHERE tenant_id = 'senti-window'`,
    );
    expect(row).toEqual({
      agent_id: '',
      average: rollingSentiment(scores, 5).average,
      trend: 'worsening',
      utterances: 7,
      recent_scores: scores.slice(-5),
    });
  });

  it('does not score an utterance whose text was erased', async () => {
    const events = await sample('senti-erased');
    const started = events.find(
      (e) => e.key === 'call-senti-erased.CA5' && e.envelope.type === 'CallStarted',
    );
    const decoded = decodeEvent({
      id: '0b0f7d3e-96a4-4d55-9a57-1f4e1f1f0a02',
      type: 'UtteranceRecorded',
      streamId: 'call-senti-erased.CA5',
      data: { utteranceId: 'gone', speaker: 'caller', text: ERASED, confidence: 0.9, language: 'en' },
      metadata: {
        version: 2,
        tenantId: 'senti-erased',
        occurredAt: '2024-03-02T08:00:30.000Z',
        causationId: null,
        correlationId: 'CA5',
        actor: { kind: 'telephony', id: 'simulator' },
        [ERASED_FIELDS_KEY]: ['text'],
      },
    });
    if (!decoded.ok || !started) throw new Error('the erased utterance does not decode');
    await handleAll(processor, store, [
      [...events, { envelope: decoded.value, position: 9_999, key: started.key }],
    ]);
    expect(
      await store.query(
        `SELECT utterance_id FROM utterance_sentiment FINAL WHERE tenant_id = 'senti-erased' AND call_id = 'CA5'`,
      ),
    ).toEqual([{ utterance_id: 'u8' }]);
    expect(
      await store.query(
        `SELECT utterances, version FROM call_sentiment FINAL WHERE tenant_id = 'senti-erased' AND call_id = 'CA5'`,
      ),
    ).toEqual([{ utterances: 1, version: '9999' }]);
  });

  it('changes nothing when the same batch is handled twice', async () => {
    const events = await sample('senti-twice');
    await handleAll(processor, store, [events]);
    const once = await snapshot(store, 'senti-twice');
    await handleAll(processor, store, [events]);
    expect(await snapshot(store, 'senti-twice')).toEqual(once);
  });

  it('ends with the same tables whether the log comes whole, split, redelivered or replayed', async () => {
    const events = await sample('senti-split');
    const whole = await stores.open('sentiment_whole');
    await handleAll(processor, whole, [events]);
    const expected = await snapshot(whole, 'senti-split');
    expect(expected.utterances).toHaveLength(11);

    const split = await stores.open('sentiment_split');
    const half = Math.floor(events.length / 2);
    await handleAll(processor, split, [events.slice(0, half), events.slice(half)]);
    expect(await snapshot(split, 'senti-split')).toEqual(expected);

    const bumpy = await stores.open('sentiment_bumpy');
    const small = inBatchesOf(events, 4);
    await handleAll(processor, bumpy, [...small.slice(0, 3), small[2] ?? [], ...small.slice(3)]);
    await handleAll(processor, bumpy, [events.slice(2, 30)]);
    expect(await snapshot(bumpy, 'senti-split')).toEqual(expected);
  });

  it('recovers from dying between the utterance and the call rows of a batch', async () => {
    const events = await sample('senti-crash');
    const whole = await stores.open('sentiment_whole');
    await handleAll(processor, whole, [events]);
    const crashed = await stores.open('sentiment_crashed');
    await handleWithCrash(processor, crashed, inBatchesOf(events, 6), 1);
    expect(await snapshot(crashed, 'senti-crash')).toEqual(await snapshot(whole, 'senti-crash'));
  });
});

describe('sentiment over time', () => {
  beforeAll(async () => {
    await handleAll(processor, store, [await sample('senti-time')]);
  });

  it("per tenant and hour, over the caller's lines", async () => {
    expect(
      await sentimentOverTime(store, 'senti-time', { by: 'tenant', bucket: 'hour', range: MARCH }),
    ).toEqual([
      {
        bucket: '2024-03-01T09:00:00.000Z',
        agentId: null,
        utterances: 3,
        calls: 1,
        average: (U1 + U2 + U3) / 3,
        positive: 0,
        neutral: 1,
        negative: 2,
      },
      {
        bucket: '2024-03-01T10:00:00.000Z',
        agentId: null,
        utterances: 2,
        calls: 1,
        average: (U4 + U6) / 2,
        positive: 1,
        neutral: 1,
        negative: 0,
      },
      expect.objectContaining({ bucket: '2024-03-01T11:00:00.000Z', utterances: 1, neutral: 1 }),
      expect.objectContaining({ bucket: '2024-03-02T08:00:00.000Z', utterances: 1, neutral: 1 }),
    ]);
  });

  it('per agent and day, in the time zone asked for', async () => {
    const utc = await sentimentOverTime(store, 'senti-time', { by: 'agent', bucket: 'day', range: MARCH });
    expect(utc.map((p) => [p.bucket, p.agentId, p.utterances, p.calls])).toEqual([
      ['2024-03-01T00:00:00.000Z', 'a1', 5, 2],
      ['2024-03-01T00:00:00.000Z', 'a2', 1, 1],
      ['2024-03-02T00:00:00.000Z', 'a2', 1, 1],
    ]);
    expect(utc[0]?.average).toBeCloseTo((U1 + U2 + U3 + U4 + U6) / 5, 12);

    // Honolulu is UTC-10: CA1 (09:00 UTC) falls on February 29 there, CA5 (08:00 UTC on March 2) on March 1.
    const honolulu = await sentimentOverTime(store, 'senti-time', {
      by: 'agent',
      bucket: 'day',
      range: MARCH,
      timeZone: 'Pacific/Honolulu',
    });
    expect(honolulu.map((p) => [p.bucket, p.agentId, p.utterances])).toEqual([
      ['2024-02-29T10:00:00.000Z', 'a1', 3],
      ['2024-03-01T10:00:00.000Z', 'a1', 2],
      ['2024-03-01T10:00:00.000Z', 'a2', 2],
    ]);
  });

  it('for other speakers, within the range, and for no other tenant', async () => {
    const ai = await sentimentOverTime(store, 'senti-time', {
      by: 'tenant',
      bucket: 'day',
      range: MARCH,
      speaker: 'ai',
    });
    expect(ai.map((p) => [p.bucket, p.utterances])).toEqual([['2024-03-01T00:00:00.000Z', 3]]);
    const morning = { from: new Date('2024-03-01T09:00:10Z'), to: new Date('2024-03-01T10:00:00Z') };
    expect(
      (await sentimentOverTime(store, 'senti-time', { by: 'tenant', bucket: 'hour', range: morning })).map(
        (p) => p.utterances,
      ),
    ).toEqual([2]);
    expect(
      await sentimentOverTime(store, 'senti-nobody', { by: 'tenant', bucket: 'day', range: MARCH }),
    ).toEqual([]);
  });
});
