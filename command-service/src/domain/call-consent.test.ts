import { describe, it } from 'vitest';
import { MarkRecordingAvailable, RecordRecordingConsent } from '@ccp/schemas';
import { callDecider, type CallEvent } from './call.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(callDecider);
const key = { tenantId: 'acme', callId: 'CA0123456789abcdef0123456789abcdef' } as const;

const started: CallEvent = {
  type: 'CallStarted',
  data: {
    direction: 'inbound',
    from: '+15551230000',
    to: '+15559870000',
    provider: 'twilio',
    startedAt: '2026-03-02T09:55:00.000Z',
  },
};
const ended: CallEvent = { type: 'CallEnded', data: { outcome: 'resolved', durationSeconds: 300 } };
const heard: CallEvent = {
  type: 'RecordingConsentGiven',
  data: { policy: 'announce', method: 'announcement' },
};
const refusedByKey: CallEvent = {
  type: 'RecordingConsentRefused',
  data: { policy: 'announce', method: 'key', key: '9' },
};

const consent = (
  outcome: 'given' | 'refused',
  method: 'announcement' | 'key' | 'phrase',
  policy: 'announce' | 'opt_in' = 'announce',
  pressed?: string,
) =>
  command(RecordRecordingConsent, {
    ...key,
    outcome,
    policy,
    method,
    ...(pressed !== undefined && { key: pressed }),
  });
const recording = command(MarkRecordingAvailable, {
  ...key,
  recordingId: 'RE0123',
  url: 'https://api.twilio.com/recordings/RE0123',
  durationSeconds: 42,
});

describe('call decider: recording consent', () => {
  it('records the consent of a caller who heard the announcement', () =>
    given([started]).when(consent('given', 'announcement')).then([heard]));

  it('records an opt-out by key after the announcement, with the key pressed', () =>
    given([started, heard])
      .when(consent('refused', 'key', 'announce', '9'))
      .then([refusedByKey]));

  it('records an opt-in by phrase under the opt-in policy', () =>
    given([started])
      .when(consent('given', 'phrase', 'opt_in'))
      .then([{ type: 'RecordingConsentGiven', data: { policy: 'opt_in', method: 'phrase' } }]));

  it('a refusal is final: consent given after it is refused', () =>
    given([started, refusedByKey])
      .when(consent('given', 'key', 'opt_in', '1'))
      .thenThrows(refusedWith('RECORDING_REFUSED', 'outcome')));

  it('the same outcome told again records nothing (the key pressed twice, a retried webhook)', () => {
    given([started, refusedByKey]).when(consent('refused', 'phrase')).thenNothingHappened();
    given([started, heard]).when(consent('given', 'announcement')).thenNothingHappened();
  });

  it('is told during the call, not after it', () =>
    given([started, ended])
      .when(consent('refused', 'key', 'announce', '9'))
      .thenThrows(refusedWith('CALL_ENDED')));

  it('a recording of a call whose caller refused is not kept', () =>
    given([started, refusedByKey, ended])
      .when(recording)
      .thenThrows(refusedWith('RECORDING_REFUSED', 'recordingId')));

  it('a recording of a call whose caller consented is kept', () =>
    given([started, heard, ended])
      .when(recording)
      .then([
        {
          type: 'RecordingAvailable',
          data: {
            recordingId: 'RE0123',
            url: 'https://api.twilio.com/recordings/RE0123',
            durationSeconds: 42,
          },
        },
      ]));
});
