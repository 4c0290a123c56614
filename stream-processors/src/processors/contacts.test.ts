import { afterAll, describe, expect, it } from 'vitest';
import { ERASED } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import { createContactsProcessor } from './contacts.js';
import { entityLog } from './entity-testing.js';
import { createMessagesProcessor } from './messages.js';
import { handleAll, handleWithCrash, inBatchesOf, tableRows, testReadStores } from './processor-testing.js';

const stores = testReadStores('contacts');
afterAll(() => stores.close());

const TABLES: Record<string, string> = {
  contacts: 'contact_id',
  contact_phones: 'phone, contact_id',
  contact_tickets: 'ticket_id',
  messages: 'message_id',
};

const snapshot = async (store: ReadStore, tenantId: string) => {
  const all: Record<string, unknown> = {};
  for (const [table, order] of Object.entries(TABLES))
    all[table] = await tableRows(store, table, tenantId, order);
  return all;
};

/**
 * Carla: created with two numbers, one replaced, SMS consent withdrawn and email granted, on the do-not-call
 * list; Dan: created then deleted; Eve: created with her fields erased. A ticket for Carla's number, worked on
 * and resolved. A reminder to Carla: failed once, sent, delivered; her reply "C" received and handled.
 */
const contactsLog = (tenantId: string) => {
  const log = entityLog(tenantId);
  const contact = (id: string, type: string, data: Record<string, unknown>, erased?: string[]) =>
    log.append('contact', id, type, data, erased);
  const message = (id: string, type: string, data: Record<string, unknown>) =>
    log.append('message', id, type, data);
  contact('carla', 'ContactCreated', {
    name: 'Carla Ruiz',
    phones: ['+34600111222', '+34600333444'],
    emails: ['carla@example.com'],
    language: 'es',
    tags: ['vip'],
    consent: ['sms', 'calls'],
  });
  contact('dan', 'ContactCreated', { name: 'Dan', phones: ['+15550001111'], consent: [] });
  contact(
    'eve',
    'ContactCreated',
    { name: 'Eve', phones: ['+15550002222'], emails: [], tags: [], consent: [] },
    ['name', 'phones', 'emails', 'tags'],
  );
  log.at('2024-03-01T10:00:00.000Z');
  contact('carla', 'ContactUpdated', { phones: ['+34600111222', '+34600555666'], notes: 'Prefers mornings' });
  contact('carla', 'ConsentRecorded', { channel: 'sms', granted: false, source: 'message_reply' });
  contact('carla', 'ConsentRecorded', { channel: 'email', granted: true, source: 'console' });
  contact('carla', 'ContactDoNotCallChanged', { doNotCall: true, phones: ['+34600111222', '+34600555666'] });
  contact('dan', 'ContactDeleted', {});
  log.append('ticket', 'T-1', 'TicketOpened', {
    subject: 'Broken crown',
    description: 'It fell off',
    priority: 'high',
    customer: { name: 'Carla', phone: '+34600111222' },
  });
  log.append('ticket', 'T-1', 'TicketUpdated', { changes: { status: 'in_progress' } });
  log.at('2024-03-01T11:00:00.000Z');
  log.append('ticket', 'T-1', 'TicketResolved', { resolution: 'Fixed' });
  message('m1', 'MessageScheduled', {
    channel: 'sms',
    to: '+34600111222',
    from: '+34910000000',
    purpose: 'reminder',
    language: 'es',
    body: 'Recuerde su cita mañana',
    contactId: 'carla',
    appointmentId: 'a1',
    dueAt: '2024-03-01T11:00:00Z',
  });
  message('m1', 'MessageDeliveryStarted', { attempt: 1 });
  message('m1', 'MessageDeliveryFailed', { attempt: 1, error: 'timeout', retryAt: '2024-03-01T11:05:00Z' });
  log.at('2024-03-01T11:05:00.000Z');
  message('m1', 'MessageDeliveryStarted', { attempt: 2 });
  message('m1', 'MessageSent', { attempt: 2, provider: 'twilio', providerMessageId: 'SM1' });
  message('m1', 'MessageStatusChanged', { status: 'delivered' });
  log.at('2024-03-01T11:20:00.000Z');
  message('m2', 'MessageReceived', {
    channel: 'sms',
    from: '+34600111222',
    to: '+34910000000',
    body: 'C',
    provider: 'twilio',
    providerMessageId: 'SM2',
  });
  message('m2', 'MessageReplyHandled', {
    intent: 'confirm',
    contactId: 'carla',
    appointmentId: 'a1',
    outcome: 'confirmed a1',
  });
  return log.events;
};

const both = [createContactsProcessor(), createMessagesProcessor()];
const handleBoth = async (store: ReadStore, batches: Parameters<typeof handleAll>[2]) => {
  for (const processor of both) await handleAll(processor, store, batches);
};

describe('contacts and messages processors', () => {
  it('projects contacts with their numbers, tickets by number, and the delivery log', async () => {
    const store = await stores.open('contacts_projects');
    await handleBoth(store, [contactsLog('clinic')]);
    const rows = await snapshot(store, 'clinic');

    const [carla, dan, eve] = rows['contacts'] as Record<string, unknown>[];
    expect(carla).toMatchObject({
      name: 'Carla Ruiz',
      phones: ['+34600111222', '+34600555666'],
      emails: ['carla@example.com'],
      notes: 'Prefers mornings',
      tags: ['vip'],
      do_not_call: 1,
      deleted: 0,
    });
    expect(JSON.parse(String(carla?.['consent']))).toEqual({ sms: false, calls: true, email: true });
    expect(dan).toMatchObject({ contact_id: 'dan', deleted: 1 });
    expect(eve).toMatchObject({ name: ERASED, phones: [], emails: [] });

    expect(
      (rows['contact_phones'] as Record<string, unknown>[]).map((r) => [
        r['phone'],
        r['contact_id'],
        r['removed'],
      ]),
    ).toEqual([
      ['+15550001111', 'dan', 1],
      ['+34600111222', 'carla', 0],
      ['+34600333444', 'carla', 1],
      ['+34600555666', 'carla', 0],
    ]);
    expect(rows['contact_tickets']).toMatchObject([
      { ticket_id: 'T-1', phone: '+34600111222', subject: 'Broken crown', status: 'resolved' },
    ]);

    const [reminder, reply] = rows['messages'] as Record<string, unknown>[];
    expect(reminder).toMatchObject({
      direction: 'outbound',
      status: 'delivered',
      attempts: 2,
      last_error: 'timeout',
      to_address: '+34600111222',
      provider_message_id: 'SM1',
      sent_at: '2024-03-01 11:05:00.000',
      due_at: '2024-03-01 11:05:00.000',
      contact_id: 'carla',
      appointment_id: 'a1',
    });
    expect(reply).toMatchObject({
      direction: 'inbound',
      status: 'received',
      from_address: '+34600111222',
      body: 'C',
      reply_intent: 'confirm',
      contact_id: 'carla',
    });
  });

  it('leaves the same rows after a replay, small batches and a crash in the middle of one', async () => {
    const events = contactsLog('clinic');
    const once = await stores.open('contacts_once');
    await handleBoth(once, [events]);
    const expected = await snapshot(once, 'clinic');

    const replayed = await stores.open('contacts_replayed');
    await handleBoth(replayed, [events, events]);
    expect(await snapshot(replayed, 'clinic')).toEqual(expected);

    const crashed = await stores.open('contacts_crashed');
    const batches = inBatchesOf(events, 2);
    // The crash falls between the phone index and the contacts (batch 1 creates Eve and updates Carla); the
    // messages processor writes each batch in one insert, so it is delivered in small batches instead.
    await handleWithCrash(both[0]!, crashed, batches, 1);
    await handleAll(both[1]!, crashed, batches);
    expect(await snapshot(crashed, 'clinic')).toEqual(expected);
  });
});
