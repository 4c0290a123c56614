import { z } from 'zod';
import { defineCommand, defineEvent } from './define.js';
import { Email, EntityId, Name, TenantId } from './primitives.js';

const category = 'report';

export const REPORT_KINDS = [
  'volume',
  'outcomes',
  'sentiment',
  'intents',
  'agents',
  'departments',
  'sla',
  'usage',
] as const;
export const ReportKind = z.enum(REPORT_KINDS);
export const ReportFormat = z.enum(['csv', 'pdf', 'json']);

/** What a saved report narrows its calls to; the date range comes from the run or the schedule. */
export const ReportFilters = z.object({
  agentId: EntityId.optional(),
  departmentId: EntityId.optional(),
  direction: z.enum(['inbound', 'outbound']).optional(),
  outcome: z.string().min(1).max(50).optional(),
  interval: z.enum(['hour', 'day', 'week']).optional(),
});

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time is HH:MM (24 h)');
/** When a scheduled report goes out, in the tenant's time zone; each run covers the period just ended. */
export const ReportSchedule = z
  .object({
    every: z.enum(['day', 'week', 'month']),
    at: HHMM,
    weekday: z.number().int().min(1).max(7).optional(),
    dayOfMonth: z.number().int().min(1).max(28).optional(),
  })
  .refine((s) => s.every !== 'week' || s.weekday !== undefined, {
    message: 'a weekly report needs a weekday (1 = Monday … 7 = Sunday)',
    path: ['weekday'],
  })
  .refine((s) => s.every !== 'month' || s.dayOfMonth !== undefined, {
    message: 'a monthly report needs a dayOfMonth (1-28)',
    path: ['dayOfMonth'],
  });

export const ReportDelivery = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('email'), to: z.array(Email).min(1).max(20) }),
  z.object({
    kind: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }).max(2000),
  }),
]);

const ReportDefinition = z.object({
  name: Name,
  kind: ReportKind,
  filters: ReportFilters,
  format: ReportFormat,
  schedule: ReportSchedule.optional(),
  delivery: ReportDelivery.optional(),
});
const scheduledHasDelivery = (r: { schedule?: unknown; delivery?: unknown }): boolean =>
  r.schedule === undefined || r.delivery !== undefined;

export const SaveReport = defineCommand(
  category,
  'SaveReport',
  z
    .object({
      tenantId: TenantId,
      reportId: EntityId,
      ...ReportDefinition.shape,
      filters: ReportFilters.prefault({}),
    })
    .refine(scheduledHasDelivery, {
      message: 'a scheduled report needs a delivery (email or webhook)',
      path: ['delivery'],
    }),
  'Save a report definition (kind, filters, format), optionally scheduled and delivered by email or webhook; saving again replaces it.',
);
export const DeleteReport = defineCommand(
  category,
  'DeleteReport',
  z.object({ tenantId: TenantId, reportId: EntityId }),
  'Delete a saved report and stop its schedule.',
);
export const RecordReportDelivery = defineCommand(
  category,
  'RecordReportDelivery',
  z.object({
    tenantId: TenantId,
    reportId: EntityId,
    /** The schedule slot, local time of the tenant ('2026-11-24T08:00'): one delivery per slot. */
    slot: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/),
    outcome: z.enum(['delivered', 'failed']),
    detail: z.string().max(500).optional(),
  }),
  'Internal: the report scheduler delivered a slot, or tried and failed.',
);

export const ReportSaved = defineEvent(category, 'ReportSaved', 1, ReportDefinition);
export const ReportDeleted = defineEvent(category, 'ReportDeleted', 1, z.object({}));
export const ReportDelivered = defineEvent(
  category,
  'ReportDelivered',
  1,
  z.object({ slot: z.string(), detail: z.string().optional() }),
);
export const ReportDeliveryFailed = defineEvent(
  category,
  'ReportDeliveryFailed',
  1,
  z.object({ slot: z.string(), detail: z.string().optional() }),
);

export const reportCommands = [SaveReport, DeleteReport, RecordReportDelivery] as const;
export const reportEvents = [ReportSaved, ReportDeleted, ReportDelivered, ReportDeliveryFailed] as const;
