import { z } from 'zod';
import { appointmentEvents, type EventOf } from '@ccp/schemas';
import type { ReadStore } from '@ccp/projections';
import type { BusEvent } from '../bus/port.js';
import type { Processor, ProcessorContext } from '../processor.js';
import { utcInstant } from './call-stream.js';
import { CALENDAR_TABLES, writeCalendarEvents } from './calendars.js';
import { ClickHouseCount, ClickHouseInstant } from './read-rows.js';
import { eventsOf, foldInto, key, record, text, type At } from './row-fold.js';

/**
 * Appointments on the read side (017_appointments): one row per appointment with its status, times, placement
 * (resource, services, buffers) and customer. The customer and notes are personal data the event store
 * decrypted for the processor; an erased customer reads '[erased]' as a whole, kept as the name.
 */

type AppointmentEvent = EventOf<(typeof appointmentEvents)[number]>;
const APPOINTMENT_TYPES: ReadonlySet<string> = new Set(appointmentEvents.map((d) => d.type));

const AppointmentRow = z.object({
  tenant_id: z.string(),
  appointment_id: z.string(),
  status: z.string(),
  starts_at: ClickHouseInstant,
  ends_at: ClickHouseInstant,
  duration_minutes: ClickHouseCount,
  time_zone: z.string(),
  service: z.string(),
  service_ids: z.array(z.string()),
  resource_id: z.string(),
  buffer_before_minutes: ClickHouseCount,
  buffer_after_minutes: ClickHouseCount,
  customer_name: z.string(),
  customer_phone: z.string(),
  customer_email: z.string(),
  contact_id: z.string(),
  call_id: z.string(),
  agent_id: z.string(),
  notes: z.string(),
  language: z.string(),
  booked_at: ClickHouseInstant,
  updated_at: ClickHouseInstant,
  version: ClickHouseCount,
});
type AppointmentRow = z.output<typeof AppointmentRow>;

const endOf = (startsAt: string, minutes: number): string =>
  new Date(Date.parse(startsAt) + minutes * 60_000).toISOString();

const STATUS_OF: Readonly<Record<string, string>> = {
  AppointmentConfirmed: 'confirmed',
  AppointmentCancelled: 'cancelled',
  AppointmentCompleted: 'completed',
  AppointmentNoShow: 'no_show',
};

const applyToAppointment = (
  row: AppointmentRow | undefined,
  at: At<AppointmentEvent>,
): AppointmentRow | undefined => {
  if (row !== undefined && at.position <= row.version) return row;
  const { event } = at;
  if (event.type === 'AppointmentScheduled') {
    const { data } = event;
    const customer = record(data.customer);
    const startsAt = utcInstant(data.startsAt);
    return {
      tenant_id: at.tenantId,
      appointment_id: at.id,
      status: 'scheduled',
      starts_at: startsAt,
      ends_at: endOf(startsAt, data.durationMinutes),
      duration_minutes: data.durationMinutes,
      time_zone: data.timeZone,
      service: data.service,
      service_ids: data.placement?.serviceIds ?? [],
      resource_id: data.placement?.resourceId ?? '',
      buffer_before_minutes: data.placement?.bufferBeforeMinutes ?? 0,
      buffer_after_minutes: data.placement?.bufferAfterMinutes ?? 0,
      // The whole customer is one personal field: erased, its name reads '[erased]' and the rest is gone.
      customer_name: customer === undefined ? text(data.customer) : text(customer['name']),
      customer_phone: text(customer?.['phone']),
      customer_email: text(customer?.['email']),
      contact_id: data.contactId ?? '',
      call_id: data.callId ?? '',
      agent_id: data.agentId ?? '',
      notes: text(data.notes),
      language: data.language ?? '',
      booked_at: at.occurredAt,
      updated_at: at.occurredAt,
      version: at.position,
    };
  }
  if (row === undefined) return undefined;
  const changed = (change: Partial<AppointmentRow>): AppointmentRow => ({
    ...row,
    ...change,
    updated_at: at.occurredAt,
    version: at.position,
  });
  if (event.type === 'AppointmentRescheduled') {
    const { to } = event.data;
    const startsAt = utcInstant(to.startsAt);
    // A moved appointment waits for confirmation again.
    return changed({
      status: 'scheduled',
      starts_at: startsAt,
      ends_at: endOf(startsAt, to.durationMinutes),
      duration_minutes: to.durationMinutes,
      resource_id: to.resourceId ?? row.resource_id,
    });
  }
  const status = STATUS_OF[event.type];
  return status === undefined ? row : changed({ status });
};

export const writeAppointmentEvents = (readStore: ReadStore, batch: readonly BusEvent[]) =>
  foldInto(
    readStore,
    {
      table: 'appointments',
      column: 'appointment_id',
      idsOf: (at) => [at.id],
      rowKey: (row: AppointmentRow) => key(row.tenant_id, row.appointment_id),
      keysOf: (at) => [key(at.tenantId, at.id)],
      schema: AppointmentRow,
      apply: applyToAppointment,
    },
    eventsOf<AppointmentEvent>(batch, 'appointment', APPOINTMENT_TYPES),
  );

export const SCHEDULING = 'scheduling';

/** Services, resource calendars, schedule settings and appointments: what booking and the calendars read. */
export const createSchedulingProcessor = (): Processor => ({
  name: SCHEDULING,
  categories: ['service', 'calendar', 'schedule', 'appointment'],
  tables: [...CALENDAR_TABLES, 'appointments'],
  async handle(batch: readonly BusEvent[], context: ProcessorContext): Promise<void> {
    await writeCalendarEvents(context.readStore, batch);
    await writeAppointmentEvents(context.readStore, batch);
  },
});
