import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import { createCallFactsProcessor } from './call-facts.js';
import {
  handleAll,
  handleWithCrash,
  inBatchesOf,
  recordCalls,
  tableRows,
  testReadStores,
  sampleBusEvents,
} from './processor-testing.js';

const stores = testReadStores('call-facts');
let store: ReadStore;
const processor = createCallFactsProcessor();

/** The sample calls' events, recorded once through the real command handler, of category 'call' only. */
const sample = (tenantId: string): Promise<BusEvent[]> => sampleBusEvents(tenantId, processor.categories);

const snapshot = async (readStore: ReadStore, tenantId: string) => ({
  calls: await tableRows(readStore, 'calls', tenantId, 'call_id'),
  utterances: await tableRows(readStore, 'utterances', tenantId, 'call_id, utterance_id'),
});

beforeAll(async () => {
  store = await stores.open('call_facts');
});
afterAll(() => stores.close());

describe('call-facts processor', () => {
  it('writes one row per call with its outcome, timings, flags, feedback and tokens', async () => {
    const events = await sample('facts-one');
    await handleAll(processor, store, [events]);

    const rows = await store.query<Record<string, unknown>>(
      `SELECT call_id, agent_id, department_id, status, started_at, answered_at, ended_at, outcome,
              duration_seconds, escalated, escalation_reason, escalated_at, queued, queue, queue_department_id,
              queued_at, queue_wait_ms, abandoned_in_queue, human_joined, human_joined_at, human_user_id,
              taken_over, transferred, transfer_count, transfer_target_kind, utterance_count, ai_reply_count,
              tool_call_count, prompt_tokens, completion_tokens, ai_latency_ms, feedback_score, has_recording,
              last_event_at, version
       FROM calls FINAL WHERE tenant_id = {t:String} ORDER BY call_id`,
      { t: 'facts-one' },
    );
    const lastPosition = (callId: string) =>
      String(Math.max(...events.filter((e) => e.key.endsWith(`.${callId}`)).map((e) => e.position)));
    expect(rows).toEqual([
      {
        call_id: 'CA1',
        agent_id: 'a1',
        department_id: 'sales',
        status: 'ended',
        started_at: '2024-03-01 09:00:00.000',
        answered_at: '2024-03-01 09:00:06.000',
        ended_at: '2024-03-01 09:02:00.000',
        outcome: 'resolved',
        duration_seconds: 120,
        escalated: 0,
        escalation_reason: '',
        escalated_at: null,
        queued: 0,
        queue: '',
        queue_department_id: '',
        queued_at: null,
        queue_wait_ms: null,
        abandoned_in_queue: 0,
        human_joined: 0,
        human_joined_at: null,
        human_user_id: '',
        taken_over: 0,
        transferred: 0,
        transfer_count: 0,
        transfer_target_kind: '',
        utterance_count: 3,
        ai_reply_count: 2,
        tool_call_count: 1,
        prompt_tokens: '320',
        completion_tokens: '70',
        ai_latency_ms: '800',
        feedback_score: 4,
        has_recording: 1,
        last_event_at: '2024-03-01 09:02:30.000',
        version: lastPosition('CA1'),
      },
      {
        call_id: 'CA2',
        agent_id: 'a1',
        department_id: 'sales',
        status: 'ended',
        started_at: '2024-03-01 10:00:00.000',
        answered_at: '2024-03-01 10:01:05.000',
        ended_at: '2024-03-01 10:05:00.000',
        outcome: 'resolved',
        duration_seconds: 300,
        escalated: 1,
        escalation_reason: 'caller_request',
        escalated_at: '2024-03-01 10:00:12.000',
        queued: 1,
        queue: 'priority',
        queue_department_id: 'sales',
        queued_at: '2024-03-01 10:00:15.000',
        queue_wait_ms: '45000',
        abandoned_in_queue: 0,
        human_joined: 1,
        human_joined_at: '2024-03-01 10:01:00.000',
        human_user_id: 'h1',
        taken_over: 1,
        transferred: 0,
        transfer_count: 0,
        transfer_target_kind: '',
        utterance_count: 3,
        ai_reply_count: 0,
        tool_call_count: 0,
        prompt_tokens: '0',
        completion_tokens: '0',
        ai_latency_ms: '0',
        feedback_score: 5,
        has_recording: 0,
        last_event_at: '2024-03-01 10:05:00.000',
        version: lastPosition('CA2'),
      },
      {
        call_id: 'CA3',
        agent_id: 'a2',
        department_id: 'support',
        status: 'ended',
        started_at: '2024-03-01 11:00:00.000',
        answered_at: null,
        ended_at: '2024-03-01 11:02:10.000',
        outcome: 'abandoned',
        duration_seconds: 130,
        escalated: 1,
        escalation_reason: 'low_confidence',
        escalated_at: '2024-03-01 11:00:05.000',
        queued: 1,
        queue: 'general',
        queue_department_id: 'support',
        queued_at: '2024-03-01 11:00:10.000',
        queue_wait_ms: null,
        abandoned_in_queue: 1,
        human_joined: 0,
        human_joined_at: null,
        human_user_id: '',
        taken_over: 0,
        transferred: 0,
        transfer_count: 0,
        transfer_target_kind: '',
        utterance_count: 1,
        ai_reply_count: 0,
        tool_call_count: 0,
        prompt_tokens: '0',
        completion_tokens: '0',
        ai_latency_ms: '0',
        feedback_score: null,
        has_recording: 0,
        last_event_at: '2024-03-01 11:02:10.000',
        version: lastPosition('CA3'),
      },
      {
        call_id: 'CA4',
        agent_id: 'a1',
        department_id: 'support',
        status: 'ended',
        started_at: '2024-03-01 12:00:00.000',
        answered_at: '2024-03-01 12:00:40.000',
        ended_at: '2024-03-01 12:01:30.000',
        outcome: 'resolved',
        duration_seconds: 90,
        escalated: 0,
        escalation_reason: '',
        escalated_at: null,
        queued: 0,
        queue: '',
        queue_department_id: '',
        queued_at: null,
        queue_wait_ms: null,
        abandoned_in_queue: 0,
        human_joined: 0,
        human_joined_at: null,
        human_user_id: '',
        taken_over: 0,
        transferred: 1,
        transfer_count: 2,
        transfer_target_kind: 'external',
        utterance_count: 0,
        ai_reply_count: 1,
        tool_call_count: 0,
        prompt_tokens: '90',
        completion_tokens: '10',
        ai_latency_ms: '400',
        feedback_score: null,
        has_recording: 0,
        last_event_at: '2024-03-01 12:01:30.000',
        version: lastPosition('CA4'),
      },
      {
        call_id: 'CA5',
        agent_id: 'a2',
        department_id: 'support',
        status: 'in_progress',
        started_at: '2024-03-02 08:00:00.000',
        answered_at: null,
        ended_at: null,
        outcome: '',
        duration_seconds: null,
        escalated: 0,
        escalation_reason: '',
        escalated_at: null,
        queued: 0,
        queue: '',
        queue_department_id: '',
        queued_at: null,
        queue_wait_ms: null,
        abandoned_in_queue: 0,
        human_joined: 0,
        human_joined_at: null,
        human_user_id: '',
        taken_over: 0,
        transferred: 0,
        transfer_count: 0,
        transfer_target_kind: '',
        utterance_count: 1,
        ai_reply_count: 0,
        tool_call_count: 0,
        prompt_tokens: '0',
        completion_tokens: '0',
        ai_latency_ms: '0',
        feedback_score: null,
        has_recording: 0,
        last_event_at: '2024-03-02 08:00:04.000',
        version: lastPosition('CA5'),
      },
    ]);
  });

  it("keeps an outbound call's lead and campaign, and a booked appointment as its conversion", async () => {
    const calls = await recordCalls('facts-campaign');
    const outbound = async (callId: string, booking: 'succeeded' | 'failed' | 'none') => {
      await calls.send('StartCall', {
        callId,
        direction: 'outbound',
        from: '+15557650002',
        to: '+15551230001',
        provider: 'simulator',
        agentId: 'a1',
        leadId: `lead-${callId}`,
        campaignId: 'spring-recall',
      });
      if (booking !== 'none') {
        await calls.send('InvokeTool', {
          callId,
          toolCallId: `t-${callId}`,
          name: 'book_appointment',
          arguments: { date: '2024-03-09' },
          result: booking === 'succeeded' ? { appointmentId: `ap-${callId}` } : { error: 'slot taken' },
          status: booking,
          durationMs: 40,
        });
      }
      await calls.send('EndCall', { callId, outcome: 'resolved' });
    };
    calls.at('2024-03-02T09:00:00.000Z');
    await outbound('OB1', 'succeeded');
    await outbound('OB2', 'failed');
    await outbound('OB3', 'none');
    const events = await calls.busEvents(processor.categories);
    await calls.close();
    await handleAll(processor, store, [events]);
    const rows = await store.query<Record<string, unknown>>(
      `SELECT call_id, lead_id, campaign_id, converted FROM calls FINAL
        WHERE tenant_id = {t:String} ORDER BY call_id`,
      { t: 'facts-campaign' },
    );
    expect(rows).toEqual([
      { call_id: 'OB1', lead_id: 'lead-OB1', campaign_id: 'spring-recall', converted: 1 },
      { call_id: 'OB2', lead_id: 'lead-OB2', campaign_id: 'spring-recall', converted: 0 },
      { call_id: 'OB3', lead_id: 'lead-OB3', campaign_id: 'spring-recall', converted: 0 },
    ]);
  });

  it('writes the transcript: caller, AI and human lines, AI replies as speaker ai', async () => {
    const events = await sample('facts-transcript');
    await handleAll(processor, store, [events]);
    const lines = await store.query(
      `SELECT call_id, utterance_id, speaker, text, confidence, language, occurred_at
       FROM utterances FINAL WHERE tenant_id = {t:String} ORDER BY call_id, position`,
      { t: 'facts-transcript' },
    );
    expect(lines).toHaveLength(11);
    expect(lines.filter((line) => line.call_id === 'CA1')).toEqual([
      {
        call_id: 'CA1',
        utterance_id: 'u1',
        speaker: 'caller',
        text: 'Hi, I need to check my order status',
        confidence: 0.92,
        language: 'en',
        occurred_at: '2024-03-01 09:00:05.000',
      },
      {
        call_id: 'CA1',
        utterance_id: 'r1',
        speaker: 'ai',
        text: 'Sure, what is the order number?',
        confidence: 1,
        language: 'en',
        occurred_at: '2024-03-01 09:00:06.000',
      },
      expect.objectContaining({ utterance_id: 'u2', speaker: 'caller' }),
      expect.objectContaining({ utterance_id: 'r2', speaker: 'ai' }),
      expect.objectContaining({ utterance_id: 'u3', speaker: 'caller' }),
    ]);
    expect(lines.filter((line) => line.speaker === 'human')).toEqual([
      expect.objectContaining({
        call_id: 'CA2',
        utterance_id: 'u5',
        text: 'Hello, thanks for waiting, happy to help',
      }),
    ]);
  });

  it('changes nothing when the same batch is handled twice', async () => {
    const events = await sample('facts-twice');
    await handleAll(processor, store, [events]);
    const once = await snapshot(store, 'facts-twice');
    await handleAll(processor, store, [events]);
    expect(await snapshot(store, 'facts-twice')).toEqual(once);
    expect(once.calls).toHaveLength(5);
  });

  it('ends with the same tables whether the log comes whole, split, redelivered or replayed', async () => {
    const events = await sample('facts-split');
    const whole = await stores.open('call_facts_whole');
    await handleAll(processor, whole, [events]);
    const expected = await snapshot(whole, 'facts-split');

    const split = await stores.open('call_facts_split');
    const half = Math.floor(events.length / 2);
    await handleAll(processor, split, [events.slice(0, half), events.slice(half)]);
    expect(await snapshot(split, 'facts-split')).toEqual(expected);

    // At-least-once: small batches, one redelivered after a crash, then a rebuild from an earlier point.
    const bumpy = await stores.open('call_facts_bumpy');
    const small = inBatchesOf(events, 3);
    await handleAll(processor, bumpy, [...small.slice(0, 4), small[3] ?? [], ...small.slice(4)]);
    await handleAll(processor, bumpy, [events.slice(5, 20)]);
    expect(await snapshot(bumpy, 'facts-split')).toEqual(expected);
  });

  it('recovers from dying between the transcript and the calls rows of a batch', async () => {
    const events = await sample('facts-crash');
    const whole = await stores.open('call_facts_whole');
    await handleAll(processor, whole, [events]);
    const crashed = await stores.open('call_facts_crashed');
    await handleWithCrash(processor, crashed, inBatchesOf(events, 8), 2);
    expect(await snapshot(crashed, 'facts-crash')).toEqual(await snapshot(whole, 'facts-crash'));
  });

  it('skips and reports events of a call whose CallStarted it never saw', async () => {
    const events = await sample('facts-orphan');
    const orphan = events.filter((e) => e.key.endsWith('.CA5') && e.envelope.type !== 'CallStarted');
    const log: string[] = [];
    await handleAll(processor, store, [orphan], log);
    expect(await tableRows(store, 'calls', 'facts-orphan', 'call_id')).toEqual([]);
    expect(log).toEqual([
      expect.stringMatching(/UtteranceRecorded at position \d+ of call CA5 .*precedes its CallStarted/),
    ]);
    // The transcript line does not depend on the call's row and is kept.
    expect(await tableRows(store, 'utterances', 'facts-orphan', 'utterance_id')).toHaveLength(1);
  });

  it('keeps a v1 utterance (no id, no language) under its event id, language und', async () => {
    const events = await sample('facts-v1');
    const started = events.find((e) => e.key.endsWith('.CA5') && e.envelope.type === 'CallStarted');
    if (!started) throw new Error('no CallStarted for CA5');
    const stored = {
      id: '6a0f7d3e-96a4-4d55-9a57-1f4e1f1f0a01',
      type: 'UtteranceRecorded',
      streamId: started.key,
      data: { speaker: 'caller', text: 'hello there', confidence: 0.8 },
      metadata: {
        version: 1,
        tenantId: 'facts-v1',
        occurredAt: '2024-03-02T08:00:09.000Z',
        causationId: null,
        correlationId: 'CA5',
        actor: { kind: 'telephony', id: 'simulator' },
      },
    };
    const decoded = decodeEvent(stored);
    if (!decoded.ok) throw new Error(decoded.error.message);
    const v1: BusEvent = { envelope: decoded.value, position: 10_000, key: started.key };
    await handleAll(processor, store, [[...events, v1]]);
    expect(
      await store.query(
        `SELECT utterance_id, speaker, language FROM utterances FINAL
         WHERE tenant_id = {t:String} AND call_id = 'CA5' ORDER BY position`,
        { t: 'facts-v1' },
      ),
    ).toEqual([
      { utterance_id: 'u8', speaker: 'caller', language: 'es' },
      { utterance_id: stored.id, speaker: 'caller', language: 'und' },
    ]);
    expect(
      await store.query(
        `SELECT utterance_count, version FROM calls FINAL WHERE tenant_id = {t:String} AND call_id = 'CA5'`,
        {
          t: 'facts-v1',
        },
      ),
    ).toEqual([{ utterance_count: 2, version: '10000' }]);
  });
});
