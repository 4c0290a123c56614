/**
 * Test support for the processors (imported by tests only): calls recorded through the real command handler
 * into an in-memory SQLite event store and read back as the bus delivers them, and a chdb read store with the
 * real migrations applied.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEvent, parseStreamName, SYSTEM_ACTOR, type PlanTier } from '@ccp/schemas';
import {
  createCommandHandler,
  type CommandContext,
  commandRoutes,
  createSqliteEventStore,
} from '@ccp/command-service';
import { migrate, openChdbReadStore, type ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import type { Processor, ProcessorContext } from '../processor.js';

export interface RecordedCalls {
  /** Sets the write side's clock: the events' occurredAt, startedAt and call durations follow it. */
  at(iso: string): void;
  /** A command, as the platform unless `context` says otherwise; tenantId is filled in. */
  send(type: string, data: Record<string, unknown>, context?: Partial<CommandContext>): Promise<void>;
  /** The whole log as the bus hands it over: decoded, with positions, keyed by stream. */
  busEvents(categories?: readonly string[]): Promise<BusEvent[]>;
  close(): Promise<void>;
}

export const recordCalls = async (
  tenantId: string,
  planTier: PlanTier = 'starter',
): Promise<RecordedCalls> => {
  const store = createSqliteEventStore({ path: ':memory:' });
  let now = new Date('2024-03-01T09:00:00.000Z');
  const handler = createCommandHandler({ store, routes: commandRoutes, clock: () => now });
  await handler.handleTrusted(
    'CreateTenant',
    { tenantId, name: `Tenant ${tenantId}`, planTier },
    {
      actor: SYSTEM_ACTOR,
    },
  );
  return {
    at(iso) {
      now = new Date(iso);
    },
    async send(type, data, context) {
      await handler.handleTrusted(type, { tenantId, ...data }, { actor: SYSTEM_ACTOR, ...context });
    },
    async busEvents(categories) {
      const events: BusEvent[] = [];
      for (const recorded of await store.readAll()) {
        const decoded = decodeEvent(recorded);
        if (!decoded.ok) throw new Error(`event ${recorded.id} does not decode: ${decoded.error.message}`);
        const category = parseStreamName(recorded.streamId)?.category;
        if (categories !== undefined && (category === undefined || !categories.includes(category))) continue;
        events.push({ envelope: decoded.value, position: recorded.position, key: recorded.streamId });
      }
      return events;
    },
    close: () => store.close(),
  };
};

export interface TestReadStores {
  /** A migrated database in the one chdb directory of this process; the same name gives the same store. */
  open(database: string): Promise<ReadStore>;
  close(): Promise<void>;
}

/** chdb binds one data directory per process: every store of a test file lives in this one. */
export const testReadStores = (prefix: string): TestReadStores => {
  const dir = mkdtempSync(join(tmpdir(), `ccp-${prefix}-`));
  const opened = new Map<string, ReadStore>();
  return {
    async open(database) {
      const existing = opened.get(database);
      if (existing) return existing;
      const store = await openChdbReadStore({ path: dir, database });
      await migrate(store);
      opened.set(database, store);
      return store;
    },
    async close() {
      for (const store of opened.values()) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

export const contextFor = (readStore: ReadStore, log: string[] = []): ProcessorContext => ({
  readStore,
  send: () => Promise.reject(new Error('these processors send no commands')),
  log: (message) => log.push(message),
  now: () => new Date('2024-03-01T12:00:00.000Z'),
});

/** Runs a processor over the batches in turn, as the bus would deliver them. */
export const handleAll = async (
  processor: Processor,
  readStore: ReadStore,
  batches: readonly (readonly BusEvent[])[],
  log: string[] = [],
): Promise<void> => {
  for (const batch of batches) await processor.handle(batch, contextFor(readStore, log));
};

/** A table's rows of one tenant as read with FINAL, in key order, for comparing two runs. */
export const tableRows = (
  readStore: ReadStore,
  table: string,
  tenantId: string,
  orderBy: string,
): Promise<Record<string, unknown>[]> =>
  readStore.query(`SELECT * FROM ${table} FINAL WHERE tenant_id = {tenant:String} ORDER BY ${orderBy}`, {
    tenant: tenantId,
  });

const caller = (utteranceId: string, text: string, language = 'en') => ({
  utteranceId,
  speaker: 'caller',
  text,
  confidence: 0.92,
  language,
});
const aiReply = (utteranceId: string, text: string, promptTokens: number, completionTokens: number) => ({
  utteranceId,
  text,
  language: 'en',
  model: 'offline-dialogue',
  promptTokens,
  completionTokens,
  latencyMs: 400,
});

/**
 * Five calls over two days that between them raise every call event:
 * - CA1 (agent a1, sales): an unhappy caller, AI replies and a tool, resolved by the AI; feedback 4, recording,
 *   summary.
 * - CA2 (agent a1, sales): escalated, queued in sales/priority, a human joins after 45 s and takes over;
 *   resolved, feedback 5.
 * - CA3 (agent a2, support): escalated, queued in support/general, the caller hangs up after 120 s of waiting.
 * - CA4 (agent a2, IVR to support): transferred to agent a1, then to an outside number; resolved.
 * - CA5 (agent a2, next day): a Spanish caller, still in progress.
 */
export const recordSampleCalls = async (calls: RecordedCalls): Promise<void> => {
  const start = (callId: string, agentId: string, departmentId?: string) =>
    calls.send('StartCall', {
      callId,
      direction: 'inbound',
      from: '+15551230001',
      to: '+15557650002',
      provider: 'simulator',
      agentId,
      ...(departmentId === undefined ? {} : { departmentId }),
    });

  calls.at('2024-03-01T09:00:00.000Z');
  await start('CA1', 'a1', 'sales');
  calls.at('2024-03-01T09:00:05.000Z');
  await calls.send('RecordUtterance', {
    callId: 'CA1',
    ...caller('u1', 'Hi, I need to check my order status'),
  });
  calls.at('2024-03-01T09:00:06.000Z');
  await calls.send('RecordAiReply', {
    callId: 'CA1',
    ...aiReply('r1', 'Sure, what is the order number?', 120, 30),
  });
  calls.at('2024-03-01T09:00:20.000Z');
  await calls.send('RecordUtterance', {
    callId: 'CA1',
    ...caller('u2', 'This is terrible, it is late again and nobody fixed the problem'),
  });
  calls.at('2024-03-01T09:00:21.000Z');
  await calls.send('InvokeTool', {
    callId: 'CA1',
    toolCallId: 't1',
    name: 'lookup_order',
    arguments: { order: 'ORD-7QX4' },
    result: { status: 'shipped' },
    status: 'succeeded',
    durationMs: 80,
  });
  calls.at('2024-03-01T09:00:22.000Z');
  await calls.send('RecordAiReply', { callId: 'CA1', ...aiReply('r2', 'It shipped today, sorry.', 200, 40) });
  calls.at('2024-03-01T09:00:40.000Z');
  await calls.send('RecordUtterance', {
    callId: 'CA1',
    ...caller('u3', 'I am really angry and disappointed, this is awful service'),
  });
  calls.at('2024-03-01T09:02:00.000Z');
  await calls.send('EndCall', { callId: 'CA1', outcome: 'resolved' });
  calls.at('2024-03-01T09:02:30.000Z');
  await calls.send('GiveFeedback', { callId: 'CA1', score: 4, comment: 'quick' });
  await calls.send('MarkRecordingAvailable', {
    callId: 'CA1',
    recordingId: 'rec1',
    url: 'https://recordings.example.com/rec1.wav',
    durationSeconds: 120,
  });
  await calls.send('SummarizeCall', { callId: 'CA1', summary: 'Order status asked', followUps: [] });

  calls.at('2024-03-01T10:00:00.000Z');
  await start('CA2', 'a1', 'sales');
  calls.at('2024-03-01T10:00:10.000Z');
  await calls.send('RecordUtterance', {
    callId: 'CA2',
    ...caller('u4', 'I want to talk to a person please'),
  });
  calls.at('2024-03-01T10:00:12.000Z');
  await calls.send('RequestEscalation', {
    callId: 'CA2',
    reason: 'caller_request',
    summary: 'Caller asked for a person',
  });
  calls.at('2024-03-01T10:00:15.000Z');
  await calls.send('QueueCall', { callId: 'CA2', departmentId: 'sales', queue: 'priority' });
  calls.at('2024-03-01T10:01:00.000Z');
  await calls.send('JoinHuman', { callId: 'CA2', userId: 'h1', mode: 'listen' });
  calls.at('2024-03-01T10:01:05.000Z');
  await calls.send('TakeOverCall', { callId: 'CA2', userId: 'h1' });
  calls.at('2024-03-01T10:01:10.000Z');
  await calls.send('RecordUtterance', {
    callId: 'CA2',
    utteranceId: 'u5',
    speaker: 'human',
    text: 'Hello, thanks for waiting, happy to help',
    confidence: 0.9,
    language: 'en',
  });
  calls.at('2024-03-01T10:01:30.000Z');
  await calls.send('RecordUtterance', {
    callId: 'CA2',
    ...caller('u6', 'Great, thank you so much, that is wonderful'),
  });
  calls.at('2024-03-01T10:05:00.000Z');
  await calls.send('EndCall', { callId: 'CA2', outcome: 'resolved' });
  await calls.send('GiveFeedback', { callId: 'CA2', score: 5 });

  calls.at('2024-03-01T11:00:00.000Z');
  await start('CA3', 'a2', 'support');
  calls.at('2024-03-01T11:00:05.000Z');
  await calls.send('RecordUtterance', {
    callId: 'CA3',
    ...caller('u7', 'my internet is not working, I need to cancel my subscription'),
  });
  await calls.send('RequestEscalation', {
    callId: 'CA3',
    reason: 'low_confidence',
    summary: 'Unclear request',
  });
  calls.at('2024-03-01T11:00:10.000Z');
  await calls.send('QueueCall', { callId: 'CA3', departmentId: 'support', queue: 'general' });
  calls.at('2024-03-01T11:02:10.000Z');
  await calls.send('EndCall', { callId: 'CA3', outcome: 'abandoned' });

  calls.at('2024-03-01T12:00:00.000Z');
  await start('CA4', 'a2');
  calls.at('2024-03-01T12:00:03.000Z');
  await calls.send('ChooseIvrOption', { callId: 'CA4', input: 'dtmf', value: '2', departmentId: 'support' });
  calls.at('2024-03-01T12:00:30.000Z');
  await calls.send('TransferCall', { callId: 'CA4', to: { kind: 'agent', id: 'a1' } });
  calls.at('2024-03-01T12:00:40.000Z');
  await calls.send('RecordAiReply', { callId: 'CA4', ...aiReply('r3', 'Let me put you through.', 90, 10) });
  calls.at('2024-03-01T12:01:00.000Z');
  await calls.send('TransferCall', { callId: 'CA4', to: { kind: 'external', id: '+15550009999' } });
  calls.at('2024-03-01T12:01:30.000Z');
  await calls.send('EndCall', { callId: 'CA4', outcome: 'resolved' });

  calls.at('2024-03-02T08:00:00.000Z');
  await start('CA5', 'a2', 'support');
  calls.at('2024-03-02T08:00:04.000Z');
  await calls.send('RecordUtterance', {
    callId: 'CA5',
    ...caller('u8', 'quiero reservar una cita para mañana', 'es'),
  });
};

/** A batch cut into consecutive batches of at most `size` events. */
export const inBatchesOf = <T>(events: readonly T[], size: number): T[][] => {
  const batches: T[][] = [];
  for (let i = 0; i < events.length; i += size) batches.push(events.slice(i, i + size));
  return batches;
};

/**
 * The real store, except that the insert after the first `inserts` fails, as if the process died right there
 * (a fault injector around the engine, not a fake of it): what was written before stays written.
 */
export const crashingAfter = (store: ReadStore, inserts: number): ReadStore => {
  let seen = 0;
  return {
    ...store,
    insert: async (table, rows) => {
      seen += 1;
      if (seen === inserts + 1) throw new Error(`injected crash before writing ${table}`);
      await store.insert(table, rows);
    },
  };
};

/**
 * Delivers the batches as an at-least-once bus does when the processor dies in the middle of one, after its
 * first write: the batch that failed is handed over again (to a restarted processor), then the rest.
 */
export const handleWithCrash = async (
  processor: Processor,
  store: ReadStore,
  batches: readonly (readonly BusEvent[])[],
  crashAt: number,
): Promise<void> => {
  await handleAll(processor, store, batches.slice(0, crashAt));
  const batch = batches[crashAt] ?? [];
  await expectRejection(
    processor.handle(batch, contextFor(crashingAfter(store, 1))),
    'injected crash before writing',
  );
  await handleAll(processor, store, batches.slice(crashAt));
};

const expectRejection = async (promise: Promise<unknown>, message: string): Promise<void> => {
  const outcome = await promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  if (!outcome.startsWith(message)) {
    throw new Error(`expected the batch to fail with "${message}", got: ${outcome}`);
  }
};

/** The sample calls recorded for a tenant, as the bus delivers them to a processor of these categories. */
export const sampleBusEvents = async (
  tenantId: string,
  categories: readonly string[],
): Promise<BusEvent[]> => {
  const calls = await recordCalls(tenantId);
  await recordSampleCalls(calls);
  const events = await calls.busEvents(categories);
  await calls.close();
  return events;
};
