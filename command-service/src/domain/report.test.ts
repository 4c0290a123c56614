import { describe, it } from 'vitest';
import { DeleteReport, RecordReportDelivery, SaveReport } from '@ccp/schemas';
import { reportDecider, type ReportEvent } from './report.js';
import { DeciderSpecification, command, refusedWith } from './testing.js';

const given = DeciderSpecification.for(reportDecider);
const key = { tenantId: 'acme', reportId: 'weekly-sla' };
const definition = {
  name: 'Weekly SLA',
  kind: 'sla' as const,
  filters: {},
  format: 'pdf' as const,
  schedule: { every: 'week' as const, at: '08:00', weekday: 1 },
  delivery: { kind: 'email' as const, to: ['ops@acme.example'] },
};
const saved: ReportEvent = { type: 'ReportSaved', data: definition };
const deliver = (slot: string, outcome: 'delivered' | 'failed' = 'delivered') =>
  command(RecordReportDelivery, { ...key, slot, outcome });

describe('report decider', () => {
  it('saves a report definition', () =>
    given([])
      .when(command(SaveReport, { ...key, ...definition }))
      .then([saved]));

  it('saving the same definition again changes nothing; a changed one replaces it', () => {
    given([saved])
      .when(command(SaveReport, { ...key, ...definition }))
      .thenNothingHappened();
    given([saved])
      .when(command(SaveReport, { ...key, ...definition, format: 'csv' }))
      .then([{ type: 'ReportSaved', data: { ...definition, format: 'csv' } }]);
  });

  it('records a slot delivered once, however often the scheduler retries', () => {
    given([saved])
      .when(deliver('2026-11-23T08:00'))
      .then([{ type: 'ReportDelivered', data: { slot: '2026-11-23T08:00' } }]);
    given([saved, { type: 'ReportDelivered', data: { slot: '2026-11-23T08:00' } }])
      .when(deliver('2026-11-23T08:00'))
      .thenNothingHappened();
  });

  it('records a failed attempt, and a later success of the same slot', () => {
    given([saved])
      .when(deliver('2026-11-23T08:00', 'failed'))
      .then([{ type: 'ReportDeliveryFailed', data: { slot: '2026-11-23T08:00' } }]);
    given([saved, { type: 'ReportDeliveryFailed', data: { slot: '2026-11-23T08:00' } }])
      .when(deliver('2026-11-23T08:00'))
      .then([{ type: 'ReportDelivered', data: { slot: '2026-11-23T08:00' } }]);
  });

  it('refuses deliveries of deleted or unknown reports', () => {
    given([saved, { type: 'ReportDeleted', data: {} }])
      .when(deliver('2026-11-23T08:00'))
      .thenThrows(refusedWith('REPORT_NOT_FOUND', 'reportId'));
    given([]).when(command(DeleteReport, key)).thenThrows(refusedWith('REPORT_NOT_FOUND', 'reportId'));
  });

  it('deletes a report once', () => {
    given([saved])
      .when(command(DeleteReport, key))
      .then([{ type: 'ReportDeleted', data: {} }]);
    given([saved, { type: 'ReportDeleted', data: {} }])
      .when(command(DeleteReport, key))
      .thenNothingHappened();
  });
});
