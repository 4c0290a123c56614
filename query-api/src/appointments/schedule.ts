import { z } from 'zod';
import {
  EntityId,
  LanguageTag,
  OpeningInterval,
  Price,
  ResourceSettings,
  ScheduleSettings,
  ServiceReminders,
  ServiceSettings,
} from '@ccp/schemas';
import { CommandRejected, freeSlots, serviceViewOf, type CalendarView } from '@ccp/command-service';
import type { ReadStore } from '@ccp/projections';
import { IsoInstant, isoFromClickHouse } from './paging.js';

export const Service = z.object({
  serviceId: z.string(),
  name: z.string(),
  description: z.string().optional(),
  durationMinutes: z.number().int(),
  bufferBeforeMinutes: z.number().int(),
  bufferAfterMinutes: z.number().int(),
  price: Price.optional(),
  resourceIds: z.array(z.string()),
  languages: z.array(z.string()),
  reminders: ServiceReminders.optional(),
  retired: z.boolean(),
});
export const ServiceList = z.object({ services: z.array(Service) });

const TimeOff = z.object({
  timeOffId: z.string(),
  from: z.string(),
  until: z.string(),
  reason: z.string().optional(),
});
const Span = z.object({ from: z.string(), until: z.string() });

export const Resource = z.object({
  resourceId: z.string(),
  name: z.string(),
  kind: z.enum(['staff', 'room']),
  timeZone: z.string(),
  workingHours: z.array(OpeningInterval),
  breaks: z.array(OpeningInterval),
  email: z.string().optional(),
  languages: z.array(z.string()),
  removed: z.boolean(),
  externalCalendar: z.object({ provider: z.literal('google'), calendarId: z.string() }).optional(),
  timeOff: z.array(TimeOff),
});
export type Resource = z.infer<typeof Resource>;
export const ResourceList = z.object({ resources: z.array(Resource) });

export const ScheduleSettingsPage = ScheduleSettings.extend({
  feeds: z
    .object({ tenant: z.string(), resources: z.record(z.string(), z.string()) })
    .optional()
    .describe('The secret iCalendar feed URLs (tenant admins only)'),
});

const ServiceRow = z.object({
  service_id: z.string(),
  settings: z.string(),
  retired: z.coerce.number(),
});

const ResourceRow = z.object({
  resource_id: z.string(),
  name: z.string(),
  settings: z.string(),
  time_off: z.string(),
  external_busy: z.string(),
  external_calendar: z.string(),
  removed: z.coerce.number(),
});

/**
 * Settings as the event stored them. An erased staff member's name and address read '[erased]', which their
 * schemas would refuse: the read side shows what it reads, so those two are taken as text.
 */
const StoredResource = ResourceSettings.extend({ name: z.string(), email: z.string().optional() });

const serviceOf = (row: z.infer<typeof ServiceRow>): z.infer<typeof Service> => {
  const settings = ServiceSettings.parse(JSON.parse(row.settings));
  return {
    serviceId: row.service_id,
    ...settings,
    retired: row.retired === 1,
  };
};

const resourceOf = (row: z.infer<typeof ResourceRow>): Resource => {
  const { email, ...settings } = StoredResource.parse(JSON.parse(row.settings));
  const external =
    row.external_calendar === ''
      ? undefined
      : z
          .object({ provider: z.literal('google'), calendarId: z.string() })
          .parse(JSON.parse(row.external_calendar));
  return {
    resourceId: row.resource_id,
    ...settings,
    name: row.name,
    ...(email !== undefined && { email }),
    removed: row.removed === 1,
    ...(external !== undefined && { externalCalendar: external }),
    timeOff: z.array(TimeOff).parse(JSON.parse(row.time_off)),
  };
};

export const listServices = async (
  store: ReadStore,
  tenantId: string,
): Promise<z.infer<typeof ServiceList>> => {
  const rows = await store.query<unknown>(
    `SELECT service_id, settings, retired FROM services FINAL WHERE tenant_id = {tenantId:String}
      ORDER BY name, service_id`,
    { tenantId },
  );
  return { services: rows.map((r) => serviceOf(ServiceRow.parse(r))) };
};

const resourceRows = async (store: ReadStore, tenantId: string, ids?: readonly string[]) =>
  (
    await store.query<unknown>(
      `SELECT resource_id, name, settings, time_off, external_busy, external_calendar, removed
         FROM resources FINAL WHERE tenant_id = {tenantId:String}
          ${ids === undefined ? '' : 'AND resource_id IN {ids:Array(String)}'}
        ORDER BY name, resource_id`,
      { tenantId, ...(ids !== undefined && { ids: [...ids] }) },
    )
  ).map((r) => ResourceRow.parse(r));

export const listResources = async (
  store: ReadStore,
  tenantId: string,
): Promise<z.infer<typeof ResourceList>> => ({
  resources: (await resourceRows(store, tenantId)).map(resourceOf),
});

/** The tenant's schedule settings, or the defaults when it never configured them. */
export const scheduleSettings = async (store: ReadStore, tenantId: string): Promise<ScheduleSettings> => {
  const [row] = await store.query<{ settings: string }>(
    `SELECT settings FROM schedule_settings FINAL WHERE tenant_id = {tenantId:String} ORDER BY version DESC LIMIT 1`,
    { tenantId },
  );
  return ScheduleSettings.parse(row === undefined ? {} : JSON.parse(row.settings));
};

export const AvailabilityQuery = z
  .strictObject({
    serviceIds: z
      .string()
      .transform((ids) => ids.split(',').map((id) => id.trim()))
      .pipe(z.array(EntityId).min(1).max(5))
      .describe('The services to book back to back, comma separated'),
    from: IsoInstant,
    until: IsoInstant,
    resourceId: EntityId.optional(),
    language: LanguageTag.optional(),
  })
  .refine((q) => q.from < q.until, { message: 'until must be after from', path: ['until'] })
  // Zod runs refinements over fields that failed too: a span is judged only between two instants.
  .refine(
    (q) =>
      !(q.from instanceof Date && q.until instanceof Date) ||
      q.until.getTime() - q.from.getTime() <= 31 * 24 * 3_600_000,
    {
      message: 'a range is at most 31 days',
      path: ['until'],
    },
  );

/** The most slots one answer lists, earliest first: a narrower range or a resource gives the later ones. */
const MAX_SLOTS = 2000;

export const Availability = z.object({
  slots: z
    .array(z.object({ startsAt: z.string(), endsAt: z.string(), resourceId: z.string() }))
    .describe(`Free slots by start, then resource; at most ${MAX_SLOTS}`),
});

/** The longest buffer a reservation can have: reservations ending this long before the range still count. */
const MAX_BUFFER_MS = 240 * 60_000;

/**
 * Free slots computed by the booking core's own function (freeSlots) over the read side's services, resource
 * calendars (hours, breaks, time off, external busy) and live reservations.
 */
export const availability = async (
  store: ReadStore,
  tenantId: string,
  query: z.output<typeof AvailabilityQuery>,
  now: Date,
): Promise<z.infer<typeof Availability>> => {
  const serviceRows = await store.query<unknown>(
    `SELECT service_id, settings, retired FROM services FINAL
      WHERE tenant_id = {tenantId:String} AND service_id IN {ids:Array(String)}`,
    { tenantId, ids: query.serviceIds },
  );
  const byId = new Map(
    serviceRows.map((r) => ServiceRow.parse(r)).map((row) => [row.service_id, serviceOf(row)]),
  );
  const services = query.serviceIds.map((id) => {
    const service = byId.get(id);
    if (service === undefined)
      throw new CommandRejected(404, 'NOT_FOUND', `no service ${id} in your tenant`, 'serviceIds');
    return serviceViewOf(id, service, service.retired);
  });
  const resourceIds = [...new Set(services.flatMap((s) => s.resourceIds))].filter(
    (id) => query.resourceId === undefined || id === query.resourceId,
  );
  const resources = await resourceRows(store, tenantId, resourceIds);
  const reservations = await store.query<Record<string, unknown>>(
    `SELECT resource_id, appointment_id, toString(starts_at) AS starts_text, toString(ends_at) AS ends_text,
            buffer_before_minutes, buffer_after_minutes
       FROM reservations FINAL
      WHERE tenant_id = {tenantId:String} AND resource_id IN {ids:Array(String)} AND released = 0
        AND ends_at > {from:DateTime64(3, 'UTC')} AND starts_at < {until:DateTime64(3, 'UTC')}`,
    {
      tenantId,
      ids: resourceIds,
      from: new Date(query.from.getTime() - MAX_BUFFER_MS),
      until: new Date(query.until.getTime() + MAX_BUFFER_MS),
    },
  );
  const calendars: CalendarView[] = resources.map((row) => {
    const settings = StoredResource.parse(JSON.parse(row.settings));
    return {
      resourceId: row.resource_id,
      timeZone: settings.timeZone,
      workingHours: settings.workingHours,
      breaks: settings.breaks,
      languages: settings.languages,
      removed: row.removed === 1,
      timeOff: z.array(TimeOff).parse(JSON.parse(row.time_off)),
      externalBusy: z.array(Span).parse(JSON.parse(row.external_busy)),
      reservations: reservations
        .filter((r) => r['resource_id'] === row.resource_id)
        .map((r) => ({
          appointmentId: String(r['appointment_id']),
          startsAt: isoFromClickHouse(r['starts_text']),
          endsAt: isoFromClickHouse(r['ends_text']),
          bufferBeforeMinutes: Number(r['buffer_before_minutes']),
          bufferAfterMinutes: Number(r['buffer_after_minutes']),
        })),
    };
  });
  const slots = freeSlots({
    services,
    calendars,
    from: query.from,
    until: query.until,
    now,
    ...(query.resourceId !== undefined && { resourceId: query.resourceId }),
    ...(query.language !== undefined && { language: query.language }),
    limit: MAX_SLOTS,
  });
  return { slots: slots.map(({ startsAt, endsAt, resourceId }) => ({ startsAt, endsAt, resourceId })) };
};
