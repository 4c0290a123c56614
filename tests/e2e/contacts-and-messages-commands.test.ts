import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent } from '@ccp/schemas';
import { doNotCallDecider, fold, isOnDoNotCallList, type DoNotCallState } from '@ccp/command-service';
import { apiClient, login, startTestPlatform, SUPER_ADMIN, type TestPlatform } from '../support/platform.js';

/*
 * Contacts and messages through the running platform's HTTP command API: a contact kept by an agent, the
 * do-not-call flag reaching the tenant's list through the reactor, and a message's timer driven as the delivery
 * worker drives it (its commands are the platform's own: here a super admin, who may send them too).
 */
type Client = ReturnType<typeof apiClient>;
const PASSWORD = 'contacts-password-1';
const TENANT = 'acme';

describe('contacts and messages over the command API', () => {
  let t: TestPlatform;
  let root: Client;
  let agent: Client;

  /** The tenant's do-not-call list as the log has it, once it says what `until` waits for. */
  const doNotCallList = async (until: (list: DoNotCallState) => boolean): Promise<DoNotCallState> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const events = (await t.platform.store.readStream(`donotcall-${TENANT}.list`)).map((recorded) => {
        const decoded = decodeEvent(recorded);
        if (!decoded.ok) throw new Error(decoded.error.message);
        return decoded.value as unknown as Parameters<typeof doNotCallDecider.evolve>[1];
      });
      const list = fold(doNotCallDecider, events);
      if (until(list) || Date.now() > deadline) return list;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    t = await startTestPlatform();
    root = apiClient(t.url, await login(t.url, SUPER_ADMIN.email, SUPER_ADMIN.password));
    expect((await root.command('CreateTenant', { tenantId: TENANT, name: 'Acme' })).status).toBe(200);
    expect(
      (
        await root.command('InviteMember', {
          tenantId: TENANT,
          userId: 'acme-agent',
          email: 'acme-agent@test.example',
          name: 'Agent',
          role: 'agent',
        })
      ).status,
    ).toBe(200);
    expect(
      (await root.request('PUT', '/api/members/acme-agent/password', { password: PASSWORD })).status,
    ).toBe(204);
    agent = apiClient(t.url, await login(t.url, 'acme-agent@test.example', PASSWORD));
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('creates a contact, and refuses one with neither phone nor email naming the field', async () => {
    const created = await agent.command('CreateContact', {
      tenantId: TENANT,
      contactId: 'maria',
      name: 'Maria Lopez',
      phones: ['+15550100001', '+15550100002'],
      consent: ['sms'],
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      streamId: `contact-${TENANT}.maria`,
      events: [{ type: 'ContactCreated' }],
    });

    const refused = await agent.command('CreateContact', {
      tenantId: TENANT,
      contactId: 'nobody',
      name: 'Nobody',
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: 'phones' } });
    expect(await t.platform.store.readStream(`contact-${TENANT}.nobody`)).toEqual([]);

    const updated = await agent.command('UpdateContact', {
      tenantId: TENANT,
      contactId: 'maria',
      notes: 'Mornings',
    });
    expect(updated.body).toMatchObject({ events: [{ type: 'ContactUpdated' }] });
    const stored = await t.platform.store.readStream(`contact-${TENANT}.maria`);
    const last = decodeEvent(stored[stored.length - 1] as (typeof stored)[number]);
    expect(last.ok && last.value.data).toEqual({ notes: 'Mornings' });
  });

  it('puts a contact flagged do-not-call on the tenant’s list, and takes the numbers off with the flag', async () => {
    const flagged = await agent.command('SetContactDoNotCall', {
      tenantId: TENANT,
      contactId: 'maria',
      doNotCall: true,
    });
    expect(flagged.body).toMatchObject({ events: [{ type: 'ContactDoNotCallChanged' }] });
    const listed = await doNotCallList((list) => isOnDoNotCallList(list, '+15550100002'));
    expect([...listed.numbers].sort()).toEqual(['+15550100001', '+15550100002']);

    await agent.command('SetContactDoNotCall', { tenantId: TENANT, contactId: 'maria', doNotCall: false });
    const cleared = await doNotCallList((list) => list.numbers.size === 0);
    expect(cleared.numbers.size).toBe(0);
  });

  it('runs a message’s timer: claimed once, failed, not due before its retry, cancelled', async () => {
    const message = {
      tenantId: TENANT,
      messageId: 'maria-reminder-1',
      channel: 'sms',
      to: '+15550100001',
      purpose: 'reminder',
      language: 'en',
      body: 'See you tomorrow at 10:00',
      contactId: 'maria',
      dueAt: new Date().toISOString(),
    };
    const key = { tenantId: TENANT, messageId: message.messageId };
    expect((await agent.command('ScheduleMessage', message)).body).toMatchObject({
      events: [{ type: 'MessageScheduled' }],
    });
    expect((await agent.command('ScheduleMessage', message)).body).toMatchObject({ events: [] });

    // The worker's commands are the platform's: an agent may not claim a message.
    expect((await agent.command('StartMessageDelivery', { ...key, attempt: 1 })).status).toBe(403);
    expect((await root.command('StartMessageDelivery', { ...key, attempt: 1 })).body).toMatchObject({
      events: [{ type: 'MessageDeliveryStarted' }],
    });
    expect((await root.command('StartMessageDelivery', { ...key, attempt: 1 })).body).toMatchObject({
      events: [],
    });
    const raced = await root.command('StartMessageDelivery', { ...key, attempt: 2 });
    expect(raced.status).toBe(409);
    expect(raced.body).toMatchObject({ error: { code: 'MESSAGE_ATTEMPT_CHANGED' } });

    const failed = await root.command('RecordMessageFailure', { ...key, attempt: 1, error: 'provider 503' });
    expect(failed.body).toMatchObject({ events: [{ type: 'MessageDeliveryFailed' }] });
    const early = await root.command('StartMessageDelivery', { ...key, attempt: 2 });
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({ error: { code: 'MESSAGE_NOT_DUE' } });

    expect((await agent.command('CancelMessage', { ...key, reason: 'rescheduled' })).body).toMatchObject({
      events: [{ type: 'MessageCancelled' }],
    });
    const closed = await root.command('StartMessageDelivery', { ...key, attempt: 2 });
    expect(closed.body).toMatchObject({ error: { code: 'MESSAGE_CLOSED' } });
  });

  it('runs a message to sent and delivered, each outcome once', async () => {
    const key = { tenantId: TENANT, messageId: 'maria-confirmation-1' };
    await agent.command('ScheduleMessage', {
      ...key,
      channel: 'email',
      to: 'maria@example.com',
      purpose: 'confirmation',
      language: 'en',
      subject: 'Your appointment',
      body: 'Booked for Tuesday at 10:00',
      dueAt: new Date().toISOString(),
    });
    await root.command('StartMessageDelivery', { ...key, attempt: 1 });
    const sent = { ...key, attempt: 1, provider: 'outbox', providerMessageId: 'outbox-1' };
    expect((await root.command('RecordMessageSent', sent)).body).toMatchObject({
      events: [{ type: 'MessageSent' }],
    });
    expect((await root.command('RecordMessageSent', sent)).body).toMatchObject({ events: [] });
    const status = { ...key, status: 'delivered' };
    expect((await root.command('RecordMessageStatus', status)).body).toMatchObject({
      events: [{ type: 'MessageStatusChanged' }],
    });
    expect((await root.command('RecordMessageStatus', status)).body).toMatchObject({ events: [] });
    const types = (await t.platform.store.readStream(`message-${TENANT}.${key.messageId}`)).map(
      (e) => e.type,
    );
    expect(types).toEqual([
      'MessageScheduled',
      'MessageDeliveryStarted',
      'MessageSent',
      'MessageStatusChanged',
    ]);
  });
});
