import { describe, expect, it } from 'vitest';
import {
  ApplyRetention,
  PlaceLegalHold,
  PlanDataSubjectErasure,
  ReleaseLegalHold,
  SetRetentionPolicy,
} from '@ccp/schemas';
import { erasureDecider, type ErasureEvent } from './erasure.js';
import { legalHoldDecider, retentionPolicyDecider, type LegalHoldEvent } from './retention.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const tenantId = 'acme';

describe('a retention policy', () => {
  const given = DeciderSpecification.for(retentionPolicyDecider);
  it('records each change once, absent days as kept', () => {
    given([])
      .when(command(SetRetentionPolicy, { tenantId, policy: { transcriptsDays: 30 } }))
      .then([
        {
          type: 'RetentionPolicySet',
          data: { policy: { recordingsDays: null, transcriptsDays: 30, messagesDays: null } },
        },
      ]);
    given([{ type: 'RetentionPolicySet', data: { policy: { transcriptsDays: 30 } } }])
      .when(command(SetRetentionPolicy, { tenantId, policy: { transcriptsDays: 30, recordingsDays: null } }))
      .thenNothingHappened();
  });

  it('takes whole days from one to ten years, and nothing else', () => {
    const valid = (policy: unknown) => SetRetentionPolicy.data.safeParse({ tenantId, policy }).success;
    expect(valid({ transcriptsDays: 1, recordingsDays: 3650, messagesDays: null })).toBe(true);
    expect(valid({ transcriptsDays: 0 })).toBe(false);
    expect(valid({ recordingsDays: 4000 })).toBe(false);
    expect(valid({ messagesDays: 1.5 })).toBe(false);
    expect(valid({ auditDays: 30 })).toBe(false);
  });
});

describe('a legal hold', () => {
  const given = DeciderSpecification.for(legalHoldDecider);
  const target = { kind: 'call', callId: 'CA1' } as const;
  const placed: LegalHoldEvent = { type: 'LegalHoldPlaced', data: { target, reason: 'Claim 2026-114' } };
  const key = { tenantId, holdId: 'hold-1' };

  it('is placed once and released once', () => {
    given([])
      .when(command(PlaceLegalHold, { ...key, target, reason: 'Claim 2026-114' }))
      .then([placed]);
    given([placed])
      .when(command(PlaceLegalHold, { ...key, target, reason: 'Claim 2026-114' }))
      .thenNothingHappened();
    given([placed])
      .when(command(ReleaseLegalHold, key))
      .then([{ type: 'LegalHoldReleased', data: {} }]);
    given([placed, { type: 'LegalHoldReleased', data: {} }])
      .when(command(ReleaseLegalHold, key))
      .thenNothingHappened();
  });

  it('cannot be released before it was placed, nor placed again once released', () => {
    given([]).when(command(ReleaseLegalHold, key)).thenThrows(refusedWith('HOLD_NOT_FOUND', 'holdId'));
    given([placed, { type: 'LegalHoldReleased', data: {} }])
      .when(command(PlaceLegalHold, { ...key, target, reason: 'again' }))
      .thenThrows(refusedWith('HOLD_RELEASED', 'holdId'));
    expect(PlaceLegalHold.data.safeParse({ ...key, target, reason: ' ' }).success).toBe(false);
  });
});

describe('a retention run, through the erasure path', () => {
  const given = DeciderSpecification.for(erasureDecider);
  const cutoffs = { transcriptsBefore: '2026-11-07T00:00:00.000Z' };
  const requested: ErasureEvent = { type: 'RetentionErasureRequested', data: { cutoffs } };
  const key = { tenantId, erasureId: 'retention-2026-12-07' };

  it('is asked for once a day, then planned like an erasure', () => {
    given([])
      .when(command(ApplyRetention, { ...key, cutoffs }))
      .then([requested]);
    given([requested])
      .when(command(ApplyRetention, { ...key, cutoffs }))
      .thenNothingHappened();
    given([requested])
      .when(command(PlanDataSubjectErasure, { ...key, streams: ['call-acme.CA1'], recordings: [] }))
      .then([{ type: 'DataSubjectErasurePlanned', data: { streams: ['call-acme.CA1'], recordings: [] } }]);
    given([requested])
      .when(command(PlanDataSubjectErasure, { ...key, streams: ['call-other.CA1'], recordings: [] }))
      .thenThrows(refusedWith('ERASURE_FOREIGN_STREAM', 'streams'));
  });
});
