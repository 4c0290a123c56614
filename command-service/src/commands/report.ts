import { DeleteReport, RecordReportDelivery, SaveReport } from '@ccp/schemas';
import { reportDecider } from '../domain/report.js';
import { route, type CommandRoute, type Reactions } from './route.js';

export const reportStream = (data: { tenantId: string; reportId: string }) => ({
  category: 'report',
  tenantId: data.tenantId,
  id: data.reportId,
});

const authors = {
  stream: reportStream,
  roles: ['tenant_admin', 'supervisor', 'analyst'],
  retryOnConflict: true,
} as const;

export const reportRoutes: readonly CommandRoute[] = [
  route(SaveReport, reportDecider, {
    ...authors,
    outboundUrls: (data) =>
      data.delivery?.kind === 'webhook' ? [{ field: 'delivery.url', url: data.delivery.url }] : [],
  }),
  route(DeleteReport, reportDecider, authors),
  // The scheduler only; a slot is recorded once, so a retry after a conflict cannot record it twice.
  route(RecordReportDelivery, reportDecider, { stream: reportStream, roles: [], retryOnConflict: true }),
];

export const reportReactions: Reactions = {};
