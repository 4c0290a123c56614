import { describe, expect, it } from 'vitest';
import {
  CancelMessage,
  MAX_MESSAGE_ATTEMPTS,
  ReceiveMessage,
  RecordMessageFailure,
  RecordMessageSent,
  RecordMessageStatus,
  RecordReplyHandling,
  ScheduleMessage,
  StartMessageDelivery,
} from '@ccp/schemas';
import { fold } from './decider.js';
import {
  MAX_RETRY_MS,
  messageDecider,
  messageStatusOf,
  nextDeliveryAt,
  retryAtOf,
  type MessageEvent,
} from './message.js';
import { DeciderSpecification, TEST_NOW, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(messageDecider);

const key = { tenantId: 'acme', messageId: 'appt-1:r2:reminder-120' };
const at = (offsetMs: number) => new Date(TEST_NOW.getTime() + offsetMs);
const iso = (offsetMs: number) => at(offsetMs).toISOString();
const message = {
  channel: 'sms',
  to: '+15550100001',
  from: '+15550100900',
  purpose: 'reminder',
  language: 'en',
  body: 'Hi Maria, see you tomorrow at 10:00.',
  contactId: 'maria',
  appointmentId: 'appt-1',
  dueAt: iso(0),
  expiresAt: iso(3_600_000),
} as const;
const scheduled: MessageEvent = { type: 'MessageScheduled', data: message };
const started = (attempt: number): MessageEvent => ({ type: 'MessageDeliveryStarted', data: { attempt } });
const failed = (attempt: number, retryAt: string): MessageEvent => ({
  type: 'MessageDeliveryFailed',
  data: { attempt, error: 'provider 503', retryAt },
});
const sent: MessageEvent = {
  type: 'MessageSent',
  data: { attempt: 1, provider: 'twilio', providerMessageId: 'SM1' },
};
const cancelled: MessageEvent = { type: 'MessageCancelled', data: { reason: 'rescheduled' } };

describe('message decider: outbound timer', () => {
  describe('ScheduleMessage', () => {
    it('schedules a new message, and nothing when the planner schedules the same id again', () => {
      given([])
        .when(command(ScheduleMessage, { ...key, ...message }))
        .then(scheduled);
      given([scheduled])
        .when(command(ScheduleMessage, { ...key, ...message }))
        .thenNothingHappened();
      expect(nextDeliveryAt(fold(messageDecider, [scheduled]))).toBe(message.dueAt);
    });
  });

  describe('CancelMessage', () => {
    it('cancels a scheduled or retrying message', () => {
      given([scheduled])
        .when(command(CancelMessage, { ...key, reason: 'rescheduled' }))
        .then(cancelled);
      given([scheduled, started(1), failed(1, iso(60_000))])
        .when(command(CancelMessage, { ...key, reason: 'rescheduled' }))
        .then(cancelled);
    });

    it('leaves a cancelled, sent or abandoned message as it is', () => {
      const abandoned: MessageEvent = { type: 'MessageAbandoned', data: { attempt: 5, error: 'x' } };
      for (const end of [[cancelled], [started(1), sent], [abandoned]]) {
        given([scheduled, ...end])
          .when(command(CancelMessage, { ...key, reason: 'r' }))
          .thenNothingHappened();
      }
    });

    it('refuses a message that does not exist', () =>
      given([])
        .when(command(CancelMessage, { ...key, reason: 'r' }))
        .thenThrows(refusedWith('MESSAGE_NOT_FOUND')));
  });

  describe('StartMessageDelivery', () => {
    const start = (attempt: number, offsetMs = 0) =>
      command(StartMessageDelivery, { ...key, attempt }, { now: at(offsetMs) });

    it('claims the first attempt once the message is due', () =>
      given([scheduled]).when(start(1)).then(started(1)));

    // An interrupted attempt is asked about at the account it went through, never sent through another.
    it('keeps the provider account the attempt goes through', () =>
      given([scheduled])
        .when(
          command(
            StartMessageDelivery,
            { ...key, attempt: 1, account: `AC${'ab'.repeat(16)}` },
            { now: at(0) },
          ),
        )
        .then({ type: 'MessageDeliveryStarted', data: { attempt: 1, account: `AC${'ab'.repeat(16)}` } }));

    it('refuses before the message is due, or before the retry time of the last failure', () => {
      given([{ type: 'MessageScheduled', data: { ...message, dueAt: iso(1000) } }])
        .when(start(1))
        .thenThrows(refusedWith('MESSAGE_NOT_DUE'));
      given([scheduled, started(1), failed(1, iso(60_000))])
        .when(start(2, 59_999))
        .thenThrows(refusedWith('MESSAGE_NOT_DUE'));
      given([scheduled, started(1), failed(1, iso(60_000))])
        .when(start(2, 60_000))
        .then(started(2));
    });

    it('refuses an attempt that is not the next one: another worker got there first', () => {
      given([scheduled]).when(start(2)).thenThrows(refusedWith('MESSAGE_ATTEMPT_CHANGED', 'attempt'));
      given([scheduled, started(1), failed(1, iso(0))])
        .when(start(1))
        .thenThrows(refusedWith('MESSAGE_ATTEMPT_CHANGED'));
      given([scheduled, started(1)])
        .when(start(2))
        .thenThrows(refusedWith('MESSAGE_ATTEMPT_CHANGED'));
    });

    it('answers the same claim again with nothing while that attempt is in flight', () =>
      given([scheduled, started(1)])
        .when(start(1))
        .thenNothingHappened());

    it('cancels a message whose time has passed instead of sending it', () =>
      given([scheduled])
        .when(start(1, 3_600_000))
        .then({ type: 'MessageCancelled', data: { reason: 'expired' } }));

    it('refuses a closed message', () => {
      given([scheduled, cancelled]).when(start(1)).thenThrows(refusedWith('MESSAGE_CLOSED'));
      given([scheduled, started(1), sent])
        .when(start(2))
        .thenThrows(refusedWith('MESSAGE_CLOSED'));
    });

    it('refuses a message that does not exist, or one that was received', () => {
      given([]).when(start(1)).thenThrows(refusedWith('MESSAGE_NOT_FOUND', 'messageId'));
      given([received]).when(start(1)).thenThrows(refusedWith('MESSAGE_INBOUND'));
    });
  });

  describe('RecordMessageSent', () => {
    const record = (attempt: number) =>
      command(RecordMessageSent, { ...key, attempt, provider: 'twilio', providerMessageId: 'SM1' });

    it('records the attempt in flight as sent, once', () => {
      given([scheduled, started(1)])
        .when(record(1))
        .then(sent);
      given([scheduled, started(1), sent])
        .when(record(1))
        .thenNothingHappened();
    });

    it('refuses an attempt that is not in flight', () => {
      given([scheduled]).when(record(1)).thenThrows(refusedWith('MESSAGE_ATTEMPT_CHANGED'));
      given([scheduled, started(1), failed(1, iso(0)), started(2)])
        .when(record(1))
        .thenThrows(refusedWith('MESSAGE_ATTEMPT_CHANGED'));
    });

    it('records a message cancelled while with the provider as sent: it went out', () => {
      given([scheduled, started(1), cancelled])
        .when(record(1))
        .then(sent);
      expect(messageStatusOf(fold(messageDecider, [scheduled, started(1), cancelled, sent]))).toBe('sent');
    });
  });

  describe('RecordMessageFailure', () => {
    const fail = (attempt: number, offsetMs = 0, notBefore?: string) =>
      command(
        RecordMessageFailure,
        { ...key, attempt, error: 'provider 503', ...(notBefore && { notBefore }) },
        { now: at(offsetMs) },
      );
    const decide = (events: MessageEvent[], c: ReturnType<typeof fail>) =>
      messageDecider.decide(c, fold(messageDecider, events));
    const retryAfter = (events: MessageEvent[], c: ReturnType<typeof fail>): number => {
      const [event] = decide(events, c);
      expect(event?.type).toBe('MessageDeliveryFailed');
      return event?.type === 'MessageDeliveryFailed'
        ? Date.parse(event.data.retryAt) - c.metadata.now.getTime()
        : NaN;
    };

    it('schedules a retry 30 s after the first failure, spread by up to 20%', () => {
      const delay = retryAfter([scheduled, started(1)], fail(1));
      expect(delay).toBeGreaterThanOrEqual(30_000);
      expect(delay).toBeLessThanOrEqual(36_000);
      given([scheduled, started(1)])
        .when(fail(1))
        .then(failed(1, retryAtOf(key.messageId, 1, TEST_NOW, undefined)));
    });

    it('doubles the wait per attempt up to 30 minutes', () => {
      const history: MessageEvent[] = [scheduled];
      const delays: number[] = [];
      for (let attempt = 1; attempt < MAX_MESSAGE_ATTEMPTS; attempt += 1) {
        history.push(started(attempt));
        const delay = retryAfter(history, fail(attempt));
        delays.push(delay);
        const base = Math.min(30_000 * 2 ** (attempt - 1), MAX_RETRY_MS);
        expect(delay).toBeGreaterThanOrEqual(base);
        expect(delay).toBeLessThanOrEqual(base * 1.2);
        history.push(failed(attempt, iso(delay)));
      }
      expect(Math.min(...delays)).toBe(delays[0]);
      // At attempt 7 the doubling would be 32 min: capped.
      const capped = Date.parse(retryAtOf('m', 7, TEST_NOW, undefined)) - TEST_NOW.getTime();
      expect(capped).toBeGreaterThanOrEqual(MAX_RETRY_MS);
      expect(capped).toBeLessThanOrEqual(MAX_RETRY_MS * 1.2);
    });

    it('spreads retries of different messages apart, always the same way for one', () => {
      const spreads = new Set(
        Array.from({ length: 20 }, (_, i) => retryAtOf(`msg-${i}`, 1, TEST_NOW, undefined)),
      );
      expect(spreads.size).toBeGreaterThan(10);
      expect(retryAtOf('msg-1', 1, TEST_NOW, undefined)).toBe(retryAtOf('msg-1', 1, TEST_NOW, undefined));
    });

    it('waits as long as the provider asked when that is longer', () => {
      const notBefore = iso(600_000);
      given([scheduled, started(1)])
        .when(fail(1, 0, notBefore))
        .then(failed(1, notBefore));
    });

    it('gives up after the last attempt', () => {
      const history: MessageEvent[] = [scheduled];
      for (let attempt = 1; attempt < MAX_MESSAGE_ATTEMPTS; attempt += 1) {
        history.push(started(attempt), failed(attempt, iso(0)));
      }
      history.push(started(MAX_MESSAGE_ATTEMPTS));
      given(history)
        .when(fail(MAX_MESSAGE_ATTEMPTS))
        .then({ type: 'MessageAbandoned', data: { attempt: MAX_MESSAGE_ATTEMPTS, error: 'provider 503' } });
      const gaveUp: MessageEvent = {
        type: 'MessageAbandoned',
        data: { attempt: MAX_MESSAGE_ATTEMPTS, error: 'x' },
      };
      const abandoned = fold(messageDecider, [...history, gaveUp]);
      expect(messageStatusOf(abandoned)).toBe('abandoned');
      expect(nextDeliveryAt(abandoned)).toBeNull();
    });

    it('gives up at once when the provider refuses the message itself', () =>
      given([scheduled, started(1)])
        .when(
          command(RecordMessageFailure, { ...key, attempt: 1, error: 'rejected: 21211', permanent: true }),
        )
        .then({ type: 'MessageAbandoned', data: { attempt: 1, error: 'rejected: 21211' } }));

    it('adds nothing for a failure already recorded, and refuses one for an attempt never started', () => {
      given([scheduled, started(1), failed(1, iso(0))])
        .when(fail(1))
        .thenNothingHappened();
      given([scheduled]).when(fail(1)).thenThrows(refusedWith('MESSAGE_ATTEMPT_CHANGED'));
    });

    it('schedules no retry of a message cancelled while with the provider', () =>
      given([scheduled, started(1), cancelled])
        .when(fail(1))
        .thenNothingHappened());
  });

  describe('RecordMessageStatus', () => {
    const status = (s: 'delivered' | 'undelivered' | 'read') =>
      command(RecordMessageStatus, { ...key, status: s });
    const delivered: MessageEvent = { type: 'MessageStatusChanged', data: { status: 'delivered' } };

    it('records what the provider reports about a sent message, each status once', () => {
      given([scheduled, started(1), sent])
        .when(status('delivered'))
        .then(delivered);
      given([scheduled, started(1), sent, delivered])
        .when(status('delivered'))
        .thenNothingHappened();
      given([scheduled, started(1), sent, delivered])
        .when(status('read'))
        .then({ type: 'MessageStatusChanged', data: { status: 'read' } });
      expect(messageStatusOf(fold(messageDecider, [scheduled, started(1), sent, delivered]))).toBe(
        'delivered',
      );
    });

    it('keeps "read" when a late "delivered" arrives', () =>
      given([scheduled, started(1), sent, { type: 'MessageStatusChanged', data: { status: 'read' } }])
        .when(status('delivered'))
        .thenNothingHappened());

    it('refuses a status for a message not sent', () =>
      given([scheduled, started(1)])
        .when(status('delivered'))
        .thenThrows(refusedWith('MESSAGE_NOT_SENT')));
  });
});

const inbound = {
  channel: 'sms',
  from: '+15550100001',
  to: '+15550100900',
  body: 'C',
  provider: 'twilio',
  providerMessageId: 'SM77',
} as const;
const received: MessageEvent = { type: 'MessageReceived', data: inbound };

describe('message decider: inbound', () => {
  it('records a received message once per id', () => {
    given([])
      .when(command(ReceiveMessage, { ...key, ...inbound }))
      .then(received);
    given([received])
      .when(command(ReceiveMessage, { ...key, ...inbound }))
      .thenNothingHappened();
    expect(messageStatusOf(fold(messageDecider, [received]))).toBe('received');
  });

  it('refuses an id already used by a message sent from here, and the other way round', () => {
    given([scheduled])
      .when(command(ReceiveMessage, { ...key, ...inbound }))
      .thenThrows(refusedWith('MESSAGE_EXISTS'));
    given([received])
      .when(command(ScheduleMessage, { ...key, ...message }))
      .thenThrows(refusedWith('MESSAGE_EXISTS'));
  });

  it('records how a reply was handled once', () => {
    const handling = {
      intent: 'confirm',
      appointmentId: 'appt-1',
      outcome: 'appointment confirmed',
    } as const;
    const handled: MessageEvent = { type: 'MessageReplyHandled', data: handling };
    given([received])
      .when(command(RecordReplyHandling, { ...key, ...handling }))
      .then(handled);
    given([received, handled])
      .when(command(RecordReplyHandling, { ...key, ...handling }))
      .thenNothingHappened();
    expect(messageStatusOf(fold(messageDecider, [received, handled]))).toBe('handled');
  });

  it('refuses to handle a reply that was never received', () => {
    const handling = { ...key, intent: 'stop', outcome: 'consent withdrawn' } as const;
    given([]).when(command(RecordReplyHandling, handling)).thenThrows(refusedWith('MESSAGE_NOT_FOUND'));
    given([scheduled])
      .when(command(RecordReplyHandling, handling))
      .thenThrows(refusedWith('MESSAGE_OUTBOUND'));
  });
});
