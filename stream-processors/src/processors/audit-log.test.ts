import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventDefinitions, PERSONAL_FIELDS, WITHHELD, type Actor } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import {
  AUDITED_CATEGORIES,
  createAuditLogProcessor,
  PERSONAL_MARKER,
  withoutPersonalData,
} from './audit-log.js';
import {
  handleAll,
  inBatchesOf,
  recordCalls,
  recordSampleCalls,
  tableRows,
  testReadStores,
} from './processor-testing.js';

const stores = testReadStores('audit-log');
let store: ReadStore;
const processor = createAuditLogProcessor();

const supervisor: Actor = { kind: 'user', id: 'sup-1', role: 'supervisor', tenantId: 'audit-one' };

/** Every event of a tenant: its creation, a member invited by a person, and the sample calls. */
const sample = async (tenantId: string): Promise<BusEvent[]> => {
  const calls = await recordCalls(tenantId);
  await calls.send(
    'InviteMember',
    { userId: 'm1', email: 'Jane.Doe@example.com', name: 'Jane Doe', role: 'agent' },
    { actor: { ...supervisor, tenantId }, correlationId: 'req-42', causationId: 'cmd-7' },
  );
  await recordSampleCalls(calls);
  const events = await calls.busEvents(processor.categories);
  await calls.close();
  return events;
};

/**
 * Personal values the sample carries: none may appear anywhere in the audit table. (CA4's transfer to the
 * outside number +15550009999 is not here: PERSONAL_FIELDS does not list CallTransferred, so the event store
 * keeps it in the clear too.)
 */
const PERSONAL_VALUES = [
  'jane.doe@example.com',
  'Jane Doe',
  '+15551230001',
  '+15557650002',
  'order status',
  'terrible',
  'It shipped today',
  // Distinctive enough never to occur in a random id or hash of the table.
  'ORD-7QX4',
  'shipped"',
  'Caller asked for a person',
  'rec1.wav',
  'quick',
  'Order status asked',
  'reservar',
];

beforeAll(async () => {
  store = await stores.open('audit_log');
});
afterAll(() => stores.close());

describe('audit-log processor', () => {
  it('reads every category of the catalogue', () => {
    expect(AUDITED_CATEGORIES).toEqual([...new Set(eventDefinitions.map((d) => d.category))].sort());
    expect(AUDITED_CATEGORIES).toEqual(expect.arrayContaining(['call', 'member', 'tenant']));
  });

  it('keeps every event with its position, version, actor and correlation, personal data masked', async () => {
    const events = await sample('audit-one');
    await handleAll(processor, store, [events]);
    const rows = await store.query<Record<string, unknown>>(
      `SELECT position, event_id, stream_id, type, version, occurred_at, correlation_id, causation_id,
              actor_kind, actor_id, actor_role, data
       FROM events FINAL WHERE tenant_id = {t:String} ORDER BY position`,
      { t: 'audit-one' },
    );
    expect(rows.map((row) => [row.position, row.event_id, row.type])).toEqual(
      events.map((e) => [String(e.position), e.envelope.id, e.envelope.type]),
    );

    const invited = rows.find((row) => row.type === 'MemberInvited');
    expect(invited).toMatchObject({
      stream_id: 'member-audit-one.m1',
      version: 1,
      correlation_id: 'req-42',
      causation_id: 'cmd-7',
      actor_kind: 'user',
      actor_id: 'sup-1',
      actor_role: 'supervisor',
    });
    expect(JSON.parse(String(invited?.data))).toEqual({
      email: PERSONAL_MARKER,
      name: PERSONAL_MARKER,
      role: 'agent',
      // A person's email hash can be matched by hashing guesses: withheld like a secret.
      emailHash: WITHHELD,
    });

    const started = rows.find((row) => row.type === 'CallStarted' && row.stream_id === 'call-audit-one.CA1');
    expect(started).toMatchObject({
      occurred_at: '2024-03-01 09:00:00.000',
      actor_kind: 'system',
      actor_id: 'platform',
      actor_role: '',
      causation_id: expect.any(String),
    });
    expect(JSON.parse(String(started?.data))).toEqual({
      direction: 'inbound',
      from: PERSONAL_MARKER,
      to: PERSONAL_MARKER,
      provider: 'simulator',
      agentId: 'a1',
      departmentId: 'sales',
      startedAt: '2024-03-01T09:00:00.000Z',
    });
    const ended = rows.find((row) => row.type === 'CallEnded' && row.stream_id === 'call-audit-one.CA1');
    expect(JSON.parse(String(ended?.data))).toEqual({ outcome: 'resolved', durationSeconds: 120 });

    // Every personal field of every event type in the sample is masked, and nothing personal is left.
    for (const row of rows) {
      const data = JSON.parse(String(row.data)) as Record<string, unknown>;
      for (const field of PERSONAL_FIELDS[String(row.type)] ?? []) {
        if (field in data) expect(data[field], `${String(row.type)}.${field}`).toBe(PERSONAL_MARKER);
      }
    }
    const table = JSON.stringify(rows);
    for (const value of PERSONAL_VALUES) expect(table, value).not.toContain(value);
    expect(new Set(rows.map((row) => row.type))).toEqual(
      new Set([
        // Inviting a member also reserves a seat of the plan and claims the login email platform-wide.
        ...['TenantCreated', 'QuotaReserved', 'LoginClaimed', 'MemberInvited'],
        ...[
          'CallStarted',
          'UtteranceRecorded',
          'AiReplied',
          'ToolInvoked',
          'CallEnded',
          'FeedbackGiven',
          'RecordingAvailable',
          'CallSummarized',
          'EscalationRequested',
          'CallQueued',
          'HumanJoined',
          'HumanTookOver',
          'IvrOptionChosen',
          'CallTransferred',
        ],
      ]),
    );
  });

  it('masks only fields the event carries, and leaves events without personal data as they are', () => {
    expect(withoutPersonalData('FeedbackGiven', { score: 3 })).toEqual({ score: 3 });
    expect(withoutPersonalData('FeedbackGiven', { score: 3, comment: 'meh' })).toEqual({
      score: 3,
      comment: PERSONAL_MARKER,
    });
    expect(withoutPersonalData('CallEnded', { outcome: 'failed', durationSeconds: 1 })).toEqual({
      outcome: 'failed',
      durationSeconds: 1,
    });
  });

  it('changes nothing when the same batch is handled twice', async () => {
    const events = await sample('audit-twice');
    await handleAll(processor, store, [events]);
    const once = await tableRows(store, 'events', 'audit-twice', 'position');
    await handleAll(processor, store, [events]);
    expect(await tableRows(store, 'events', 'audit-twice', 'position')).toEqual(once);
    expect(
      await store.query(`SELECT count() AS n FROM events FINAL WHERE tenant_id = 'audit-twice'`),
    ).toEqual([{ n: String(events.length) }]);
  });

  it('ends with the same table whether the log comes whole or split and redelivered', async () => {
    const events = await sample('audit-split');
    const whole = await stores.open('audit_whole');
    await handleAll(processor, whole, [events]);
    const split = await stores.open('audit_split');
    const batches = inBatchesOf(events, 7);
    await handleAll(processor, split, [...batches, batches[1] ?? [], events.slice(3, 11)]);
    expect(await tableRows(split, 'events', 'audit-split', 'position')).toEqual(
      await tableRows(whole, 'events', 'audit-split', 'position'),
    );
  });
});
