import { describe, it } from 'vitest';
import {
  CompleteDataSubjectErasure,
  EraseDataSubject,
  PlanDataSubjectErasure,
  RecordSubjectAccess,
  type ErasureCertificate,
} from '@ccp/schemas';
import { erasureDecider, subjectAccessDecider, type ErasureEvent } from './erasure.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(erasureDecider);
const subject = { kind: 'phone', value: '+15550001111' } as const;
const requested: ErasureEvent = { type: 'DataSubjectErasureRequested', data: { subject } };
const streams = ['call-acme.CA1', 'contact-acme.maria'];
const planned: ErasureEvent = { type: 'DataSubjectErasurePlanned', data: { streams, recordings: ['RE1'] } };
const certificate: ErasureCertificate = {
  streams,
  counts: { call: 1, contact: 1 },
  keysErased: 2,
  rows: { calls: 1, utterances: 4, contacts: 1 },
  recordings: [{ recordingId: 'RE1', outcome: 'deleted' }],
  requestedBy: { kind: 'user', id: 'u-admin', role: 'tenant_admin', tenantId: 'acme' },
  requestedAt: '2026-03-02T10:00:00.000Z',
  erasedAt: '2026-03-02T10:00:01.000Z',
};
const erased: ErasureEvent = { type: 'DataSubjectErased', data: { certificate } };
const key = { tenantId: 'acme', erasureId: 'er-1' };

describe('erasure of a data subject', () => {
  it('records the request once: the same erasure again changes nothing', () => {
    given([])
      .when(command(EraseDataSubject, { ...key, subject }))
      .then([requested]);
    given([requested])
      .when(command(EraseDataSubject, { ...key, subject }))
      .thenNothingHappened();
    given([requested, planned, erased])
      .when(command(EraseDataSubject, { ...key, subject: { kind: 'email', value: 'm@example.com' } }))
      .thenNothingHappened();
  });

  it('plans a requested erasure once, each stream and recording once', () => {
    given([requested])
      .when(
        command(PlanDataSubjectErasure, {
          ...key,
          streams: [...streams, streams[0] ?? ''],
          recordings: ['RE1', 'RE1'],
        }),
      )
      .then([planned]);
    given([requested, planned])
      .when(command(PlanDataSubjectErasure, { ...key, streams: ['call-acme.CA9'], recordings: [] }))
      .thenNothingHappened();
  });

  it("never plans another tenant's stream", () => {
    given([requested])
      .when(command(PlanDataSubjectErasure, { ...key, streams: ['call-globex.CA1'], recordings: [] }))
      .thenThrows(refusedWith('ERASURE_FOREIGN_STREAM', 'streams'));
    given([requested])
      .when(command(PlanDataSubjectErasure, { ...key, streams: ['call-acmex.CA1'], recordings: [] }))
      .thenThrows(refusedWith('ERASURE_FOREIGN_STREAM', 'streams'));
  });

  it('refuses to plan or complete an erasure nobody requested', () => {
    given([])
      .when(command(PlanDataSubjectErasure, { ...key, streams, recordings: [] }))
      .thenThrows(refusedWith('ERASURE_NOT_FOUND'));
    given([])
      .when(command(CompleteDataSubjectErasure, { ...key, certificate }))
      .thenThrows(refusedWith('ERASURE_NOT_FOUND'));
    given([requested])
      .when(command(CompleteDataSubjectErasure, { ...key, certificate }))
      .thenThrows(refusedWith('ERASURE_NOT_PLANNED'));
  });

  it('records the certificate of a planned erasure once, naming only planned streams', () => {
    given([requested, planned])
      .when(command(CompleteDataSubjectErasure, { ...key, certificate }))
      .then([erased]);
    given([requested, planned, erased])
      .when(command(CompleteDataSubjectErasure, { ...key, certificate }))
      .thenNothingHappened();
    given([requested, planned])
      .when(
        command(CompleteDataSubjectErasure, {
          ...key,
          certificate: { ...certificate, streams: [...streams, 'ticket-acme.T1'] },
        }),
      )
      .thenThrows(refusedWith('ERASURE_CERTIFICATE_MISMATCH', 'certificate.streams'));
  });
});

describe('subject access export', () => {
  it('is recorded once per export', () => {
    const exported = { type: 'SubjectAccessExported', data: { subject } } as const;
    const record = command(RecordSubjectAccess, { tenantId: 'acme', exportId: 'sar-1', subject });
    DeciderSpecification.for(subjectAccessDecider)([]).when(record).then([exported]);
    DeciderSpecification.for(subjectAccessDecider)([exported]).when(record).thenNothingHappened();
  });
});
