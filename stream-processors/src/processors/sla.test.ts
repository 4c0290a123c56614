import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLA_TARGETS, type SlaTargets } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import { inBatchesOf, tableRows, testReadStores } from './processor-testing.js';
import { createSlaProcessor, slaCompliance } from './sla.js';
import { writeSide, type WriteSide } from './write-side-testing.js';

const stores = testReadStores('sla');
const processor = createSlaProcessor();
const targets: SlaTargets = {
  answerWithinSeconds: 10,
  maxQueueWaitSeconds: 30,
  maxHandleSeconds: 120,
  maxAbandonRate: 0.05,
  minFirstContactResolutionRate: 0.7,
};

const reply = (utteranceId: string) => ({
  utteranceId,
  text: 'How can I help?',
  language: 'en',
  model: 'offline-dialogue',
  promptTokens: 100,
  completionTokens: 20,
  latencyMs: 300,
});
const callerSays = (utteranceId: string) => ({
  utteranceId,
  speaker: 'caller',
  text: 'I need help',
  confidence: 0.9,
  language: 'en',
});

/**
 * Five calls against targets of 10 s to answer, 30 s in queues and 120 s per call:
 * - C1: answered in 5 s, resolved in 60 s, summary without follow-ups: within every target, first contact.
 * - C2: answered in 15 s, queued 40 s, 180 s long, summary with a follow-up: breaches all three.
 * - C3: queued 20 s and abandoned after 25 s without an answer: breaches time to answer (the whole call).
 * - C4: answered in 2 s, transferred to another AI agent, resolved: not a first-contact resolution.
 * - C5: answered in 3 s, resolved, but a ticket was opened for it: not a first-contact resolution either.
 */
const recordCalls = async (w: WriteSide): Promise<void> => {
  const start = async (callId: string, iso: string) => {
    w.at(iso);
    await w.send('StartCall', {
      callId,
      direction: 'inbound',
      from: '+15551230001',
      to: '+15557650002',
      provider: 'simulator',
      agentId: 'a1',
    });
  };
  const step = async (iso: string, type: string, data: Record<string, unknown>) => {
    w.at(iso);
    await w.send(type, data);
  };

  await start('C1', '2024-03-01T09:00:00.000Z');
  await step('2024-03-01T09:00:02.000Z', 'RecordUtterance', { callId: 'C1', ...callerSays('u1') });
  await step('2024-03-01T09:00:05.000Z', 'RecordAiReply', { callId: 'C1', ...reply('r1') });
  await step('2024-03-01T09:01:00.000Z', 'EndCall', { callId: 'C1', outcome: 'resolved' });
  await step('2024-03-01T09:01:10.000Z', 'SummarizeCall', { callId: 'C1', summary: 'Done.', followUps: [] });

  await start('C2', '2024-03-01T10:00:00.000Z');
  await step('2024-03-01T10:00:15.000Z', 'RecordAiReply', { callId: 'C2', ...reply('r2') });
  await step('2024-03-01T10:00:18.000Z', 'RequestEscalation', {
    callId: 'C2',
    reason: 'caller_request',
    summary: 'Wants a person.',
  });
  await step('2024-03-01T10:00:20.000Z', 'QueueCall', { callId: 'C2', departmentId: 'sales', queue: 'main' });
  await step('2024-03-01T10:01:00.000Z', 'JoinHuman', { callId: 'C2', userId: 'h1', mode: 'listen' });
  await step('2024-03-01T10:01:02.000Z', 'TakeOverCall', { callId: 'C2', userId: 'h1' });
  await step('2024-03-01T10:03:00.000Z', 'EndCall', { callId: 'C2', outcome: 'resolved' });
  await step('2024-03-01T10:03:10.000Z', 'SummarizeCall', {
    callId: 'C2',
    summary: 'Refund promised.',
    followUps: ['call back with refund number'],
  });

  await start('C3', '2024-03-01T11:00:00.000Z');
  await step('2024-03-01T11:00:02.000Z', 'RecordUtterance', { callId: 'C3', ...callerSays('u3') });
  await step('2024-03-01T11:00:03.000Z', 'RequestEscalation', {
    callId: 'C3',
    reason: 'low_confidence',
    summary: 'Unclear.',
  });
  await step('2024-03-01T11:00:05.000Z', 'QueueCall', {
    callId: 'C3',
    departmentId: 'support',
    queue: 'main',
  });
  await step('2024-03-01T11:00:25.000Z', 'EndCall', { callId: 'C3', outcome: 'abandoned' });

  await start('C4', '2024-03-01T12:00:00.000Z');
  await step('2024-03-01T12:00:02.000Z', 'RecordAiReply', { callId: 'C4', ...reply('r4') });
  await step('2024-03-01T12:00:20.000Z', 'TransferCall', { callId: 'C4', to: { kind: 'agent', id: 'a2' } });
  await step('2024-03-01T12:00:50.000Z', 'EndCall', { callId: 'C4', outcome: 'resolved' });

  await start('C5', '2024-03-01T13:00:00.000Z');
  await step('2024-03-01T13:00:03.000Z', 'RecordAiReply', { callId: 'C5', ...reply('r5') });
  await step('2024-03-01T13:00:40.000Z', 'EndCall', { callId: 'C5', outcome: 'resolved' });
  await step('2024-03-01T13:05:00.000Z', 'OpenTicket', {
    ticketId: 'T1',
    subject: 'Replacement part',
    description: 'Send a replacement part.',
    callId: 'C5',
  });
};

const snapshot = async (readStore: ReadStore, tenantId: string) => ({
  calls: await tableRows(readStore, 'call_sla', tenantId, 'call_id'),
  targets: await tableRows(readStore, 'tenant_sla_targets', tenantId, 'position'),
  followUps: await tableRows(readStore, 'sla_follow_ups', tenantId, 'call_id, source_id'),
});

const MARCH = { from: new Date('2024-03-01T00:00:00Z'), to: new Date('2024-04-01T00:00:00Z') };
const EXPECTED_BREACHES = [
  { tenantId: 't-sla', callId: 'C2', metric: 'time_to_answer', target: 10, actual: 15 },
  { tenantId: 't-sla', callId: 'C2', metric: 'queue_wait', target: 30, actual: 40 },
  { tenantId: 't-sla', callId: 'C2', metric: 'handle_time', target: 120, actual: 180 },
  { tenantId: 't-sla', callId: 'C3', metric: 'time_to_answer', target: 10, actual: 25 },
];

let w: WriteSide;
let log: BusEvent[];

beforeAll(async () => {
  w = await writeSide('t-sla', { settings: { slaTargets: targets } });
  await recordCalls(w);
  log = await w.busEvents(processor.categories);
});
afterAll(async () => {
  await w.close();
  await stores.close();
});

describe('sla processor', () => {
  it('measures every call against the targets in force when it started', async () => {
    const store = await stores.open('sla_measure');
    await processor.handle(log, w.context(store));
    const rows = await store.query(
      `SELECT call_id, agent_id, department_id, time_to_answer_seconds, queued, queue_wait_seconds,
              transfer_count, outcome, handle_seconds, abandoned, target_answer_seconds,
              target_queue_wait_seconds, target_handle_seconds, breaches
       FROM call_sla FINAL WHERE tenant_id = 't-sla' ORDER BY call_id`,
    );
    const common = { target_answer_seconds: 10, target_queue_wait_seconds: 30, target_handle_seconds: 120 };
    expect(rows).toEqual([
      {
        call_id: 'C1',
        agent_id: 'a1',
        department_id: '',
        time_to_answer_seconds: 5,
        queued: 0,
        queue_wait_seconds: 0,
        transfer_count: 0,
        outcome: 'resolved',
        handle_seconds: 60,
        abandoned: 0,
        ...common,
        breaches: [],
      },
      {
        call_id: 'C2',
        agent_id: 'a1',
        department_id: 'sales',
        time_to_answer_seconds: 15,
        queued: 1,
        queue_wait_seconds: 40,
        transfer_count: 0,
        outcome: 'resolved',
        handle_seconds: 180,
        abandoned: 0,
        ...common,
        breaches: ['time_to_answer', 'queue_wait', 'handle_time'],
      },
      {
        call_id: 'C3',
        agent_id: 'a1',
        department_id: 'support',
        time_to_answer_seconds: null,
        queued: 1,
        queue_wait_seconds: 20,
        transfer_count: 0,
        outcome: 'abandoned',
        handle_seconds: 25,
        abandoned: 1,
        ...common,
        breaches: ['time_to_answer'],
      },
      {
        call_id: 'C4',
        agent_id: 'a2',
        department_id: '',
        time_to_answer_seconds: 2,
        queued: 0,
        queue_wait_seconds: 0,
        transfer_count: 1,
        outcome: 'resolved',
        handle_seconds: 50,
        abandoned: 0,
        ...common,
        breaches: [],
      },
      {
        call_id: 'C5',
        agent_id: 'a1',
        department_id: '',
        time_to_answer_seconds: 3,
        queued: 0,
        queue_wait_seconds: 0,
        transfer_count: 0,
        outcome: 'resolved',
        handle_seconds: 40,
        abandoned: 0,
        ...common,
        breaches: [],
      },
    ]);
  });

  it('flags each breach once on the call, through the write side', async () => {
    const flagged = w.sent.filter((s) => s.type === 'FlagSlaBreach');
    expect(flagged.map((s) => s.data)).toEqual(EXPECTED_BREACHES);
    expect(flagged.map((s) => s.idempotencyKey)).toEqual(
      EXPECTED_BREACHES.map((b) => `sla:${b.tenantId}:${b.callId}:${b.metric}`),
    );
    expect(flagged.every((s) => s.outcome.kind === 'stored')).toBe(true);
    expect(await w.streamTypes('call', 'C2')).toEqual(expect.arrayContaining(['SlaBreached']));
    expect((await w.streamTypes('call', 'C2')).filter((t) => t === 'SlaBreached')).toHaveLength(3);
    expect(await w.streamTypes('call', 'C1')).not.toContain('SlaBreached');
  });

  it('reports compliance: per-call targets, abandonment and first-contact resolution against the targets', async () => {
    const store = await stores.open('sla_measure');
    const compliance = await slaCompliance(store, 't-sla', MARCH);
    expect(compliance).toEqual({
      calls: 5,
      targets,
      timeToAnswer: { measured: 4, averageSeconds: 6.25, withinTarget: 3, rate: 0.6, breaches: 2 },
      queueWait: { measured: 2, averageSeconds: 30, withinTarget: 1, rate: 0.5, breaches: 1 },
      handleTime: { measured: 5, averageSeconds: 71, withinTarget: 4, rate: 0.8, breaches: 1 },
      abandonment: { count: 1, rate: 0.2, target: 0.05, met: false },
      // Only C1: C2 left a follow-up, C3 was abandoned, C4 transferred, C5 needed a ticket.
      firstContactResolution: { count: 1, rate: 0.2, target: 0.7, met: false },
      transferred: 1,
      transfers: 1,
    });
    const empty = await slaCompliance(store, 't-sla', {
      from: new Date('2024-04-01T00:00:00Z'),
      to: new Date('2024-05-01T00:00:00Z'),
    });
    expect(empty).toMatchObject({
      calls: 0,
      abandonment: { rate: null, met: null },
      timeToAnswer: { rate: null, averageSeconds: null },
    });
  });

  it('ends with the same tables and sends nothing new whether the log comes split, redelivered or replayed', async () => {
    const whole = await stores.open('sla_measure');
    const sentBefore = w.sent.length;
    const store = await stores.open('sla_replay');
    const ctx = w.context(store);
    for (const batch of inBatchesOf(log, 3)) await processor.handle(batch, ctx);
    for (const batch of inBatchesOf(log, 7)) await processor.handle(batch, ctx);
    await processor.handle(log, ctx);
    expect(await snapshot(store, 't-sla')).toEqual(await snapshot(whole, 't-sla'));
    // A rebuild into empty tables detects the same breaches and sends them with the same keys and data: the
    // write side answers them as already done and stores nothing.
    const again = w.sent.slice(sentBefore);
    expect(again.map((s) => s.idempotencyKey)).toEqual(
      EXPECTED_BREACHES.map((b) => `sla:${b.tenantId}:${b.callId}:${b.metric}`),
    );
    expect(again.every((s) => s.outcome.kind === 'replayed')).toBe(true);
    expect((await w.streamTypes('call', 'C2')).filter((t) => t === 'SlaBreached')).toHaveLength(3);
  });

  it('a crash between sending and writing sends the same breaches again, which change nothing', async () => {
    const store = await stores.open('sla_crash');
    const crashing: ReadStore = {
      ...store,
      insert: async (table, rows) => {
        if (table === 'call_sla') throw new Error('simulated crash before the rows were written');
        await store.insert(table, rows);
      },
    };
    const sentBefore = w.sent.length;
    await expect(processor.handle(log, w.context(crashing))).rejects.toThrow(/simulated crash/);
    await processor.handle(log, w.context(store));
    const sent = w.sent.slice(sentBefore);
    expect(sent).toHaveLength(EXPECTED_BREACHES.length * 2);
    expect(sent.every((s) => s.outcome.kind === 'replayed')).toBe(true);
    expect(await snapshot(store, 't-sla')).toEqual(await snapshot(await stores.open('sla_measure'), 't-sla'));
  });

  it('takes the defaults for a tenant that never set targets, and a change applies to calls started after it', async () => {
    const other = await writeSide('t-sla-defaults');
    try {
      const start = (callId: string) =>
        other.send('StartCall', {
          callId,
          direction: 'inbound',
          from: '+15551230001',
          to: '+15557650002',
          provider: 'simulator',
        });
      other.at('2024-03-05T09:00:00.000Z');
      await start('D1');
      other.at('2024-03-05T09:00:30.000Z');
      await other.send('UpdateTenantSettings', {
        settings: { slaTargets: { ...DEFAULT_SLA_TARGETS, answerWithinSeconds: 5 } },
      });
      other.at('2024-03-05T09:01:00.000Z');
      await start('D2');
      other.at('2024-03-05T09:01:10.000Z');
      await other.send('RecordAiReply', { callId: 'D2', ...reply('r1') });
      other.at('2024-03-05T09:01:20.000Z');
      await other.send('RecordAiReply', { callId: 'D1', ...reply('r2') });
      const store = await stores.open('sla_defaults');
      await processor.handle(await other.busEvents(processor.categories), other.context(store));
      const rows = await store.query(
        `SELECT call_id, target_answer_seconds, time_to_answer_seconds, breaches
         FROM call_sla FINAL WHERE tenant_id = 't-sla-defaults' ORDER BY call_id`,
      );
      expect(rows).toEqual([
        // Started under the defaults (20 s): answered after 80 s.
        {
          call_id: 'D1',
          target_answer_seconds: 20,
          time_to_answer_seconds: 80,
          breaches: ['time_to_answer'],
        },
        // Started under the new target (5 s): answered after 10 s.
        { call_id: 'D2', target_answer_seconds: 5, time_to_answer_seconds: 10, breaches: ['time_to_answer'] },
      ]);
      expect(await currentTargets(store, 't-sla-defaults')).toMatchObject({ answerWithinSeconds: 5 });
    } finally {
      await other.close();
    }
  });
});

const currentTargets = async (store: ReadStore, tenantId: string) =>
  (await slaCompliance(store, tenantId, MARCH)).targets;
