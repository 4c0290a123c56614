import { z } from 'zod';
import { calendarEvents, scheduleEvents, serviceEvents, type EventOf } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import { utcInstant } from './call-stream.js';
import { ClickHouseCount, ClickHouseInstant } from './read-rows.js';
import { eventsOf, foldInto, key, text, type At } from './row-fold.js';

/**
 * Services, resource calendars (settings, time off, external busy time, reservations) and the schedule settings
 * with the calendar feed rotations, on the read side (017_appointments). What the API lists, what availability
 * is computed from, and what the iCalendar feed's token is derived from (the rotation count).
 */

type ServiceEvent = EventOf<(typeof serviceEvents)[number]>;
type CalendarEvent = EventOf<(typeof calendarEvents)[number]>;
type ScheduleEvent = EventOf<(typeof scheduleEvents)[number]>;
const SERVICE_TYPES: ReadonlySet<string> = new Set(serviceEvents.map((d) => d.type));
const CALENDAR_TYPES: ReadonlySet<string> = new Set(calendarEvents.map((d) => d.type));
const SCHEDULE_TYPES: ReadonlySet<string> = new Set(scheduleEvents.map((d) => d.type));

const Flag = ClickHouseCount;

const ServiceRow = z.object({
  tenant_id: z.string(),
  service_id: z.string(),
  name: z.string(),
  settings: z.string(),
  retired: Flag,
  defined_at: ClickHouseInstant,
  updated_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type ServiceRow = z.output<typeof ServiceRow>;

const ResourceRow = z.object({
  tenant_id: z.string(),
  resource_id: z.string(),
  name: z.string(),
  settings: z.string(),
  time_off: z.string(),
  external_busy: z.string(),
  external_calendar: z.string(),
  removed: Flag,
  added_at: ClickHouseInstant,
  updated_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type ResourceRow = z.output<typeof ResourceRow>;

const ReservationRow = z.object({
  tenant_id: z.string(),
  resource_id: z.string(),
  appointment_id: z.string(),
  starts_at: ClickHouseInstant,
  ends_at: ClickHouseInstant,
  buffer_before_minutes: ClickHouseCount,
  buffer_after_minutes: ClickHouseCount,
  released: Flag,
  reserved_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type ReservationRow = z.output<typeof ReservationRow>;

const SettingsRow = z.object({
  tenant_id: z.string(),
  settings_id: z.string(),
  settings: z.string(),
  configured_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type SettingsRow = z.output<typeof SettingsRow>;

const FeedRow = z.object({
  tenant_id: z.string(),
  scope: z.string(),
  rotation: ClickHouseCount,
  first_rotated_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type FeedRow = z.output<typeof FeedRow>;

/** The scope of the tenant-wide calendar feed (a resource's feed is scoped by its id). */
export const ALL_RESOURCES = 'all';

const applyToService = (row: ServiceRow | undefined, at: At<ServiceEvent>): ServiceRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  const { event } = at;
  if (event.type === 'ServiceDefined' || event.type === 'ServiceRevised') {
    return {
      tenant_id: at.tenantId,
      service_id: at.id,
      name: event.data.name,
      settings: JSON.stringify(event.data),
      retired: row?.retired ?? 0,
      defined_at: row?.defined_at ?? at.occurredAt,
      updated_at: at.occurredAt,
      version: at.position,
    };
  }
  return row === undefined
    ? undefined
    : { ...row, retired: 1, updated_at: at.occurredAt, version: at.position };
};

interface Interval {
  readonly from: string;
  readonly until: string;
}

/**
 * The busy time after a sync: what was known outside the synced window (cut at its edges) and what the sync
 * reported inside it, in time order.
 */
export const replaceBusy = (
  known: readonly Interval[],
  window: Interval,
  busy: readonly Interval[],
): Interval[] => {
  const start = Date.parse(window.from);
  const end = Date.parse(window.until);
  const kept: Interval[] = [];
  for (const interval of known) {
    const from = Date.parse(interval.from);
    const until = Date.parse(interval.until);
    if (from < start)
      kept.push({ from: interval.from, until: new Date(Math.min(until, start)).toISOString() });
    if (until > end) kept.push({ from: new Date(Math.max(from, end)).toISOString(), until: interval.until });
  }
  const inside = busy.flatMap((b) => {
    const from = Math.max(Date.parse(b.from), start);
    const until = Math.min(Date.parse(b.until), end);
    return from < until ? [{ from: new Date(from).toISOString(), until: new Date(until).toISOString() }] : [];
  });
  return [...kept, ...inside].sort((a, b) => a.from.localeCompare(b.from));
};

const applyToResource = (row: ResourceRow | undefined, at: At<CalendarEvent>): ResourceRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  const { event } = at;
  if (event.type === 'ResourceAdded' || event.type === 'ResourceRevised') {
    return {
      tenant_id: at.tenantId,
      resource_id: at.id,
      // A staff member's name is personal data: '[erased]' once they were.
      name: text(event.data.name),
      settings: JSON.stringify(event.data),
      time_off: row?.time_off ?? '[]',
      external_busy: row?.external_busy ?? '[]',
      external_calendar: row?.external_calendar ?? '',
      removed: 0,
      added_at: row?.added_at ?? at.occurredAt,
      updated_at: at.occurredAt,
      version: at.position,
    };
  }
  if (row === undefined) return undefined;
  const changed = (change: Partial<ResourceRow>): ResourceRow => ({
    ...row,
    ...change,
    updated_at: at.occurredAt,
    version: at.position,
  });
  const timeOff = () => JSON.parse(row.time_off) as { timeOffId: string }[];
  switch (event.type) {
    case 'ResourceRemoved':
      return changed({ removed: 1 });
    case 'TimeOffAdded': {
      const { timeOffId, from, until, reason } = event.data;
      const entry = {
        timeOffId,
        from: utcInstant(from),
        until: utcInstant(until),
        ...(reason !== undefined && { reason: text(reason) }),
      };
      return changed({
        time_off: JSON.stringify([...timeOff().filter((t) => t.timeOffId !== timeOffId), entry]),
      });
    }
    case 'TimeOffRemoved':
      return changed({
        time_off: JSON.stringify(timeOff().filter((t) => t.timeOffId !== event.data.timeOffId)),
      });
    case 'ExternalBusySynced': {
      const busy = replaceBusy(
        JSON.parse(row.external_busy) as Interval[],
        event.data.window,
        event.data.busy,
      );
      return changed({ external_busy: JSON.stringify(busy) });
    }
    case 'ExternalCalendarLinked': {
      // Usually the staff member's address: personal data, '[erased]' once they were.
      const calendarId = text(event.data.calendarId);
      return changed({ external_calendar: JSON.stringify({ provider: event.data.provider, calendarId }) });
    }
    case 'ExternalCalendarUnlinked':
      return changed({ external_calendar: '' });
    default:
      return row;
  }
};

const applyToReservation = (
  row: ReservationRow | undefined,
  at: At<CalendarEvent>,
): ReservationRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  const { event } = at;
  if (event.type === 'SlotReserved') {
    const { appointmentId, startsAt, endsAt, bufferBeforeMinutes, bufferAfterMinutes } = event.data;
    return {
      tenant_id: at.tenantId,
      resource_id: at.id,
      appointment_id: appointmentId,
      starts_at: utcInstant(startsAt),
      ends_at: utcInstant(endsAt),
      buffer_before_minutes: bufferBeforeMinutes,
      buffer_after_minutes: bufferAfterMinutes,
      released: 0,
      reserved_at: row?.reserved_at ?? at.occurredAt,
      version: at.position,
    };
  }
  if (event.type === 'SlotReleased' && row !== undefined)
    return { ...row, released: 1, version: at.position };
  return row;
};

const reservedAppointment = (event: CalendarEvent): string | undefined =>
  event.type === 'SlotReserved' || event.type === 'SlotReleased' ? event.data.appointmentId : undefined;

const applyToSettings = (row: SettingsRow | undefined, at: At<ScheduleEvent>): SettingsRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  if (at.event.type !== 'ScheduleConfigured') return row;
  return {
    tenant_id: at.tenantId,
    settings_id: at.id,
    settings: JSON.stringify(at.event.data),
    configured_at: row?.configured_at ?? at.occurredAt,
    version: at.position,
  };
};

const feedScope = (event: ScheduleEvent): string | undefined =>
  event.type === 'CalendarFeedRotated' ? (event.data.resourceId ?? ALL_RESOURCES) : undefined;

const applyToFeed = (row: FeedRow | undefined, at: At<ScheduleEvent>, scope: string): FeedRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  return {
    tenant_id: at.tenantId,
    scope,
    rotation: (row?.rotation ?? 0) + 1,
    first_rotated_at: row?.first_rotated_at ?? at.occurredAt,
    version: at.position,
  };
};

export const CALENDAR_TABLES = [
  'services',
  'resources',
  'reservations',
  'schedule_settings',
  'calendar_feeds',
];

/** Writes the rows a batch's service, calendar and schedule events change. */
export const writeCalendarEvents = async (
  readStore: ReadStore,
  batch: readonly BusEvent[],
): Promise<void> => {
  await foldInto(
    readStore,
    {
      table: 'services',
      column: 'service_id',
      idsOf: (at) => [at.id],
      rowKey: (row: ServiceRow) => key(row.tenant_id, row.service_id),
      keysOf: (at) => [key(at.tenantId, at.id)],
      schema: ServiceRow,
      apply: applyToService,
    },
    eventsOf<ServiceEvent>(batch, 'service', SERVICE_TYPES),
  );
  const calendar = eventsOf<CalendarEvent>(batch, 'calendar', CALENDAR_TYPES);
  await foldInto(
    readStore,
    {
      table: 'resources',
      column: 'resource_id',
      idsOf: (at) => [at.id],
      rowKey: (row: ResourceRow) => key(row.tenant_id, row.resource_id),
      keysOf: (at) => [key(at.tenantId, at.id)],
      schema: ResourceRow,
      apply: applyToResource,
    },
    calendar.filter((at) => reservedAppointment(at.event) === undefined),
  );
  await foldInto(
    readStore,
    {
      table: 'reservations',
      column: 'appointment_id',
      idsOf: (at) => [reservedAppointment(at.event) ?? ''],
      rowKey: (row: ReservationRow) => key(row.tenant_id, row.resource_id, row.appointment_id),
      keysOf: (at) => [key(at.tenantId, at.id, reservedAppointment(at.event) ?? '')],
      schema: ReservationRow,
      apply: applyToReservation,
    },
    calendar.filter((at) => reservedAppointment(at.event) !== undefined),
  );
  const schedule = eventsOf<ScheduleEvent>(batch, 'schedule', SCHEDULE_TYPES);
  await foldInto(
    readStore,
    {
      table: 'schedule_settings',
      column: 'settings_id',
      idsOf: (at) => [at.id],
      rowKey: (row: SettingsRow) => key(row.tenant_id, row.settings_id),
      keysOf: (at) => [key(at.tenantId, at.id)],
      schema: SettingsRow,
      apply: applyToSettings,
    },
    schedule.filter((at) => at.event.type === 'ScheduleConfigured'),
  );
  await foldInto(
    readStore,
    {
      table: 'calendar_feeds',
      column: 'scope',
      idsOf: (at) => [feedScope(at.event) ?? ''],
      rowKey: (row: FeedRow) => key(row.tenant_id, row.scope),
      keysOf: (at) => [key(at.tenantId, feedScope(at.event) ?? '')],
      schema: FeedRow,
      apply: (row, at, rowKey) => applyToFeed(row, at, rowKey.slice(rowKey.indexOf('\u0000') + 1)),
    },
    schedule.filter((at) => feedScope(at.event) !== undefined),
  );
};
