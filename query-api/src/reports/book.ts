import { z } from 'zod';
import {
  decodeEvent,
  parseStreamName,
  ReportDelivery,
  ReportFilters,
  ReportFormat,
  ReportKind,
  ReportSchedule,
} from '@ccp/schemas';
import { followLog, type EventStore, type RecordedEvent } from '@ccp/command-service';

export const SavedReport = z.object({
  reportId: z.string(),
  tenantId: z.string(),
  name: z.string(),
  kind: ReportKind,
  filters: ReportFilters,
  format: ReportFormat,
  schedule: ReportSchedule.nullable(),
  delivery: ReportDelivery.nullable(),
  /** When this definition was saved: its schedule starts from there. */
  savedAt: z.string(),
  lastDelivery: z
    .object({
      slot: z.string(),
      outcome: z.enum(['delivered', 'failed']),
      detail: z.string().nullable(),
      at: z.string(),
    })
    .nullable(),
});
export type SavedReport = z.infer<typeof SavedReport>;

interface Entry {
  report: SavedReport;
  delivered: Set<string>;
}

/**
 * The saved reports of every tenant, folded from the event log (reports are few; delivery targets are personal
 * data, which the decrypting store gives and the audit table does not).
 */
export interface ReportBook {
  /** Reads the log up to now; call before reading. */
  catchUp(): Promise<void>;
  list(tenantId: string): SavedReport[];
  get(tenantId: string, reportId: string): SavedReport | undefined;
  /** Every saved report with a schedule, across tenants. */
  scheduled(): SavedReport[];
  wasDelivered(tenantId: string, reportId: string, slot: string): boolean;
}

export const createReportBook = (store: EventStore): ReportBook => {
  const entries = new Map<string, Entry>();
  const keyOf = (tenantId: string, reportId: string) => `${tenantId}/${reportId}`;

  const apply = (recorded: RecordedEvent): void => {
    const stream = parseStreamName(recorded.streamId);
    if (stream?.category !== 'report') return;
    const decoded = decodeEvent(recorded);
    if (!decoded.ok) return;
    const e = decoded.value;
    const key = keyOf(stream.tenantId, stream.id);
    const entry = entries.get(key);
    switch (e.type) {
      case 'ReportSaved': {
        const data = e.data as { schedule?: unknown; delivery?: unknown } & Record<string, unknown>;
        entries.set(key, {
          delivered: entry?.delivered ?? new Set(),
          report: SavedReport.parse({
            ...data,
            reportId: stream.id,
            tenantId: stream.tenantId,
            schedule: data.schedule ?? null,
            delivery: data.delivery ?? null,
            savedAt: e.occurredAt,
            lastDelivery: entry?.report.lastDelivery ?? null,
          }),
        });
        return;
      }
      case 'ReportDeleted':
        entries.delete(key);
        return;
      case 'ReportDelivered':
      case 'ReportDeliveryFailed': {
        if (!entry) return;
        const data = e.data as { slot: string; detail?: string };
        if (e.type === 'ReportDelivered') entry.delivered.add(data.slot);
        entry.report = {
          ...entry.report,
          lastDelivery: {
            slot: data.slot,
            outcome: e.type === 'ReportDelivered' ? 'delivered' : 'failed',
            detail: data.detail ?? null,
            at: e.occurredAt,
          },
        };
        return;
      }
    }
  };
  const follower = followLog(store, apply);

  return {
    catchUp: follower.catchUp,
    list: (tenantId) =>
      [...entries.values()].filter((e) => e.report.tenantId === tenantId).map((e) => e.report),
    get: (tenantId, reportId) => entries.get(keyOf(tenantId, reportId))?.report,
    scheduled: () => [...entries.values()].filter((e) => e.report.schedule !== null).map((e) => e.report),
    wasDelivered: (tenantId, reportId, slot) =>
      entries.get(keyOf(tenantId, reportId))?.delivered.has(slot) ?? false,
  };
};
