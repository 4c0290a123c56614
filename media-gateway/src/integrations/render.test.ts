import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type DeliverySource } from '@ccp/schemas';
import { createSqliteEventStore, type EventStore } from '@ccp/command-service';
import { renderContent } from './render.js';

/* What each action renders from the log: a call's stream and a ticket appended as the deciders would. */

let store: EventStore;
const sources = new Map<string, DeliverySource>();

const append = async (streamId: string, type: string, data: Record<string, unknown>, key = type) => {
  const id = randomUUID();
  const occurredAt = '2026-03-10T12:00:00.000Z';
  const result = await store.append(
    streamId,
    [
      {
        id,
        type,
        data,
        metadata: {
          version: type === 'UtteranceRecorded' ? 2 : 1,
          tenantId: 'acme',
          occurredAt,
          causationId: null,
          correlationId: 'c1',
          actor: SYSTEM_ACTOR,
        },
      },
    ],
    'any',
  );
  sources.set(key, { eventId: id, eventType: type, streamId, position: result.position, occurredAt });
};

beforeAll(async () => {
  store = createSqliteEventStore({ path: ':memory:' });
  const call = 'call-acme.c1';
  await append(call, 'CallStarted', {
    direction: 'inbound',
    from: '+12125550100',
    to: '+12125550199',
    provider: 'simulator',
    startedAt: '2026-03-10T12:00:00.000Z',
  });
  await append(call, 'UtteranceRecorded', {
    utteranceId: 'u1',
    speaker: 'caller',
    text: 'My tooth hurts',
    confidence: 0.9,
    language: 'en',
  });
  await append(call, 'EscalationRequested', {
    reason: 'negative_sentiment',
    summary: 'Caller in pain, upset',
  });
  await append(call, 'CallSummarized', { summary: 'Toothache, escalated', followUps: [] });
  await append(call, 'CallEnded', { outcome: 'escalated', durationSeconds: 95 });
  await append('ticket-acme.t1', 'TicketOpened', {
    subject: 'Broken crown',
    description: 'Needs a visit',
    priority: 'high',
    callId: 'c1',
  });
});
afterAll(() => store.close());

const source = (key: string): DeliverySource => {
  const found = sources.get(key);
  if (!found) throw new Error(`no ${key}`);
  return found;
};

describe('rendering deliveries', () => {
  it('gives webhooks a thin payload: where to read, no personal data', async () => {
    const content = await renderContent(
      store,
      'https://console.example',
      'send_webhook',
      source('CallEnded'),
    );
    expect(content).toMatchObject({
      kind: 'event',
      type: 'CallEnded',
      data: { tenantId: 'acme', eventType: 'CallEnded', streamId: 'call-acme.c1', correlationId: 'c1' },
    });
    expect(JSON.stringify(content)).not.toContain('+1212');
  });

  it('renders a notification with a link to the console page', async () => {
    const content = await renderContent(
      store,
      'https://console.example/',
      'notify',
      source('EscalationRequested'),
    );
    expect(content).toMatchObject({
      kind: 'notification',
      topic: 'negative_sentiment',
      text: 'Caller in pain, upset',
      link: 'https://console.example/calls/c1',
    });
  });

  it("renders a call for a CRM's log: numbers, outcome, summary, transcript", async () => {
    const content = await renderContent(store, '', 'log_call', source('CallEnded'));
    expect(content).toMatchObject({
      kind: 'call',
      callId: 'c1',
      direction: 'inbound',
      customer: '+12125550100',
      businessNumber: '+12125550199',
      durationSeconds: 95,
      disposition: 'escalated',
      summary: 'Toothache, escalated',
      transcript: [{ speaker: 'caller', text: 'My tooth hurts' }],
    });
  });

  it("renders tickets: the platform's with its call, and an AI escalation", async () => {
    expect(await renderContent(store, '', 'open_ticket', source('TicketOpened'))).toMatchObject({
      kind: 'ticket',
      externalRef: 't1',
      subject: 'Broken crown',
      priority: 'high',
      callId: 'c1',
      summary: 'Toothache, escalated',
      transcript: [{ speaker: 'caller', text: 'My tooth hurts' }],
    });
    expect(await renderContent(store, '', 'open_ticket', source('EscalationRequested'))).toMatchObject({
      kind: 'ticket',
      externalRef: 'call:c1',
      subject: 'Escalation: negative_sentiment',
      description: 'Caller in pain, upset',
      customer: { phone: '+12125550100' },
    });
  });

  it('renders nothing when the source event is gone', async () => {
    const gone = { ...source('CallEnded'), eventId: 'missing' };
    expect(await renderContent(store, '', 'send_webhook', gone)).toBeUndefined();
  });
});
